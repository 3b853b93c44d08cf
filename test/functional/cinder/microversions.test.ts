// What each volume microversion from 3.45 to 3.70 changes in the APIs we serve, checked on both
// sides of its boundary: list `count` (3.45), backup_id (3.47), shared_targets/service_uuid
// (3.48), strict bodies (3.53), time-comparison and consumes_quota filters (3.60/3.65, applied
// from 3.31 as Cinder's generalized filters do), cluster_name (3.61), volume_type_id (3.63),
// encryption_key_id (3.64), consumes_quota (3.65), tri-state shared_targets (3.69).
import { expect } from 'chai';
import { DEFAULT_TYPE_ID } from '../../../cinder-api/volume/api';
import { startCinder, type Cinder, type Json, type Res } from './cinder-stack';

const mv = (v: string): Record<string, string> => ({ 'OpenStack-API-Version': `volume ${v}` });
const message = (r: Res): string => (Object.values(r.body)[0] as { message: string }).message;

describe('cinder-api microversions 3.45–3.70', function () {
  let c: Cinder;
  const get = (path: string, version: string, token = 'demo:demo'): Promise<Res> =>
    c.req('GET', `/v3/${token.split(':')[1]}${path}`, { token, headers: mv(version) });
  const show = async (id: string, version: string, token = 'demo:demo'): Promise<Json> => (await get(`/volumes/${id}`, version, token)).body.volume;

  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  it('declares 3.70 in the version document and serves it', async () => {
    const r = await c.req('GET', '/', { token: null });
    expect(r.body.versions[0]).to.include({ id: 'v3.0', version: '3.70', min_version: '3.0' });
    const v = await c.req('GET', '/v3/demo/volumes', { headers: mv('3.70') });
    expect(v.status).to.equal(200);
    expect(v.headers.get('openstack-api-version')).to.equal('volume 3.70');
  });

  it('3.48: shared_targets and service_uuid (set by the backend that created the volume)', async () => {
    const created = await c.req('POST', '/v3/demo/volumes', { headers: mv('3.48'), body: { volume: { size: 1 } } });
    expect(created.status).to.equal(202);
    // Not created yet: the column defaults (Cinder's object defaults) show.
    expect(created.body.volume).to.include({ shared_targets: true, service_uuid: null });
    const id = await c.createVolume();
    expect(await show(id, '3.47')).to.not.have.any.keys('shared_targets', 'service_uuid');
    const service = await c.api.volumes.db.serviceByHost(c.volume.backends[0].host, 'cinder-volume');
    expect(service?.uuid).to.be.a('string');
    // One target per volume, as LVM's: no shared targets.
    expect(await show(id, '3.48')).to.include({ shared_targets: false, service_uuid: service?.uuid });
  });

  it('3.69: a null shared_targets shows as null (true before)', async () => {
    const id = await c.createVolume();
    await c.api.volumes.db.volumeUpdate(id, { sharedTargets: null });
    expect((await show(id, '3.68')).shared_targets).to.equal(true);
    expect((await show(id, '3.69')).shared_targets).to.equal(null);
    expect((await show(id, '3.70')).shared_targets).to.equal(null);
  });

  it('3.61 cluster_name (admin only), 3.63 volume_type_id, 3.65 consumes_quota', async () => {
    const id = await c.createVolume(1, 'admin:demo');
    const admin = 'admin:demo';
    expect(await show(id, '3.60', admin)).to.not.have.property('cluster_name');
    expect(await show(id, '3.61', admin)).to.have.property('cluster_name', null);
    expect(await show(id, '3.70')).to.not.have.property('cluster_name');
    expect(await show(id, '3.62')).to.not.have.property('volume_type_id');
    expect(await show(id, '3.63')).to.include({ volume_type_id: DEFAULT_TYPE_ID, volume_type: '__DEFAULT__' });
    expect(await show(id, '3.64')).to.not.have.property('consumes_quota');
    expect(await show(id, '3.65')).to.have.property('consumes_quota', true);
    // The views are the same in list-detail, create and update responses.
    const listed = (await get('/volumes/detail', '3.65')).body.volumes.find((v: Json) => v.id === id);
    expect(listed).to.include({ consumes_quota: true, volume_type_id: DEFAULT_TYPE_ID });
    const updated = await c.req('PUT', `/v3/demo/volumes/${id}`, { headers: mv('3.70'), body: { volume: { name: 'u' } } });
    expect(updated.body.volume).to.include({ consumes_quota: true, volume_type_id: DEFAULT_TYPE_ID, shared_targets: false });
  });

  it('3.64: encryption_key_id only for a real key', async () => {
    const id = await c.createVolume();
    expect(await show(id, '3.70')).to.not.have.property('encryption_key_id');
    const key = '5a2f4f87-7e35-4b1a-9e62-8f6a1c7c2b10';
    await c.api.volumes.db.volumeUpdate(id, { encryptionKeyId: key });
    expect(await show(id, '3.63')).to.not.have.property('encryption_key_id');
    expect(await show(id, '3.64')).to.include({ encryption_key_id: key, encrypted: true });
    await c.api.volumes.db.volumeUpdate(id, { encryptionKeyId: '00000000-0000-0000-0000-000000000000' });
    expect(await show(id, '3.64')).to.not.have.property('encryption_key_id');
  });

  it('3.45: count with with_count, whatever the page', async () => {
    const token = 'counted:counted';
    for (let i = 0; i < 3; i++) await c.createVolume(1, token, `n${i}`);
    let r = await get('/volumes/detail?with_count=true&limit=1', '3.45', token);
    expect(r.status).to.equal(200);
    expect(r.body.volumes).to.have.length(1);
    expect(r.body.count).to.equal(3);
    expect(Object.keys(r.body)).to.deep.equal(['volumes', 'volumes_links', 'count']);
    r = await get('/volumes?with_count=1&name=n1', '3.70', token);
    expect(r.body).to.deep.include({ count: 1 });
    expect(r.body.volumes).to.have.length(1);
    r = await get('/volumes?with_count=false', '3.45', token);
    expect(r.body).to.not.have.property('count');
    // Below 3.45 with_count is an unknown filter: refused for a non-admin (3.31+ generalized filters).
    r = await get('/volumes?with_count=true', '3.44', token);
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal('Invalid filters with_count are found in query options.');
    r = await get('/volumes?with_count=true', '3.30', token);
    expect(r.status).to.equal(200);
    expect(r.body).to.not.have.property('count');
    r = await get('/volumes?with_count=maybe', '3.45', token);
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal("Value 'maybe' for 'with_count' is not a boolean.");
  });

  it('a paging, sorting or (3.45+) with_count key given twice: the first value pages, the later ones are filters', async () => {
    const admin = 'admin:twice';
    for (let i = 0; i < 2; i++) await c.createVolume(1, admin, `t${i}`);
    // An admin's leftover names no column: nothing listed, a count of 0 (seed 6103 of the differential).
    let r = await get('/volumes?with_count=true&limit=1&with_count=true&limit=1', '3.58', admin);
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ volumes: [], count: 0 });
    expect((await get('/volumes?sort=name:asc&sort=name:desc', '3.0', admin)).body.volumes).to.deep.equal([]);
    // As the real Cinder 21 answers: with_count by its last value; a marker given twice is no 404.
    expect((await get('/volumes?with_count=true&with_count=false', '3.60', admin)).body).to.deep.equal({ volumes: [] });
    r = await get('/volumes?marker=x&marker=y', '3.0', admin);
    expect([r.status, r.body]).to.deep.equal([200, { volumes: [] }]);
    expect((await get('/volumes?name=t0&name=t1', '3.0', admin)).body.volumes).to.deep.equal([]);
    // The first limit is the one checked.
    r = await get('/volumes?limit=x&limit=1', '3.0', admin);
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal('limit param must be an integer');
    // Below 3.45 with_count is a filter anyway; given once, the list is as it was.
    expect((await get('/volumes?with_count=true&with_count=true', '3.44', admin)).body.volumes).to.deep.equal([]);
    expect((await get('/volumes?with_count=true&limit=1', '3.58', admin)).body).to.include({ count: 2 });
    // A user's leftover is refused from 3.31, dropped below it (the first limit pages).
    r = await get('/volumes?limit=1&name=x&limit=2', '3.31', 'twice:twice');
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal('Invalid filters limit are found in query options.');
    for (let i = 0; i < 2; i++) await c.createVolume(1, 'twice:twice', `u${i}`);
    expect((await get('/volumes?limit=1&limit=2', '3.30', 'twice:twice')).body.volumes).to.have.length(1);
  });

  it('3.33: resource_filters lists the filters each resource takes from users (the ones the lists check)', async () => {
    const r = await get('/resource_filters', '3.33');
    expect(r.status).to.equal(200);
    const byName = Object.fromEntries((r.body.resource_filters as Json[]).map((f) => [f.resource, f.filters]));
    expect(byName.volume).to.include('name').and.include('consumes_quota').and.not.include('display_name');
    expect(byName.message).to.deep.equal(['resource_uuid', 'resource_type', 'event_id', 'request_id', 'message_level']);
    expect((await get('/resource_filters?resource=attachment', '3.70')).body).to.deep.equal({
      resource_filters: [{ resource: 'attachment', filters: ['volume_id', 'status', 'instance_id', 'attach_status'] }] });
    expect((await get('/resource_filters?resource=nope', '3.70')).body).to.deep.equal({ resource_filters: [] });
    expect((await get('/resource_filters', '3.32')).status).to.equal(404);
    // What it shows is what a list enforces.
    const bad = await get('/attachments?attach_status=attached&bogus=1', '3.33');
    expect([bad.status, message(bad)]).to.deep.equal([400, 'Invalid filters bogus are found in query options.']);
  });

  it('3.31+: a non-admin may name only the configured filters (all_tenants let through)', async () => {
    let r = await get('/volumes?display_name=x&color=red&limit=1&sort=id:asc&all_tenants=1', '3.70');
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal('Invalid filters display_name,color are found in query options.');
    r = await get('/volumes?name=x&status=available&metadata={}&bootable=false&size=1&all_tenants=1&marker=&offset=0', '3.70');
    expect(r.status, JSON.stringify(r.body)).to.not.equal(400);
    expect((await get('/volumes?display_name=x', '3.30')).status).to.equal(200);
    expect((await get('/volumes?display_name=x', '3.70', 'admin:demo')).status).to.equal(200);
  });

  it('below 3.31: a non-admin\'s keys beyond the configured filters are dropped, not matched (remove_invalid_filter_options)', async () => {
    const own = ((await get('/volumes', '3.30')).body.volumes as Json[]).map((v) => v.id);
    expect(own.length).to.be.greaterThan(0);
    for (const q of ['color=red', 'project_id=someone-else', 'display_description=nope', 'id=nope']) {
      const r = await get(`/volumes?${q}`, '3.30');
      expect(r.status, q).to.equal(200);
      expect((r.body.volumes as Json[]).map((v) => v.id), q).to.deep.equal(own);
    }
    // An admin's are columns: one naming none matches nothing.
    expect((await get('/volumes?color=red', '3.30', 'admin:demo')).body.volumes).to.deep.equal([]);
  });

  it('3.47: backup_id is a uuid from 3.47; any backup named is not found (no backups here)', async () => {
    const post = (version: string, volume: Json): Promise<Res> => c.req('POST', '/v3/demo/volumes', { headers: mv(version), body: { volume } });
    let r = await post('3.47', { size: 1, backup_id: 'nope' });
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal("Invalid input for field/attribute backup_id. Value: nope. 'nope' is not valid under any of the given schemas");
    r = await post('3.46', { size: 1, backup_id: 'nope' });
    expect(r.status).to.equal(404);
    expect(message(r)).to.equal('Backup nope could not be found.');
    r = await post('3.70', { size: 1, backup_id: 'a0c4d8a8-1b6c-4d7a-8d54-2f4b9a3c2e11' });
    expect(r.status).to.equal(404);
    r = await post('3.70', { size: 1, backup_id: null, group_id: 'g1' });
    expect(r.status).to.equal(404);
    expect(message(r)).to.equal('Group g1 could not be found.');
  });

  it('3.53: create refuses unknown keys; update needs a known key (and refuses unknown ones at every version)', async () => {
    const post = (version: string, body: Json): Promise<Res> => c.req('POST', '/v3/demo/volumes', { headers: mv(version), body });
    let r = await post('3.52', { volume: { size: 1, color: 'red' } });
    expect(r.status).to.equal(202);
    r = await post('3.53', { volume: { size: 1, color: 'red' } });
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal("Invalid input for field/attribute volume. Value: {'size': 1, 'color': 'red'}. Additional properties are not allowed ('color' was unexpected)");
    // cinderclient's full body is accepted.
    r = await post('3.70', { volume: { size: 1, consistencygroup_id: null, snapshot_id: null, name: 'full', description: null, volume_type: null,
      availability_zone: null, metadata: {}, imageRef: null, source_volid: null, backup_id: null }, 'OS-SCH-HNT:scheduler_hints': { a: 'b' } });
    expect(r.status).to.equal(202);
    r = await post('3.0', { volume: { size: 1 }, extra: 1 });
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal("Additional properties are not allowed ('extra' was unexpected)");

    const id = await c.createVolume();
    const put = (version: string, body: Json): Promise<Res> => c.req('PUT', `/v3/demo/volumes/${id}`, { headers: mv(version), body });
    r = await put('3.52', { volume: {} });
    expect(r.status).to.equal(200);
    r = await put('3.53', { volume: {} });
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal('Invalid input for field/attribute volume. Value: {}. {} is not valid under any of the given schemas');
    r = await put('3.0', { volume: { name: 'x', size: 2 } });
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal("Invalid input for field/attribute volume. Value: {'name': 'x', 'size': 2}. Additional properties are not allowed ('size' was unexpected)");
    r = await put('3.53', { volume: { display_name: 'dn' } });
    expect(r.status).to.equal(200);
    expect(r.body.volume.name).to.equal('dn');
    // Validation comes before the lookup.
    r = await c.req('PUT', '/v3/demo/volumes/5e0f5d8e-2a77-4a57-9a35-5d7c3b2a6e01', { headers: mv('3.53'), body: { volume: {} } });
    expect(r.status).to.equal(400);
  });

  it('multiattach in create: true is the removed parameter, null is not a boolean', async () => {
    const post = (volume: Json): Promise<Res> => c.req('POST', '/v3/demo/volumes', { headers: mv('3.70'), body: { volume } });
    let r = await post({ size: 1, multiattach: 'yes' });
    expect(r.status).to.equal(400);
    expect(message(r)).to.match(/^multiattach parameter has been removed/);
    r = await post({ size: 1, multiattach: null });
    expect(message(r)).to.equal("Value 'None' for 'multiattach' is not a boolean.");
    r = await post({ size: 1, multiattach: 'maybe' });
    expect(message(r)).to.equal("Invalid input for field/attribute multiattach. Value: maybe. 'maybe' is not valid under any of the given schemas");
    r = await post({ size: 1, multiattach: false });
    expect(r.status).to.equal(202);
  });

  it('3.60: created_at/updated_at time comparisons (ORed), from 3.31; bad ones 400', async () => {
    const token = 'timed:timed';
    const old = await c.createVolume(1, token, 'old');
    const fresh = await c.createVolume(1, token, 'fresh');
    const past = new Date('2020-01-02T03:04:05Z');
    await c.api.volumes.db.volumes.update({ id: old }, { createdAt: past, updatedAt: null });
    const ids = async (query: string, version = '3.60'): Promise<string[]> => {
      const r = await get(`/volumes?${query}`, version, token);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.volumes.map((v: Json) => v.id);
    };
    expect(await ids('created_at=lt:2021-01-01T00:00:00')).to.deep.equal([old]);
    expect(await ids('created_at=gte:2021-01-01')).to.deep.equal([fresh]);
    expect(await ids('created_at=eq:2020-01-02T03:04:05Z')).to.deep.equal([old]);
    expect(await ids('created_at=eq:2020-01-02T04:04:05%2B01:00')).to.deep.equal([old]);
    expect((await ids('created_at=lt:2021-01-01,gt:2021-01-01')).sort()).to.deep.equal([old, fresh].sort());
    // A NULL updated_at matches no comparison.
    expect(await ids('updated_at=gt:2000-01-01')).to.deep.equal([fresh]);
    expect(await ids('updated_at=neq:2000-01-01')).to.deep.equal([fresh]);
    // Cinder's generalized filters (3.31+) pass these on at any version; the old path drops them.
    expect(await ids('created_at=lt:2021-01-01', '3.59')).to.deep.equal([old]);
    expect((await ids('created_at=lt:2021-01-01', '3.30')).sort()).to.deep.equal([old, fresh].sort());
    for (const [query, text] of [['created_at=after:2021-01-01', 'Invalid after operator'], ['created_at=gt:yesterday', 'Invalid yesterday value'],
      ['updated_at=gt', 'Invalid gt value'], ['created_at=gt:2021-13-01', 'Invalid 2021-13-01 value']]) {
      const r = await get(`/volumes?${query}`, '3.60', token);
      expect(r.status, query).to.equal(400);
      expect(message(r)).to.equal(text);
    }
  });

  it('3.65: consumes_quota filter (use_quota), strict boolean', async () => {
    const token = 'quota:quota';
    const a = await c.createVolume(1, token, 'q1');
    const b = await c.createVolume(1, token, 'q2');
    await c.api.volumes.db.volumeUpdate(b, { useQuota: false });
    const ids = async (query: string, version = '3.65'): Promise<string[]> => (await get(`/volumes?${query}`, version, token)).body.volumes.map((v: Json) => v.id);
    expect(await ids('consumes_quota=true')).to.deep.equal([a]);
    expect(await ids('consumes_quota=False')).to.deep.equal([b]);
    expect((await show(b, '3.65', token)).consumes_quota).to.equal(false);
    // Below 3.31 the name is no column: nothing matches.
    expect(await ids('consumes_quota=true', '3.30')).to.deep.equal([]);
    const r = await get('/volumes?consumes_quota=sometimes', '3.65', token);
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal("Value 'sometimes' for 'use_quota' is not a boolean.");
  });

  it('routes of APIs we do not serve stay absent at 3.70 (3.68 re-image); snapshots and transfers are listed', async () => {
    expect((await get('/snapshots', '3.70')).status).to.equal(200);
    expect((await get('/volume-transfers', '3.70')).status).to.equal(200);
    expect((await get('/volume-transfers', '3.0')).status).to.equal(200);
    const id = await c.createVolume();
    const r = await c.req('POST', `/v3/demo/volumes/${id}/action`, { headers: mv('3.70'), body: { 'os-reimage': { image_id: 'x' } } });
    expect(r.status).to.equal(400);
    expect(message(r)).to.equal('There is no such action: os-reimage. Verify the request body and Content-Type header and try again.');
  });
});
