// The compute's reconciler over every intent a BDM row can be left in (nova-common/bdm-states.ts):
// each case builds the row and Cinder's side as a crash at that step would leave them, runs one
// pass, and checks the end state is consistent: rolled back before os-attach, finished after;
// detaches finished, or rolled back when the guest refuses.
import { expect } from 'chai';
import { BDM_STATES as S, type BdmState } from '../../../nova-common/bdm-states';
import { NovaDB } from '../../../nova-common/db-api';
import type { BlockDeviceMapping } from '../../../nova-common/entities';
import type { FakeConnector } from '../../../nova-compute/connectors';
import type { FakeDriver } from '../../../nova-compute/virt/fake';
import { VolumeReconciler, type ReconcilerDeps } from '../../../nova-compute/reconciler';
import { waitFor } from '../../support/processes';
import { CinderFixture, type FixtureVolume } from './cinder-fixture';
import { activeServer, startNova, type Nova } from './harness';

describe('nova-compute reconciler: every half-done attach/detach ends consistent (SQLite, fake drivers, Cinder fixture)', function () {
  this.timeout(30_000);
  let cinder: CinderFixture;
  let nova: Nova;
  let db: NovaDB;

  before(async () => {
    cinder = new CinderFixture();
    const url = await cinder.start();
    nova = await startNova({
      cinder: { endpoint: `${url}/v3/%(project_id)s` },
      compute: { volume_reconcile_interval: 0, pending_volume_op_timeout: 60, volume_op_retry_timeout: 0 },
      // Each case makes its own servers and keeps them: no instance quota to run into.
      quota: { instances: -1, cores: -1, ram: -1 },
    });
    db = new NovaDB(nova.ds);
  });
  after(async () => {
    await nova?.stop();
    await cinder?.stop();
  });
  beforeEach(() => { cinder.down = false; });

  const ago = (s: number): Date => new Date(Date.now() - s * 1000);
  const pass = () => nova.compute.reconciler.runOnce();
  const actions = (v: FixtureVolume): string[] => cinder.calls.filter((c) => c.volumeId === v.id).map((c) => c.action);
  const row = async (id: number): Promise<BlockDeviceMapping | null> => db.bdmGetAny(id);
  const info = (v: FixtureVolume): string => JSON.stringify({
    driver_volume_type: 'iscsi', serial: v.id,
    data: { target_portal: '127.0.0.1:3260', target_iqn: `iqn.2010-10.org.openstack:volume-${v.id}`, target_lun: 1, access_mode: 'rw',
      device_path: `/dev/disk/by-path/ip-127.0.0.1:3260-iscsi-iqn.2010-10.org.openstack:volume-${v.id}-lun-1` },
  });

  async function bdm(sid: string, v: FixtureVolume, state: BdmState | null, o: { age?: number; connectionInfo?: string | null; device?: string; deleted?: boolean } = {}): Promise<BlockDeviceMapping> {
    const b = await db.bdmCreate({
      instanceUuid: sid, sourceType: 'volume', destinationType: 'volume', volumeId: v.id, deviceName: o.device ?? '/dev/vdb', bootIndex: null,
      attachState: state, attachStateAt: ago(o.age ?? 0), attachRequestId: 'req-00000000-0000-4000-8000-000000000001', connectionInfo: o.connectionInfo ?? null,
    });
    if (o.deleted) await db.bdms.update({ id: b.id }, { deleted: b.id, deletedAt: new Date() });
    return b;
  }

  function attached(v: FixtureVolume, sid: string): void {
    v.status = 'in-use';
    v.attach_status = 'attached';
    v.exported = true;
    v.attachments = [{ id: v.id, attachment_id: `att-${v.id}`, volume_id: v.id, server_id: sid, device: '/dev/vdb', host_name: null, attached_at: new Date().toISOString() }];
  }

  it("'reserving' older than the pending timeout: row dropped, our reservation released", async () => {
    const sid = await activeServer(nova, 'r1');
    const v = cinder.create('demo');
    v.status = 'attaching';
    const b = await bdm(sid, v, S.RESERVING, { age: 120 });
    await pass();
    expect(await row(b.id)).to.equal(null);
    expect(v.status).to.equal('available');
    expect(actions(v)).to.deep.equal(['os-unreserve']);
  });

  it("'reserving' whose release Cinder refuses for now (unreachable): the row stays hidden with its intent, the next pass releases", async () => {
    const sid = await activeServer(nova, 'r1b');
    const v = cinder.create('demo');
    v.status = 'attaching';
    const b = await bdm(sid, v, S.RESERVING, { age: 120 });
    cinder.down = true;
    await pass();
    // Out of Nova's view (no attach shows), yet still an intent the reconciler follows.
    expect(await row(b.id)).to.include({ attachState: S.RESERVING, deleted: b.id });
    expect(await db.bdmByVolumeAndInstance(v.id, sid)).to.equal(null);
    expect(v.status).to.equal('attaching');
    cinder.down = false;
    await pass();
    expect(await row(b.id)).to.equal(null);
    expect(v.status).to.equal('available');
    expect(actions(v)).to.deep.equal(['os-unreserve']);
  });

  it("'reserving' younger than the pending timeout is nova-api's: left alone", async () => {
    const sid = await activeServer(nova, 'r2');
    const v = cinder.create('demo');
    const b = await bdm(sid, v, S.RESERVING, { age: 1 });
    await pass();
    expect((await row(b.id))?.attachState).to.equal(S.RESERVING);
    expect(actions(v)).to.deep.equal([]);
  });

  it("'reserving' whose volume another server is taking: row dropped, that reservation kept", async () => {
    const [s1, s2] = [await activeServer(nova, 'r3a'), await activeServer(nova, 'r3b')];
    const v = cinder.create('demo');
    v.status = 'attaching';
    const mine = await bdm(s1, v, S.RESERVING, { age: 120 });
    // Server 2 lives on another compute, which is attaching the volume right now.
    await nova.ds.query("UPDATE instances SET host = 'compute2' WHERE uuid = ?", [s2]);
    const theirs = await bdm(s2, v, S.ATTACHING, { age: 1 });
    await pass();
    expect(await row(mine.id)).to.equal(null);
    expect((await row(theirs.id))?.attachState).to.equal(S.ATTACHING);
    expect(v.status).to.equal('attaching');
    expect(actions(v)).to.deep.equal([]);
  });

  it("'reserved' without its cast (lost, or nova-api died after os-reserve): the attach is done", async () => {
    const sid = await activeServer(nova, 'r4');
    const v = cinder.create('demo');
    v.status = 'attaching';
    const b = await bdm(sid, v, S.RESERVED, { age: 5 });
    await pass();
    const r = await row(b.id);
    expect(r?.attachState).to.equal(null);
    expect(JSON.parse(r?.connectionInfo ?? '{}').serial).to.equal(v.id);
    expect(v.status).to.equal('in-use');
    expect(v.attachments.map((a) => a.server_id)).to.deep.equal([sid]);
    const disks = (nova.compute.driver as FakeDriver).listDisks({ uuid: sid } as never);
    expect(disks.map((d) => d.targetDev)).to.include('vdb');
  });

  it("'reserved' whose reservation Cinder released meanwhile: reserved again and attached", async () => {
    const sid = await activeServer(nova, 'r5');
    const v = cinder.create('demo'); // available: Cinder let the stale reservation go
    const b = await bdm(sid, v, S.RESERVED, { age: 600 });
    await pass();
    expect((await row(b.id))?.attachState).to.equal(null);
    expect(actions(v).slice(0, 2)).to.deep.equal(['os-reserve', 'os-initialize_connection']);
    expect(v.status).to.equal('in-use');
  });

  it("'reserved' whose volume another server got meanwhile: our row dropped, theirs untouched", async () => {
    const [s1, s2] = [await activeServer(nova, 'r6a'), await activeServer(nova, 'r6b')];
    const v = cinder.create('demo');
    attached(v, s2);
    const b = await bdm(s1, v, S.RESERVED, { age: 600 });
    await pass();
    expect(await row(b.id)).to.equal(null);
    expect(actions(v)).to.deep.equal([]);
    expect(v.attachments.map((a) => a.server_id)).to.deep.equal([s2]);
  });

  it("'attaching' (killed before connection_info was saved): guest, host, export and reservation undone, row gone", async () => {
    const sid = await activeServer(nova, 'r7');
    const v = cinder.create('demo');
    v.status = 'attaching';
    v.exported = true;
    const b = await bdm(sid, v, S.ATTACHING);
    await pass();
    expect(await row(b.id)).to.equal(null);
    expect(v.status).to.equal('available');
    expect(v.exported).to.equal(false);
    expect(actions(v)).to.deep.equal(['os-initialize_connection', 'os-terminate_connection', 'os-unreserve']);
    expect([...(nova.compute.connector as FakeConnector).connected].filter((p) => p.includes(v.id))).to.deep.equal([]);
  });

  it("'attaching' while another server's attach of the volume is still 'reserving': our confirmed reservation is released", async () => {
    // os-reserve names no one, but ours was confirmed (the row got past 'reserving'): the other
    // row is only trying, and its os-reserve fails while the volume is ours (a fuzz run left such
    // a volume 'attaching' when the rollback counted that row as a possible holder).
    const [s1, s2] = [await activeServer(nova, 'r7a'), await activeServer(nova, 'r7b')];
    const v = cinder.create('demo');
    v.status = 'attaching';
    v.exported = true;
    const mine = await bdm(s1, v, S.ATTACHING);
    const trying = await bdm(s2, v, S.RESERVING, { age: 1, device: '/dev/vdc' });
    await pass();
    expect(await row(mine.id)).to.equal(null);
    expect(v.status).to.equal('available');
    expect(actions(v)).to.deep.equal(['os-initialize_connection', 'os-terminate_connection', 'os-unreserve']);
    expect((await row(trying.id))?.attachState, "nova-api's young row is left to it").to.equal(S.RESERVING);
    await db.bdms.delete({ id: trying.id });
  });

  it("'attach-committing' (killed around os-attach): os-attach redone once, row settled", async () => {
    const sid = await activeServer(nova, 'r8');
    const v = cinder.create('demo');
    v.status = 'attaching';
    const b = await bdm(sid, v, S.ATTACH_COMMITTING, { connectionInfo: info(v) });
    await pass();
    expect((await row(b.id))?.attachState).to.equal(null);
    expect(v.status).to.equal('in-use');
    expect(actions(v)).to.deep.equal(['os-attach']);
    // The same repair again changes nothing: os-attach for the same server is idempotent.
    await db.bdmTransition(b.id, [null], S.ATTACH_COMMITTING);
    await pass();
    expect(v.attachments).to.have.length(1);
  });

  it("'attach-committing' whose volume was deleted: the host side is undone and the row dropped", async () => {
    const sid = await activeServer(nova, 'r9');
    const v = cinder.create('demo');
    cinder.volumes.delete(v.id);
    const b = await bdm(sid, v, S.ATTACH_COMMITTING, { connectionInfo: info(v) });
    await pass();
    expect(await row(b.id)).to.equal(null);
  });

  it("'detaching' left by nova-api before os-begin_detaching: the detach is finished", async () => {
    const sid = await activeServer(nova, 'r10');
    const v = cinder.create('demo');
    attached(v, sid);
    const b = await bdm(sid, v, S.DETACHING, { age: 120, connectionInfo: info(v) });
    await pass();
    const r = await row(b.id);
    expect(r?.attachState).to.equal(null);
    expect(r?.deleted).to.equal(b.id);
    expect(v.status).to.equal('available');
    expect(actions(v)).to.deep.equal(['os-begin_detaching', 'os-terminate_connection', 'os-detach']);
  });

  it("'detaching' younger than the pending timeout is nova-api's: left alone", async () => {
    const sid = await activeServer(nova, 'r11');
    const v = cinder.create('demo');
    attached(v, sid);
    const b = await bdm(sid, v, S.DETACHING, { age: 1, connectionInfo: info(v) });
    await pass();
    expect((await row(b.id))?.attachState).to.equal(S.DETACHING);
    expect(actions(v)).to.deep.equal([]);
  });

  it("'detaching' whose guest refuses: rolled back to in-use, the row settled and still attached", async () => {
    const r0 = await nova.req('POST', '/v2.1/servers', { body: { server: { name: 'r12', flavorRef: '1', metadata: { fake_fail: 'detach_volume' } } } });
    const sid = r0.body.server.id as string;
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).body.server.status === 'ACTIVE', 10_000, 'ACTIVE', 20);
    const v = cinder.create('demo');
    attached(v, sid);
    v.status = 'detaching';
    const b = await bdm(sid, v, S.DETACHING, { age: 120, connectionInfo: info(v) });
    await pass();
    const r = await row(b.id);
    expect(r?.attachState).to.equal(null);
    expect(r?.deleted).to.equal(0);
    expect(v.status).to.equal('in-use');
    expect(actions(v)).to.deep.equal(['os-roll_detaching']);
  });

  it("'detach-committing' (row already soft-deleted, os-detach not done): os-detach, row settled", async () => {
    const sid = await activeServer(nova, 'r13');
    const v = cinder.create('demo');
    attached(v, sid);
    v.status = 'detaching';
    const b = await bdm(sid, v, S.DETACH_COMMITTING, { connectionInfo: info(v), deleted: true });
    await pass();
    expect((await row(b.id))?.attachState).to.equal(null);
    expect(v.status).to.equal('available');
    expect(actions(v)).to.deep.equal(['os-detach']);
  });

  it("'detach-committing' whose os-detach already happened: nothing sent again, row settled", async () => {
    const sid = await activeServer(nova, 'r14');
    const v = cinder.create('demo');
    const b = await bdm(sid, v, S.DETACH_COMMITTING, { connectionInfo: info(v), deleted: true });
    await pass();
    expect((await row(b.id))?.attachState).to.equal(null);
    expect(actions(v)).to.deep.equal([]);
  });

  it('a server delete cut short (task_state deleting) is finished: volumes released, server gone', async () => {
    const sid = await activeServer(nova, 'r15');
    const v = cinder.create('demo');
    attached(v, sid);
    await bdm(sid, v, null, { connectionInfo: info(v) });
    await db.instances.update({ uuid: sid }, { taskState: 'deleting', updatedAt: ago(600) });
    await pass();
    expect(v.status).to.equal('available');
    expect((await nova.req('GET', `/v2.1/servers/${sid}`)).status).to.equal(404);
  });

  it('a build cut short (vm_state building: the compute died mid-build, or the cast was lost) fails as Nova\'s init_host does; a young one is left alone', async () => {
    const old = await activeServer(nova, 'r15b');
    const young = await activeServer(nova, 'r15c');
    await db.instances.update({ uuid: old }, { vmState: 'building', taskState: 'scheduling', updatedAt: ago(600) });
    await db.instances.update({ uuid: young }, { vmState: 'building', taskState: 'scheduling', updatedAt: new Date() });
    const r = await pass();
    expect(r.buildsFailed).to.deep.equal([old]);
    const [o, y] = [await db.instanceGet(old), await db.instanceGet(young)];
    expect([o?.vmState, o?.taskState, y?.vmState]).to.deep.equal(['error', null, 'building']);
    // A late build cast of the failed instance builds nothing.
    await nova.compute.manager.buildAndRunInstance({}, { instance: { uuid: old } });
    expect((await db.instanceGet(old))?.vmState).to.equal('error');
    await db.instances.update({ uuid: young }, { vmState: 'active', taskState: null });
  });

  it('the start pass fails only the builds left from before this start: one a live nova-api began since is left alone', async () => {
    // The all-in-one's nova-api already takes requests when its compute's start pass runs.
    const before = await activeServer(nova, 'r15h');
    await db.instances.update({ uuid: before }, { vmState: 'building', taskState: 'scheduling', updatedAt: ago(5) });
    const deps = (nova.compute.reconciler as unknown as { d: ReconcilerDeps }).d;
    const fresh = new VolumeReconciler({ ...deps, intervalSec: 0 });
    const since = await activeServer(nova, 'r15i');
    await db.instances.update({ uuid: since }, { vmState: 'building', taskState: 'scheduling', updatedAt: new Date() });
    const r = await fresh.runOnce();
    expect(r.buildsFailed).to.deep.equal([before]);
    expect((await db.instanceGet(since))?.vmState).to.equal('building');
    await db.instances.update({ uuid: since }, { vmState: 'active', taskState: null });
  });

  it('a stop, start or reboot cut short (task state left by a killed compute or a lost cast) is done again; a young one is left alone', async () => {
    const [stop, start, reboot, young] = [await activeServer(nova, 'r15d'), await activeServer(nova, 'r15e'), await activeServer(nova, 'r15f'), await activeServer(nova, 'r15g')];
    await db.instances.update({ uuid: stop }, { taskState: 'powering-off', updatedAt: ago(600) });
    await db.instances.update({ uuid: start }, { vmState: 'stopped', powerState: 4, taskState: 'powering-on', updatedAt: ago(600) });
    await db.instances.update({ uuid: reboot }, { taskState: 'rebooting_hard', updatedAt: ago(600) });
    await db.instances.update({ uuid: young }, { taskState: 'powering-off', updatedAt: new Date() });
    const r = await pass();
    expect([...r.powerOpsRedone].sort()).to.deep.equal([stop, start, reboot].sort());
    const rows = await Promise.all([stop, start, reboot, young].map((u) => db.instanceGet(u)));
    expect(rows.map((i) => [i?.vmState, i?.taskState])).to.deep.equal([['stopped', null], ['active', null], ['active', null], ['active', 'powering-off']]);
    await db.instances.update({ uuid: young }, { taskState: null });
  });

  it('a pause, unpause, suspend or resume cut short is done again, the guest with it; one whose task moved on is not', async () => {
    const names = ['r15h', 'r15i', 'r15j', 'r15k', 'r15l'];
    const [pause, unpause, suspend, resume, moved] = await Promise.all(names.map((n) => activeServer(nova, n)));
    const driver = nova.compute.driver as FakeDriver;
    await driver.pause((await db.instanceGet(unpause))!);
    await driver.suspend((await db.instanceGet(resume))!);
    await db.instances.update({ uuid: pause }, { taskState: 'pausing', updatedAt: ago(600) });
    await db.instances.update({ uuid: unpause }, { vmState: 'paused', powerState: 3, taskState: 'unpausing', updatedAt: ago(600) });
    await db.instances.update({ uuid: suspend }, { taskState: 'suspending', updatedAt: ago(600) });
    await db.instances.update({ uuid: resume }, { vmState: 'suspended', powerState: 7, taskState: 'resuming', updatedAt: ago(600) });
    const r = await pass();
    expect([...r.powerOpsRedone].sort()).to.deep.equal([pause, unpause, suspend, resume].sort());
    const rows = await Promise.all([pause, unpause, suspend, resume].map((u) => db.instanceGet(u)));
    expect(rows.map((i) => [i?.vmState, i?.powerState, i?.taskState])).to.deep.equal([['paused', 3, null], ['active', 1, null], ['suspended', 7, null], ['active', 1, null]]);
    expect([pause, unpause, suspend, resume].map((u) => driver.guestState(u))).to.deep.equal(['paused', 'running', 'suspended', 'running']);
    // A pause cast arriving after the server was paused and unpaused again leaves the guest running.
    await nova.compute.manager.powerOpCast({}, { instance: { uuid: moved } }, 'pause_instance');
    expect(driver.guestState(moved)).to.equal('running');
    expect((await db.instanceGet(moved))?.vmState).to.equal('active');
  });

  it('a rebuild cut short at any of its task states is redone whole: the guest spawned again with its volume', async () => {
    const driver = nova.compute.driver as FakeDriver;
    const sid = await activeServer(nova, 'r15n');
    const v = cinder.create('demo');
    attached(v, sid);
    await bdm(sid, v, null, { connectionInfo: info(v) });
    for (const task of ['rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning'] as const) {
      const spawns = driver.spawns.get(sid) ?? 0;
      await driver.destroy((await db.instanceGet(sid))!);
      await db.instances.update({ uuid: sid }, { taskState: task, imageRef: `image-${task}`.slice(0, 36), updatedAt: ago(600) });
      expect((await pass()).powerOpsRedone, task).to.include(sid);
      const row = await db.instanceGet(sid);
      expect([row?.vmState, row?.taskState, row?.powerState], task).to.deep.equal(['active', null, 1]);
      expect(driver.spawns.get(sid), task).to.equal(spawns + 1);
      expect(driver.listDisks(row!).map((d) => d.targetDev), task).to.include('vdb');
    }
    expect(v.status).to.equal('in-use');
  });

  it('a rebuild that fails stays for the redo when the database was lost, and goes to error otherwise', async () => {
    const driver = nova.compute.driver as FakeDriver;
    const spawn = driver.spawn.bind(driver);
    const [lost, broken] = [await activeServer(nova, 'r15o'), await activeServer(nova, 'r15p')];
    try {
      driver.spawn = async () => { throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }); };
      await db.instances.update({ uuid: lost }, { taskState: 'rebuilding', updatedAt: ago(600) });
      await pass();
      expect((await db.instanceGet(lost))?.taskState).to.match(/^rebuild/);
      driver.spawn = async () => { throw new Error('internal error: qemu unexpectedly closed the monitor'); };
      await db.instances.update({ uuid: lost }, { taskState: null });
      await db.instances.update({ uuid: broken }, { taskState: 'rebuilding', updatedAt: ago(600) });
      await pass();
      const row = await db.instanceGet(broken);
      expect([row?.vmState, row?.taskState, row?.faultMessage]).to.deep.equal(['error', null, 'internal error: qemu unexpectedly closed the monitor']);
    } finally {
      driver.spawn = spawn;
    }
    await db.instances.update({ uuid: lost }, { taskState: 'rebuilding', updatedAt: ago(600) });
    await pass();
    expect([(await db.instanceGet(lost))?.vmState, (await db.instanceGet(lost))?.taskState]).to.deep.equal(['active', null]);
    await db.instances.update({ uuid: broken }, { vmState: 'active', faultMessage: null });
  });

  it('a guest operation the driver refuses gives the task back (Nova\'s reverts_task_state): no redo loop', async () => {
    const sid = await activeServer(nova, 'r15m');
    // The row says paused, the guest is suspended: unpause is refused by the fake as by libvirt.
    const driver = nova.compute.driver as FakeDriver;
    await driver.suspend((await db.instanceGet(sid))!);
    await db.instances.update({ uuid: sid }, { vmState: 'paused', powerState: 3, taskState: 'unpausing', updatedAt: ago(600) });
    expect((await pass()).powerOpsRedone).to.not.include(sid);
    const row = await db.instanceGet(sid);
    expect([row?.vmState, row?.taskState]).to.deep.equal(['paused', null]);
    expect(driver.guestState(sid)).to.equal('suspended');
  });

  /** A stale 'detaching' row the reconciler took over, whose repair Cinder refused (unreachable, still down). */
  async function staleDetachFailedOnce(name: string): Promise<{ v: FixtureVolume; b: BlockDeviceMapping }> {
    const sid = await activeServer(nova, name);
    const v = cinder.create('demo');
    attached(v, sid);
    const b = await bdm(sid, v, S.DETACHING, { age: 120, connectionInfo: info(v) });
    cinder.down = true;
    expect((await pass()).resumed.find((e) => e.bdmId === b.id)?.outcome).to.match(/^failed/);
    return { v, b };
  }

  it("'detaching' taken over when stale, then Cinder unreachable: the next pass finishes it, though the row's time is fresh again", async () => {
    const { v, b } = await staleDetachFailedOnce('r17');
    const left = await row(b.id);
    expect(left?.attachState).to.equal(S.DETACHING);
    // The takeover re-recorded the intent: by its age alone the row would look nova-api's again.
    expect(Date.now() - (left?.attachStateAt?.getTime() ?? 0)).to.be.below(60_000);
    cinder.down = false;
    await pass();
    expect((await row(b.id))?.attachState).to.equal(null);
    expect(v.status).to.equal('available');
  });

  it("a row taken over once is not taken again for a later operation nova-api starts on it (its own request id)", async () => {
    const { b } = await staleDetachFailedOnce('r18');
    cinder.down = false;
    // Someone else settles it (the row is attached again), then nova-api writes a new detach intent.
    await db.bdms.update({ id: b.id }, { attachState: null });
    await pass();
    await db.bdms.update({ id: b.id }, { attachState: S.DETACHING, attachStateAt: new Date(), attachRequestId: 'req-00000000-0000-4000-8000-000000000002' });
    await pass();
    expect((await row(b.id))?.attachState).to.equal(S.DETACHING);
    await db.bdms.update({ id: b.id }, { attachState: null });
  });

  it('Cinder unreachable: the intent stays for the next pass, which finishes it', async () => {
    const sid = await activeServer(nova, 'r16');
    const v = cinder.create('demo');
    v.status = 'attaching';
    const b = await bdm(sid, v, S.ATTACH_COMMITTING, { connectionInfo: info(v) });
    cinder.down = true;
    const report = await pass();
    expect(report.resumed.find((e) => e.bdmId === b.id)?.outcome).to.match(/^failed/);
    expect((await row(b.id))?.attachState).to.equal(S.ATTACH_COMMITTING);
    cinder.down = false;
    await pass();
    expect((await row(b.id))?.attachState).to.equal(null);
    expect(v.status).to.equal('in-use');
  });

});
