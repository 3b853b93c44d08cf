// Cinder quotas over HTTP on SQLite: os-quota-sets / os-quota-class-sets / limits bodies, the
// 413 overLimit faults of create and extend with Cinder's texts, usage following creates,
// extends and deletes, the update checks, and an abandoned reservation rolled back at expiry.
import { expect } from 'chai';
import { QuotaDB } from '../../../cinder-common/quota-db';
import { waitFor } from '../../support/processes';
import { QUOTA_DEFAULTS_ON, startCinder, type Cinder, type Json, type Res } from './cinder-stack';

const ADMIN = 'admin:admin';
const fault = (r: Res): Json => Object.values(r.body as object)[0];

describe('cinder-api quotas', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(QUOTA_DEFAULTS_ON); });
  after(async () => { await c?.stop(); });

  const q = (method: string, path: string, body?: unknown, token = ADMIN) => c.req(method, `/v3/${token.split(':')[1]}${path}`, { token, body });
  const usage = async (project: string): Promise<Json> => (await q('GET', `/os-quota-sets/${project}?usage=True`)).body.quota_set;
  const create = (token: string, size: number) => c.req('POST', `/v3/${token.split(':')[1]}/volumes`, { token, body: { volume: { size } } });

  it('shows the defaults as Cinder does: every resource, per-type keys, groups, and the id', async () => {
    const r = await q('GET', '/os-quota-sets/p-fresh');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ quota_set: {
      volumes: 10, per_volume_gigabytes: -1, snapshots: 10, gigabytes: 1000, backups: 10, backup_gigabytes: 1000,
      volumes___DEFAULT__: -1, gigabytes___DEFAULT__: -1, snapshots___DEFAULT__: -1, groups: 10, id: 'p-fresh',
    } });
    expect((await q('GET', '/os-quota-sets/p-fresh/defaults')).body.quota_set).to.deep.equal(r.body.quota_set);
    expect((await usage('p-fresh')).gigabytes).to.deep.equal({ limit: 1000, in_use: 0, reserved: 0 });
    const bad = await q('GET', '/os-quota-sets/p-fresh?usage=maybe');
    expect([bad.status, fault(bad).message]).to.deep.equal([400, "Value 'maybe' for 'usage' is not a boolean."]);
  });

  it('answers a create beyond the gigabytes quota 413 overLimit with Cinder\'s text, and keeps no row', async () => {
    const r = await create('u:pbig', 5000);
    expect(r.status).to.equal(413);
    expect(r.headers.get('retry-after')).to.equal('0');
    expect(r.body).to.deep.equal({ overLimit: { code: 413, retryAfter: '0',
      message: 'VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 5000G, quota is 1000G and 0G has been consumed.' } });
    expect((await c.req('GET', '/v3/pbig/volumes', { token: 'u:pbig' })).body.volumes).to.have.length(0);
    expect((await usage('pbig')).gigabytes).to.include({ in_use: 0, reserved: 0 });
  });

  it('counts creates, extends and deletes in the usage; refuses past volumes, per_volume_gigabytes and an extend', async () => {
    const u = 'u:pcount';
    expect((await q('PUT', '/os-quota-sets/pcount', { quota_set: { volumes: 1, gigabytes: 4, per_volume_gigabytes: 3 } })).status).to.equal(200);
    let r = await create(u, 4);
    expect([r.status, fault(r).message]).to.deep.equal([413, 'VolumeSizeExceedsLimit: Requested volume size 4G is larger than maximum allowed limit 3G.']);
    const id = await c.createVolume(2, u);
    let s = await usage('pcount');
    expect(s.volumes).to.deep.equal({ limit: 1, in_use: 1, reserved: 0 });
    expect(s.gigabytes).to.deep.equal({ limit: 4, in_use: 2, reserved: 0 });
    expect(s.volumes___DEFAULT__).to.include({ in_use: 1 });
    expect(s.gigabytes___DEFAULT__).to.include({ in_use: 2 });
    r = await create(u, 1);
    expect([r.status, fault(r).message]).to.deep.equal([413, "VolumeLimitExceeded: Maximum number of volumes allowed (1) exceeded for quota 'volumes'."]);
    // Extend: 2 → 5 needs 3 more of the 2 left; the volume goes back to available.
    r = await c.action(id, 'os-extend', { new_size: 5 }, u);
    expect(r.status).to.equal(413);
    expect(fault(r).message).to.equal('VolumeSizeExceedsLimit: Requested volume size 5G is larger than maximum allowed limit 3G.');
    await q('PUT', '/os-quota-sets/pcount', { quota_set: { per_volume_gigabytes: -1 } });
    r = await c.action(id, 'os-extend', { new_size: 5 }, u);
    expect([r.status, fault(r).message]).to.deep.equal([413,
      'VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 3G, quota is 4G and 2G has been consumed.']);
    expect((await c.show(id, u)).status).to.equal('available');
    r = await c.action(id, 'os-extend', { new_size: 4 }, u);
    expect(r.status).to.equal(202);
    await waitFor(async () => (await c.show(id, u)).size === 4, 10_000, 'extended', 20);
    await waitFor(async () => (await usage('pcount')).gigabytes.in_use === 4, 10_000, 'usage after extend', 20);
    expect((await usage('pcount')).gigabytes.reserved).to.equal(0);
    // Setting a limit under what the project uses is refused (it has its own row for gigabytes).
    r = await q('PUT', '/os-quota-sets/pcount', { quota_set: { gigabytes: 3 } });
    expect([r.status, fault(r).message]).to.deep.equal([400,
      'Quota gigabytes limit must be equal or greater than existing resources. Current usage is 4 and the requested limit is 3.']);
    expect((await c.req('DELETE', `/v3/pcount/volumes/${id}`, { token: u })).status).to.equal(202);
    await waitFor(async () => (await usage('pcount')).volumes.in_use === 0, 10_000, 'usage after delete', 20);
    s = await usage('pcount');
    expect([s.gigabytes.in_use, s.gigabytes___DEFAULT__.in_use, s.volumes___DEFAULT__.in_use]).to.deep.equal([0, 0, 0]);
  });

  it('checks an update as Cinder: values, unknown keys, admin only; DELETE goes back to the defaults', async () => {
    const put = async (body: unknown, token = ADMIN): Promise<[number, string]> => {
      const r = await q('PUT', '/os-quota-sets/pupd', body, token);
      return [r.status, r.status === 200 ? '' : fault(r).message];
    };
    expect(await put({ quota_set: { volumes: -2 } })).to.deep.equal([400, 'volumes must be >= -1']);
    expect(await put({ quota_set: { volumes: 'abc' } })).to.deep.equal([400, 'volumes must be an integer']);
    expect(await put({ quota_set: { volumes: 1.5 } })).to.deep.equal([400, 'volumes must be an integer']);
    expect(await put({ quota_set: { foo: 1, bar: 2 } })).to.deep.equal([400, 'Invalid input received: Bad key(s) in quota set: foo, bar']);
    expect(await put({ quota_set: {} })).to.deep.equal([400, 'Invalid input for field/attribute quota_set. Value: {}. {} does not have enough properties']);
    expect(await put({})).to.deep.equal([400, "'quota_set' is a required property"]);
    expect(await put({ quota_set: { volumes: 5 } }, 'demo:pupd')).to.deep.equal([403, "Policy doesn't allow volume_extension:quotas:update to be performed."]);
    // A string passes validate_integer, then Cinder compares it with the usage: a TypeError, webob's bare 400.
    expect(await put({ quota_set: { volumes: '7' } })).to.deep.equal([400, 'The server could not comply with the request since it is either malformed or otherwise incorrect.']);
    expect(await put({ quota_set: { volumes: '-1' } })).to.deep.equal([400, 'The server could not comply with the request since it is either malformed or otherwise incorrect.']);
    const r = await q('PUT', '/os-quota-sets/pupd', { quota_set: { volumes: 7, gigabytes: 20, id: 'x' } });
    expect(r.status).to.equal(200);
    expect(r.body.quota_set).to.include({ volumes: 7, gigabytes: 20 }).and.not.have.property('id');
    expect((await c.req('GET', '/v3/pupd/os-quota-sets/pupd', { token: 'demo:pupd' })).body.quota_set.volumes).to.equal(7);
    const other = await c.req('GET', '/v3/pupd/os-quota-sets/someone', { token: 'demo:pupd' });
    expect([other.status, fault(other).message]).to.deep.equal([403, "Policy doesn't allow volume_extension:quotas:show to be performed."]);
    const gone = await q('DELETE', '/os-quota-sets/pupd');
    expect(gone.status).to.equal(200);
    // Empty, and labelled JSON as Cinder labels it (the differential test found text/html here).
    expect(gone.headers.get('content-type')).to.match(/^application\/json/);
    expect((await q('GET', '/os-quota-sets/pupd')).body.quota_set).to.include({ volumes: 10, gigabytes: 1000 });
  });

  it('serves quota class sets (admin) and /limits with the used values', async () => {
    const r = await q('PUT', '/os-quota-class-sets/gold', { quota_class_set: { volumes: 20 } });
    expect(r.status).to.equal(200);
    expect(r.body.quota_class_set).to.include({ volumes: 20, gigabytes: 1000 }).and.not.have.property('id');
    expect((await q('GET', '/os-quota-class-sets/gold')).body.quota_class_set).to.include({ volumes: 20, id: 'gold' });
    const bad = await q('PUT', '/os-quota-class-sets/gold', { quota_class_set: { nope: 1 } });
    expect(fault(bad).message).to.equal('Invalid input received: Bad key(s) in quota class set: nope');
    expect((await c.req('GET', '/v3/plim/os-quota-class-sets/default', { token: 'demo:plim' })).status).to.equal(403);
    await c.createVolume(3, 'demo:plim');
    const l = await c.req('GET', '/v3/plim/limits', { token: 'demo:plim' });
    expect(l.body).to.deep.equal({ limits: { rate: [], absolute: {
      maxTotalVolumes: 10, maxTotalSnapshots: 10, maxTotalVolumeGigabytes: 1000, maxTotalBackups: 10, maxTotalBackupGigabytes: 1000,
      totalVolumesUsed: 1, totalGigabytesUsed: 3, totalSnapshotsUsed: 0, totalBackupsUsed: 0, totalBackupGigabytesUsed: 0,
    } } });
  });

  it('rolls an abandoned reservation back when it expires, and re-counts a drifted usage from the volumes', async () => {
    const db = new QuotaDB(c.ds);
    const held = await db.reserve('pcrash', { volumes: 1, gigabytes: 7 }, { volumes: 10, gigabytes: 1000 }, new Date(Date.now() - 1000));
    expect(held).to.be.an('array').with.length(2);
    expect((await usage('pcrash')).gigabytes.reserved).to.equal(7);
    let pass = await c.volume.quotaCleaner.runOnce();
    expect(pass.expired).to.equal(2);
    expect((await usage('pcrash')).gigabytes).to.include({ reserved: 0, in_use: 0 });
    // A usage that says more than the volumes hold is corrected by the same pass.
    await c.ds.query("UPDATE quota_usages SET in_use = 9 WHERE project_id = 'pcrash' AND resource = 'gigabytes'");
    pass = await c.volume.quotaCleaner.runOnce();
    expect(pass.corrected).to.deep.equal([['pcrash', 'gigabytes', 9, 0]]);
  });
});
