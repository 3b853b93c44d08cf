// nova-api's pass that finishes the deletes of servers with no host (never scheduled), cut short
// with their boot volumes still reserved: no compute's reconciler will ever take them.
import { expect } from 'chai';
import { BDM_STATES } from '../../../nova-common/bdm-states';
import { HostlessDeletes } from '../../../nova-api/compute/hostless-deletes';
import { Instance } from '../../../nova-common/entities';
import { VM_STATES } from '../../../nova-common/objects';
import { ServiceAuth } from '../../../nova-common/volume/service-auth';
import { PROJECT, makeServer, openNovaUnit, type NovaUnit } from './business-fixture';

const AGE_MS = 60_000;

describe('nova-api: hostless deletes cut short are finished', () => {
  let u: NovaUnit;
  let finisher: HostlessDeletes;

  before(async () => {
    u = await openNovaUnit();
    const auth = new ServiceAuth({ auth_type: 'none', auth_url: null, username: null, password: null, project_name: null, user_domain_name: 'Default', project_domain_name: 'Default' });
    finisher = new HostlessDeletes({ db: u.db, cinder: u.cinder, auth, ageMs: AGE_MS, undoRetryMs: 0 });
  });
  after(() => u.stop());
  beforeEach(() => { u.fixture.calls.length = 0; });

  /** A server that never got a host, its boot volume's attachment reserved, 'deleting' since `ageMs` ago. */
  const cutShort = async (ageMs: number, values: Partial<Instance> = {}) => {
    const inst = await makeServer(u.ds, { host: null, node: null, vmState: VM_STATES.ERROR, taskState: 'deleting', ...values });
    const v = u.fixture.create(PROJECT);
    const att = u.fixture.reserveAttachment(v.id, inst.uuid);
    const bdm = await u.db.bdmCreate({ instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vda', bootIndex: 0,
      volumeId: v.id, attachmentId: att, attachState: null });
    await u.ds.getRepository(Instance).update({ uuid: inst.uuid }, { updatedAt: new Date(Date.now() - ageMs) });
    return { inst, v, att, bdm };
  };

  it('releases what the server still holds, drops its rows, then the server', async () => {
    const { inst, att, bdm } = await cutShort(AGE_MS + 5_000);
    expect(await finisher.runOnce()).to.deep.equal([inst.uuid]);
    expect(u.fixture.calls.map((c) => c.action)).to.deep.equal(['attachment_delete']);
    expect(u.fixture.v3Attachments.has(att)).to.equal(false);
    expect(await u.db.bdmGet(bdm.id)).to.equal(null);
    expect(await u.db.instanceGet(inst.uuid)).to.equal(null);
    expect(await finisher.runOnce()).to.deep.equal([]);
  });

  it('leaves a delete a request may still be running, a server with a compute, and one not being deleted', async () => {
    const young = await cutShort(1_000);
    const hosted = await cutShort(AGE_MS + 5_000, { host: 'compute1', node: 'compute1' });
    const living = await cutShort(AGE_MS + 5_000, { taskState: null });
    expect(await finisher.runOnce()).to.deep.equal([]);
    expect(u.fixture.calls).to.deep.equal([]);
    for (const { inst, att } of [young, hosted, living]) {
      expect(await u.db.instanceGet(inst.uuid)).to.include({ uuid: inst.uuid });
      expect(u.fixture.v3Attachments.has(att)).to.equal(true);
    }
    for (const { inst } of [young, hosted, living]) await u.ds.getRepository(Instance).update({ uuid: inst.uuid }, { taskState: null, host: 'compute1' });
  });

  it('Cinder lost: the server stays deleting with its row (hidden, its release on it), and the next pass finishes it', async () => {
    const { inst, att, bdm } = await cutShort(AGE_MS + 5_000);
    u.fixture.down = true;
    try {
      expect(await finisher.runOnce()).to.deep.equal([]);
    } finally {
      u.fixture.down = false;
    }
    expect(await u.db.instanceGet(inst.uuid)).to.include({ taskState: 'deleting' });
    expect(await u.db.bdmGetAny(bdm.id)).to.include({ attachState: BDM_STATES.DETACH_COMMITTING, deleted: bdm.id });
    await u.ds.getRepository(Instance).update({ uuid: inst.uuid }, { updatedAt: new Date(Date.now() - AGE_MS - 5_000) });
    expect(await finisher.runOnce()).to.deep.equal([inst.uuid]);
    expect(u.fixture.v3Attachments.has(att)).to.equal(false);
    expect(await u.db.instanceGet(inst.uuid)).to.equal(null);
  });
});
