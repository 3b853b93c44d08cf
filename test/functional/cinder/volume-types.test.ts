// Volume types over HTTP (Cinder 3.x types, extra specs, type access): CRUD and its errors,
// admin-only writes, private types seen only by granted projects, extra specs frozen while a
// volume uses the type, and multiattach volumes made from a multiattach type.
import { expect } from 'chai';
import { DEFAULT_TYPE_ID } from '../../../cinder-common/entities';
import { waitFor } from '../../support/processes';
import { policyFile, startCinder, type Cinder, type Json } from './cinder-stack';

// noauth2 tokens "user:project"; access grants take uuid-like project ids.
const P1 = '5d6a7b8c9d0e4f1a8b2c3d4e5f6a7b8c';
const P2 = '0f1e2d3c4b5a49687766554433221100';
const ADMIN = 'admin:admin';
const MEMBER = `demo:${P1}`;
const OTHER = `alt:${P2}`;
const CONNECTOR = { initiator: 'iqn.1993-08.org.debian:01:abc', host: 'compute1', ip: '127.0.0.1' };

describe('cinder-api volume types', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  const types = (token = ADMIN, path = '', o: { method?: string; body?: unknown; version?: string } = {}) =>
    c.req(o.method ?? 'GET', `/v3/${token.split(':')[1]}/types${path}`, {
      token, body: o.body, headers: o.version ? { 'OpenStack-API-Version': `volume ${o.version}` } : {},
    });
  const createType = async (body: Json): Promise<Json> => {
    const r = await types(ADMIN, '', { method: 'POST', body: { volume_type: body } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.volume_type;
  };
  const createVolume = (token: string, volumeType: string | undefined) =>
    c.req('POST', `/v3/${token.split(':')[1]}/volumes`, { token, body: { volume: { size: 1, ...(volumeType ? { volume_type: volumeType } : {}) } } });
  const available = async (id: string, token: string): Promise<Json> => {
    await waitFor(async () => (await c.show(id, token)).status === 'available', 10_000, `volume ${id} available`, 20);
    return c.show(id, token);
  };
  const fault = (r: { body: Json }): string => (Object.values(r.body)[0] as { message: string }).message;

  it('seeds __DEFAULT__ and serves it as the default type', async () => {
    const r = await types(MEMBER, '/default');
    expect(r.status).to.equal(200);
    expect(r.body.volume_type).to.include({ id: DEFAULT_TYPE_ID, name: '__DEFAULT__', description: 'Default Volume Type', is_public: true });
    const admin = (await types(ADMIN, `/${DEFAULT_TYPE_ID}`)).body.volume_type;
    expect(admin).to.deep.include({ extra_specs: {}, qos_specs_id: null, 'os-volume-type-access:is_public': true });
    // Members read extra specs (only the user-visible keys), never qos_specs_id.
    expect((await types(MEMBER, `/${DEFAULT_TYPE_ID}`)).body.volume_type).to.not.have.property('qos_specs_id');
  });

  it('creates, shows, lists, updates and deletes a type (admin); members get 403 on writes', async () => {
    const t = await createType({ name: 'gold', description: 'fast', extra_specs: { vendor_name: 'Open Source', multiattach: '<is> False' } });
    expect(t).to.deep.include({ name: 'gold', description: 'fast', is_public: true, 'os-volume-type-access:is_public': true });
    expect(t.extra_specs).to.deep.equal({ vendor_name: 'Open Source', multiattach: '<is> False' });
    // types_manage answers with the older view: no qos_specs_id, even for admins.
    expect(t).to.not.have.property('qos_specs_id');

    let r = await types(MEMBER, `/${t.id}`);
    expect(r.status).to.equal(200);
    // Sensitive keys are hidden from members; multiattach is user-visible.
    expect(r.body.volume_type.extra_specs).to.deep.equal({ multiattach: '<is> False' });
    r = await types(MEMBER);
    expect(r.body.volume_types.map((x: Json) => x.name)).to.include.members(['gold', '__DEFAULT__']);

    r = await types(ADMIN, '', { method: 'POST', body: { volume_type: { name: 'gold' } } });
    expect(r.status).to.equal(409);
    expect(fault(r)).to.equal('Volume Type gold already exists.');
    r = await types(ADMIN, '', { method: 'POST', body: { volume_type: { name: '  ' } } });
    expect(r.status).to.equal(400);
    r = await types(ADMIN, '', { method: 'POST', body: { volume_type: { name: 'x', bogus: 1 } } });
    expect(r.status).to.equal(400);

    for (const [method, path, body] of [['POST', '', { volume_type: { name: 'mine' } }], ['PUT', `/${t.id}`, { volume_type: { name: 'm' } }],
      ['DELETE', `/${t.id}`, undefined], ['POST', `/${t.id}/extra_specs`, { extra_specs: { a: 'b' } }]] as const) {
      r = await types(MEMBER, path, { method, body });
      expect(r.status, `${method} ${path}`).to.equal(403);
    }
    r = await types(MEMBER, '', { method: 'POST', body: { volume_type: { name: 'mine' } } });
    expect(fault(r)).to.equal("Policy doesn't allow volume_extension:type_create to be performed.");

    r = await types(ADMIN, `/${t.id}`, { method: 'PUT', body: { volume_type: { name: 'platinum', description: 'faster', is_public: false } } });
    expect(r.status).to.equal(200);
    expect(r.body.volume_type).to.include({ name: 'platinum', description: 'faster', is_public: false });
    expect(r.body.volume_type).to.not.have.property('os-volume-type-access:is_public');
    r = await types(ADMIN, `/${t.id}`, { method: 'PUT', body: { volume_type: {} } });
    expect(r.status).to.equal(400);
    expect(fault(r)).to.equal('Specify volume type name, description, is_public or a combination thereof.');
    r = await types(ADMIN, `/${t.id}`, { method: 'PUT', body: { volume_type: { name: '__DEFAULT__' } } });
    expect(r.status).to.equal(409);

    r = await types(ADMIN, `/${t.id}`, { method: 'DELETE' });
    expect(r.status).to.equal(202);
    r = await types(ADMIN, `/${t.id}`);
    expect(r.status).to.equal(404);
    expect(fault(r)).to.equal(`Volume type ${t.id} could not be found.`);
    expect((await types(ADMIN, `/${t.id}`, { method: 'DELETE' })).status).to.equal(404);
  });

  it('refuses to delete the default type', async () => {
    const r = await types(ADMIN, `/${DEFAULT_TYPE_ID}`, { method: 'DELETE' });
    expect(r.status).to.equal(400);
    expect(fault(r)).to.equal(`The volume type ${DEFAULT_TYPE_ID} is a default volume type and cannot be deleted.`);
  });

  it('serves extra specs: list, create, show, update, delete with Cinder\'s checks', async () => {
    const t = await createType({ name: 'specs' });
    const base = `/${t.id}/extra_specs`;
    let r = await types(ADMIN, base, { method: 'POST', body: { extra_specs: { k1: 'v1', k2: 'v2' } } });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ extra_specs: { k1: 'v1', k2: 'v2' } });
    expect((await types(ADMIN, base)).body).to.deep.equal({ extra_specs: { k1: 'v1', k2: 'v2' } });
    expect((await types(ADMIN, `${base}/k1`)).body).to.deep.equal({ k1: 'v1' });
    r = await types(ADMIN, `${base}/k1`, { method: 'PUT', body: { k1: 'new' } });
    expect(r.status).to.equal(200);
    expect((await types(ADMIN, `${base}/k1`)).body).to.deep.equal({ k1: 'new' });
    r = await types(ADMIN, `${base}/k1`, { method: 'PUT', body: { k2: 'x' } });
    expect(r.status).to.equal(400);
    expect(fault(r)).to.equal('Request body and URI mismatch');
    r = await types(ADMIN, `${base}/k1`, { method: 'PUT', body: { k1: 'a', k2: 'b' } });
    expect(r.status).to.equal(400);
    r = await types(ADMIN, base, { method: 'POST', body: { extra_specs: { 'bad key': 'v' } } });
    expect(r.status).to.equal(400);
    r = await types(ADMIN, base, { method: 'POST', body: { extra_specs: { multiattach: '<is> True', cacheable: '<is> True' } } });
    expect(r.status).to.equal(400);
    expect(fault(r)).to.equal('cacheable cannot be set with multiattach.');
    // Members may list (user-visible keys only) but not change.
    expect((await types(MEMBER, base)).body).to.deep.equal({ extra_specs: {} });
    expect((await types(MEMBER, `${base}/k2`)).status).to.equal(404);
    expect((await types(MEMBER, `${base}/k2`, { method: 'DELETE' })).status).to.equal(403);

    r = await types(ADMIN, `${base}/k2`, { method: 'DELETE' });
    expect(r.status).to.equal(202);
    r = await types(ADMIN, `${base}/k2`);
    expect(r.status).to.equal(404);
    expect(fault(r)).to.equal(`Volume Type ${t.id} has no extra specs with key k2.`);
    expect((await types(ADMIN, `${base}/k2`, { method: 'DELETE' })).status).to.equal(404);
    const missing = '6b1c7a47-9a1e-4c0c-9b9e-0d4c1f0e2a11';
    expect((await types(ADMIN, `/${missing}/extra_specs`)).status).to.equal(404);
    expect((await types(ADMIN, `/${missing}/extra_specs`, { method: 'POST', body: { extra_specs: { a: 'b' } } })).status).to.equal(404);
  });

  it('keeps a type in use: no extra spec change, no delete; the volume shows its type', async () => {
    const t = await createType({ name: 'used', extra_specs: { 'vendor:k': 'v' } });
    const r0 = await createVolume(MEMBER, 'used');
    expect(r0.status).to.equal(202);
    expect(r0.body.volume).to.include({ volume_type: 'used', multiattach: false });
    const vol = await available(r0.body.volume.id, MEMBER);
    expect(vol.volume_type).to.equal('used');
    const v363 = (await c.req('GET', `/v3/${P1}/volumes/${vol.id}`, { token: MEMBER, headers: { 'OpenStack-API-Version': 'volume 3.63' } })).body.volume;
    expect(v363.volume_type_id).to.equal(t.id);

    let r = await types(ADMIN, `/${t.id}/extra_specs`, { method: 'POST', body: { extra_specs: { 'vendor:k': 'w' } } });
    expect(r.status).to.equal(400);
    expect(fault(r)).to.equal('Volume Type is currently in use.');
    expect((await types(ADMIN, `/${t.id}/extra_specs/vendor:k`, { method: 'PUT', body: { 'vendor:k': 'w' } })).status).to.equal(400);
    expect((await types(ADMIN, `/${t.id}/extra_specs/vendor:k`, { method: 'DELETE' })).status).to.equal(400);
    r = await types(ADMIN, `/${t.id}`, { method: 'DELETE' });
    expect(r.status).to.equal(400);
    expect(fault(r)).to.equal('Target volume type is still in use.');

    // Once the volume is gone the type can change and go.
    expect((await c.req('DELETE', `/v3/${P1}/volumes/${vol.id}`, { token: MEMBER })).status).to.equal(202);
    await waitFor(async () => (await c.req('GET', `/v3/${P1}/volumes/${vol.id}`, { token: MEMBER })).status === 404, 10_000, 'volume deleted', 20);
    expect((await types(ADMIN, `/${t.id}/extra_specs/vendor:k`, { method: 'DELETE' })).status).to.equal(202);
    expect((await types(ADMIN, `/${t.id}`, { method: 'DELETE' })).status).to.equal(202);
  });

  it('volume create: unknown types are 404, by name or id; no type is __DEFAULT__', async () => {
    let r = await createVolume(MEMBER, 'nope');
    expect(r.status).to.equal(404);
    expect(fault(r)).to.equal('Volume type with name nope could not be found.');
    r = await createVolume(MEMBER, '6b1c7a47-9a1e-4c0c-9b9e-0d4c1f0e2a11');
    expect(r.status).to.equal(404);
    expect(fault(r)).to.equal('Volume type 6b1c7a47-9a1e-4c0c-9b9e-0d4c1f0e2a11 could not be found.');
    r = await createVolume(MEMBER, undefined);
    expect(r.status).to.equal(202);
    expect(r.body.volume.volume_type).to.equal('__DEFAULT__');
    r = await createVolume(MEMBER, DEFAULT_TYPE_ID);
    expect(r.body.volume.volume_type).to.equal('__DEFAULT__');
  });

  it('private types: hidden from other projects, granted by the access list', async () => {
    const t = await createType({ name: 'private', 'os-volume-type-access:is_public': false });
    expect(t.is_public).to.equal(false);
    const seen = async (token: string) => (await types(token)).body.volume_types.map((x: Json) => x.id) as string[];
    expect(await seen(MEMBER)).to.not.include(t.id);
    expect((await types(MEMBER, `/${t.id}`)).status).to.equal(404);
    expect((await createVolume(MEMBER, t.id)).status).to.equal(404);
    expect((await createVolume(MEMBER, 'private')).status).to.equal(404);
    // Admins list private types with is_public=false (or none).
    expect((await types(ADMIN, '?is_public=false')).body.volume_types.map((x: Json) => x.id)).to.deep.equal([t.id]);
    expect((await types(ADMIN, '?is_public=none')).body.volume_types.map((x: Json) => x.id)).to.include(t.id);
    expect(await seen(ADMIN)).to.not.include(t.id);

    let r = await types(ADMIN, `/${t.id}/os-volume-type-access`);
    expect(r.body).to.deep.equal({ volume_type_access: [] });
    r = await types(ADMIN, `/${t.id}/action`, { method: 'POST', body: { addProjectAccess: { project: P1 } } });
    expect(r.status).to.equal(202);
    r = await types(ADMIN, `/${t.id}/action`, { method: 'POST', body: { addProjectAccess: { project: P1 } } });
    expect(r.status).to.equal(409);
    expect(fault(r)).to.equal(`Volume type access for ${t.id} / ${P1} combination already exists.`);
    r = await types(MEMBER, `/${t.id}/action`, { method: 'POST', body: { addProjectAccess: { project: P2 } } });
    expect(r.status).to.equal(403);
    r = await types(ADMIN, `/${t.id}/action`, { method: 'POST', body: { addProjectAccess: { project: 'demo' } } });
    expect(r.status).to.equal(400);
    expect((await types(ADMIN, `/${t.id}/os-volume-type-access`)).body).to.deep.equal({ volume_type_access: [{ volume_type_id: t.id, project_id: P1 }] });
    expect((await types(MEMBER, `/${t.id}/os-volume-type-access`)).status).to.equal(403);

    // The granted project sees it and creates volumes with it; the other still does not.
    expect(await seen(MEMBER)).to.include(t.id);
    expect((await types(MEMBER, `/${t.id}`)).status).to.equal(200);
    r = await createVolume(MEMBER, 'private');
    expect(r.status).to.equal(202);
    expect(r.body.volume.volume_type).to.equal('private');
    expect(await seen(OTHER)).to.not.include(t.id);
    expect((await createVolume(OTHER, t.id)).status).to.equal(404);

    r = await types(ADMIN, `/${t.id}/action`, { method: 'POST', body: { removeProjectAccess: { project: P1 } } });
    expect(r.status).to.equal(202);
    r = await types(ADMIN, `/${t.id}/action`, { method: 'POST', body: { removeProjectAccess: { project: P1 } } });
    expect(r.status).to.equal(404);
    expect(fault(r)).to.equal(`Volume type access not found for ${t.id} / ${P1} combination.`);
    expect(await seen(MEMBER)).to.not.include(t.id);
    // A grant can be made again after its removal (the unique key counts live rows only).
    expect((await types(ADMIN, `/${t.id}/action`, { method: 'POST', body: { addProjectAccess: { project: P1 } } })).status).to.equal(202);

    // Public types have no access list.
    r = await types(ADMIN, `/${DEFAULT_TYPE_ID}/os-volume-type-access`);
    expect(r.status).to.equal(404);
    expect(fault(r)).to.equal('Access list not available for public volume types.');
    r = await types(ADMIN, `/${DEFAULT_TYPE_ID}/action`, { method: 'POST', body: { addProjectAccess: { project: P1 } } });
    expect(r.status).to.equal(400);
    expect(fault(r)).to.equal('Invalid volume type: Type access modification is not applicable to public volume type.');
  });

  it('filters the list by extra_specs (3.52, admin) and refuses other filters to members', async () => {
    const t = await createType({ name: 'filtered', extra_specs: { color: 'blue' } });
    let r = await types(ADMIN, `?extra_specs=${encodeURIComponent("{'color': 'blue'}")}`, { version: '3.52' });
    expect(r.body.volume_types.map((x: Json) => x.id)).to.deep.equal([t.id]);
    r = await types(MEMBER, '?name=filtered', { version: '3.52' });
    expect(r.status).to.equal(400);
    expect(fault(r)).to.equal('Invalid filters name are found in query options.');
    r = await types(ADMIN, '?limit=1');
    expect(r.body.volume_types).to.have.length(1);
    expect(r.body.volume_type_links[0].rel).to.equal('next');
  });

  it('a multiattach type makes multiattach volumes: a second attachment while in-use, extend in-use from 3.42', async () => {
    await createType({ name: 'multi', extra_specs: { multiattach: '<is> True' } });
    const r = await createVolume(MEMBER, 'multi');
    expect(r.status).to.equal(202);
    expect(r.body.volume.multiattach).to.equal(true);
    const vol = await available(r.body.volume.id, MEMBER);
    expect(vol.multiattach).to.equal(true);

    const attach = async (server: string): Promise<void> => {
      const a = await c.req('POST', `/v3/${P1}/attachments`, {
        token: MEMBER, headers: { 'OpenStack-API-Version': 'volume 3.44' },
        body: { attachment: { volume_uuid: vol.id, instance_uuid: server, connector: CONNECTOR } },
      });
      expect(a.status, JSON.stringify(a.body)).to.equal(200);
      const done = await c.req('POST', `/v3/${P1}/attachments/${a.body.attachment.id}/action`, {
        token: MEMBER, headers: { 'OpenStack-API-Version': 'volume 3.44' }, body: { 'os-complete': null },
      });
      expect(done.status).to.equal(204);
    };
    await attach('11111111-2222-3333-4444-555555555555');
    expect((await c.show(vol.id, MEMBER)).status).to.equal('in-use');
    await attach('66666666-7777-8888-9999-000000000000');
    const shown = await c.show(vol.id, MEMBER);
    expect(shown.status).to.equal('in-use');
    expect(shown.attachments).to.have.length(2);

    // A volume of the default type is not multiattach: a second attachment is refused.
    const single = await available((await createVolume(MEMBER, undefined)).body.volume.id, MEMBER);
    expect(single.multiattach).to.equal(false);
    const first = await c.req('POST', `/v3/${P1}/attachments`, {
      token: MEMBER, headers: { 'OpenStack-API-Version': 'volume 3.44' },
      body: { attachment: { volume_uuid: single.id, instance_uuid: '11111111-2222-3333-4444-555555555555', connector: CONNECTOR } },
    });
    expect(first.status).to.equal(200);
    const second = await c.req('POST', `/v3/${P1}/attachments`, {
      token: MEMBER, headers: { 'OpenStack-API-Version': 'volume 3.44' },
      body: { attachment: { volume_uuid: single.id, instance_uuid: '66666666-7777-8888-9999-000000000000', connector: CONNECTOR } },
    });
    expect(second.status).to.equal(400);

    // Cinder 21 (Zed) does not refuse extending an in-use multiattach volume: at 3.42 it
    // takes the attached path like any in-use volume; below that only available volumes grow.
    let e = await c.action(vol.id, 'os-extend', { new_size: 2 }, MEMBER);
    expect(e.status).to.equal(400);
    expect(fault(e)).to.equal(`Invalid volume: Volume ${vol.id} status must be '{'status': 'available'}' to extend, currently in-use.`);
    e = await c.req('POST', `/v3/${P1}/volumes/${vol.id}/action`, {
      token: MEMBER, body: { 'os-extend': { new_size: 2 } }, headers: { 'OpenStack-API-Version': 'volume 3.42' },
    });
    expect(e.status).to.equal(202);
    await waitFor(async () => (await c.show(vol.id, MEMBER)).size === 2, 10_000, 'extended', 20);
    expect((await c.show(vol.id, MEMBER)).status).to.equal('in-use');
  });

});

describe('cinder-api volume types: volume:multiattach', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(policyFile({ 'volume:multiattach': 'rule:admin_api' })); });
  after(async () => { await c?.stop(); });

  it('guards creating a volume of a multiattach type, and only that', async () => {
    let r = await c.req('POST', '/v3/admin/types', { token: ADMIN, body: { volume_type: { name: 'multi', extra_specs: { multiattach: '<is> True' } } } });
    expect(r.status).to.equal(200);
    r = await c.req('POST', `/v3/${P1}/volumes`, { token: MEMBER, body: { volume: { size: 1, volume_type: 'multi' } } });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow volume:multiattach to be performed.");
    r = await c.req('POST', `/v3/${P1}/volumes`, { token: MEMBER, body: { volume: { size: 1 } } });
    expect(r.status).to.equal(202);
    r = await c.req('POST', '/v3/admin/volumes', { token: ADMIN, body: { volume: { size: 1, volume_type: 'multi' } } });
    expect(r.status).to.equal(202);
    expect(r.body.volume.multiattach).to.equal(true);
  });
});
