// VolumeOps on the compute host: the legacy attach step by step and its rollback when any step
// fails (docs/attach-detach.md), the detach and its rollback, on SQLite, the Cinder stand-in,
// the fake hypervisor (its fake_fail hook) and the fake connector.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { BDM_STATES as S } from '../../../nova-common/bdm-states';
import type { NovaDB } from '../../../nova-common/db-api';
import type { BlockDeviceMapping, Instance } from '../../../nova-common/entities';
import { FakeConnector } from '../../../nova-compute/connectors/fake';
import type { DeviceInfo } from '../../../nova-compute/connectors';
import { FakeDriver } from '../../../nova-compute/virt/fake';
import { AttachAborted, VolumeOps, type Op } from '../../../nova-compute/volume-ops';
import type { CinderFixture, FixtureVolume } from '../../functional/nova/cinder-fixture';
import { HOST, PROJECT, makeServer, memberCtx, callerOf, openNovaUnit, type NovaUnit } from './business-fixture';

/** The fake connector, whose next connect can fail or run a hook first. */
class HookedConnector extends FakeConnector {
  beforeConnect: (() => Promise<void>) | null = null;
  readonly disconnects: string[] = [];
  override async connectVolume(data: Record<string, unknown>): Promise<DeviceInfo> {
    const hook = this.beforeConnect;
    this.beforeConnect = null;
    if (hook) await hook();
    return super.connectVolume(data);
  }
  override async disconnectVolume(data: Record<string, unknown>, device: DeviceInfo | null): Promise<void> {
    this.disconnects.push(String(data.volume_id));
    return super.disconnectVolume(data, device);
  }
}

describe('VolumeOps (compute host): attach, detach and their rollbacks', () => {
  let u: NovaUnit;
  let ds: DataSource;
  let db: NovaDB;
  let fixture: CinderFixture;
  let driver: FakeDriver;
  let connector: HookedConnector;
  let ops: VolumeOps;
  const op: Op = { caller: callerOf(memberCtx()), budgetMs: 0, meta: {}, verify: false };
  const actions = () => fixture.calls.map((c) => c.action);

  before(async () => {
    u = await openNovaUnit();
    ({ ds, db, fixture } = u);
  });
  after(() => u.stop());
  beforeEach(() => {
    driver = new FakeDriver();
    connector = new HookedConnector();
    ops = new VolumeOps({ db, cinder: u.cinder, driver, connector, pendingTimeoutMs: 120_000,
      connectorProperties: () => ({ initiator: 'iqn.1993-08.org.debian:01:unit', host: HOST, ip: '127.0.0.1', platform: 'x86_64', os_type: 'linux', multipath: false, do_local_attach: false }) });
    fixture.calls.length = 0;
  });

  /** What nova-api leaves for the compute: a 'reserved' row and a volume os-reserved ('attaching'). */
  async function reserved(inst: Instance, state: string | null = S.RESERVED): Promise<{ bdm: BlockDeviceMapping; v: FixtureVolume }> {
    const v = fixture.create(PROJECT);
    v.status = 'attaching';
    const bdm = await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
      attachState: state as never, attachStateAt: new Date() });
    return { bdm, v };
  }
  const guestDisks = (inst: Instance) => driver.listDisks(inst).filter((d) => d.serial !== null).map((d) => d.targetDev);
  const row = (id: number) => db.bdmGetAny(id);

  /** Every rollback ends the same way: no row, the guest and host clean, the export and the reservation gone. */
  async function expectRolledBack(inst: Instance, bdm: BlockDeviceMapping, v: FixtureVolume): Promise<void> {
    expect(await row(bdm.id)).to.equal(null);
    expect(guestDisks(inst)).to.deep.equal([]);
    expect([...connector.connected]).to.deep.equal([]);
    expect(v.status).to.equal('available');
    expect(v.exported).to.equal(false);
    expect(actions().slice(-2)).to.deep.equal(['os-terminate_connection', 'os-unreserve']);
  }

  it('attach: initialize_connection, host connect, guest attach, connection_info saved, os-attach; the row settled', async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst);
    expect(await ops.attach(op, inst, bdm)).to.equal(true);
    expect(actions()).to.deep.equal(['os-initialize_connection', 'os-attach']);
    const after = await row(bdm.id);
    expect(after?.attachState).to.equal(null);
    const info = JSON.parse(after?.connectionInfo as string) as { serial: string; data: { device_path: string } };
    expect(info.serial).to.equal(v.id);
    expect([...connector.connected]).to.deep.equal([info.data.device_path]);
    expect(guestDisks(inst)).to.deep.equal(['vdb']);
    expect(v).to.include({ status: 'in-use', attach_status: 'attached' });
  });

  it('a row that is not reserved (already taken or done) is left alone', async () => {
    const inst = await makeServer(ds);
    const { bdm } = await reserved(inst, S.ATTACHING);
    expect(await ops.attach(op, inst, bdm)).to.equal(false);
    expect(actions()).to.deep.equal([]);
    expect((await row(bdm.id))?.attachState).to.equal(S.ATTACHING);
  });

  it('initialize_connection fails: the reservation is released and the row goes', async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst);
    fixture.failNext.set('os-initialize_connection', { code: 500, message: 'backend error' });
    const e = await ops.attach(op, inst, bdm).then(() => null, (err: Error) => err);
    expect(e?.message).to.contain('backend error');
    await expectRolledBack(inst, bdm, v);
  });

  it('the host connect fails: terminate_connection, unreserve, the row goes', async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst);
    connector.beforeConnect = async () => { throw new Error('iscsiadm: login failed'); };
    expect((await ops.attach(op, inst, bdm).then(() => null, (err: Error) => err))?.message).to.contain('login failed');
    await expectRolledBack(inst, bdm, v);
  });

  it('the guest attach fails: the host disconnected, terminate_connection, unreserve, the row goes', async () => {
    const inst = await makeServer(ds, { metadataJson: '{"fake_fail":"attach_volume"}' });
    const { bdm, v } = await reserved(inst);
    expect((await ops.attach(op, inst, bdm).then(() => null, (err: Error) => err))?.message).to.contain('device_add');
    expect(connector.disconnects).to.deep.equal([v.id]);
    await expectRolledBack(inst, bdm, v);
  });

  it('the row leaves attaching while connecting (a reconciler took it): AttachAborted, guest and host undone', async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst);
    // Another actor moves the row on between the claim and the save of connection_info.
    connector.beforeConnect = async () => { await db.bdmTransition(bdm.id, [S.ATTACHING], S.DETACHING); };
    const e = await ops.attach(op, inst, bdm).then(() => null, (err: Error) => err);
    expect(e).to.be.instanceOf(AttachAborted);
    expect(guestDisks(inst)).to.deep.equal([]);
    expect([...connector.connected]).to.deep.equal([]);
    expect(actions()).to.not.include('os-attach');
    expect(v.status).to.equal('available');
  });

  it('os-attach fails: the guest detached, the host disconnected, the export and reservation released, the row gone', async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst);
    fixture.failNext.set('os-attach', { code: 500, message: 'os-attach exploded' });
    expect((await ops.attach(op, inst, bdm).then(() => null, (err: Error) => err))?.message).to.contain('os-attach exploded');
    await expectRolledBack(inst, bdm, v);
  });

  it('os-attach fails while nova-api holds the row with a detach intent it then withdraws: the rollback waits for the row, then completes', async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst);
    fixture.failNext.set('os-attach', { code: 400, message: 'Invalid volume: being deleted' });
    const held = fixture.hold('os-attach');
    // nova-api's detach of the committing row: its intent is on the row when os-attach fails.
    void held.reached.then(async () => {
      expect(await db.bdmTransition(bdm.id, [S.ATTACH_COMMITTING], S.DETACHING)).to.equal(true);
      held.release();
    });
    // Cinder refuses nova-api's os-begin_detaching (never in-use): it withdraws the intent, once the rollback found the row taken.
    const transition = db.bdmTransition.bind(db);
    let withdrawn = false;
    db.bdmTransition = async (...args: Parameters<NovaDB['bdmTransition']>) => {
      const moved = await transition(...args);
      if (!moved && !withdrawn && args[2] === S.ATTACHING) {
        withdrawn = true;
        expect(await transition(bdm.id, [S.DETACHING], S.ATTACH_COMMITTING)).to.equal(true);
      }
      return moved;
    };
    try {
      expect((await ops.attach(op, inst, bdm).then(() => null, (err: Error) => err))?.message).to.contain('being deleted');
    } finally {
      db.bdmTransition = transition;
    }
    expect(withdrawn).to.equal(true);
    await expectRolledBack(inst, bdm, v);
  });

  it("a stale intent whose reservation is gone (the volume is another's): the row dropped, Cinder untouched", async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst);
    v.status = 'in-use';
    expect(await ops.attach({ ...op, verify: true }, inst, bdm)).to.equal(true);
    expect(await row(bdm.id)).to.equal(null);
    expect(actions()).to.deep.equal([]);
    expect(v.status).to.equal('in-use');
  });

  it("resume of a row left 'attaching' (killed mid-attach): asks Cinder what to disconnect, then rolls back", async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst, S.ATTACHING);
    await ops.resume(op, inst, bdm);
    expect(actions()).to.deep.equal(['os-initialize_connection', 'os-terminate_connection', 'os-unreserve']);
    expect(connector.disconnects).to.deep.equal([v.id]);
    expect(await row(bdm.id)).to.equal(null);
    expect(v.status).to.equal('available');
  });

  it("resume of a row left 'reserving' (nova-api died): the row goes first, then the reservation", async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst, S.RESERVING);
    await ops.resume(op, inst, bdm);
    expect(await row(bdm.id)).to.equal(null);
    expect(actions()).to.deep.equal(['os-unreserve']);
    expect(v.status).to.equal('available');
  });

  it("resume of a row left 'attach_committing': os-attach is redone and the row settled", async () => {
    const inst = await makeServer(ds);
    const { bdm, v } = await reserved(inst);
    await ops.attach(op, inst, bdm);
    await db.bdmTransition(bdm.id, [null], S.ATTACH_COMMITTING);
    fixture.calls.length = 0;
    await ops.resume(op, inst, (await row(bdm.id)) as BlockDeviceMapping);
    expect(actions()).to.deep.equal(['os-attach']);
    expect(v.attachments).to.have.length(1);
    expect((await row(bdm.id))?.attachState).to.equal(null);
  });

  describe('detach', () => {
    async function attachedRow(inst: Instance): Promise<{ bdm: BlockDeviceMapping; v: FixtureVolume }> {
      const { bdm, v } = await reserved(inst);
      await ops.attach(op, inst, bdm);
      fixture.calls.length = 0;
      v.status = 'detaching';
      await db.bdmTransition(bdm.id, [null], S.DETACHING);
      return { bdm: (await row(bdm.id)) as BlockDeviceMapping, v };
    }

    it('guest detach, host disconnect, terminate_connection, the row soft-deleted, os-detach', async () => {
      const inst = await makeServer(ds);
      const { bdm, v } = await attachedRow(inst);
      await ops.detach(op, inst, bdm, v.attachments[0].attachment_id);
      expect(guestDisks(inst)).to.deep.equal([]);
      expect([...connector.connected]).to.deep.equal([]);
      expect(actions()).to.deep.equal(['os-terminate_connection', 'os-detach']);
      const after = await row(bdm.id);
      expect(after?.deleted).to.equal(bdm.id);
      expect(after?.attachState).to.equal(null);
      expect(v).to.include({ status: 'available', attach_status: 'detached' });
    });

    it('the guest refuses the detach: os-roll_detaching, the row attached again, the host still connected', async () => {
      const inst = await makeServer(ds);
      const { bdm, v } = await attachedRow(inst);
      const failing = { ...inst, metadataJson: '{"fake_fail":"detach_volume"}' } as Instance;
      expect((await ops.detach(op, failing, bdm, null).then(() => null, (err: Error) => err))?.message).to.contain('device_del');
      expect(actions()).to.deep.equal(['os-roll_detaching']);
      expect(v.status).to.equal('in-use');
      expect((await row(bdm.id))?.attachState).to.equal(null);
      expect([...connector.connected]).to.have.length(1);
    });

    it('a row that is neither attached nor detaching is not detached', async () => {
      const inst = await makeServer(ds);
      const { bdm } = await reserved(inst, S.ATTACHING);
      await ops.detach(op, inst, bdm, null);
      expect(actions()).to.deep.equal([]);
      expect((await row(bdm.id))?.attachState).to.equal(S.ATTACHING);
    });

    it("a server delete finds its multiattach volume's attachment already released (by nova-api's local delete): the other server's attachment is left alone", async () => {
      // os-begin_detaching of the volume in-use for the other server put it 'detaching', and the
      // attachment_delete that followed (of an attachment already gone) left it so for good.
      const [inst, other] = [await makeServer(ds), await makeServer(ds)];
      const v = fixture.create(PROJECT);
      const released = fixture.reserveAttachment(v.id, inst.uuid);
      const theirs = fixture.reserveAttachment(v.id, other.uuid);
      fixture.v3Attachments.delete(released);
      (fixture.v3Attachments.get(theirs) as { status: string }).status = 'attached';
      v.attachments.push({ id: v.id, attachment_id: theirs, volume_id: v.id, server_id: other.uuid, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() });
      Object.assign(v, { status: 'in-use', attach_status: 'attached', multiattach: true });
      const bdm = await db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: v.id,
        attachmentId: released, connectionInfo: '{"driver_volume_type":"iscsi","data":{"volume_id":"x"}}', attachState: null });
      fixture.calls.length = 0;
      await ops.releaseAll({ ...op, verify: true }, { ...inst, deleted: inst.id } as Instance, [bdm]);
      expect(actions()).to.not.include('os-begin_detaching');
      expect(v.status).to.equal('in-use');
      expect(v.attachments.map((a) => a.attachment_id)).to.deep.equal([theirs]);
      expect(await row(bdm.id)).to.include({ deleted: bdm.id, attachState: null });
    });

    it("resume of a row left 'detach_committing': os-detach is redone once and the row settled", async () => {
      const inst = await makeServer(ds);
      const { bdm, v } = await attachedRow(inst);
      await ops.detach(op, inst, bdm, v.attachments[0].attachment_id);
      // As if killed after the soft delete: the row says detach_committing, Cinder already detached.
      await db.bdmTransition(bdm.id, [null], S.DETACH_COMMITTING, {}, 'any');
      fixture.calls.length = 0;
      await ops.resume(op, inst, (await row(bdm.id)) as BlockDeviceMapping);
      expect(actions()).to.deep.equal([]);
      expect((await row(bdm.id))?.attachState).to.equal(null);
      expect(v.status).to.equal('available');
    });
  });
});
