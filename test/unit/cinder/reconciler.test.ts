// cinder-volume's reconciler on the fake driver + SQLite: stale attaching/reserved/detaching
// volumes (age simulated by setting updated_at back) are released, recent ones left alone; the
// backend's exports are made to match the volumes; a caller that moves the status first wins;
// the start pass fails interrupted creates/deletes; a lost extend goes back with its quota
// reservations rolled back; repairs are logged at WARNING with the request id of the
// operation they repair; the periodic passes run by themselves.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupLogging } from '../../../common/log';
import { CinderDB } from '../../../cinder-common/db-api';
import { extendReservationUuids, retypeReservationUuids } from '../../../cinder-common/extend-reservations';
import { QuotaDB } from '../../../cinder-common/quota-db';
import { Snapshot } from '../../../cinder-common/entities';
import type { FakeDriver } from '../../../cinder-volume/drivers';
import type { VolumeManager } from '../../../cinder-volume/manager';
import { VolumeReconciler, type PassReport } from '../../../cinder-volume/reconciler';
import type { VolumeAPI as VolumeRPCAPI } from '../../../cinder-volume/rpcapi';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from '../../functional/cinder/cinder-stack';

const CONNECTOR = { ip: '10.0.0.3', host: 'compute1', initiator: 'iqn.1993-08.org.debian:01:heal' };
const SERVER = '9de3d836-be91-4348-9fc1-b67d8623157f';
const TIMEOUT = 60;

describe('cinder-volume reconciler', function () {
  let c: Cinder;
  let fake: FakeDriver;
  let manager: VolumeManager;
  let db: CinderDB;
  before(async () => {
    c = await startCinder({ DEFAULT: { attach_transition_timeout: TIMEOUT } });
    fake = c.volume.backends[0].driver as FakeDriver;
    manager = c.volume.backends[0].manager;
    db = new CinderDB(c.ds);
  });
  after(async () => { await c?.stop(); });

  const ok = async (id: string, action: string, arg: unknown, code = 202, headers: Record<string, string> = {}): Promise<Headers> => {
    const r = await c.req('POST', `/v3/demo/volumes/${id}/action`, { body: { [action]: arg }, headers });
    expect(r.status, `${action}: ${JSON.stringify(r.body)}`).to.equal(code);
    return r.headers;
  };
  /** Make the volume and its attachments look untouched for `sec` seconds (a dead caller). */
  const age = async (id: string, sec = TIMEOUT + 30): Promise<void> => {
    const past = new Date(Date.now() - sec * 1000);
    await db.volumes.update({ id }, { updatedAt: past });
    await db.attachments.update({ volumeId: id, deleted: false }, { updatedAt: past, createdAt: past });
  };
  const pass = (): Promise<PassReport> => manager.reconciler.runOnce();
  const repairsOf = (r: PassReport, id: string) => r.repaired.filter((x) => x.volume_id === id);
  const state = async (id: string) => {
    const v = await db.volumeGet(id);
    return { status: v?.status, attachStatus: v?.attachStatus, location: v?.providerLocation ?? null, exported: fake.exports.has(id),
      attachments: (await db.attachmentsOf([id])).map((a) => a.attachStatus) };
  };
  const attached = async (): Promise<string> => {
    const id = await c.createVolume();
    await ok(id, 'os-reserve', null);
    await ok(id, 'os-initialize_connection', { connector: CONNECTOR }, 200);
    await ok(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb' });
    return id;
  };

  it("releases a stale legacy 'attaching' (os-reserve + export, caller gone): available, export removed; names the caller's global request id", async () => {
    const id = await c.createVolume();
    const global = `req-${randomUUID()}`;
    await ok(id, 'os-reserve', null, 202, { 'X-OpenStack-Request-ID': global });
    expect((await db.volumeGet(id))?.transitionRequestId).to.equal(global);
    await ok(id, 'os-initialize_connection', { connector: CONNECTOR }, 200);
    await age(id);
    const r = await pass();
    expect(repairsOf(r, id).map((x) => [x.problem, x.request_id])).to.deep.equal([['stale-attaching', global]]);
    expect(await state(id)).to.deep.equal({ status: 'available', attachStatus: 'detached', location: null, exported: false, attachments: [] });
  });

  it("releases a stale 'attaching' whose attach_volume died after creating its attachment; records the local request id without a global one", async () => {
    const id = await c.createVolume();
    const local = (await ok(id, 'os-reserve', null)).get('x-openstack-request-id');
    expect((await db.volumeGet(id))?.transitionRequestId).to.equal(local);
    await ok(id, 'os-initialize_connection', { connector: CONNECTOR }, 200);
    await db.attachmentCreate({ volumeId: id, instanceUuid: SERVER, mountpoint: '/dev/vdb', attachStatus: 'attaching', attachMode: 'rw' });
    await db.adminMetadataSet(id, 'attached_mode', 'rw');
    await age(id);
    const r = await pass();
    expect(repairsOf(r, id).map((x) => [x.problem, x.request_id])).to.deep.equal([['stale-attaching', local]]);
    expect(await state(id)).to.deep.equal({ status: 'available', attachStatus: 'detached', location: null, exported: false, attachments: [] });
    expect((await c.show(id)).metadata).to.not.have.property('attached_mode');
  });

  it("releases stale 'reserved' and 'attaching' of the attachments API (the attachment goes too)", async () => {
    const call = (method: string, path: string, body?: unknown) =>
      c.req(method, `/v3/demo${path}`, { body, headers: { 'OpenStack-API-Version': 'volume 3.44' } });
    const reservedVol = await c.createVolume();
    expect((await call('POST', '/attachments', { attachment: { volume_uuid: reservedVol, instance_uuid: SERVER } })).status).to.equal(200);
    const connectedVol = await c.createVolume();
    const r1 = await call('POST', '/attachments', { attachment: { volume_uuid: connectedVol, instance_uuid: SERVER, connector: CONNECTOR } });
    expect(r1.status).to.equal(200);
    expect(await state(connectedVol)).to.include({ status: 'attaching', exported: true });
    await age(reservedVol);
    await age(connectedVol);
    const r = await pass();
    expect(repairsOf(r, reservedVol).map((x) => x.problem)).to.deep.equal(['stale-reserved']);
    expect(repairsOf(r, connectedVol).map((x) => x.problem)).to.deep.equal(['stale-attaching']);
    for (const id of [reservedVol, connectedVol]) {
      expect(await state(id)).to.deep.equal({ status: 'available', attachStatus: 'detached', location: null, exported: false, attachments: [] });
    }
  });

  it("rolls a stale 'detaching' back to in-use (export kept); the detach can start again", async () => {
    const id = await attached();
    const global = `req-${randomUUID()}`;
    await ok(id, 'os-begin_detaching', null, 202, { 'X-OpenStack-Request-ID': global });
    await age(id);
    const r = await pass();
    expect(repairsOf(r, id).map((x) => [x.problem, x.request_id])).to.deep.equal([['stale-detaching', global]]);
    expect(await state(id)).to.include({ status: 'in-use', attachStatus: 'attached', exported: true });
    expect((await state(id)).attachments).to.deep.equal(['attached']);
    await ok(id, 'os-begin_detaching', null);
  });

  it('leaves transitions with recent progress alone (the volume or one of its attachments)', async () => {
    const fresh = await c.createVolume();
    await ok(fresh, 'os-reserve', null);
    const busy = await c.createVolume();
    await ok(busy, 'os-reserve', null);
    const att = await db.attachmentCreate({ volumeId: busy, instanceUuid: SERVER, attachStatus: 'attaching', attachMode: 'rw' });
    await age(busy);
    await db.attachmentUpdate(att.id, { mountpoint: '/dev/vdc' }); // progress on the attachment only
    const detaching = await attached();
    await ok(detaching, 'os-begin_detaching', null);
    const r = await pass();
    for (const id of [fresh, busy, detaching]) expect(repairsOf(r, id)).to.deep.equal([]);
    expect((await state(fresh)).status).to.equal('attaching');
    expect(await state(busy)).to.include({ status: 'attaching' });
    expect((await state(busy)).attachments).to.deep.equal(['attaching']);
    expect((await state(detaching)).status).to.equal('detaching');
  });

  it('a caller that moves the status first wins over the release', async () => {
    const id = await c.createVolume();
    await ok(id, 'os-reserve', null);
    const att = await db.attachmentCreate({ volumeId: id, instanceUuid: SERVER, attachStatus: 'attaching', attachMode: 'rw' });
    await age(id);
    // The caller's os-attach lands between the reconciler's read and its compare-and-swap.
    const mdb = (manager as unknown as { d: { db: CinderDB } }).d.db;
    const cas = mdb.volumeConditionalUpdate.bind(mdb);
    mdb.volumeConditionalUpdate = async (vid, expected, values) => {
      if (vid === id) {
        await db.attachmentConditionalUpdate(att.id, { attachStatus: 'attaching' }, { attachStatus: 'attached' });
        await db.volumeConditionalUpdate(id, { status: 'attaching' }, { status: 'in-use', attachStatus: 'attached' });
      }
      return cas(vid, expected, values);
    };
    try {
      const r = await pass();
      expect(repairsOf(r, id).map((x) => x.action)).to.deep.equal(["nothing: the volume left 'attaching' meanwhile"]);
    } finally {
      delete (mdb as unknown as Record<string, unknown>).volumeConditionalUpdate;
    }
    expect(await state(id)).to.include({ status: 'in-use', attachStatus: 'attached' });
    expect((await state(id)).attachments).to.deep.equal(['attached']);
  });

  it('removes a leaked export (available volume: reserved, connected, unreserved without terminate)', async () => {
    const id = await c.createVolume();
    await ok(id, 'os-reserve', null);
    await ok(id, 'os-initialize_connection', { connector: CONNECTOR }, 200);
    await ok(id, 'os-unreserve', null);
    expect(await state(id)).to.include({ status: 'available', exported: true });
    const report = await manager.reconciler.report();
    expect(report.drift.filter((d) => d.volume_id === id).map((d) => d.problem)).to.deep.equal(['export-without-attachment']);
    expect(fake.exports.has(id), 'a report changes nothing').to.equal(true);
    const r = await pass();
    expect(repairsOf(r, id).map((x) => [x.problem, x.action])).to.deep.equal([['export-without-attachment', 'removed the export']]);
    expect(await state(id)).to.include({ status: 'available', exported: false, location: null });
  });

  it('re-creates the lost export of an in-use volume: same target and CHAP credentials', async () => {
    const id = await attached();
    const before = await db.volumeGet(id);
    fake.exports.delete(id);
    const r = await pass();
    expect(repairsOf(r, id).map((x) => [x.problem, x.action])).to.deep.equal([['missing-export', 're-created the export']]);
    expect(fake.exports.has(id)).to.equal(true);
    const after = await db.volumeGet(id);
    expect(after?.providerAuth).to.equal(before?.providerAuth);
    expect(after?.providerLocation).to.be.a('string');
    expect((await c.show(id)).status).to.equal('in-use');
  });

  it('leaves a detach in progress alone: terminate_connection removed the export on purpose', async () => {
    const id = await attached();
    await ok(id, 'os-begin_detaching', null);
    await ok(id, 'os-terminate_connection', { connector: CONNECTOR });
    const r = await pass();
    expect(repairsOf(r, id)).to.deep.equal([]);
    expect(await state(id)).to.include({ status: 'detaching', exported: false, location: null });
  });

  it('removes the export of an unknown or deleted volume', async () => {
    const stranger = randomUUID();
    fake.exports.add(stranger);
    const gone = await c.createVolume();
    await ok(gone, 'os-reserve', null);
    await ok(gone, 'os-initialize_connection', { connector: CONNECTOR }, 200);
    await db.volumeSoftDelete(gone);
    const r = await pass();
    for (const id of [stranger, gone]) {
      expect(repairsOf(r, id).map((x) => [x.problem, x.action])).to.deep.equal([['unknown-volume', 'removed the export']]);
      expect(fake.exports.has(id)).to.equal(false);
    }
  });

  it('start pass: an interrupted create becomes error, an interrupted delete is finished; later passes leave new ones alone', async () => {
    const host = 'cinder1@fake#fake';
    const creating = await db.volumeCreate({ projectId: 'demo', size: 1, volumeTypeId: 't', host });
    const deleting = await db.volumeCreate({ projectId: 'demo', size: 1, volumeTypeId: 't', host, status: 'deleting' });
    await age(creating.id, 5);
    await age(deleting.id, 5);
    const rec = new VolumeReconciler({ host: 'cinder1@fake', db, driver: fake, locks: manager.locks, transitionTimeoutSec: TIMEOUT, lostCastTimeoutSec: TIMEOUT });
    const first = await rec.runOnce();
    expect(repairsOf(first, creating.id).map((x) => x.problem)).to.deep.equal(['interrupted-create']);
    expect(repairsOf(first, deleting.id).map((x) => x.problem)).to.deep.equal(['interrupted-delete']);
    expect(repairsOf(first, deleting.id).map((x) => x.action)).to.deep.equal(['delete finished']);
    expect([(await db.volumeGet(creating.id))?.status, await db.volumeGet(deleting.id)]).to.deep.equal(['error', null]);
    const later = await db.volumeCreate({ projectId: 'demo', size: 1, volumeTypeId: 't', host });
    await age(later.id, 5);
    const second = await rec.runOnce();
    expect(repairsOf(second, later.id)).to.deep.equal([]);
    expect((await db.volumeGet(later.id))?.status).to.equal('creating');
    await db.volumeSoftDelete(later.id);
  });

  it('any pass: a create, delete or extend without progress for lost_cast_timeout (its cast lost) ends error, deleted, or back with its size', async () => {
    const host = 'cinder1@fake#fake';
    const creating = await db.volumeCreate({ projectId: 'demo', size: 1, volumeTypeId: 't', host });
    const deleting = await db.volumeCreate({ projectId: 'demo', size: 1, volumeTypeId: 't', host, status: 'deleting' });
    const extending = await c.createVolume();
    await db.volumes.update({ id: extending }, { status: 'extending', previousStatus: 'available' });
    const inUse = await attached();
    await db.volumes.update({ id: inUse }, { status: 'extending', previousStatus: 'in-use' });
    const recent = await db.volumeCreate({ projectId: 'demo', size: 1, volumeTypeId: 't', host, status: 'deleting' });
    for (const id of [creating.id, deleting.id, extending, inUse]) await age(id);
    await age(recent.id, 5);
    const r = await pass();
    expect([creating.id, deleting.id, extending, inUse, recent.id].map((id) => repairsOf(r, id).map((x) => x.problem)))
      .to.deep.equal([['interrupted-create'], ['interrupted-delete'], ['interrupted-extend'], ['interrupted-extend'], []]);
    const rows = await Promise.all([creating.id, deleting.id, extending, inUse, recent.id].map((id) => db.volumeGet(id)));
    expect(rows.map((v) => [v?.status, v?.size])).to.deep.equal([['error', 1], [undefined, undefined], ['available', 1], ['in-use', 1], ['deleting', 1]]);
    expect((await state(inUse)).exported).to.equal(true);
    for (const id of [creating.id, recent.id]) await db.volumeSoftDelete(id);
  });

  it("manage: one cut short after the backend's rename is finished (its gigabytes counted), one before it ends error_managing; an unmanage is finished (the object kept), a failed manage's delete releases its volume", async () => {
    const host = 'cinder1@fake#fake';
    const quota = new QuotaDB(c.ds);
    const used = async (): Promise<[number, number]> => {
      const u = await quota.usageGetAllByProject('demo');
      return [u.volumes?.in_use ?? 0, u.gigabytes?.in_use ?? 0];
    };
    const typeId = (await db.volumes.findOneByOrFail({ id: await c.createVolume() })).volumeTypeId;
    // An object left on the backend by an unmanage, to manage again.
    const old = await c.createVolume(3);
    expect((await c.req('POST', `/v3/demo/volumes/${old}/action`, { token: 'admin:demo', body: { 'os-unmanage': {} } })).status).to.equal(202);
    await waitFor(async () => (await db.volumeGet(old)) === null, 5000, 'unmanaged', 20);
    const row = (status: 'managing' | 'unmanaging' | 'error_managing_deleting', size = 0) => db.volumeCreate({ projectId: 'demo', size, volumeTypeId: typeId, host, status });
    const renamed = await row('managing');
    await fake.manageExisting(renamed, { 'source-name': `volume-${old}` });
    const untouched = await row('managing');
    const failed = await row('error_managing_deleting');
    const unmanaging = await c.createVolume(2);
    await db.volumes.update({ id: unmanaging }, { status: 'unmanaging' });
    for (const id of [renamed.id, untouched.id, failed.id, unmanaging]) await age(id);
    const before = await used();
    const r = await pass();
    expect([renamed.id, untouched.id, failed.id, unmanaging].map((id) => repairsOf(r, id).map((x) => [x.problem, x.action]))).to.deep.equal([
      [['interrupted-manage', 'manage finished (3 GiB counted)']], [['interrupted-manage', 'status error_managing (the backend object was not taken)']],
      [['interrupted-delete', 'delete finished']], [['interrupted-unmanage', 'unmanage finished']],
    ]);
    expect((await db.volumeGet(renamed.id))).to.include({ status: 'available', size: 3 });
    expect((await db.volumeGet(untouched.id))?.status).to.equal('error_managing');
    expect([await db.volumeGet(failed.id), await db.volumeGet(unmanaging)]).to.deep.equal([null, null]);
    expect(fake.unmanaged.get(`volume-${unmanaging}`)).to.equal(2);
    // The finished manage counted its gigabytes (its volume was counted with its row), the failed
    // one's delete released its volume, the unmanage released its volume and gigabytes.
    expect(await used()).to.deep.equal([before[0] - 2, before[1] + 3 - 2]);
    await db.volumeSoftDelete(untouched.id);
  });

  it('snapshots: an unmanage whose cast was lost is finished (the object kept, the quota released)', async () => {
    const v = await c.createVolume(2);
    const r = await c.req('POST', '/v3/demo/snapshots', { body: { snapshot: { volume_id: v } } });
    const sid = r.body.snapshot.id as string;
    await waitFor(async () => (await manager.snapshotWork.snapshots.get(sid))?.status === 'available', 5000, 'snapshot available', 20);
    const quota = new QuotaDB(c.ds);
    const before = (await quota.usageGetAllByProject('demo')).snapshots?.in_use ?? 0;
    const past = new Date(Date.now() - (TIMEOUT + 30) * 1000);
    await manager.snapshotWork.snapshots.conditionalUpdate(sid, { status: 'available' }, { status: 'unmanaging' });
    await c.ds.getRepository(Snapshot).update({ id: sid }, { updatedAt: past });
    const report = await pass();
    expect(repairsOf(report, v).map((x) => [x.problem, x.action])).to.deep.equal([['interrupted-snapshot-delete', 'delete finished']]);
    expect(await manager.snapshotWork.snapshots.get(sid)).to.equal(null);
    expect(fake.unmanagedSnapshots.get(`snapshot-${sid}`)).to.equal(2);
    expect((await quota.usageGetAllByProject('demo')).snapshots?.in_use).to.equal(before - 1);
    expect((await c.req('DELETE', `/v3/demo/volumes/${v}`)).status).to.equal(202);
  });

  it('snapshots: a create or delete whose cast was lost ends error or deleted (quota released); a cascade delete of a volume finishes its snapshots first', async () => {
    const v = await c.createVolume(2);
    const make = async (): Promise<string> => {
      const r = await c.req('POST', '/v3/demo/snapshots', { body: { snapshot: { volume_id: v } } });
      expect(r.status).to.equal(202);
      await waitFor(async () => (await snapshots.get(r.body.snapshot.id))?.status === 'available', 5000, 'snapshot available', 20);
      return r.body.snapshot.id as string;
    };
    const snapshots = manager.snapshotWork.snapshots;
    const [creating, deleting, recent] = [await make(), await make(), await make()];
    const usage = async (): Promise<number> => (await new QuotaDB(c.ds).usageGetAllByProject('demo')).snapshots?.in_use ?? 0;
    const before = await usage();
    const past = new Date(Date.now() - (TIMEOUT + 30) * 1000);
    await snapshots.conditionalUpdate(creating, {}, { status: 'creating' });
    await snapshots.conditionalUpdate(deleting, {}, { status: 'deleting' });
    await snapshots.conditionalUpdate(recent, {}, { status: 'deleting' });
    await c.ds.query('UPDATE snapshots SET updated_at = ? WHERE id IN (?, ?)', [past.toISOString().replace('T', ' ').replace('Z', ''), creating, deleting]);
    const r = await pass();
    const byProblem = r.repaired.filter((x) => x.volume_id === v).map((x) => [x.problem, x.action]).sort();
    expect(byProblem).to.deep.equal([['interrupted-snapshot-create', 'status error'], ['interrupted-snapshot-delete', 'delete finished']]);
    expect([(await snapshots.get(creating))?.status, await snapshots.get(deleting), (await snapshots.get(recent))?.status]).to.deep.equal(['error', null, 'deleting']);
    expect(await usage()).to.equal(before - 1);
    // The volume's interrupted cascade delete: the snapshots (set deleting with it) go first, then the volume.
    await snapshots.conditionalUpdate(creating, {}, { status: 'deleting' });
    await db.volumes.update({ id: v }, { status: 'deleting', updatedAt: past });
    const again = await pass();
    expect(repairsOf(again, v).map((x) => x.action)).to.include('delete finished');
    expect([await db.volumeGet(v), await snapshots.get(creating), await snapshots.get(recent)]).to.deep.equal([null, null, null]);
    expect(await usage()).to.equal(before - 3);
  });

  it('lost_cast_timeout, shorter than attach_transition_timeout, ends a lost create sooner than a stale reservation is released; one in progress is waited for', async () => {
    const host = 'cinder1@fake#fake';
    const rec = new VolumeReconciler({ host: 'cinder1@fake', db, driver: fake, locks: manager.locks, transitionTimeoutSec: 900, lostCastTimeoutSec: 120 });
    await rec.runOnce(); // the start pass, which takes everything left from before it
    const creating = await db.volumeCreate({ projectId: 'demo', size: 1, volumeTypeId: 't', host });
    const working = await db.volumeCreate({ projectId: 'demo', size: 1, volumeTypeId: 't', host });
    const reserved = await c.createVolume();
    await ok(reserved, 'os-reserve', null);
    for (const id of [creating.id, working.id, reserved]) await age(id, 130);
    // A create this process is running holds the volume's lock: the repair waits, then finds it done.
    let release: () => void = () => undefined;
    const held = manager.locks.run(working.id, () => new Promise<void>((r) => { release = r; }));
    const passing = rec.runOnce();
    await db.volumes.update({ id: working.id }, { status: 'available' });
    release();
    await held;
    const r = await passing;
    expect([creating.id, working.id, reserved].map((id) => repairsOf(r, id).map((x) => x.problem)))
      .to.deep.equal([['interrupted-create'], [], []]);
    // Seen as lost, but the lock showed it was not: once the create finished nothing was left to do.
    expect(r.drift.filter((x) => x.volume_id === working.id).map((x) => x.problem)).to.deep.equal(['interrupted-create']);
    expect([(await db.volumeGet(creating.id))?.status, (await db.volumeGet(working.id))?.status, (await db.volumeGet(reserved))?.status])
      .to.deep.equal(['error', 'available', 'attaching']);
    await ok(reserved, 'os-unreserve', null);
    for (const id of [creating.id, working.id]) await db.volumeSoftDelete(id);
  });

  it("an extend whose cast was lost (cinder-volume killed after taking it) goes back with its size, and its reservations are rolled back", async () => {
    const token = 'u:pext';
    const id = await c.createVolume(1, token);
    const reserved = async (): Promise<Record<string, number>> => Object.fromEntries(Object.entries(await new QuotaDB(c.ds).usageGetAllByProject('pext'))
      .filter(([r]) => r.startsWith('gigabytes')).map(([r, u]) => [r, u.reserved]));
    // The cast is taken and lost: oslo acks it before dispatching, the process dies before the commit.
    const rpc = (c.api.volumes as unknown as { d: { rpc: VolumeRPCAPI } }).d.rpc;
    let sent: string[] = [];
    rpc.extendVolume = async (_ctx, _v, _size, reservations = []) => { sent = reservations; };
    const global = `req-${randomUUID()}`;
    let local: string | null;
    try {
      const r = await c.req('POST', `/v3/pext/volumes/${id}/action`, { token, body: { 'os-extend': { new_size: 3 } }, headers: { 'X-OpenStack-Request-ID': global } });
      expect(r.status).to.equal(202);
      local = r.headers.get('x-openstack-request-id');
    } finally {
      delete (rpc as unknown as Record<string, unknown>).extendVolume;
    }
    // The extend's own request id, not the caller's global one (which two extends may share); the wire still carries uuid strings.
    expect((await db.volumeGet(id))?.transitionRequestId).to.equal(local);
    expect(sent).to.deep.equal(extendReservationUuids(id, local!));
    expect(await reserved()).to.deep.equal({ gigabytes: 2, gigabytes___DEFAULT__: 2 });
    await age(id);
    const r = await pass();
    expect(repairsOf(r, id).map((x) => [x.problem, x.request_id])).to.deep.equal([['interrupted-extend', local]]);
    expect(await db.volumeGet(id)).to.include({ status: 'available', size: 1 });
    expect(await reserved()).to.deep.equal({ gigabytes: 0, gigabytes___DEFAULT__: 0 });
    // The lost cast arriving after all changes nothing; a new extend goes through and counts once.
    await manager.extendVolume({ request_id: local }, { volume: id, new_size: 3, reservations: sent });
    expect(await db.volumeGet(id)).to.include({ status: 'available', size: 1 });
    expect(await reserved()).to.deep.equal({ gigabytes: 0, gigabytes___DEFAULT__: 0 });
    expect((await c.req('POST', `/v3/pext/volumes/${id}/action`, { token, body: { 'os-extend': { new_size: 2 } } })).status).to.equal(202);
    await waitFor(async () => (await db.volumeGet(id))?.status === 'available', 10_000, 'the second extend', 20);
    expect((await db.volumeGet(id))?.size).to.equal(2);
    expect(await reserved()).to.deep.equal({ gigabytes: 0, gigabytes___DEFAULT__: 0 });
    expect((await new QuotaDB(c.ds).usageGetAllByProject('pext')).gigabytes.in_use).to.equal(2);
  });

  it('a retype whose cast was lost goes back with its type, and both sides\' reservations are rolled back', async () => {
    const token = 'u:pret';
    const made = await c.req('POST', '/v3/pret/types', { token: 'admin:pret', body: { volume_type: { name: 'gold-pret', extra_specs: { 'vendor:tier': 'gold' } } } });
    expect(made.status).to.equal(200);
    const id = await c.createVolume(2, token);
    const usage = async (): Promise<Record<string, [number, number]>> => Object.fromEntries(Object.entries(await new QuotaDB(c.ds).usageGetAllByProject('pret'))
      .filter(([r]) => r.includes('_')).map(([r, u]) => [r, [u.in_use, u.reserved]]));
    const rpc = (c.api.volumes as unknown as { d: { rpc: VolumeRPCAPI } }).d.rpc;
    let sent: Record<string, unknown> = {};
    rpc.retype = async (_ctx, _v, newTypeId, host, policy, reservations, oldReservations) => {
      sent = { new_type_id: newTypeId, host, migration_policy: policy, reservations, old_reservations: oldReservations };
    };
    let local: string | null;
    try {
      const r = await c.req('POST', `/v3/pret/volumes/${id}/action`, { token, body: { 'os-retype': { new_type: 'gold-pret' } } });
      expect(r.status).to.equal(202);
      local = r.headers.get('x-openstack-request-id');
    } finally {
      delete (rpc as unknown as Record<string, unknown>).retype;
    }
    expect(await db.volumeGet(id)).to.include({ status: 'retyping', transitionRequestId: local });
    expect([...(sent.reservations as string[]), ...(sent.old_reservations as string[])].sort()).to.deep.equal(
      retypeReservationUuids(id, local!).sort());
    expect(await usage()).to.deep.equal({ 'volumes___DEFAULT__': [1, 0], 'gigabytes___DEFAULT__': [2, 0], 'volumes_gold-pret': [0, 1], 'gigabytes_gold-pret': [0, 2] });
    await age(id);
    const r = await pass();
    expect(repairsOf(r, id).map((x) => [x.problem, x.request_id])).to.deep.equal([['interrupted-retype', local]]);
    expect((await db.volumeGet(id))?.status).to.equal('available');
    expect((await c.show(id, token)).volume_type).to.equal('__DEFAULT__');
    const none = { 'volumes___DEFAULT__': [1, 0], 'gigabytes___DEFAULT__': [2, 0], 'volumes_gold-pret': [0, 0], 'gigabytes_gold-pret': [0, 0] };
    expect(await usage()).to.deep.equal(none);
    // The lost cast arriving after all changes nothing; a new retype goes through and moves the count once.
    await manager.retype({ request_id: local }, { volume: id, ...sent });
    expect((await c.show(id, token)).volume_type).to.equal('__DEFAULT__');
    expect(await usage()).to.deep.equal(none);
    expect((await c.req('POST', `/v3/pret/volumes/${id}/action`, { token, body: { 'os-retype': { new_type: 'gold-pret' } } })).status).to.equal(202);
    await waitFor(async () => (await db.volumeGet(id))?.status === 'available', 10_000, 'the second retype', 20);
    expect((await c.show(id, token)).volume_type).to.equal('gold-pret');
    expect(await usage()).to.deep.equal({ 'volumes___DEFAULT__': [0, 0], 'gigabytes___DEFAULT__': [0, 0], 'volumes_gold-pret': [1, 0], 'gigabytes_gold-pret': [2, 0] });
  });

  it('an extend the backend refused whose quota rollback the database lost stays extending, and the reconciler rolls it back', async () => {
    const token = 'u:pext2';
    const id = await c.createVolume(1, token);
    const reserved = async (): Promise<number> => (await new QuotaDB(c.ds).usageGetAllByProject('pext2')).gigabytes.reserved;
    const rpc = (c.api.volumes as unknown as { d: { rpc: VolumeRPCAPI } }).d.rpc;
    let sent: string[] = [];
    rpc.extendVolume = async (_ctx, _v, _size, reservations = []) => { sent = reservations; };
    let local: string | null;
    try {
      const r = await c.req('POST', `/v3/pext2/volumes/${id}/action`, { token, body: { 'os-extend': { new_size: 2 } } });
      expect(r.status).to.equal(202);
      local = r.headers.get('x-openstack-request-id');
    } finally {
      delete (rpc as unknown as Record<string, unknown>).extendVolume;
    }
    expect(await reserved()).to.equal(1);
    // The backend refuses, and the database goes away as the manager gives the quota back.
    fake.failNext.set('extendVolume', new Error('backend refused'));
    const proto = QuotaDB.prototype as unknown as { rollbackIn: QuotaDB['rollbackIn'] };
    const rollbackIn = proto.rollbackIn;
    proto.rollbackIn = async () => { throw new Error('Connection lost: The server closed the connection.'); };
    try {
      await manager.extendVolume({ request_id: local }, { volume: id, new_size: 2, reservations: sent }).then(() => expect.fail('the lost rollback must fail the cast'), () => undefined);
    } finally {
      proto.rollbackIn = rollbackIn;
    }
    // Neither step happened: not error_extending with the quota still held until reservation_expire.
    expect(await db.volumeGet(id)).to.include({ status: 'extending', size: 1 });
    expect(await reserved()).to.equal(1);
    await age(id);
    expect(repairsOf(await pass(), id).map((x) => x.problem)).to.deep.equal(['interrupted-extend']);
    expect(await db.volumeGet(id)).to.include({ status: 'available', size: 1 });
    expect(await reserved()).to.equal(0);
  });

  it('logs each repair at WARNING with the volume, the problem, the action and the repaired request id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinder-rec-log-'));
    const file = join(dir, 'log');
    const id = await c.createVolume();
    const global = `req-${randomUUID()}`;
    await ok(id, 'os-reserve', null, 202, { 'X-OpenStack-Request-ID': global });
    await age(id);
    setupLogging({ file });
    try {
      await pass();
      const line = await waitFor(() => readFileSync(file, 'utf8').split('\n').find((l) => l.includes(id)), 5000, 'the repair log line', 20);
      expect(line).to.match(/ WARNING cinder-volume\.reconciler /);
      expect(line).to.include(`[${global} `);
      expect(line).to.include('stale-attaching');
      expect(line).to.include('status available');
      expect(line).to.include(`repairs request ${global}`);
    } finally {
      setupLogging({ silent: process.env.TEST_LOG !== '1', debug: process.env.TEST_LOG === '1' });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('periodic passes repair by themselves', async () => {
    const id = await c.createVolume();
    await ok(id, 'os-reserve', null);
    await ok(id, 'os-initialize_connection', { connector: CONNECTOR }, 200);
    await ok(id, 'os-unreserve', null);
    manager.reconciler.start(1);
    try {
      await waitFor(() => !fake.exports.has(id), 10_000, 'the periodic pass to remove the leaked export', 50);
    } finally {
      await manager.reconciler.stop();
    }
    expect((await db.volumeGet(id))?.providerLocation).to.equal(null);
  });
});
