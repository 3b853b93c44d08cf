// Volume snapshots as Cinder 21 serves them (tempest test_volumes_snapshots*, test_snapshot_metadata):
// create (the in-use rules of force and 3.66), show with the extended attributes, lists with
// filters and paging, update, metadata, delete; the quota a snapshot counts; a volume delete
// refused while it has snapshots and done with cascade; a volume made from a snapshot; the
// admin and status actions; a backend that fails; a transfer that takes the snapshots along.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';
import type { FakeDriver } from '../../../cinder-volume/drivers/fake';
import { MessageDeliveryFailure } from '../../../common/rpc';

const MISSING = '5e3f9a1c-0d8b-4c55-9c1e-2f7a6b1d0e42';
const mv = (v: string): Record<string, string> => ({ 'OpenStack-API-Version': `volume ${v}` });

describe('cinder snapshots', function () {
  let c: Cinder;
  before(async () => {
    c = await startCinder({ DEFAULT: { use_default_quota_class: true, quota_volumes: 20, quota_gigabytes: 1000 } });
    const q = await c.req('PUT', '/v3/admin/os-quota-sets/demo', { token: 'admin:admin', body: { quota_set: { snapshots: 3 } } });
    expect(q.status).to.equal(200);
  });
  after(async () => { await c?.stop(); });

  const drivers = (): FakeDriver[] => c.volume.backends.map((b) => b.driver as FakeDriver);
  const snap = (body: Record<string, unknown>, token = 'demo:demo', headers: Record<string, string> = {}) =>
    c.req('POST', `/v3/${token.split(':')[1]}/snapshots`, { token, body: { snapshot: body }, headers });
  const showSnap = async (id: string, token = 'demo:demo'): Promise<Json> => (await c.req('GET', `/v3/${token.split(':')[1]}/snapshots/${id}`, { token })).body.snapshot;
  const statusOf = async (id: string): Promise<string | undefined> => {
    const r = await c.req('GET', `/v3/demo/snapshots/${id}`);
    return r.status === 404 ? 'gone' : r.body.snapshot?.status;
  };
  const waitSnap = async (id: string, status: string): Promise<void> => { await waitFor(async () => (await statusOf(id)) === status, 5000, `snapshot ${id} ${status}`, 20); };
  const usage = async (): Promise<Json> => (await c.req('GET', '/v3/demo/os-quota-sets/demo?usage=True')).body.quota_set;
  const makeSnap = async (volume: string, name = 'snap'): Promise<string> => {
    const r = await snap({ volume_id: volume, name });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitSnap(r.body.snapshot.id, 'available');
    return r.body.snapshot.id as string;
  };
  const removeAll = async (): Promise<void> => {
    for (const s of (await c.req('GET', '/v3/demo/snapshots')).body.snapshots as Json[]) {
      if (!['available', 'error'].includes(s.status)) await c.req('POST', `/v3/demo/snapshots/${s.id}/action`, { token: 'admin:demo', body: { 'os-reset_status': { status: 'available' } } });
      await c.req('DELETE', `/v3/demo/snapshots/${s.id}`);
      await waitSnap(s.id, 'gone');
    }
  };

  it('create answers 202 creating; the snapshot becomes available at 100% with its metadata, and counts in the quota', async () => {
    const v = await c.createVolume(2);
    const before = await usage();
    const r = await snap({ volume_id: v, name: '  snap-1  ', description: 'first', metadata: { k: 'v' } }, 'demo:demo', mv('3.66'));
    expect(r.status).to.equal(202);
    const s = r.body.snapshot;
    expect(s).to.include({ volume_id: v, status: 'creating', size: 2, name: 'snap-1', description: 'first', updated_at: null, group_snapshot_id: null, user_id: 'demo', consumes_quota: true });
    expect(s.metadata).to.deep.equal({ k: 'v' });
    expect(s).to.not.have.property('os-extended-snapshot-attributes:progress');
    await waitSnap(s.id, 'available');
    const shown = await showSnap(s.id, 'admin:demo');
    expect(shown['os-extended-snapshot-attributes:progress']).to.equal('100%');
    expect(shown['os-extended-snapshot-attributes:project_id']).to.equal('demo');
    expect(Object.keys(await showSnap(s.id))).to.deep.equal(['id', 'created_at', 'updated_at', 'name', 'description', 'volume_id', 'status', 'size',
      'metadata', 'os-extended-snapshot-attributes:project_id', 'os-extended-snapshot-attributes:progress']);
    expect(drivers().some((d) => d.snapshots.get(s.id) === 2)).to.equal(true);
    const after = await usage();
    expect(after.snapshots.in_use).to.equal(before.snapshots.in_use + 1);
    expect(after.gigabytes.in_use).to.equal(before.gigabytes.in_use + 2);
    // The usage refresh counts snapshots too: nothing to correct, and a wrong count is put right.
    expect((await c.volume.quotaCleaner.runOnce()).corrected).to.deep.equal([]);
    await c.ds.query("UPDATE quota_usages SET in_use = 9 WHERE project_id = 'demo' AND resource = 'snapshots'");
    expect((await c.volume.quotaCleaner.runOnce()).corrected).to.deep.equal([['demo', 'snapshots', 9, after.snapshots.in_use]]);
    await removeAll();
    expect((await usage()).snapshots.in_use).to.equal(before.snapshots.in_use);
    expect((await usage()).gigabytes.in_use).to.equal(before.gigabytes.in_use);
  });

  it('refuses a missing volume (404) and an in-use one without force; force (or 3.66) allows it, 3.66 refuses force=false', async () => {
    let r = await snap({ volume_id: MISSING });
    expect([r.status, r.body.itemNotFound?.message]).to.deep.equal([404, `Volume ${MISSING} could not be found.`]);
    r = await snap({ volume_id: null });
    expect([r.status, r.body.itemNotFound?.message]).to.deep.equal([404, 'Volume None could not be found.']);
    const v = await c.createVolume(1);
    await c.action(v, 'os-reserve', null);
    await c.action(v, 'os-attach', { instance_uuid: '5a7c0e2e-2f0b-4e4e-9a55-3f5a1c0d9b11', mountpoint: '/dev/vdb', mode: 'rw' });
    r = await snap({ volume_id: v });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, `Invalid volume: Volume ${v} status must be available, but current status is: in-use.`]);
    r = await snap({ volume_id: v, force: 'false' }, 'demo:demo', mv('3.66'));
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.match(/^Since microversion 3.66 the 'force' flag is invalid/);
    r = await snap({ volume_id: v, force: true });
    expect(r.status).to.equal(202);
    await waitSnap(r.body.snapshot.id, 'available');
    r = await snap({ volume_id: v }, 'demo:demo', mv('3.66'));
    expect(r.status).to.equal(202);
    await waitSnap(r.body.snapshot.id, 'available');
    await removeAll();
  });

  it('a volume with snapshots is not deleted; with cascade it goes with them, and the quota is all given back', async () => {
    const base = await usage();
    const v = await c.createVolume(1);
    const s = await makeSnap(v);
    let r = await c.req('DELETE', `/v3/demo/volumes/${v}`);
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.']);
    r = await c.req('DELETE', `/v3/demo/volumes/${v}?cascade=True`);
    expect(r.status).to.equal(202);
    await waitFor(async () => (await c.req('GET', `/v3/demo/volumes/${v}`)).status === 404, 5000, 'volume gone', 20);
    expect(await statusOf(s)).to.equal('gone');
    expect(drivers().some((d) => d.snapshots.has(s))).to.equal(false);
    const now = await usage();
    expect([now.snapshots.in_use, now.gigabytes.in_use, now.volumes.in_use]).to.deep.equal([base.snapshots.in_use, base.gigabytes.in_use, base.volumes.in_use]);
  });

  it('lists: summary and detail, filters on status, volume_id, name and metadata (3.22), sort, marker and limit with a next link', async () => {
    const [a, b] = [await c.createVolume(1), await c.createVolume(1)];
    const s1 = await makeSnap(a, 'alpha');
    const s2 = await makeSnap(b, 'beta');
    await c.req('POST', `/v3/demo/snapshots/${s2}/metadata`, { body: { metadata: { tier: 'gold' } } });
    const ids = async (q: string, headers: Record<string, string> = {}): Promise<string[]> => {
      const r = await c.req('GET', `/v3/demo/snapshots${q}`, { headers });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return (r.body.snapshots as Json[]).map((s) => s.id as string);
    };
    expect(await ids('')).to.deep.equal([s2, s1]);
    expect(await ids(`?volume_id=${a}`)).to.deep.equal([s1]);
    expect(await ids('?name=beta')).to.deep.equal([s2]);
    expect(await ids('?status=creating')).to.deep.equal([]);
    expect(await ids(`?metadata=${encodeURIComponent("{'tier': 'gold'}")}`, mv('3.22'))).to.deep.equal([s2]);
    expect(await ids('?sort=name:asc', mv('3.30'))).to.deep.equal([s1, s2]);
    const page = await c.req('GET', '/v3/demo/snapshots/detail?limit=1');
    expect(page.body.snapshots.map((s: Json) => s.id)).to.deep.equal([s2]);
    expect(page.body.snapshots_links[0].href).to.include(`marker=${s2}`);
    expect(await ids(`?marker=${s2}`)).to.deep.equal([s1]);
    const summary = (await c.req('GET', '/v3/demo/snapshots', { headers: mv('3.41') })).body.snapshots[0];
    expect(summary).to.not.have.property('user_id');
    expect((await c.req('GET', '/v3/demo/snapshots/detail', { headers: mv('3.41') })).body.snapshots[0].user_id).to.equal('demo');
    // The volume's zone (a user's resource filter from 3.31) and host (an admin's).
    expect(await ids('?availability_zone=nova', mv('3.31'))).to.deep.equal([s2, s1]);
    expect(await ids('?availability_zone=elsewhere', mv('3.31'))).to.deep.equal([]);
    const host = (await c.show(a, 'admin:demo'))['os-vol-host-attr:host'] as string;
    const byHost = await c.req('GET', `/v3/demo/snapshots?host=${encodeURIComponent(host.split('#')[0])}`, { token: 'admin:demo', headers: mv('3.31') });
    expect((byHost.body.snapshots as Json[]).map((x) => x.id)).to.include(s1);
    const r = await c.req('GET', '/v3/demo/snapshots?bogus=1', { headers: mv('3.31') });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Invalid filters bogus are found in query options.']);
    await removeAll();
  });

  it('update (name, description), metadata CRUD with its 404s, and 404 for another project', async () => {
    const s = await makeSnap(await c.createVolume(1));
    let r = await c.req('PUT', `/v3/demo/snapshots/${s}`, { body: { snapshot: { name: ' renamed ', description: 'd2' } } });
    expect(r.status).to.equal(200);
    expect(r.body.snapshot).to.include({ name: 'renamed', description: 'd2' });
    r = await c.req('PUT', `/v3/demo/snapshots/${s}`, { body: { snapshot: {} } });
    expect(r.status).to.equal(400);
    r = await c.req('PUT', `/v3/demo/snapshots/${s}/metadata`, { body: { metadata: { a: '1', b: '2' } } });
    expect(r.body.metadata).to.deep.equal({ a: '1', b: '2' });
    r = await c.req('PUT', `/v3/demo/snapshots/${s}/metadata/a`, { body: { meta: { a: '3' } } });
    expect(r.body.meta).to.deep.equal({ a: '3' });
    expect((await c.req('GET', `/v3/demo/snapshots/${s}/metadata`)).body.metadata).to.deep.equal({ a: '3', b: '2' });
    expect((await c.req('DELETE', `/v3/demo/snapshots/${s}/metadata/b`)).status).to.equal(200);
    r = await c.req('GET', `/v3/demo/snapshots/${s}/metadata/b`);
    expect([r.status, r.body.itemNotFound?.message]).to.deep.equal([404, `Snapshot ${s} has no metadata with key b.`]);
    r = await c.req('PUT', `/v3/demo/snapshots/${s}/metadata/x`, { body: { meta: { y: '1' } } });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Request body and URI mismatch']);
    r = await c.req('GET', `/v3/alt/snapshots/${s}`, { token: 'alt:alt' });
    expect([r.status, r.body.itemNotFound?.message]).to.deep.equal([404, `Snapshot ${s} could not be found.`]);
    await removeAll();
  });

  it('a volume from a snapshot: on its backend, at least its size, only from an available snapshot', async () => {
    const v = await c.createVolume(2);
    await c.action(v, 'os-set_bootable', { bootable: true });
    await c.action(v, 'os-set_image_metadata', { metadata: { image_name: 'cirros' } });
    const s = await makeSnap(v);
    const create = (body: Record<string, unknown>) => c.req('POST', '/v3/demo/volumes', { body: { volume: body } });
    let r = await create({ snapshot_id: MISSING });
    expect([r.status, r.body.itemNotFound?.message]).to.deep.equal([404, `Snapshot ${MISSING} could not be found.`]);
    r = await create({ snapshot_id: s, size: 1 });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, "Invalid input received: Volume size '1'GB cannot be smaller than the snapshot size 2GB. They must be >= original snapshot size."]);
    r = await create({ snapshot_id: s });
    expect(r.status).to.equal(202);
    expect(r.body.volume).to.include({ snapshot_id: s, size: 2 });
    const id = r.body.volume.id as string;
    await waitFor(async () => (await c.show(id)).status === 'available', 5000, 'volume from snapshot', 20);
    const [a, b] = [await c.show(v, 'admin:demo'), await c.show(id, 'admin:demo')];
    expect(b['os-vol-host-attr:host']).to.equal(a['os-vol-host-attr:host']);
    expect([b.bootable, b.volume_image_metadata]).to.deep.equal(['true', { image_name: 'cirros' }]);
    await c.req('POST', `/v3/demo/snapshots/${s}/action`, { token: 'admin:demo', body: { 'os-reset_status': { status: 'error' } } });
    r = await create({ snapshot_id: s });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, "Invalid snapshot: Originating snapshot status must be one of 'available' values"]);
    await c.req('DELETE', `/v3/demo/volumes/${id}`);
    await removeAll();
  });

  it('over the snapshots quota is 413; a snapshot being created is not deleted; the admin and status actions', async () => {
    const v = await c.createVolume(1);
    const made = [await makeSnap(v), await makeSnap(v), await makeSnap(v)];
    let r = await snap({ volume_id: v });
    expect([r.status, r.body.overLimit?.message]).to.deep.equal([413, 'SnapshotLimitExceeded: Maximum number of snapshots allowed (3) exceeded']);
    expect((await c.req('POST', `/v3/demo/snapshots/${made[0]}/action`, { body: { 'os-reset_status': { status: 'creating' } } })).status).to.equal(403);
    r = await c.req('POST', `/v3/demo/snapshots/${made[0]}/action`, { token: 'admin:demo', body: { 'os-reset_status': { status: 'bogus' } } });
    expect(r.status).to.equal(400);
    expect((await c.req('POST', `/v3/demo/snapshots/${made[0]}/action`, { token: 'admin:demo', body: { 'os-reset_status': { status: 'CREATING' } } })).status).to.equal(202);
    r = await c.req('DELETE', `/v3/demo/snapshots/${made[0]}`);
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Invalid snapshot: Snapshot status must be available or error and must not be part of a group.']);
    r = await c.req('POST', `/v3/demo/snapshots/${made[0]}/action`, { body: { 'os-update_snapshot_status': { status: 'deleting' } } });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Provided snapshot status deleting not allowed for snapshot with status creating.']);
    r = await c.req('POST', `/v3/demo/snapshots/${made[0]}/action`, { body: { 'os-update_snapshot_status': { status: 'error', progress: '101%' } } });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Invalid input received: progress must be an integer percentage between 0 and 100']);
    expect((await c.req('POST', `/v3/demo/snapshots/${made[0]}/action`, { body: { 'os-update_snapshot_status': { status: 'error', progress: '50%' } } })).status).to.equal(202);
    expect((await showSnap(made[0], 'admin:demo'))['os-extended-snapshot-attributes:progress']).to.equal('50%');
    expect((await c.req('POST', `/v3/demo/snapshots/${made[1]}/action`, { token: 'admin:demo', body: { 'os-reset_status': { status: 'creating' } } })).status).to.equal(202);
    expect((await c.req('POST', `/v3/demo/snapshots/${made[1]}/action`, { token: 'admin:demo', body: { 'os-force_delete': {} } })).status).to.equal(202);
    await waitSnap(made[1], 'gone');
    await removeAll();
    expect((await usage()).snapshots.in_use).to.equal(0);
  });

  it('a backend that fails a create leaves error with a user message; one that fails a delete leaves error_deleting', async () => {
    const v = await c.createVolume(1);
    for (const d of drivers()) d.failNext.set('createSnapshot', new Error('backend snapshot failed'));
    const r = await snap({ volume_id: v });
    const id = r.body.snapshot.id as string;
    await waitSnap(id, 'error');
    for (const d of drivers()) d.failNext.delete('createSnapshot');
    const msgs = (await c.req('GET', '/v3/demo/messages', { headers: mv('3.3') })).body.messages as Json[];
    expect(msgs.some((m) => m.resource_uuid === id), JSON.stringify(msgs)).to.equal(true);
    expect(msgs.filter((m) => m.resource_uuid === id).map((m) => m.user_message), JSON.stringify(msgs)).to.deep.equal(['create snapshot:Snapshot failed to create.']);
    const ok = await makeSnap(v);
    for (const d of drivers()) d.failNext.set('deleteSnapshot', new Error('backend delete failed'));
    expect((await c.req('DELETE', `/v3/demo/snapshots/${ok}`)).status).to.equal(202);
    await waitSnap(ok, 'error_deleting');
    for (const d of drivers()) d.failNext.delete('deleteSnapshot');
    await removeAll();
  });

  it('a create or delete whose cast the broker refuses answers 503 and leaves nothing: the create\'s row and quota go, the delete\'s status comes back', async () => {
    const v = await c.createVolume(1);
    const s = await makeSnap(v);
    const before = await usage();
    const rpc = c.api.volumes.d.rpc;
    const [create, del] = [rpc.createSnapshot, rpc.deleteSnapshot];
    rpc.createSnapshot = async () => { throw new MessageDeliveryFailure('broker down'); };
    rpc.deleteSnapshot = async () => { throw new MessageDeliveryFailure('broker down'); };
    try {
      const r = await snap({ volume_id: v });
      expect(r.status).to.equal(503);
      expect(((await c.req('GET', `/v3/demo/snapshots?volume_id=${v}`)).body.snapshots as Json[]).map((x) => x.id)).to.deep.equal([s]);
      expect((await usage()).snapshots.in_use).to.equal(before.snapshots.in_use);
      expect((await c.req('DELETE', `/v3/demo/snapshots/${s}`)).status).to.equal(503);
      expect(await statusOf(s)).to.equal('available');
    } finally {
      Object.assign(rpc, { createSnapshot: create, deleteSnapshot: del });
    }
    await removeAll();
  });

  it('a transfer takes the snapshots along (with their quota) unless no_snapshots', async () => {
    const v = await c.createVolume(1);
    const s = await makeSnap(v);
    const t = await c.req('POST', '/v3/demo/volume-transfers', { body: { transfer: { volume_id: v } } });
    expect(t.status).to.equal(202);
    const r = await c.req('POST', `/v3/alt/volume-transfers/${t.body.transfer.id}/accept`, { token: 'alt:alt', body: { accept: { auth_key: t.body.transfer.auth_key } } });
    expect(r.status).to.equal(202);
    expect((await showSnap(s, 'alt:alt')).id).to.equal(s);
    const alt = (await c.req('GET', '/v3/alt/os-quota-sets/alt?usage=True', { token: 'alt:alt' })).body.quota_set;
    expect([alt.snapshots.in_use, alt.gigabytes.in_use]).to.deep.equal([1, 2]);
    expect((await usage()).snapshots.in_use).to.equal(0);
    // no_snapshots (3.55): the snapshot stays with the donor, and the recipient cannot cascade it away.
    const w = await c.createVolume(1);
    const kept = await makeSnap(w);
    const t2 = await c.req('POST', '/v3/demo/volume-transfers', { body: { transfer: { volume_id: w, no_snapshots: true } }, headers: mv('3.55') });
    expect(t2.status).to.equal(202);
    expect((await c.req('POST', `/v3/alt/volume-transfers/${t2.body.transfer.id}/accept`, { token: 'alt:alt', body: { accept: { auth_key: t2.body.transfer.auth_key } } })).status).to.equal(202);
    expect((await showSnap(kept)).id).to.equal(kept);
    expect((await c.req('GET', `/v3/alt/snapshots/${kept}`, { token: 'alt:alt' })).status).to.equal(404);
    expect((await c.req('GET', '/v3/alt/os-quota-sets/alt?usage=True', { token: 'alt:alt' })).body.quota_set.snapshots.in_use).to.equal(1);
    const refused = await c.req('DELETE', `/v3/alt/volumes/${w}?cascade=true`, { token: 'alt:alt' });
    expect(refused.status).to.equal(400);
  });
});
