// Volume manage and unmanage as Cinder 21 serves them (tempest's test_volume_manage): unmanage
// keeps the backend object and frees the quota; manage takes it back as a new volume, counted
// as a volume with its row and by its size once it is available; the API's refusals; a bad
// reference and a refused quota end error_managing, whose delete releases its volume (Cinder
// leaks it); a refused cast takes the row back.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';
import type { FakeDriver } from '../../../cinder-volume/drivers/fake';
import { MessageDeliveryFailure } from '../../../common/rpc';

const ADMIN = 'admin:demo';
const mv = (v: string): Record<string, string> => ({ 'OpenStack-API-Version': `volume ${v}` });

describe('cinder volume manage and unmanage', function () {
  let c: Cinder;
  before(async () => { c = await startCinder({ DEFAULT: { use_default_quota_class: true, quota_volumes: 20, quota_gigabytes: 1000 } }); });
  after(async () => { await c?.stop(); });

  const drivers = (): FakeDriver[] => c.volume.backends.map((b) => b.driver as FakeDriver);
  const statusOf = async (id: string): Promise<string> => {
    const r = await c.req('GET', `/v3/demo/volumes/${id}`, { token: ADMIN });
    return r.status === 404 ? 'gone' : r.body.volume.status;
  };
  const waitStatus = async (id: string, status: string): Promise<void> => { await waitFor(async () => (await statusOf(id)) === status, 5000, `volume ${id} ${status}`, 20); };
  const usage = async (): Promise<Json> => (await c.req('GET', '/v3/demo/os-quota-sets/demo?usage=True', { token: ADMIN })).body.quota_set;
  const manage = (volume: Record<string, unknown>, path = '/v3/demo/os-volume-manage', headers: Record<string, string> = {}, token = ADMIN) =>
    c.req('POST', path, { token, body: { volume }, headers });
  const unmanaged = async (size = 2): Promise<{ old: string; host: string; info: Json }> => {
    const old = await c.createVolume(size);
    const info = (await c.req('GET', `/v3/demo/volumes/${old}`, { token: ADMIN })).body.volume;
    const r = await c.action(old, 'os-unmanage', {}, ADMIN);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitStatus(old, 'gone');
    return { old, host: info['os-vol-host-attr:host'], info };
  };

  it('unmanage keeps the object and frees the quota; manage takes it back as a new volume, its size counted once available', async () => {
    const before = await usage();
    const { old, host, info } = await unmanaged(3);
    const freed = await usage();
    expect(freed.volumes.in_use).to.equal(before.volumes.in_use);
    expect(freed.gigabytes.in_use).to.equal(before.gigabytes.in_use);
    expect(drivers().some((d) => d.unmanaged.get(`volume-${old}`) === 3)).to.equal(true);
    const r = await manage({ host, ref: { 'source-name': `volume-${old}` }, name: '  back  ', volume_type: info.volume_type, availability_zone: info.availability_zone, metadata: { k: 'v' } },
      '/v3/demo/manageable_volumes', mv('3.70'));
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const v = r.body.volume;
    expect(v).to.include({ status: 'creating', size: 0, name: 'back', volume_type: info.volume_type, availability_zone: info.availability_zone });
    expect(v.metadata).to.deep.equal({ k: 'v' });
    // The v2 view builder's detail, as Cinder 21 answers it at 3.70 (no extension keys, no 3.x fields).
    expect(Object.keys(v).sort()).to.deep.equal(['attachments', 'availability_zone', 'bootable', 'consistencygroup_id', 'created_at', 'description', 'encrypted', 'id',
      'links', 'metadata', 'migration_status', 'multiattach', 'name', 'replication_status', 'size', 'snapshot_id', 'source_volid', 'status', 'updated_at', 'user_id', 'volume_type']);
    expect(v).to.include({ bootable: 'false', updated_at: null, user_id: 'admin' });
    await waitStatus(v.id, 'available');
    const shown = (await c.req('GET', `/v3/demo/volumes/${v.id}`, { token: ADMIN })).body.volume;
    expect(shown).to.include({ size: 3, 'os-vol-host-attr:host': host, volume_type: info.volume_type });
    const after = await usage();
    expect(after.volumes.in_use).to.equal(before.volumes.in_use + 1);
    expect(after.gigabytes.in_use).to.equal(before.gigabytes.in_use + 3);
    expect(drivers().some((d) => d.volumes.get(v.id) === 3 && !d.unmanaged.has(`volume-${old}`))).to.equal(true);
    // It is an ordinary volume now: attachable, deletable (its quota goes with it).
    expect((await c.action(v.id, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(v.id, 'os-unreserve', null)).status).to.equal(202);
    expect((await c.req('DELETE', `/v3/demo/volumes/${v.id}`)).status).to.equal(202);
    await waitStatus(v.id, 'gone');
    expect((await usage()).gigabytes.in_use).to.equal(before.gigabytes.in_use);
  });

  it("refuses what Cinder refuses: no ref, host and cluster, a missing host, an unknown type, a managed volume's name, a user", async () => {
    const v = await c.createVolume(1);
    const host = (await c.req('GET', `/v3/demo/volumes/${v}`, { token: ADMIN })).body.volume['os-vol-host-attr:host'] as string;
    const fault = async (r: { status: number; body: Json }, code: number, text: RegExp): Promise<void> => {
      expect(r.status, JSON.stringify(r.body)).to.equal(code);
      expect(JSON.stringify(r.body)).to.match(text);
    };
    await fault(await manage({ host }), 400, /'ref' is a required property/);
    await fault(await manage({ ref: { 'source-name': 'x' } }), 400, /Host field is missing/);
    await fault(await manage({ ref: { 'source-name': 'x' }, host, cluster: 'c' }, '/v3/demo/manageable_volumes', mv('3.16')), 400, /One and only one of cluster and host must be set/);
    await fault(await manage({ ref: { 'source-name': 'x' }, host, cluster: 'c' }), 400, /Additional properties are not allowed/);
    await fault(await manage({ ref: { 'source-name': 'x' }, host }, '/v3/demo/manageable_volumes', mv('3.7')), 404, /could not be found/);
    await fault(await manage({ ref: { 'source-name': 'x' }, host: 'nowhere@fake' }), 400, /"Host 'nowhere@fake' not found"/);
    await fault(await manage({ ref: { 'source-name': 'x' }, host, volume_type: 'no-such-type' }), 400, /Cannot find requested 'no-such-type' volume type/);
    await fault(await manage({ ref: { 'source-name': `volume-${v}` }, host }), 400, /The volume is already managed/);
    await fault(await manage({ ref: { 'source-name': 'x' }, host }, '/v3/demo/os-volume-manage', {}, 'demo:demo'), 403, /volume_extension:volume_manage/);
    await fault(await c.action(v, 'os-unmanage', {}), 403, /volume_extension:volume_unmanage/);
    // In use: unmanage is refused as a delete is.
    expect((await c.action(v, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(v, 'os-attach', { instance_uuid: '5a7c0e2e-2f0b-4e4e-9a55-3f5a1c0d9b11', mountpoint: '/dev/vdb' })).status).to.equal(202);
    await waitStatus(v, 'in-use');
    await fault(await c.action(v, 'os-unmanage', {}, ADMIN), 400, /must not be migrating, attached/);
  });

  it('a reference naming nothing ends error_managing, counted as a volume of size 0; its delete releases that and deletes nothing', async () => {
    const { host } = await unmanaged(1);
    const before = await usage();
    const r = await manage({ host, ref: { 'source-name': 'volume-nothing-here' } });
    expect(r.status).to.equal(202);
    await waitStatus(r.body.volume.id, 'error');
    const row = (await c.ds.query('SELECT status, size FROM volumes WHERE id = ?', [r.body.volume.id]))[0];
    expect(row).to.deep.include({ status: 'error_managing', size: 0 });
    const failed = await usage();
    expect([failed.volumes.in_use, failed.gigabytes.in_use]).to.deep.equal([before.volumes.in_use + 1, before.gigabytes.in_use]);
    const kept = drivers().map((d) => [...d.volumes.keys()].length);
    expect((await c.req('DELETE', `/v3/demo/volumes/${r.body.volume.id}`)).status).to.equal(202);
    await waitStatus(r.body.volume.id, 'gone');
    expect((await usage()).volumes.in_use).to.equal(before.volumes.in_use);
    expect((await usage()).gigabytes.in_use).to.equal(before.gigabytes.in_use);
    expect(drivers().map((d) => [...d.volumes.keys()].length)).to.deep.equal(kept);
  });

  it("the scheduler's part: a host without its pool gets it; a type its backend does not take ends error_managing with a user message", async () => {
    const { old, host } = await unmanaged(1);
    const backend = host.split('#')[0];
    const t = await c.req('POST', '/v3/demo/types', { token: ADMIN, body: { volume_type: { name: 'elsewhere', extra_specs: { volume_backend_name: 'no-such-backend' } } } });
    expect(t.status, JSON.stringify(t.body)).to.equal(200);
    const refused = await manage({ host: backend, ref: { 'source-name': `volume-${old}` }, volume_type: 'elsewhere' });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(202);
    const row = (await c.ds.query('SELECT status, host FROM volumes WHERE id = ?', [refused.body.volume.id]))[0];
    expect(row).to.deep.equal({ status: 'error_managing', host });
    const messages = (await c.req('GET', `/v3/demo/messages?resource_uuid=${refused.body.volume.id}`, { token: ADMIN, headers: mv('3.3') })).body.messages as Json[];
    expect(messages.map((m) => m.user_message)).to.deep.equal(['schedule allocate volume:Could not find any available weighted backend.']);
    // The object was not touched: a manage with a type the backend takes succeeds, on the pool.
    const r = await manage({ host: backend, ref: { 'source-name': `volume-${old}` } });
    await waitStatus(r.body.volume.id, 'available');
    expect((await c.req('GET', `/v3/demo/volumes/${r.body.volume.id}`, { token: ADMIN })).body.volume['os-vol-host-attr:host']).to.equal(host);
    for (const id of [refused.body.volume.id, r.body.volume.id]) expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
  });

  it('over quota: error_managing, the object left as it was to manage again', async () => {
    const { old, host } = await unmanaged(5);
    const q = await c.req('PUT', '/v3/admin/os-quota-sets/demo', { token: 'admin:admin', body: { quota_set: { gigabytes: (await usage()).gigabytes.in_use + 4 } } });
    expect(q.status).to.equal(200);
    try {
      const r = await manage({ host, ref: { 'source-name': `volume-${old}` } });
      await waitStatus(r.body.volume.id, 'error');
      expect(drivers().some((d) => d.unmanaged.get(`volume-${old}`) === 5)).to.equal(true);
    } finally {
      await c.req('PUT', '/v3/admin/os-quota-sets/demo', { token: 'admin:admin', body: { quota_set: { gigabytes: 1000 } } });
    }
    const again = await manage({ host, ref: { 'source-name': `volume-${old}` } });
    await waitStatus(again.body.volume.id, 'available');
  });

  it('a cast the broker refuses takes the new row back and answers 503', async () => {
    const { old, host } = await unmanaged(1);
    const count = async (): Promise<number> => Number((await c.ds.query("SELECT COUNT(*) AS n FROM volumes WHERE deleted = 0 AND status = 'managing'"))[0].n);
    const before = await count();
    const cast = c.api.volumes.d.rpc.manageExisting;
    c.api.volumes.d.rpc.manageExisting = async () => { throw new MessageDeliveryFailure('broker refused the message'); };
    try {
      const r = await manage({ host, ref: { 'source-name': `volume-${old}` } });
      expect(r.status, JSON.stringify(r.body)).to.equal(503);
    } finally {
      c.api.volumes.d.rpc.manageExisting = cast;
    }
    expect(await count()).to.equal(before);
  });
});
