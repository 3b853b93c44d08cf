// Volumes CRUD, version documents, microversions, views (v1 seed shape, v3) and project
// isolation over HTTP on fake:// + SQLite.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from './cinder-stack';

describe('cinder-api volumes', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  it('serves version documents without a token', async () => {
    let r = await c.req('GET', '/', { token: null });
    expect(r.status).to.equal(300);
    const v3 = r.body.versions.find((v: { id: string }) => v.id === 'v3.0');
    expect(v3).to.include({ status: 'CURRENT', version: '3.70', min_version: '3.0' });
    expect(v3.links.find((l: { rel: string }) => l.rel === 'self').href).to.equal(`${c.api.url}/v3/`);
    r = await c.req('GET', '/v3/', { token: null });
    expect(r.status).to.equal(200);
    expect(r.body.versions.map((v: { id: string }) => v.id)).to.include('v3.0');
  });

  it('negotiates the microversion on /v3 (default 3.0, max 3.70; out of range 406)', async () => {
    let r = await c.req('GET', '/v3/demo/volumes');
    expect(r.status).to.equal(200);
    expect(r.headers.get('openstack-api-version')).to.equal('volume 3.0');
    r = await c.req('GET', '/v3/demo/volumes', { headers: { 'OpenStack-API-Version': 'volume 3.70' } });
    expect(r.status).to.equal(200);
    expect(r.headers.get('openstack-api-version')).to.equal('volume 3.70');
    r = await c.req('GET', '/v3/demo/volumes', { headers: { 'OpenStack-API-Version': 'volume 3.71' } });
    expect(r.status).to.equal(406);
    expect(r.body.computeFault.message).to.equal('Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.');
    r = await c.req('GET', '/v3/demo/volumes', { headers: { 'OpenStack-API-Version': 'volume latest' } });
    expect(r.status).to.equal(200);
    expect(r.headers.get('openstack-api-version')).to.equal('volume 3.70');
    r = await c.req('GET', '/v3/demo/volumes', { headers: { 'OpenStack-API-Version': 'volume 3.x' } });
    expect(r.status).to.equal(400);
  });

  it('creates with the OSC body (202 creating), then available; lists, shows, updates, deletes', async () => {
    const body = { volume: { size: 1, consistencygroup_id: null, snapshot_id: null, name: 'v1', description: null, volume_type: null,
      availability_zone: null, metadata: {}, imageRef: null, source_volid: null, backup_id: null } };
    let r = await c.req('POST', '/v3/demo/volumes', { body });
    expect(r.status).to.equal(202);
    const vol = r.body.volume;
    expect(vol).to.include({ status: 'creating', size: 1, name: 'v1', volume_type: '__DEFAULT__', bootable: 'false', multiattach: false });
    expect(vol.attachments).to.deep.equal([]);
    expect(vol.metadata).to.deep.equal({});
    await waitFor(async () => (await c.show(vol.id)).status === 'available', 5000, 'available', 20);

    r = await c.req('GET', '/v3/demo/volumes');
    expect(r.body.volumes.find((v: { id: string }) => v.id === vol.id)).to.have.keys('id', 'name', 'links');
    r = await c.req('GET', '/v3/demo/volumes/detail?all_tenants=1&name=v1');
    expect(r.body.volumes.map((v: { id: string }) => v.id)).to.include(vol.id);
    expect(r.body.volumes.every((v: { name: string }) => v.name === 'v1')).to.equal(true);

    r = await c.req('PUT', `/v3/demo/volumes/${vol.id}`, { body: { volume: { name: 'renamed', description: 'd', metadata: { k: 'v' } } } });
    expect(r.status).to.equal(200);
    expect(r.body.volume).to.include({ name: 'renamed', description: 'd' });
    expect(r.body.volume.metadata).to.deep.equal({ k: 'v' });
    // The visible admin metadata (readonly, attached_mode) shows over what was given, as Cinder's add_visible_admin_metadata.
    expect((await c.req('POST', `/v3/demo/volumes/${vol.id}/action`, { body: { 'os-update_readonly_flag': { readonly: true } } })).status).to.equal(202);
    r = await c.req('PUT', `/v3/demo/volumes/${vol.id}`, { body: { volume: { metadata: { k: 'v', readonly: 'no' } } } });
    expect(r.body.volume.metadata).to.deep.equal({ k: 'v', readonly: 'True' });
    expect((await c.req('POST', `/v3/demo/volumes/${vol.id}/action`, { body: { 'os-update_readonly_flag': { readonly: false } } })).status).to.equal(202);

    // project-less /v3 (cinder noauth plugin) sees the same volume
    r = await c.req('GET', `/v3/volumes/${vol.id}`);
    expect(r.status).to.equal(200);

    r = await c.req('DELETE', `/v3/demo/volumes/${vol.id}`);
    expect(r.status).to.equal(202);
    await waitFor(async () => (await c.req('GET', `/v3/demo/volumes/${vol.id}`)).status === 404, 5000, 'deleted', 20);
    r = await c.req('GET', `/v3/demo/volumes/${vol.id}`);
    expect(r.body).to.deep.equal({ itemNotFound: { code: 404, message: `Volume ${vol.id} could not be found.` } });
  });

  it('v1 shows the seed shape (display_name, tenant/host attrs for admin)', async () => {
    const id = await c.createVolume(1, 'demo:demo', 'dfg');
    const r = await c.req('GET', `/v1/demo/volumes/${id}`, { token: 'admin:demo' });
    expect(r.status).to.equal(200);
    expect(r.body.volume).to.include({ status: 'available', display_name: 'dfg', display_description: null, bootable: 'false',
      encrypted: false, size: 1, availability_zone: 'nova', 'os-vol-tenant-attr:tenant_id': 'demo', 'os-vol-mig-status-attr:migstat': null });
    expect(r.body.volume['os-vol-host-attr:host']).to.match(/^.+@.+#.+$/);
    expect(r.body.volume.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const v2 = await c.req('GET', `/v2/demo/volumes/${id}`);
    expect(v2.status).to.equal(200);
    expect(v2.body.volume.name).to.equal('dfg');
    expect(v2.body.volume).to.not.have.property('os-vol-host-attr:host');
  });

  it('isolates projects; the URL project must be the caller\'s', async () => {
    const id = await c.createVolume();
    let r = await c.req('GET', `/v3/other/volumes/${id}`, { token: 'other:other' });
    expect(r.status).to.equal(404);
    r = await c.req('GET', '/v3/other/volumes/detail', { token: 'other:other' });
    expect(r.body.volumes.map((v: { id: string }) => v.id)).to.not.include(id);
    r = await c.req('DELETE', `/v3/other/volumes/${id}`, { token: 'other:other' });
    expect(r.status).to.equal(404);
    r = await c.req('GET', `/v3/demo/volumes/${id}`, { token: 'other:other' });
    expect(r.status).to.equal(400);
    // Cinder's wsgi words it so (Nova's names both projects).
    expect(r.body).to.deep.equal({ badRequest: { code: 400, message: 'Malformed request url' } });
  });

  it('rejects bad create bodies with 4xx', async () => {
    const cases: Array<[unknown, number, string?]> = [
      [{ volume: { size: 0 } }, 400],
      [{ volume: { size: 'abc' } }, 400, "Invalid input for field/attribute size. Value: abc. 'abc' does not match '^[0-9]+$'"],
      [{ volume: {} }, 400],
      [{ volume: { size: 1, multiattach: true } }, 400],
      [{ volume: { size: 1, name: 'x'.repeat(256) } }, 400],
      [{ volume: { size: 1, metadata: 'x' } }, 400],
      [{ volume: { size: 1, volume_type: 'gold' } }, 404, 'Volume type with name gold could not be found.'],
      [{ vol: {} }, 400, "'volume' is a required property"],
      ['{bad', 400, 'Malformed request body'],
    ];
    for (const [body, code, message] of cases) {
      const r = await c.req('POST', '/v3/demo/volumes', { body });
      expect(r.status, JSON.stringify(body)).to.equal(code);
      const fault = Object.values(r.body)[0] as { message: string };
      if (message) expect(fault.message).to.equal(message);
    }
  });

  it('refuses to delete an in-use volume', async () => {
    const id = await c.createVolume();
    await c.action(id, 'os-attach', { instance_uuid: '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2', mountpoint: '/dev/vdb' });
    const r = await c.req('DELETE', `/v3/demo/volumes/${id}`);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid volume: Volume status must be available or error or error_restoring or error_extending or ' +
      'error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.');
  });

  it('lists with filters, sort and marker/limit pages (next link until an empty page)', async () => {
    const token = 'pager:pager';
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await c.createVolume(i + 1, token, `pg${i}`));
    await c.req('PUT', `/v3/pager/volumes/${ids[1]}`, { token, body: { volume: { metadata: { tier: 'gold' } } } });
    let r = await c.req('GET', '/v3/pager/volumes/detail?sort_key=size&sort_dir=asc', { token });
    expect(r.body.volumes.map((v: { id: string }) => v.id)).to.deep.equal(ids);
    expect(r.body).to.not.have.property('volumes_links');
    r = await c.req('GET', '/v3/pager/volumes/detail?sort=size:desc', { token });
    expect(r.body.volumes.map((v: { id: string }) => v.id)).to.deep.equal([...ids].reverse());
    r = await c.req('GET', `/v3/pager/volumes/detail?metadata=${encodeURIComponent("{'tier': 'gold'}")}`, { token });
    expect(r.body.volumes.map((v: { id: string }) => v.id)).to.deep.equal([ids[1]]);
    r = await c.req('GET', '/v3/pager/volumes?status=null', { token });
    expect(r.body.volumes).to.deep.equal([]);
    r = await c.req('GET', '/v3/pager/volumes/detail?bootable=false&availability_zone=nova', { token });
    expect(r.body.volumes).to.have.length(3);
    const seen: string[] = [];
    let url = '/v3/pager/volumes/detail?limit=1';
    for (let pages = 0; pages < 10; pages++) {
      r = await c.req('GET', url, { token });
      seen.push(...r.body.volumes.map((v: { id: string }) => v.id));
      const next = (r.body.volumes_links ?? []).find((l: { rel: string }) => l.rel === 'next');
      if (!next) break;
      url = new URL(next.href).pathname + new URL(next.href).search;
    }
    expect([...seen].sort()).to.deep.equal([...ids].sort());
    r = await c.req('GET', '/v3/pager/volumes?sort_key=bogus', { token });
    expect(r.status).to.equal(400);
    // A filter given twice counts once, with its last value (webob's MultiDict), never a 500.
    r = await c.req('GET', '/v3/pager/volumes?display_name=pg0&display_name=pg2', { token });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.volumes.map((v: { id: string }) => v.id)).to.deep.equal([ids[2]]);
    // A key Cinder pops (name, paging, sorting) is read by its first value (MultiDict.pop); the
    // later one stays a filter, which a user's list drops below 3.31 but for name (real Cinder 21:
    // name=a&name=b lists nothing).
    r = await c.req('GET', '/v3/pager/volumes?name=pg0&name=pg2', { token });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.volumes).to.deep.equal([]);
    r = await c.req('GET', '/v3/pager/volumes/detail?sort_key=size&sort_key=name&sort_dir=asc&sort_dir=desc&limit=1&limit=2', { token });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.volumes.map((v: { id: string }) => v.id)).to.deep.equal([ids[0]]);
  });

  it('filters on any volumes column as Cinder (found by the differential test)', async () => {
    const token = 'admin:cols';
    const [a, b] = [await c.createVolume(1, token, 'first'), await c.createVolume(2, token, 'second')];
    await c.req('PUT', `/v3/cols/volumes/${a}`, { token, body: { volume: { description: 'desc' } } });
    const ids = async (q: string, version = '3.0'): Promise<string[] | number> => {
      const r = await c.req('GET', `/v3/cols/volumes${q}`, { token, headers: { 'OpenStack-API-Version': `volume ${version}` } });
      return r.status === 200 ? r.body.volumes.map((v: { id: string }) => v.id).sort() : r.status;
    };
    expect(await ids(`?id=${a}`)).to.deep.equal([a]);
    expect(await ids('?display_description=desc')).to.deep.equal([a]);
    expect(await ids('?size=2')).to.deep.equal([b]);
    expect(await ids('?size=[1,2]')).to.deep.equal([a, b].sort());
    expect(await ids('?migration_status=none')).to.deep.equal([]);
    expect(await ids('?migration_status=None')).to.deep.equal([a, b].sort());
    expect(await ids('?group_id=x', '3.31')).to.deep.equal([]);
    expect(await ids('?metadata=garbage')).to.deep.equal([]);
    expect(await ids('?no_such_column=1')).to.deep.equal([]);
    // Before 3.2 any bootable text but a false one is true; from 3.2 only flags, else 400.
    expect(await ids('?bootable=0', '3.0')).to.deep.equal([]);
    expect(await ids('?bootable=0', '3.2')).to.deep.equal([a, b].sort());
    expect(await ids('?bootable=maybe', '3.2')).to.equal(400);
    // Every Boolean filter is read before a key that matches nothing empties the list.
    expect(await ids('?no_such_column=1&bootable=maybe', '3.2')).to.equal(400);
    expect(await ids('?metadata=garbage&multiattach=maybe', '3.2')).to.equal(400);
    // key~ is a LIKE from 3.31; `name~` below it names the model's name property, which is no filter.
    expect(await ids('?name~=SEC', '3.31')).to.deep.equal([b]);
    expect(await ids('?name~=SEC', '3.30')).to.deep.equal([a, b].sort());
    expect(await ids('?host=cols')).to.deep.equal([]);
    expect(await ids('?sort=name:asc:x')).to.equal(400);
    expect(await ids('?marker=')).to.equal(404);
    // A key that matches nothing returns before the marker is looked up (with_count is one below 3.45).
    expect(await ids('?marker=00000000-0000-0000-0000-000000000000&with_count=true', '3.39')).to.deep.equal([]);
    expect(await ids('?marker=00000000-0000-0000-0000-000000000000&with_count=true', '3.45')).to.equal(404);
  });

  it('DELETE reads cascade and force as booleans before the lookup', async () => {
    const r = await c.req('DELETE', '/v3/demo/volumes/951be889-b794-4723-9ac9-efde61cacf3a?cascade=maybe');
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, "Value 'maybe' for 'cascade' is not a boolean."]);
  });

  it('GET /volumes/ (empty id) is 404; a nonexistent snapshot_id is 404', async () => {
    expect((await c.req('GET', '/v3/demo/volumes/')).status).to.equal(404);
    const r = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1, snapshot_id: '951be889-b794-4723-9ac9-efde61cacf3a' } } });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('Snapshot 951be889-b794-4723-9ac9-efde61cacf3a could not be found.');
  });

  it('volume metadata from 3.15: an ETag on the list, If-Match on the updates (412 when stale)', async () => {
    const id = await c.createVolume();
    const m = `/v3/demo/volumes/${id}/metadata`;
    const mv = { 'OpenStack-API-Version': 'volume 3.15' };
    await c.req('POST', m, { body: { metadata: { k: 'é' } } });
    let r = await c.req('GET', m, { headers: mv });
    // md5 of Python's json.dumps: ", "/": " separators, non-ASCII escaped.
    const tag = createHash('md5').update('{"metadata": {"k": "\\u00e9"}}').digest('hex');
    expect(r.headers.get('etag')).to.equal(tag);
    expect((await c.req('GET', m)).headers.get('etag')).to.equal(null);
    r = await c.req('PUT', `${m}/k`, { body: { meta: { k: 'v' } }, headers: { ...mv, 'If-Match': '"stale"' } });
    expect(r.status).to.equal(412);
    r = await c.req('PUT', m, { body: { metadata: { k: 'v' } }, headers: { ...mv, 'If-Match': `"${tag}"` } });
    expect([r.status, r.body.metadata]).to.deep.equal([200, { k: 'v' }]);
  });

  it('volume metadata: show, create (merge), replace, one key show/update/delete', async () => {
    const id = await c.createVolume();
    const m = `/v3/demo/volumes/${id}/metadata`;
    let r = await c.req('POST', m, { body: { metadata: { a: '1', b: '2' } } });
    expect(r.status).to.equal(200);
    expect(r.body.metadata).to.deep.equal({ a: '1', b: '2' });
    r = await c.req('POST', m, { body: { metadata: { c: '3' } } });
    expect(r.body.metadata).to.deep.equal({ a: '1', b: '2', c: '3' });
    r = await c.req('PUT', m, { body: { metadata: { z: '9' } } });
    expect(r.body.metadata).to.deep.equal({ z: '9' });
    expect((await c.req('GET', m)).body.metadata).to.deep.equal({ z: '9' });
    r = await c.req('PUT', `${m}/y`, { body: { meta: { y: '8' } } });
    expect(r.body.meta).to.deep.equal({ y: '8' });
    expect((await c.req('GET', `${m}/y`)).body.meta).to.deep.equal({ y: '8' });
    r = await c.req('PUT', `${m}/y`, { body: { meta: { x: '8' } } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Request body and URI mismatch');
    expect((await c.req('DELETE', `${m}/y`)).status).to.equal(200);
    r = await c.req('GET', `${m}/y`);
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Volume ${id} has no metadata with key y.`);
    expect((await c.show(id)).metadata).to.deep.equal({ z: '9' });
    expect((await c.req('POST', m, { body: { metadata: 'x' } })).status).to.equal(400);
  });

  it('volumes/summary from 3.12 (an unknown id before), metadata from 3.36', async () => {
    const token = 'summ:summ';
    await c.createVolume(2, token);
    await c.createVolume(3, token);
    let r = await c.req('GET', '/v3/summ/volumes/summary', { token, headers: { 'OpenStack-API-Version': 'volume 3.12' } });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ 'volume-summary': { total_size: 5, total_count: 2 } });
    const ids = (await c.req('GET', '/v3/summ/volumes', { token })).body.volumes.map((v: { id: string }) => v.id);
    await c.req('PUT', `/v3/summ/volumes/${ids[0]}/metadata`, { token, body: { metadata: { tier: 'gold', zone: 'a' } } });
    await c.req('PUT', `/v3/summ/volumes/${ids[1]}/metadata`, { token, body: { metadata: { tier: 'silver', zone: 'a' } } });
    // 3.36: every distinct value of each metadata key.
    r = await c.req('GET', '/v3/summ/volumes/summary', { token, headers: { 'OpenStack-API-Version': 'volume 3.36' } });
    expect(r.body['volume-summary']).to.include({ total_size: 5, total_count: 2 });
    expect(r.body['volume-summary'].metadata.zone).to.deep.equal(['a']);
    expect([...r.body['volume-summary'].metadata.tier].sort()).to.deep.equal(['gold', 'silver']);
    r = await c.req('GET', '/v3/summ/volumes/summary', { token, headers: { 'OpenStack-API-Version': 'volume 3.35' } });
    expect(r.body['volume-summary']).to.not.have.property('metadata');
    r = await c.req('GET', '/v3/summ/volumes/summary', { token });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('The resource could not be found.');
  });

  it('deeply nested JSON is a 400 with a bounded message, never a 500 (create, metadata, action, top level)', async () => {
    const id = await c.createVolume();
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    for (const [method, path, body] of [
      ['POST', '/v3/demo/volumes', `{"volume": {"size": 1, "name": ${deep(5000)}}}`],
      ['POST', `/v3/demo/volumes/${id}/metadata`, `{"metadata": {"a": ${deep(5000)}}}`],
      ['POST', `/v3/demo/volumes/${id}/action`, `{"os-attach": {"mountpoint": ${deep(5000)}}}`],
      ['POST', '/v3/demo/volumes', deep(20_000)],
    ] as const) {
      const r = await c.req(method, path, { body });
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 200)}`).to.equal(400);
      expect(JSON.stringify(r.body).length).to.be.below(2000);
    }
  });
});
