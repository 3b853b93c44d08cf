// Snapshot manage and unmanage as Cinder 21 serves them (tempest's test_snapshot_manage):
// unmanage keeps the backend's snapshot and frees the quota; manage takes it back on a volume,
// counted as a snapshot of the volume's size at once and moved to its own size once available;
// the refusals; a reference naming nothing ends in error (still counted, released by its delete).
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';
import type { FakeDriver } from '../../../cinder-volume/drivers/fake';

const ADMIN = 'admin:demo';

describe('cinder snapshot manage and unmanage', function () {
  let c: Cinder;
  before(async () => { c = await startCinder({ DEFAULT: { use_default_quota_class: true, quota_volumes: 20, quota_gigabytes: 1000 } }); });
  after(async () => { await c?.stop(); });

  const drivers = (): FakeDriver[] => c.volume.backends.map((b) => b.driver as FakeDriver);
  const snapStatus = async (id: string): Promise<string> => {
    const r = await c.req('GET', `/v3/demo/snapshots/${id}`, { token: ADMIN });
    return r.status === 404 ? 'gone' : r.body.snapshot.status;
  };
  const waitSnap = async (id: string, status: string): Promise<void> => { await waitFor(async () => (await snapStatus(id)) === status, 5000, `snapshot ${id} ${status}`, 20); };
  const usage = async (): Promise<[number, number]> => {
    const q = (await c.req('GET', '/v3/demo/os-quota-sets/demo?usage=True', { token: ADMIN })).body.quota_set;
    return [q.snapshots.in_use, q.gigabytes.in_use];
  };
  const manage = (snapshot: Record<string, unknown>, token = ADMIN, path = '/v3/demo/os-snapshot-manage', mv?: string) =>
    c.req('POST', path, { token, body: { snapshot }, headers: mv ? { 'OpenStack-API-Version': `volume ${mv}` } : {} });
  /** A snapshot of a volume of `size`, unmanaged: its backend name. */
  const unmanagedSnapshot = async (size: number): Promise<{ volume: string; name: string }> => {
    const volume = await c.createVolume(size);
    const r = await c.req('POST', '/v3/demo/snapshots', { body: { snapshot: { volume_id: volume } } });
    expect(r.status).to.equal(202);
    await waitSnap(r.body.snapshot.id, 'available');
    const u = await c.req('POST', `/v3/demo/snapshots/${r.body.snapshot.id}/action`, { token: ADMIN, body: { 'os-unmanage': {} } });
    expect(u.status, JSON.stringify(u.body)).to.equal(202);
    expect(u.headers.get('content-type')).to.match(/^text\/html/);
    await waitSnap(r.body.snapshot.id, 'gone');
    return { volume, name: `snapshot-${r.body.snapshot.id as string}` };
  };

  it('unmanage keeps the object and frees the quota; manage takes it back, counted at the volume size, then its own', async () => {
    const before = await usage();
    const { volume, name } = await unmanagedSnapshot(2);
    expect(await usage()).to.deep.equal(before.map((n, i) => n + [0, 2][i]));
    expect(drivers().some((d) => d.unmanagedSnapshots.get(name) === 2)).to.equal(true);
    // Back onto a volume of 1 GB: the snapshot is 2 GB.
    const small = await c.createVolume(1);
    const r = await manage({ volume_id: small, ref: { 'source-name': name }, name: 'back', description: 'd', metadata: { k: 'v' } }, ADMIN, '/v3/demo/manageable_snapshots', '3.70');
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const s = r.body.snapshot as Json;
    expect(Object.keys(s).sort()).to.deep.equal(['created_at', 'description', 'id', 'metadata', 'name', 'size', 'status', 'updated_at', 'volume_id']);
    expect(s).to.include({ status: 'creating', size: 1, name: 'back', volume_id: small });
    await waitSnap(s.id, 'available');
    const shown = (await c.req('GET', `/v3/demo/snapshots/${s.id}`, { token: ADMIN })).body.snapshot;
    expect(shown).to.include({ size: 2 });
    expect(shown.metadata).to.deep.equal({ k: 'v' });
    expect(await usage()).to.deep.equal([before[0] + 1, before[1] + 2 + 1 + 2]);
    expect(drivers().some((d) => d.snapshots.get(s.id) === 2 && !d.unmanagedSnapshots.has(name))).to.equal(true);
    expect((await c.req('DELETE', `/v3/demo/snapshots/${s.id}`)).status).to.equal(202);
    await waitSnap(s.id, 'gone');
    expect(await usage()).to.deep.equal([before[0], before[1] + 3]);
    for (const v of [small, volume]) expect((await c.req('DELETE', `/v3/demo/volumes/${v}`)).status).to.equal(202);
  });

  it('a snapshot smaller than its new volume gives the difference back once available', async () => {
    const { volume, name } = await unmanagedSnapshot(1);
    const big = await c.createVolume(3);
    const before = await usage();
    const r = await manage({ volume_id: big, ref: { 'source-name': name } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitSnap(r.body.snapshot.id, 'available');
    expect((await c.req('GET', `/v3/demo/snapshots/${r.body.snapshot.id}`, { token: ADMIN })).body.snapshot.size).to.equal(1);
    expect(await usage()).to.deep.equal([before[0] + 1, before[1] + 1]);
    expect((await c.req('DELETE', `/v3/demo/snapshots/${r.body.snapshot.id}`)).status).to.equal(202);
    await waitSnap(r.body.snapshot.id, 'gone');
    expect(await usage()).to.deep.equal(before);
    for (const v of [big, volume]) expect((await c.req('DELETE', `/v3/demo/volumes/${v}`)).status).to.equal(202);
  });

  it('refuses what Cinder refuses, in its order: the schema, the version, the volume, the policy', async () => {
    const v = await c.createVolume(1);
    const fault = async (r: { status: number; body: Json }, code: number, text: RegExp): Promise<void> => {
      expect(r.status, JSON.stringify(r.body)).to.equal(code);
      expect(JSON.stringify(r.body)).to.match(text);
    };
    await fault(await manage({ ref: {} }), 400, /'volume_id' is a required property/);
    await fault(await manage({ volume_id: v }), 400, /'ref' is a required property/);
    await fault(await manage({ volume_id: 'x', ref: {} }), 400, /volume_id/);
    await fault(await manage({ volume_id: v, ref: {}, bogus: 1 }), 400, /Additional properties are not allowed/);
    await fault(await manage({ volume_id: v, ref: {} }, ADMIN, '/v3/demo/manageable_snapshots', '3.7'), 404, /could not be found/);
    await fault(await manage({ volume_id: '5e3f9a1c-0d8b-4c55-9c1e-2f7a6b1d0e42', ref: {} }), 404, /Volume 5e3f9a1c-0d8b-4c55-9c1e-2f7a6b1d0e42 could not be found/);
    await fault(await manage({ volume_id: v, ref: {} }, 'demo:demo'), 403, /snapshot_extension:snapshot_manage/);
    const snap = (await c.req('POST', '/v3/demo/snapshots', { body: { snapshot: { volume_id: v } } })).body.snapshot.id as string;
    await waitSnap(snap, 'available');
    await fault(await c.req('POST', `/v3/demo/snapshots/${snap}/action`, { body: { 'os-unmanage': {} } }), 403, /snapshot_extension:snapshot_unmanage/);
    await c.req('POST', `/v3/demo/snapshots/${snap}/action`, { token: ADMIN, body: { 'os-reset_status': { status: 'creating' } } });
    await fault(await c.req('POST', `/v3/demo/snapshots/${snap}/action`, { token: ADMIN, body: { 'os-unmanage': {} } }), 400, /Snapshot status must be available or error/);
  });

  it('a reference naming nothing ends in error, counted until its delete', async () => {
    const v = await c.createVolume(3);
    const before = await usage();
    const r = await manage({ volume_id: v, ref: { 'source-name': 'snapshot-nothing' } });
    expect(r.status).to.equal(202);
    await waitSnap(r.body.snapshot.id, 'error');
    expect(await usage()).to.deep.equal([before[0] + 1, before[1] + 3]);
    expect((await c.req('DELETE', `/v3/demo/snapshots/${r.body.snapshot.id}`)).status).to.equal(202);
    await waitSnap(r.body.snapshot.id, 'gone');
    expect(await usage()).to.deep.equal(before);
  });
});
