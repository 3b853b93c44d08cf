// ComputeAPI's attach and detach rules (nova/compute/api.py attach_volume, detach_volume), on
// SQLite and the Cinder stand-in: each refusal raises the exception class Nova raises and
// leaves nothing behind (no BDM row, no reservation at Cinder, no cast).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../common/context';
import { ComputeAPI } from '../../../nova-api/compute/api';
import { BDM_STATES } from '../../../nova-common/bdm-states';
import type { NovaDB } from '../../../nova-common/db-api';
import { VM_STATES } from '../../../nova-common/objects';
import type { BlockDeviceMapping, Instance } from '../../../nova-common/entities';
import {
  DevicePathInUse, InstanceInvalidState, InstanceIsLocked, InstanceNotFound, InvalidDevicePath, InvalidInput, InvalidVolume,
  MultiattachNotSupportedOldMicroversion, RootDeviceDetach, ServiceUnavailable, TooManyDiskDevices, VolumeNotAttached, VolumeNotFound,
} from '../../../nova-common/exception';
import type { AttachFlowChooser } from '../../../nova-common/volume/attach-flow';
import type { CinderAttachment, CinderCaller, CinderVolume } from '../../../nova-common/volume/cinder';
import type { ComputeAPI as ComputeRPCAPI } from '../../../nova-compute/rpcapi';
import type { CinderFixture } from '../../functional/nova/cinder-fixture';
import { refused } from '../../support/assertions';
import { PROJECT, computeService, makeServer, memberCtx, openNovaUnit, type NovaUnit } from './business-fixture';

interface Cast { method: string; instance: string; volumeId: string; attachmentId?: string | null; bdm?: BlockDeviceMapping }

/** The compute's RPC client, recording casts; `fail` makes the next cast throw. */
class RecordingRpc {
  readonly casts: Cast[] = [];
  fail: Error | null = null;
  private take(c: Cast): void {
    const f = this.fail;
    this.fail = null;
    if (f) throw f;
    this.casts.push(c);
  }
  async attachVolume(_ctx: RequestContext, inst: Instance, bdm: BlockDeviceMapping): Promise<void> {
    this.take({ method: 'attach_volume', instance: inst.uuid, volumeId: bdm.volumeId as string, bdm });
  }
  async detachVolume(_ctx: RequestContext, inst: Instance, volumeId: string, attachmentId: string | null): Promise<void> {
    this.take({ method: 'detach_volume', instance: inst.uuid, volumeId, attachmentId });
  }
  readonly terminated: string[] = [];
  async terminateInstance(_ctx: RequestContext, inst: Instance): Promise<void> {
    this.terminated.push(inst.uuid);
  }
}

describe('ComputeAPI volume attach/detach rules', () => {
  let u: NovaUnit;
  let ds: DataSource;
  let db: NovaDB;
  let fixture: CinderFixture;
  let rpc: RecordingRpc;
  let api: ComputeAPI;
  const user = memberCtx();
  const admin = memberCtx(true);

  const build = (o: { maxDiskDevices?: number; attachFlow?: AttachFlowChooser } = {}): ComputeAPI =>
    new ComputeAPI({ db, cinder: u.cinder, rpc: rpc as unknown as ComputeRPCAPI, serviceDownTime: 60, maxDiskDevices: o.maxDiskDevices ?? -1, undoRetryMs: 0, attachFlow: o.attachFlow });
  const attach = (inst: Instance, volumeId: string, device: string | null = null, ctx = user) =>
    api.volumes.attachVolume(ctx, inst.uuid, { volumeId, device, tag: null, deleteOnTermination: false });
  const rows = (inst: Instance) => db.bdmsByInstance(inst.uuid);
  const actions = () => fixture.calls.map((c) => c.action);

  before(async () => {
    u = await openNovaUnit();
    ({ ds, db, fixture } = u);
    await computeService(ds);
  });
  after(() => u.stop());
  beforeEach(() => {
    rpc = new RecordingRpc();
    api = build();
    fixture.calls.length = 0;
  });

  describe('attach', () => {
    it('accepted: the row is reserved with the first free device, the volume reserved, one cast with the row', async () => {
      const inst = await makeServer(ds);
      const v = fixture.create(PROJECT);
      const bdm = await attach(inst, v.id);
      expect(bdm.deviceName).to.equal('/dev/vdb');
      const [row] = await rows(inst);
      expect(row.attachState).to.equal(BDM_STATES.RESERVED);
      expect(row.volumeId).to.equal(v.id);
      expect(actions()).to.deep.equal(['os-reserve']);
      expect(v.status).to.equal('attaching');
      expect(rpc.casts.map((c) => [c.method, c.instance, c.volumeId, c.bdm?.id])).to.deep.equal([['attach_volume', inst.uuid, v.id, row.id]]);
      expect(await db.actionGet(inst.uuid, user.requestId)).to.include({ action: 'attach_volume' });
    });

    it('a second volume gets the next letter', async () => {
      const inst = await makeServer(ds);
      await attach(inst, fixture.create(PROJECT).id);
      expect((await attach(inst, fixture.create(PROJECT).id)).deviceName).to.equal('/dev/vdc');
    });

    /** A refused attach leaves no row, no reservation at Cinder and no cast. */
    async function expectNothingWritten(inst: Instance): Promise<void> {
      expect(await rows(inst)).to.deep.equal([]);
      expect(rpc.casts).to.deep.equal([]);
      expect(actions()).to.not.include('os-reserve');
    }

    it('a locked server: InstanceIsLocked (409) for its owner, nothing written', async () => {
      const inst = await makeServer(ds, { locked: true, lockedBy: 'owner' });
      const v = fixture.create(PROJECT);
      const e = await refused(attach(inst, v.id));
      expect(e).to.be.instanceOf(InstanceIsLocked);
      expect((e as InstanceIsLocked).code).to.equal(409);
      await expectNothingWritten(inst);
      expect(v.status).to.equal('available');
    });

    it('a locked server takes the attach from an admin', async () => {
      const inst = await makeServer(ds, { locked: true, lockedBy: 'owner' });
      await attach(inst, fixture.create(PROJECT).id, null, admin);
      expect(rpc.casts).to.have.length(1);
    });

    for (const [what, values, attr] of [
      ['vm_state building', { vmState: 'building' }, 'vm_state'],
      ['vm_state error', { vmState: 'error' }, 'vm_state'],
      ['a task in progress', { taskState: 'rebooting' }, 'task_state'],
      ['never launched', { launchedAt: null }, 'launched_at'],
    ] as const) {
      it(`${what}: InstanceInvalidState naming ${attr}, nothing written`, async () => {
        const inst = await makeServer(ds, values as Partial<Instance>);
        const e = await refused(attach(inst, fixture.create(PROJECT).id));
        expect(e).to.be.instanceOf(InstanceInvalidState);
        expect(e.message).to.contain(`while it is in ${attr}`).and.contain('attach_volume');
        await expectNothingWritten(inst);
      });
    }

    it('allowed in the other volume states (stopped, paused, shelved)', async () => {
      for (const vmState of [VM_STATES.STOPPED, VM_STATES.PAUSED, VM_STATES.SHELVED_OFFLOADED]) {
        const inst = await makeServer(ds, { vmState });
        await attach(inst, fixture.create(PROJECT).id);
      }
      expect(rpc.casts).to.have.length(3);
    });

    it("the server's compute is down: ServiceUnavailable, nothing written", async () => {
      const inst = await makeServer(ds, { host: 'compute-gone', node: 'compute-gone' });
      expect(await refused(attach(inst, fixture.create(PROJECT).id))).to.be.instanceOf(ServiceUnavailable);
      await expectNothingWritten(inst);
    });

    it('a server with no host: ServiceUnavailable', async () => {
      const inst = await makeServer(ds, { host: null, node: null });
      expect(await refused(attach(inst, fixture.create(PROJECT).id))).to.be.instanceOf(ServiceUnavailable);
      await expectNothingWritten(inst);
    });

    it("another project's server: InstanceNotFound", async () => {
      const inst = await makeServer(ds, { projectId: 'p2' });
      expect(await refused(attach(inst, fixture.create(PROJECT).id))).to.be.instanceOf(InstanceNotFound);
      await expectNothingWritten(inst);
    });

    it("a volume that is not 'available': InvalidVolume, the row withdrawn, no reserve, no cast", async () => {
      const inst = await makeServer(ds);
      const v = fixture.create(PROJECT);
      v.status = 'in-use';
      const e = await refused(attach(inst, v.id));
      expect(e).to.be.instanceOf(InvalidVolume);
      expect(e.message).to.contain("status must be 'available'");
      await expectNothingWritten(inst);
      expect(v.status).to.equal('in-use');
    });

    it('an unknown volume: VolumeNotFound (404), the row withdrawn', async () => {
      const inst = await makeServer(ds);
      const e = await refused(attach(inst, '7d4c7bd6-0000-4000-8000-000000000000'));
      expect(e).to.be.instanceOf(VolumeNotFound);
      expect((e as VolumeNotFound).code).to.equal(404);
      await expectNothingWritten(inst);
    });

    it('Cinder refuses os-reserve: the refusal passes up, the row is withdrawn', async () => {
      const inst = await makeServer(ds);
      const v = fixture.create(PROJECT);
      fixture.failNext.set('os-reserve', { code: 400, message: 'Invalid volume: reserved meanwhile' });
      expect(await refused(attach(inst, v.id))).to.be.instanceOf(InvalidInput);
      expect(await rows(inst)).to.deep.equal([]);
      expect(rpc.casts).to.deep.equal([]);
    });

    it('the volume already has a row on this server: InvalidVolume, still one row, one cast', async () => {
      const inst = await makeServer(ds);
      const v = fixture.create(PROJECT);
      await attach(inst, v.id);
      const e = await refused(attach(inst, v.id));
      expect(e).to.be.instanceOf(InvalidVolume);
      expect(await rows(inst)).to.have.length(1);
      expect(rpc.casts).to.have.length(1);
    });

    it('a device name that is not a device path: InvalidDevicePath, nothing written', async () => {
      const inst = await makeServer(ds);
      expect(await refused(attach(inst, fixture.create(PROJECT).id, 'not-a-device'))).to.be.instanceOf(InvalidDevicePath);
      await expectNothingWritten(inst);
    });

    it('a device name in use: DevicePathInUse (409), the first row untouched', async () => {
      const inst = await makeServer(ds);
      await attach(inst, fixture.create(PROJECT).id, '/dev/vdb');
      const v2 = fixture.create(PROJECT);
      const e = await refused(attach(inst, v2.id, '/dev/vdb'));
      expect(e).to.be.instanceOf(DevicePathInUse);
      expect((e as DevicePathInUse).code).to.equal(409);
      expect((await rows(inst)).map((b) => b.volumeId)).to.not.include(v2.id);
      expect(v2.status).to.equal('available');
    });

    it('past max_disk_devices_to_attach: TooManyDiskDevices (403)', async () => {
      api = build({ maxDiskDevices: 1 });
      const inst = await makeServer(ds);
      await attach(inst, fixture.create(PROJECT).id);
      const e = await refused(attach(inst, fixture.create(PROJECT).id));
      expect(e).to.be.instanceOf(TooManyDiskDevices);
      expect((e as TooManyDiskDevices).code).to.equal(403);
      expect(await rows(inst)).to.have.length(1);
    });

    it('the cast fails: the row goes and the volume is unreserved', async () => {
      const inst = await makeServer(ds);
      const v = fixture.create(PROJECT);
      rpc.fail = new Error('broker gone');
      expect((await refused(attach(inst, v.id))).message).to.equal('broker gone');
      expect(await rows(inst)).to.deep.equal([]);
      expect(actions()).to.deep.equal(['os-reserve', 'os-unreserve']);
      expect(v.status).to.equal('available');
    });

    describe('attachments flow (multiattach rules)', () => {
      const created: string[] = [];
      const deleted: string[] = [];
      let multiattach = false;
      beforeEach(() => {
        created.length = 0;
        deleted.length = 0;
        multiattach = false;
        const cinder = u.cinder;
        // Cinder 3.44+: what the stand-in does not serve (multiattach volumes, attachment_create) answered here.
        const flow = { useAttachments: async () => true } as unknown as AttachFlowChooser;
        api = new ComputeAPI({ db, rpc: rpc as unknown as ComputeRPCAPI, serviceDownTime: 60, maxDiskDevices: -1, undoRetryMs: 0, attachFlow: flow,
          cinder: Object.assign(Object.create(cinder) as typeof cinder, {
            get: async (c: CinderCaller, id: string): Promise<CinderVolume> => ({ ...(await cinder.get(c, id)), multiattach }),
            attachmentCreate: async (_c: CinderCaller, volumeId: string, instance: string): Promise<CinderAttachment> => {
              created.push(volumeId);
              return { id: `att-${created.length}`, status: 'reserved', instance, volume_id: volumeId } as CinderAttachment;
            },
            attachmentDelete: async (_c: CinderCaller, id: string): Promise<void> => { deleted.push(id); },
          }) });
      });

      it('a multiattach volume before 2.60: MultiattachNotSupportedOldMicroversion, no attachment, no row', async () => {
        multiattach = true;
        const inst = await makeServer(ds);
        const e = await refused(attach(inst, fixture.create(PROJECT).id));
        expect(e).to.be.instanceOf(MultiattachNotSupportedOldMicroversion);
        expect(created).to.deep.equal([]);
        expect(await rows(inst)).to.deep.equal([]);
        expect(rpc.casts).to.deep.equal([]);
      });

      it('a multiattach volume from 2.60 attaches to a second server; the row carries the attachment id', async () => {
        multiattach = true;
        const v = fixture.create(PROJECT);
        const [a, b] = [await makeServer(ds), await makeServer(ds)];
        for (const inst of [a, b]) await api.volumes.attachVolume(user, inst.uuid, { volumeId: v.id, device: null, tag: null, deleteOnTermination: false, supportsMultiattach: true });
        expect(created).to.deep.equal([v.id, v.id]);
        expect((await rows(b))[0].attachmentId).to.equal('att-2');
      });

      it('a volume that is not multiattach and has a row on another server: InvalidVolume naming that server', async () => {
        const v = fixture.create(PROJECT);
        const [a, b] = [await makeServer(ds), await makeServer(ds)];
        await attach(a, v.id);
        const e = await refused(attach(b, v.id));
        expect(e).to.be.instanceOf(InvalidVolume);
        expect(e.message).to.contain(a.uuid);
        expect(created).to.have.length(1);
        expect(await rows(b)).to.deep.equal([]);
      });

      it('the cast fails: the row goes and the attachment is deleted', async () => {
        const inst = await makeServer(ds);
        rpc.fail = new Error('broker gone');
        await refused(attach(inst, fixture.create(PROJECT).id));
        expect(deleted).to.deep.equal(['att-1']);
        expect(await rows(inst)).to.deep.equal([]);
      });
    });
  });

  describe('detach', () => {
    /** A volume attached to `inst` as the compute leaves it: row settled, Cinder in-use. */
    async function attached(inst: Instance, values: Partial<BlockDeviceMapping> = {}): Promise<{ bdm: BlockDeviceMapping; volumeId: string; attachmentId: string }> {
      const v = fixture.create(PROJECT);
      const attachmentId = `a-${v.id}`;
      Object.assign(v, { status: 'in-use', attach_status: 'attached' });
      v.attachments.push({ id: v.id, attachment_id: attachmentId, volume_id: v.id, server_id: inst.uuid, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
      const bdm = await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
        connectionInfo: '{"driver_volume_type":"iscsi","data":{}}', attachState: null, ...values });
      return { bdm, volumeId: v.id, attachmentId };
    }
    const detach = (inst: Instance, volumeId: string, ctx = user) => api.volumes.detachVolume(ctx, inst.uuid, volumeId);
    const stateOf = async (id: number) => (await db.bdmGet(id))?.attachState;

    it('accepted: the row says detaching, os-begin_detaching, one cast with the attachment id', async () => {
      const inst = await makeServer(ds);
      const { bdm, volumeId, attachmentId } = await attached(inst);
      await detach(inst, volumeId);
      expect(await stateOf(bdm.id)).to.equal(BDM_STATES.DETACHING);
      expect(actions()).to.deep.equal(['os-begin_detaching']);
      expect(rpc.casts).to.deep.equal([{ method: 'detach_volume', instance: inst.uuid, volumeId, attachmentId }]);
    });

    it("a row that moves on after it was read is not taken: a failed detach never puts back an older state", async () => {
      // The compute is finishing the attach: nova-api reads 'attaching', the row is
      // 'attach-committing' by the time of the compare-and-swap (a fuzz run regressed it to
      // 'attaching' after a refused os-begin_detaching, and a server delete then rolled the
      // attach back while Cinder had it attached).
      const inst = await makeServer(ds);
      const { bdm, volumeId } = await attached(inst, { attachState: BDM_STATES.ATTACHING });
      const read = db.bdmByVolumeAndInstance.bind(db);
      db.bdmByVolumeAndInstance = async (...a) => {
        const row = await read(...a);
        await db.bdmTransition(bdm.id, [BDM_STATES.ATTACHING], BDM_STATES.ATTACH_COMMITTING);
        return row;
      };
      fixture.failNext.set('os-begin_detaching', { code: 400, message: 'Invalid volume: not in-use yet' });
      try {
        expect(await refused(detach(inst, volumeId))).to.be.instanceOf(InvalidVolume);
      } finally {
        db.bdmByVolumeAndInstance = read;
        fixture.failNext.delete('os-begin_detaching');
      }
      expect(await stateOf(bdm.id)).to.equal(BDM_STATES.ATTACH_COMMITTING);
      expect(rpc.casts).to.deep.equal([]);
    });

    it('the compute settling its attach between the read and the intent (attach-committing → settled) does not refuse the detach', async () => {
      // Seen in the multi-process benchmark at c=8: the client saw in-use (os-complete done) and
      // asked the detach while the compute was still clearing its row's 'attach-committing'.
      const inst = await makeServer(ds);
      const { bdm, volumeId, attachmentId } = await attached(inst, { attachState: BDM_STATES.ATTACH_COMMITTING });
      const read = db.bdmByVolumeAndInstance.bind(db);
      let settled = false;
      db.bdmByVolumeAndInstance = async (...a) => {
        const row = await read(...a);
        if (!settled) settled = await db.bdmTransition(bdm.id, [BDM_STATES.ATTACH_COMMITTING], null);
        return row;
      };
      try {
        await detach(inst, volumeId);
      } finally {
        db.bdmByVolumeAndInstance = read;
      }
      expect(settled).to.equal(true);
      expect(await stateOf(bdm.id)).to.equal(BDM_STATES.DETACHING);
      expect(actions()).to.deep.equal(['os-begin_detaching']);
      expect(rpc.casts).to.deep.equal([{ method: 'detach_volume', instance: inst.uuid, volumeId, attachmentId }]);
    });

    it('a locked server: InstanceIsLocked, the row and the volume untouched', async () => {
      const inst = await makeServer(ds, { locked: true, lockedBy: 'owner' });
      const { bdm, volumeId } = await attached(inst);
      expect(await refused(detach(inst, volumeId))).to.be.instanceOf(InstanceIsLocked);
      expect(await stateOf(bdm.id)).to.equal(null);
      expect(actions()).to.deep.equal([]);
      expect(rpc.casts).to.deep.equal([]);
      await detach(inst, volumeId, admin);
      expect(rpc.casts).to.have.length(1);
    });

    it('a volume not attached to the server: VolumeNotAttached (404)', async () => {
      const inst = await makeServer(ds);
      const v = fixture.create(PROJECT);
      const e = await refused(detach(inst, v.id));
      expect(e).to.be.instanceOf(VolumeNotAttached);
      expect((e as VolumeNotAttached).code).to.equal(404);
    });

    it('the root volume: RootDeviceDetach (400)', async () => {
      const inst = await makeServer(ds);
      const { bdm, volumeId } = await attached(inst, { bootIndex: 0, deviceName: '/dev/vda' });
      const e = await refused(detach(inst, volumeId));
      expect(e).to.be.instanceOf(RootDeviceDetach);
      expect((e as RootDeviceDetach).code).to.equal(400);
      expect(await stateOf(bdm.id)).to.equal(null);
    });

    it('an attach still in flight on the row: InvalidVolume, no begin_detaching', async () => {
      const inst = await makeServer(ds);
      const { bdm, volumeId } = await attached(inst, { attachState: BDM_STATES.ATTACHING });
      expect(await refused(detach(inst, volumeId))).to.be.instanceOf(InvalidVolume);
      expect(await stateOf(bdm.id)).to.equal(BDM_STATES.ATTACHING);
      expect(actions()).to.deep.equal([]);
    });

    it("the server's task in progress: InstanceInvalidState; compute down: ServiceUnavailable; the row untouched", async () => {
      const busy = await makeServer(ds, { taskState: 'powering-off' });
      const a = await attached(busy);
      expect(await refused(detach(busy, a.volumeId))).to.be.instanceOf(InstanceInvalidState);
      const orphan = await makeServer(ds, { host: 'compute-gone' });
      const b = await attached(orphan);
      expect(await refused(detach(orphan, b.volumeId))).to.be.instanceOf(ServiceUnavailable);
      expect([await stateOf(a.bdm.id), await stateOf(b.bdm.id)]).to.deep.equal([null, null]);
      expect(actions()).to.deep.equal([]);
    });

    it('Cinder refuses os-begin_detaching: InvalidVolume, the row back to attached', async () => {
      const inst = await makeServer(ds);
      const { bdm, volumeId } = await attached(inst);
      fixture.failNext.set('os-begin_detaching', { code: 400, message: 'Invalid volume: busy' });
      expect(await refused(detach(inst, volumeId))).to.be.instanceOf(InvalidVolume);
      expect(await stateOf(bdm.id)).to.equal(null);
      expect(rpc.casts).to.deep.equal([]);
    });

    it('the cast fails: os-roll_detaching and the row back to attached', async () => {
      const inst = await makeServer(ds);
      const { bdm, volumeId } = await attached(inst);
      rpc.fail = new Error('broker gone');
      await refused(detach(inst, volumeId));
      expect(actions()).to.deep.equal(['os-begin_detaching', 'os-roll_detaching']);
      expect(fixture.volumes.get(volumeId)?.status).to.equal('in-use');
      expect(await stateOf(bdm.id)).to.equal(null);
    });
  });

  describe('server delete without its compute', () => {
    it('an attachments-flow volume is released by attachment_delete of its own attachment, as Nova\'s local delete', async () => {
      // vm_state error: nova-api deletes locally. A multiattach volume with another server's
      // attachment too: the legacy os-terminate_connection/os-detach name no attachment and
      // would be refused, leaving this server's attachment (and export) behind for good.
      const inst = await makeServer(ds, { vmState: VM_STATES.ERROR });
      const other = await makeServer(ds);
      const v = fixture.create(PROJECT);
      const mine = fixture.reserveAttachment(v.id, inst.uuid);
      const theirs = fixture.reserveAttachment(v.id, other.uuid);
      for (const [id, server] of [[mine, inst.uuid], [theirs, other.uuid]]) {
        (fixture.v3Attachments.get(id) as { status: string }).status = 'attached';
        v.attachments.push({ id: v.id, attachment_id: id, volume_id: v.id, server_id: server, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
      }
      Object.assign(v, { status: 'in-use', attach_status: 'attached' });
      const bdm = await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
        attachmentId: mine, connectionInfo: '{"driver_volume_type":"iscsi","data":{}}', attachState: null });
      await api.delete(user, inst.uuid);
      expect(actions()).to.deep.equal(['attachment_delete']);
      expect([...fixture.v3Attachments.keys()]).to.deep.equal([theirs]);
      expect(v.attachments.map((a) => a.attachment_id)).to.deep.equal([theirs]);
      expect(await db.bdmGet(bdm.id)).to.equal(null);
    });

    /** A server on a compute that is gone, with one volume attached through the attachments API. */
    const serverOnDownCompute = async () => {
      const inst = await makeServer(ds, { host: 'compute-gone', node: 'compute-gone' });
      const v = fixture.create(PROJECT);
      const att = fixture.reserveAttachment(v.id, inst.uuid);
      (fixture.v3Attachments.get(att) as { status: string }).status = 'attached';
      v.attachments.push({ id: v.id, attachment_id: att, volume_id: v.id, server_id: inst.uuid, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
      Object.assign(v, { status: 'in-use', attach_status: 'attached' });
      const bdm = await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
        attachmentId: att, connectionInfo: '{"driver_volume_type":"iscsi","data":{}}', attachState: null });
      return { inst, v, att, bdm };
    };

    it('Cinder unreachable: the delete answers 503 and leaves the row, its release recorded, and the server deleting; a DELETE once Cinder is back releases it', async () => {
      // Ignored as a refusal would be, the release was lost for good: the row went with the
      // server and the attachment stayed in Cinder with nothing in Nova to name it.
      const { inst, v, att, bdm } = await serverOnDownCompute();
      fixture.down = true;
      try {
        expect(await refused(api.delete(user, inst.uuid))).to.have.property('code', 503);
      } finally {
        fixture.down = false;
      }
      // Out of Nova's view (Cinder's attachment-deletion check asks it), the release still on it.
      expect(await db.bdmGet(bdm.id)).to.equal(null);
      expect(await db.bdmGetAny(bdm.id)).to.include({ attachState: BDM_STATES.DETACH_COMMITTING, deleted: bdm.id, attachmentId: att });
      expect(await db.instanceGet(inst.uuid)).to.include({ taskState: 'deleting' });
      await api.delete(user, inst.uuid);
      expect([...fixture.v3Attachments.keys()]).to.not.include(att);
      expect(v.attachments).to.deep.equal([]);
      expect(await db.bdmGetAny(bdm.id)).to.include({ attachState: null, deleted: bdm.id });
      expect(await db.instanceGet(inst.uuid)).to.equal(null);
    });

    it('the server is deleting before any volume is released: a delete cut short after a release is left for the reconciler or the next DELETE', async () => {
      // Marked only when Cinder was lost, a nova-api killed between a release and its row left
      // the server as it was and the row with no attachment behind it, with nothing to finish it.
      const { inst, bdm } = await serverOnDownCompute();
      // The process dies right after the release: the hidden row's release is never settled.
      const cut = Object.assign(db, { bdmTransition: async (): Promise<boolean> => { throw new Error('killed'); } });
      try {
        await refused(api.delete(user, inst.uuid));
      } finally {
        delete (cut as Partial<typeof cut>).bdmTransition;
      }
      expect(actions()).to.deep.equal(['attachment_delete']);
      expect(await db.bdmGetAny(bdm.id)).to.include({ attachState: BDM_STATES.DETACH_COMMITTING, deleted: bdm.id });
      expect(await db.instanceGet(inst.uuid)).to.include({ taskState: 'deleting', vmState: VM_STATES.ACTIVE });
      // Another DELETE, its compute still down, goes on from the row left: the attachment already gone is no obstacle.
      await api.delete(user, inst.uuid);
      expect(await db.bdmGetAny(bdm.id)).to.include({ attachState: null, deleted: bdm.id });
      expect(await db.instanceGet(inst.uuid)).to.equal(null);
    });

    it("a row its compute, back from down, attaches while the delete releases it: released again as attached, no attachment left", async () => {
      // Seen by chaos: the delete read the row 'reserved', the compute's reconciler (back before its
      // first heartbeat) finished the attach, and the delete then dropped the row it no longer knew:
      // the volume stayed in-use with an attachment to a server that was gone.
      const inst = await makeServer(ds, { host: 'compute-gone', node: 'compute-gone' });
      const v = fixture.create(PROJECT);
      Object.assign(v, { status: 'attaching' });
      const bdm = await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
        attachState: BDM_STATES.RESERVED, attachStateAt: new Date() });
      const get = u.cinder.get.bind(u.cinder);
      let raced = false;
      const patched = Object.assign(u.cinder, {
        get: async (who: CinderCaller, id: string): Promise<CinderVolume> => {
          if (!raced) {
            // The compute's reconciler, meanwhile: os-attach done, connection_info saved, intent settled.
            raced = true;
            v.attachments.push({ id: v.id, attachment_id: randomUUID(), volume_id: v.id, server_id: inst.uuid, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
            Object.assign(v, { status: 'in-use', attach_status: 'attached' });
            await ds.query('UPDATE block_device_mapping SET attach_state = NULL, connection_info = ? WHERE id = ?', ['{"driver_volume_type":"iscsi","data":{}}', bdm.id]);
          }
          return get(who, id);
        },
      });
      try {
        await api.delete(user, inst.uuid);
      } finally {
        delete (patched as Partial<typeof patched>).get;
      }
      expect(actions()).to.include.members(['os-terminate_connection', 'os-detach']);
      expect(v.attachments).to.deep.equal([]);
      expect(v.status).to.equal('available');
      expect(await db.bdmGet(bdm.id)).to.equal(null);
      expect(await db.instanceGet(inst.uuid)).to.equal(null);
    });

    it('a server left deleting whose compute is up: the DELETE is cast to the compute, also in error', async () => {
      // Its reconciler finishes a 'deleting' server anyway; a local delete beside it would
      // release the same rows without the instance lock the compute's redo holds.
      const inst = await makeServer(ds, { vmState: VM_STATES.ERROR, taskState: 'deleting' });
      const v = fixture.create(PROJECT);
      const bdm = await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
        attachmentId: fixture.reserveAttachment(v.id, inst.uuid), connectionInfo: '{"driver_volume_type":"iscsi","data":{}}', attachState: null });
      await api.delete(user, inst.uuid);
      expect(rpc.terminated).to.deep.equal([inst.uuid]);
      expect(actions()).to.deep.equal([]);
      expect(await db.bdmGet(bdm.id)).to.include({ id: bdm.id });
      expect(await db.instanceGet(inst.uuid)).to.include({ taskState: 'deleting', vmState: VM_STATES.ERROR });
    });

    it('a swap its compute took half-way: the attachments of both volumes are released', async () => {
      // swap-committing: the row names the new volume's attachment, the old one is in swap_*.
      // Releasing only the row's left the old volume attached to a server that is gone.
      const inst = await makeServer(ds, { vmState: VM_STATES.ERROR });
      const [from, to] = [fixture.create(PROJECT), fixture.create(PROJECT)];
      const ids = [from, to].map((v) => {
        const id = fixture.reserveAttachment(v.id, inst.uuid);
        (fixture.v3Attachments.get(id) as { status: string }).status = 'attached';
        v.attachments.push({ id: v.id, attachment_id: id, volume_id: v.id, server_id: inst.uuid, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
        Object.assign(v, { status: 'in-use', attach_status: 'attached' });
        return id;
      });
      await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: to.id,
        attachmentId: ids[1], swapVolumeId: from.id, swapAttachmentId: ids[0], connectionInfo: '{"driver_volume_type":"iscsi","data":{}}',
        attachState: BDM_STATES.SWAP_COMMITTING });
      await api.delete(user, inst.uuid);
      expect(ids.filter((id) => fixture.v3Attachments.has(id))).to.deep.equal([]);
      expect([from.status, to.status]).to.deep.equal(['available', 'available']);
      expect(await db.instanceGet(inst.uuid)).to.equal(null);
    });

    it('a legacy swap its compute committed: the old volume is detached too', async () => {
      const inst = await makeServer(ds, { vmState: VM_STATES.ERROR });
      const [from, to] = [fixture.create(PROJECT), fixture.create(PROJECT)];
      for (const v of [from, to]) {
        v.attachments.push({ id: v.id, attachment_id: randomUUID(), volume_id: v.id, server_id: inst.uuid, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
        Object.assign(v, { status: 'in-use', attach_status: 'attached' });
      }
      await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: to.id,
        swapVolumeId: from.id, connectionInfo: '{"driver_volume_type":"iscsi","data":{}}', attachState: BDM_STATES.SWAP_COMMITTING });
      await api.delete(user, inst.uuid);
      expect([from.status, to.status]).to.deep.equal(['available', 'available']);
      expect([...from.attachments, ...to.attachments]).to.deep.equal([]);
    });

    it("a legacy-flow volume another server also holds: os-detach names this server's attachment, the other stays", async () => {
      // As Nova's cinder API detach(volume_id, instance_uuid): Cinder refuses an os-detach that
      // names no attachment on a volume with several, which left this one's for good.
      const inst = await makeServer(ds, { vmState: VM_STATES.ERROR });
      const other = await makeServer(ds);
      const v = fixture.create(PROJECT);
      for (const server of [other.uuid, inst.uuid]) {
        v.attachments.push({ id: v.id, attachment_id: randomUUID(), volume_id: v.id, server_id: server, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
      }
      Object.assign(v, { status: 'in-use', attach_status: 'attached', multiattach: true });
      const bdm = await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
        connectionInfo: '{"driver_volume_type":"iscsi","data":{}}', attachState: null });
      await api.delete(user, inst.uuid);
      expect(actions()).to.deep.equal(['os-terminate_connection', 'os-detach']);
      expect(v.attachments.map((a) => a.server_id)).to.deep.equal([other.uuid]);
      expect(v.status).to.equal('in-use');
      expect(await db.bdmGet(bdm.id)).to.equal(null);
    });

    it('a legacy-flow row whose os-attach never landed leaves the attachment of another server alone', async () => {
      const inst = await makeServer(ds, { vmState: VM_STATES.ERROR });
      const other = await makeServer(ds);
      const v = fixture.create(PROJECT);
      v.attachments.push({ id: v.id, attachment_id: randomUUID(), volume_id: v.id, server_id: other.uuid, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
      Object.assign(v, { status: 'in-use', attach_status: 'attached', multiattach: true });
      await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdc', volumeId: v.id,
        connectionInfo: '{"driver_volume_type":"iscsi","data":{}}', attachState: BDM_STATES.ATTACH_COMMITTING });
      await api.delete(user, inst.uuid);
      expect(actions()).to.not.include('os-detach');
      expect(v.attachments.map((a) => a.server_id)).to.deep.equal([other.uuid]);
    });

    it("a legacy attach still reserving gives back no reservation another server's attach holds", async () => {
      // os-reserve names no one: the other server's row reached 'reserved', so the volume's one
      // reservation is its; this row's os-reserve never took. Unreserving would undo the other attach.
      const inst = await makeServer(ds, { vmState: VM_STATES.ERROR });
      const other = await makeServer(ds);
      const v = fixture.create(PROJECT);
      v.status = 'attaching';
      const row = { sourceType: 'volume', destinationType: 'volume', volumeId: v.id, connectionInfo: null };
      await db.bdmCreate({ ...row, instanceUuid: other.uuid, deviceName: '/dev/vdb', attachState: BDM_STATES.RESERVED });
      const mine = await db.bdmCreate({ ...row, instanceUuid: inst.uuid, deviceName: '/dev/vdc', attachState: BDM_STATES.RESERVING });
      await api.delete(user, inst.uuid);
      expect(actions()).to.not.include('os-unreserve');
      expect(v.status).to.equal('attaching');
      expect(await db.bdmGet(mine.id)).to.equal(null);
    });

    it('a legacy attach that reserved the volume gives its reservation back', async () => {
      const inst = await makeServer(ds, { vmState: VM_STATES.ERROR });
      const v = fixture.create(PROJECT);
      v.status = 'attaching';
      await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
        connectionInfo: null, attachState: BDM_STATES.RESERVED });
      await api.delete(user, inst.uuid);
      expect(actions()).to.deep.equal(['os-unreserve']);
      expect(v.status).to.equal('available');
    });
  });
});
