// What scripts/cinder-diff.sh found different from the real Cinder 21 and we changed to match
// (docs/differences.md, "The differential test"): each case here is one class of difference, so
// it fails if that difference comes back. fake:// + SQLite, in-process.
import { expect } from 'chai';
import { startCinder, type Cinder, type Json } from './cinder-stack';

const P = '0123456789abcdef0123456789abcdef';
const TOKEN = `admin:${P}`;
const SERVER = '11111111-2222-4333-8444-555555555555';
const CONNECTOR = { initiator: 'iqn.1993-08.org.debian:01:parity', host: 'parity', ip: '127.0.0.1', platform: 'x86_64', os_type: 'linux', multipath: false };

describe('cinder-api parity with Cinder 21 (differential test findings)', function () {
  let c: Cinder;
  let v1: string;
  let v2: string;
  let v3: string;
  const get = (path: string, mv?: string) => c.req('GET', path, { token: TOKEN, headers: mv ? { 'OpenStack-API-Version': mv } : {} });
  const ids = (body: { volumes: Array<{ id: string }> }): string[] => body.volumes.map((v) => v.id);

  before(async () => {
    c = await startCinder();
    v1 = await c.createVolume(1, TOKEN, 'alpha');
    v2 = await c.createVolume(2, TOKEN, 'beta');
    v3 = await c.createVolume(1, TOKEN, 'gamma');
  });
  after(async () => { await c?.stop(); });

  it('lists: an unknown marker is 404 itemNotFound; limit, offset and sort errors in Cinder\'s words', async () => {
    const r = await get(`/v3/${P}/volumes?marker=garbage`);
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('Volume garbage could not be found.');
    const msg = async (q: string): Promise<string> => (await get(`/v3/${P}/volumes${q}`)).body.badRequest.message;
    expect(await msg('?limit=-1')).to.equal('limit param must be positive');
    expect(await msg('?limit=abc')).to.equal('limit param must be an integer');
    expect(await msg('?offset=-1')).to.equal('offset must be >= 0');
    expect(await msg('?offset=abc')).to.equal('offset must be an integer');
    expect(await msg('?sort=bogus')).to.equal('Invalid input received: Invalid sort key');
    expect(await msg('?sort=name:up')).to.equal("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.");
  });

  it('lists: ?size= filters, an unknown filter matches nothing, ties sort by created_at then id', async () => {
    for (const mv of ['volume 3.0', 'volume 3.31']) {
      expect(ids((await get(`/v3/${P}/volumes?size=1`, mv)).body)).to.have.members([v1, v3]).and.not.include(v2);
      expect(ids((await get(`/v3/${P}/volumes?bogusfilter=1`, mv)).body)).to.deep.equal([]);
    }
    // with_count is a filter below 3.45 (nothing matches) and the count from it.
    expect(ids((await get(`/v3/${P}/volumes?with_count=true`, 'volume 3.0')).body)).to.deep.equal([]);
    expect((await get(`/v3/${P}/volumes?with_count=true`, 'volume 3.45')).body.count).to.equal(3);
    // size ties (v1, v3) go by created_at in the first key's direction, not by id.
    const rows = await c.ds.query('SELECT id, created_at FROM volumes');
    const created = new Map<string, number>(rows.map((x: { id: string; created_at: string | Date }) => [x.id, new Date(x.created_at).getTime()]));
    const ties = ids((await get(`/v3/${P}/volumes?sort=size:asc`)).body).filter((id) => id !== v2);
    const byCreated = [v1, v3].sort((a, b) => (created.get(a) ?? 0) - (created.get(b) ?? 0) || (a < b ? -1 : 1));
    expect(ties).to.deep.equal(byCreated);
    // A marker the filters leave out still sets where the page starts, by its sort values.
    const after = ids((await get(`/v3/${P}/volumes?name=alpha&marker=${byCreated[1]}&sort=size:desc`)).body);
    expect(after).to.deep.equal([byCreated[0]]);
  });

  it('a body declared text/plain is 415 badMediaType (the version header still echoed)', async () => {
    const res = await fetch(`${c.api.url}/v3/${P}/volumes`, {
      method: 'POST', body: JSON.stringify({ volume: { size: 1 } }),
      headers: { 'X-Auth-Token': TOKEN, 'Content-Type': 'text/plain', 'OpenStack-API-Version': 'volume 3.42' },
    });
    const r = { status: res.status, body: (await res.json()) as Json, headers: res.headers };
    expect(r.status).to.equal(415);
    expect(r.body.badMediaType.message).to.equal('Unsupported Content-Type');
    expect(r.headers.get('openstack-api-version')).to.equal('volume 3.42');
  });

  it('a DELETE\'s body: another type is 415, JSON reaches no handler (400), broken JSON is malformed; the volume stays', async () => {
    const scratch = await c.createVolume(1, TOKEN);
    const del = async (body: string, type: string): Promise<{ status: number; body: Json }> => {
      const res = await fetch(`${c.api.url}/v3/${P}/volumes/${scratch}`, { method: 'DELETE', body, headers: { 'X-Auth-Token': TOKEN, 'Content-Type': type } });
      return { status: res.status, body: await res.json() };
    };
    let r = await del('{}', 'text/plain');
    expect(r.status).to.equal(415);
    expect(r.body.badMediaType.message).to.equal('Unsupported Content-Type');
    r = await del('"x"', 'application/json');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('The server could not comply with the request since it is either malformed or otherwise incorrect.');
    r = await del('{', 'application/json');
    expect(r.body.badRequest.message).to.equal('Malformed request body');
    expect((await c.show(scratch, TOKEN)).status).to.equal('available');
    expect((await c.req('DELETE', `/v3/${P}/volumes/${scratch}`, { token: TOKEN })).status).to.equal(202);
  });

  it('an action body without keys: no length or one without keys is 404, any other length is malformed (action_peek_json)', async () => {
    for (const path of [`/v3/${P}/volumes/${v1}/action`, `/v3/${P}/types/__DEFAULT__/action`, `/v3/${P}/attachments/${v1}/action`]) {
      for (const body of ['null', '1', 'true', '"x"', '[1]']) {
        const r = await c.req('POST', path, { token: TOKEN, body, headers: { 'OpenStack-API-Version': 'volume 3.44' } });
        expect(r.status, `${path} ${body}`).to.equal(404);
        expect(r.body.itemNotFound.message).to.equal('The resource could not be found.');
      }
      for (const body of ['"xy"', '[]', '[1, 2]', '{}', '{"a": 1, "b": 2}']) {
        const r = await c.req('POST', path, { token: TOKEN, body, headers: { 'OpenStack-API-Version': 'volume 3.44' } });
        expect(r.body.badRequest.message, `${path} ${body}`).to.equal('Malformed request body');
      }
    }
  });

  it('a reset to attach_status detached that removes attachments leaves the volume available, whatever status it asked', async () => {
    const id = await c.createVolume(1, TOKEN);
    expect((await c.action(id, 'os-reserve', null, TOKEN)).status).to.equal(202);
    expect((await c.action(id, 'os-attach', { host_name: 'parity', mountpoint: '/dev/vdb' }, TOKEN)).status).to.equal(202);
    expect((await c.action(id, 'os-reset_status', { status: 'attaching', attach_status: 'detached' }, TOKEN)).status).to.equal(202);
    expect(await c.show(id, TOKEN)).to.deep.include({ status: 'available', attachments: [] });
    // With nothing to detach the status asked for stays.
    expect((await c.action(id, 'os-reset_status', { status: 'error', attach_status: 'detached' }, TOKEN)).status).to.equal(202);
    expect((await c.show(id, TOKEN)).status).to.equal('error');
  });

  it('the last detach during a migration leaves the status to the migration (volume_detached); with none left a detach sets available', async () => {
    const mv = { 'OpenStack-API-Version': 'volume 3.27' };
    const migrating = async (id: string): Promise<void> => {
      expect((await c.action(id, 'os-reset_status', { migration_status: 'migrating' }, TOKEN)).status).to.equal(202);
    };
    const legacy = await c.createVolume(1, TOKEN);
    expect((await c.action(legacy, 'os-reserve', null, TOKEN)).status).to.equal(202);
    expect((await c.action(legacy, 'os-attach', { host_name: 'parity', mountpoint: '/dev/vdb' }, TOKEN)).status).to.equal(202);
    await migrating(legacy);
    expect((await c.action(legacy, 'os-detach', {}, TOKEN)).status).to.equal(202);
    expect(await c.show(legacy, TOKEN)).to.deep.include({ status: 'in-use', attachments: [] });
    // With no attachment left, detach_volume sets available outright.
    expect((await c.action(legacy, 'os-detach', {}, TOKEN)).status).to.equal(202);
    expect((await c.show(legacy, TOKEN)).status).to.equal('available');

    const api = await c.createVolume(1, TOKEN);
    const made = await c.req('POST', `/v3/${P}/attachments`, { token: TOKEN, headers: mv, body: { attachment: { volume_uuid: api } } });
    expect(made.status).to.equal(200);
    await migrating(api);
    expect((await c.req('DELETE', `/v3/${P}/attachments/${made.body.attachment.id}`, { token: TOKEN, headers: mv })).status).to.equal(200);
    expect(await c.show(api, TOKEN)).to.deep.include({ status: 'reserved', attachments: [] });
  });

  it('bodies framed as Cinder\'s wsgi reads them: blanks are broken JSON, no type is 415, no body names no action', async () => {
    const send = async (method: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: Json }> => {
      const res = await fetch(`${c.api.url}${path}`, { method, body, headers: { 'X-Auth-Token': TOKEN, ...headers } });
      return { status: res.status, body: await res.json() };
    };
    const json = { 'Content-Type': 'application/json' };
    // Python's json.loads takes NaN and Infinity: the value reaches the schema.
    let r = await send('POST', `/v3/${P}/volumes/${v1}/action`, '{"os-extend": {"new_size": NaN}}', json);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute new_size. Value: nan. nan is not of type 'integer', 'string'");
    r = await send('POST', `/v3/${P}/volumes/${v1}/action`, '{"a": -Infinity}', json);
    expect(r.body.badRequest.message).to.equal('There is no such action: a. Verify the request body and Content-Type header and try again.');
    r = await send('POST', `/v3/${P}/volumes/${v1}/action`, '{"a": "NaN", "b": Nan}', json);
    expect(r.body.badRequest.message).to.equal('Malformed request body');
    r = await send('PUT', `/v3/${P}/volumes/${v1}`, ' ', json);
    expect(r.body.badRequest.message).to.equal('Malformed request body');
    r = await send('POST', `/v3/${P}/volumes/${v1}/action`, '', json);
    expect(r.body.badRequest.message).to.equal('There is no such action: None. Verify the request body and Content-Type header and try again.');
    // fetch labels a string body text/plain: a Blob without a type sends none.
    const res = await fetch(`${c.api.url}/v3/${P}/volumes/${v1}`, { method: 'PUT', body: new Blob(['{"volume": {"name": "x"}}']), headers: { 'X-Auth-Token': TOKEN } });
    expect(res.status).to.equal(415);
    expect(((await res.json()) as Json).badMediaType.message).to.equal('Unsupported Content-Type');
  });

  it('every detach drops attached_mode, other attachments left or not (Volume.finish_detach)', async () => {
    const id = await c.createVolume(1, TOKEN);
    const made = await c.req('POST', `/v3/${P}/attachments`, { token: TOKEN, headers: { 'OpenStack-API-Version': 'volume 3.27' }, body: { attachment: { volume_uuid: id, instance_uuid: SERVER } } });
    expect(made.status).to.equal(200);
    expect((await c.action(id, 'os-attach', { host_name: 'parity', mountpoint: '/dev/vdb' }, TOKEN)).status).to.equal(202);
    expect((await c.show(id, TOKEN)).metadata).to.include({ attached_mode: 'rw' });
    const del = await c.req('DELETE', `/v3/${P}/attachments/${made.body.attachment.id}`, { token: TOKEN, headers: { 'OpenStack-API-Version': 'volume 3.27' } });
    expect(del.status).to.equal(200);
    const v = await c.show(id, TOKEN);
    expect(v.attachments).to.have.length(1);
    expect(v.metadata).to.not.have.property('attached_mode');
  });

  it('an admin\'s all_tenants must be a boolean (get_bool_param), on lists and the summary', async () => {
    for (const [path, mv] of [[`/v3/${P}/volumes?all_tenants=maybe`, undefined], [`/v3/${P}/volumes/detail?all_tenants=`, undefined], [`/v3/${P}/volumes/summary?all_tenants=maybe`, 'volume 3.12']]) {
      const r = await get(path as string, mv);
      expect(r.status, path).to.equal(400);
      expect(r.body.badRequest.message).to.match(/^Value '(maybe)?' for 'all_tenants' is not a boolean\.$/);
    }
    expect((await get(`/v3/${P}/volumes?all_tenants=yes`)).status).to.equal(200);
    // Paging is read before it (get_pagination_params comes first).
    expect((await get(`/v3/${P}/volumes/detail?all_tenants=maybe&limit=-1`, 'volume 3.19')).body.badRequest?.message).to.equal('limit param must be positive');
  });

  it('a sort by name puts a null name before an empty one (MySQL orders NULL first)', async () => {
    const project = 'fedcba9876543210fedcba9876543210';
    const token = `admin:${project}`;
    const make = async (name: string | null): Promise<string> => (await c.req('POST', `/v3/${project}/volumes`, { token, body: { volume: { size: 1, name } } })).body.volume.id;
    const empty = await make('');
    const none = await make(null);
    const names = async (q: string): Promise<string[]> => (await c.req('GET', `/v3/${project}/volumes${q}`, { token })).body.volumes.map((v: { id: string }) => v.id);
    expect(await names('?sort=name:asc')).to.deep.equal([none, empty]);
    expect(await names('?sort=name:desc')).to.deep.equal([empty, none]);
  });

  it('messages: unknown action, 256-character name, reset_status values, zone, image, summary before 3.12', async () => {
    let r = await c.action(v1, 'os-bogus', {}, TOKEN);
    expect(r.body.badRequest.message).to.equal('There is no such action: os-bogus. Verify the request body and Content-Type header and try again.');
    r = await c.req('PUT', `/v3/${P}/volumes/${v1}`, { token: TOKEN, body: { volume: { name: 'y'.repeat(256) } } });
    expect(r.body.badRequest.message).to.equal('Invalid input received: name has 256 characters, more than 255.');
    r = await c.action(v1, 'os-reset_status', { attach_status: 'bogus' }, TOKEN);
    expect(r.body.badRequest.message).to.equal("Volume attach status: bogus is invalid, valid statuses are: ['attached', 'detached'].");
    r = await c.action(v1, 'os-reset_status', { status: 'bogus' }, TOKEN);
    expect(r.body.badRequest.message).to.match(/^Volume status: bogus is invalid, valid statuses are: \('creating', 'available', .*'extending'\)\.$/);
    r = await c.req('POST', `/v3/${P}/volumes`, { token: TOKEN, body: { volume: { size: 1, availability_zone: 'bogus' } } });
    expect(r.body.badRequest.message).to.equal("Availability zone 'bogus' is invalid.");
    r = await c.req('POST', `/v3/${P}/volumes`, { token: TOKEN, body: { volume: { size: 1, imageRef: SERVER } } });
    expect(r.body.badRequest.message).to.equal('Invalid image identifier or unable to access requested image.');
    r = await get(`/v3/${P}/volumes/summary`, 'volume 3.11');
    expect(r.body.itemNotFound.message).to.equal('The resource could not be found.');
    r = await c.req('PUT', `/v3/${P}/volumes/${v1}/metadata/c`, { token: TOKEN, body: { meta: { c: '4', d: '5' } } });
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute meta. Value: {'c': '4', 'd': '5'}. {'c': '4', 'd': '5'} has too many properties");
  });

  it('microversion headers: version documents echo it, 406 names it, LATEST is 400, the first of two wins', async () => {
    let r = await c.req('GET', '/v3/', { token: null, headers: { 'OpenStack-API-Version': 'volume 3.70' } });
    expect(r.status).to.equal(200);
    expect(r.headers.get('openstack-api-version')).to.equal('volume 3.70');
    expect((await c.req('GET', '/', { token: null })).headers.get('openstack-api-version')).to.equal('volume 3.0');
    r = await c.req('GET', '/v3/', { token: null, headers: { 'OpenStack-API-Version': 'volume 3.99' } });
    expect(r.status).to.equal(406);
    expect(r.headers.get('openstack-api-version')).to.equal('volume 3.99');
    // Any method is served the document (Cinder's route has no method condition), its header read alike.
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      r = await c.req(method, '/v3/', { token: null, headers: { 'OpenStack-API-Version': 'volume 3.27' } });
      expect([r.status, r.headers.get('openstack-api-version'), r.body.versions?.[0]?.id]).to.deep.equal([200, 'volume 3.27', 'v3.0']);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      r = await c.req(method, '/', { token: null, headers: { 'OpenStack-API-Version': 'volume 3.51' } });
      expect([r.status, r.headers.get('openstack-api-version'), r.body.versions?.[0]?.id]).to.deep.equal([300, 'volume 3.51', 'v3.0']);
    }
    r = await c.req('DELETE', '/v3/', { token: null, headers: { 'OpenStack-API-Version': 'compute 3.27' } });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'The server could not comply with the request since it is either malformed or otherwise incorrect.']);
    r = await get(`/v3/${P}/volumes`, 'volume 3.71');
    expect(r.headers.get('openstack-api-version')).to.equal('volume 3.71');
    // Cinder takes a version with "1.0" or "2.0" in it for its old endpoints': its 406 echoes nothing.
    for (const v of ['2.0', '1.0', '12.0']) {
      r = await get(`/v3/${P}/volumes`, `volume ${v}`);
      expect(r.status).to.equal(406);
      expect(r.headers.get('openstack-api-version')).to.equal(null);
      expect(r.headers.get('vary')).to.equal(null);
    }
    expect((await get(`/v3/${P}/volumes`, 'volume 2.9')).headers.get('openstack-api-version')).to.equal('volume 2.9');
    r = await get(`/v3/${P}/volumes`, 'volume LATEST');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('API Version String LATEST is of invalid format. Must be of format MajorNum.MinorNum.');
    expect((await get(`/v3/${P}/volumes`, 'volume 3.5, volume 3.9')).headers.get('openstack-api-version')).to.equal('volume 3.5');
    r = await get(`/v3/${P}/volumes`, 'compute 2.1');
    expect(r.body.badRequest.message).to.equal('The server could not comply with the request since it is either malformed or otherwise incorrect.');
  });

  it('empty answers name a type: JSON for actions, text/html for a delete', async () => {
    const r = await c.action(v2, 'os-set_bootable', { bootable: true }, TOKEN);
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.match(/^application\/json/);
    const scratch = await c.createVolume(1, TOKEN);
    const d = await c.req('DELETE', `/v3/${P}/volumes/${scratch}`, { token: TOKEN });
    expect(d.status).to.equal(202);
    expect(d.headers.get('content-type')).to.match(/^text\/html/);
  });

  it('shapes: a legacy attachment shows connection_info null; an attachments-API attach adds no attached_mode; ConflictNovaUsingAttachment prefix', async () => {
    expect((await c.action(v1, 'os-reserve', null, TOKEN)).status).to.equal(202);
    expect((await c.action(v1, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb' }, TOKEN)).status).to.equal(202);
    const legacy = await get(`/v3/${P}/attachments/detail`, 'volume 3.27');
    const row = legacy.body.attachments.find((a: { volume_id: string }) => a.volume_id === v1);
    expect(row.connection_info).to.equal(null);
    const r = await c.action(v1, 'os-detach', { attachment_id: SERVER }, TOKEN);
    expect(r.body.conflictingRequest?.message ?? r.body.badRequest?.message).to.match(/^ConflictNovaUsingAttachment: Detach volume from instance/);

    const mv = { 'OpenStack-API-Version': 'volume 3.44' };
    const a = await c.req('POST', `/v3/${P}/attachments`, { token: TOKEN, headers: mv, body: { attachment: { volume_uuid: v3, instance_uuid: SERVER } } });
    expect(a.body.attachment.connection_info).to.deep.equal({});
    const u = await c.req('PUT', `/v3/${P}/attachments/${a.body.attachment.id}`, { token: TOKEN, headers: mv, body: { attachment: { connector: CONNECTOR } } });
    expect(u.status).to.equal(200);
    expect((await c.show(v3, TOKEN)).metadata).to.not.have.property('attached_mode');
  });
});
