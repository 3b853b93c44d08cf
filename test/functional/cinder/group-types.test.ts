// Group types and group specs (cinder group-type-*, group-specs-*; 3.11+): the seeded
// default_cgsnapshot_type, create and its refusals, who sees what, update's checks in Cinder's
// order, the list's is_public filter, sort and pages, the specs' routes, delete, notifications.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { NotificationListener, Target, type Notification } from '../../../common/rpc';
import { startCinder, type Cinder, type Json } from './cinder-stack';

const ADMIN = 'admin:admin';
const DEMO = 'demo:demo';
const G = '/v3/admin/group_types';
const MV = { 'OpenStack-API-Version': 'volume 3.11' };

describe('cinder group types', function () {
  let c: Cinder;
  let listener: NotificationListener;
  const notes: Notification[] = [];
  before(async () => {
    c = await startCinder({ oslo_messaging_notifications: { driver: 'messagingv2' } });
    listener = new NotificationListener(c.transport, [new Target({ topic: 'notifications' })], { onMessage: (n) => { notes.push(n); } }, { pool: `gt-t-${Date.now()}` });
    await listener.start();
  });
  after(async () => {
    await listener?.stop();
    await c?.stop();
  });

  const req = (method: string, path: string, body?: unknown, token = ADMIN, headers: Record<string, string> = MV) => c.req(method, path, { token, body, headers });
  const create = async (group_type: Json): Promise<Json> => {
    const r = await req('POST', G, { group_type });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    return r.body.group_type;
  };
  const message = async (method: string, path: string, body: unknown, status: number, token = ADMIN): Promise<string> => {
    const r = await req(method, path, body, token);
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return Object.values(r.body as Record<string, { message: string }>)[0].message;
  };
  const names = async (query = '', token = ADMIN): Promise<string[]> => {
    const r = await req('GET', `/v3/${token.split(':')[1]}/group_types${query}`, undefined, token);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.group_types.map((t: Json) => t.name);
  };

  it('exists from 3.11 only, and the schema seeds default_cgsnapshot_type', async () => {
    expect((await req('GET', G, undefined, ADMIN, { 'OpenStack-API-Version': 'volume 3.10' })).status).to.equal(404);
    expect((await req('POST', G, { group_type: { name: 'old' } }, ADMIN, {})).status).to.equal(404);
    const seeded = (await req('GET', G)).body.group_types.find((t: Json) => t.name === 'default_cgsnapshot_type');
    expect(seeded).to.include({ description: 'Default group type for migrating cgsnapshot', is_public: true });
    expect(seeded.group_specs).to.deep.equal({ consistent_group_snapshot_enabled: '<is> True' });
    // No [DEFAULT] default_group_type: no default to show.
    expect(await message('GET', `${G}/default`, undefined, 404)).to.equal('Default group type can not be found.');
  });

  it('creates (202) and shows; group_specs only to those the policy lets see them', async () => {
    const t = await create({ name: 'gold-gt', description: 'd', is_public: 'true', group_specs: { consistent_group_snapshot_enabled: '<is> False' } });
    expect(t).to.deep.equal({ id: t.id, name: 'gold-gt', description: 'd', is_public: true, group_specs: { consistent_group_snapshot_enabled: '<is> False' } });
    expect((await req('GET', `${G}/${t.id}`)).body.group_type).to.deep.equal(t);
    const asUser = await req('GET', `/v3/demo/group_types/${t.id}`, undefined, DEMO);
    expect(asUser.status).to.equal(200);
    expect(asUser.body.group_type).to.deep.equal({ id: t.id, name: 'gold-gt', description: 'd', is_public: true });
    await waitFor(() => notes.some((n) => n.eventType === 'group_type.create' && n.publisherId === 'groupType'
      && (n.payload as { group_types?: Json }).group_types?.id === t.id), 5_000, 'group_type.create', 20);
  });

  it('refuses what Cinder refuses, with its words', async () => {
    await create({ name: 'dup-gt' });
    expect(await message('POST', G, { group_type: { name: 'DUP-GT' } }, 409)).to.equal('Group Type DUP-GT already exists.');
    expect(await message('POST', '/v3/demo/group_types', { group_type: { name: 'mine' } }, 403, DEMO)).to.equal("Policy doesn't allow group:group_types:create to be performed.");
    expect((await req('POST', G, { group_type: {} })).status).to.equal(400);
    expect((await req('POST', G, { group_type: { name: 'x', group_specs: { 'a b': 1 } } })).status).to.equal(400);
    expect((await req('POST', G, { group_type: { name: 'x', is_public: 'maybe' } })).status).to.equal(400);
    expect(await message('GET', `${G}/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee`, undefined, 404)).to.equal('Group type aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee could not be found.');
  });

  it('updates in Cinder\'s order: the body, a free name, then the type', async () => {
    const t = await create({ name: 'upd-gt', description: 'before' });
    await create({ name: 'taken-gt' });
    const u = await req('PUT', `${G}/${t.id}`, { group_type: { name: 'upd-gt-2', description: 'after', is_public: false } });
    expect(u.status).to.equal(200);
    expect(u.body.group_type).to.deep.include({ name: 'upd-gt-2', description: 'after', is_public: false });
    expect(await message('PUT', `${G}/${t.id}`, { group_type: { name: '   ' } }, 400)).to.equal('Group type name can not be empty.');
    expect(await message('PUT', `${G}/${t.id}`, { group_type: {} }, 400)).to.equal('Specify group type name, description or a combination thereof.');
    expect(await message('PUT', `${G}/${t.id}`, { group_type: { name: 'Taken-GT' } }, 409)).to.equal('Group Type Taken-GT already exists.');
    const missing = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    // A taken name is refused before the type is looked for.
    expect((await req('PUT', `${G}/${missing}`, { group_type: { name: 'taken-gt' } })).status).to.equal(409);
    expect(await message('PUT', `${G}/${missing}`, { group_type: { description: 'x' } }, 404)).to.equal(`Group type ${missing} could not be found.`);
  });

  it('lists by is_public, sorted and paged; a private type only to admins', async () => {
    const pub = await create({ name: 'a-list-gt' });
    const priv = await create({ name: 'b-list-gt', is_public: false });
    expect(await names()).to.include('a-list-gt').and.not.include('b-list-gt');
    expect(await names('?is_public=false')).to.include('b-list-gt').and.not.include('a-list-gt');
    expect(await names('?is_public=none')).to.include.members(['a-list-gt', 'b-list-gt']);
    expect(await names('?is_public=false', DEMO)).to.not.include('b-list-gt');
    expect(await message('GET', `${G}?is_public=maybe`, undefined, 400)).to.equal('Invalid is_public filter [maybe]');
    const asc = await names('?is_public=none&sort=name:asc');
    expect(asc.indexOf('a-list-gt')).to.be.below(asc.indexOf('b-list-gt'));
    const desc = await names('?is_public=none&sort=name:desc');
    expect(desc.indexOf('b-list-gt')).to.be.below(desc.indexOf('a-list-gt'));
    const page = await req('GET', `${G}?is_public=none&sort=name:asc&limit=1&marker=${pub.id}`);
    expect(page.body.group_types.map((t: Json) => t.id)).to.deep.equal([priv.id]);
    expect(page.body.group_type_links[0].href).to.contain(`marker=${priv.id}`);
    expect(await message('GET', `${G}?sort=bogus`, undefined, 400)).to.equal('Invalid input received: Invalid sort key');
    expect(await message('GET', `${G}?limit=x`, undefined, 400)).to.equal('limit param must be an integer');
  });

  it('serves group specs: create (202), show, update, list and delete', async () => {
    const t = await create({ name: 'specs-gt' });
    const S = `${G}/${t.id}/group_specs`;
    const made = await req('POST', S, { group_specs: { key1: 'value1', key2: 'value2' } });
    expect(made.status).to.equal(202);
    expect(made.body).to.deep.equal({ group_specs: { key1: 'value1', key2: 'value2' } });
    expect((await req('POST', S, { group_specs: { key2: 'value2-updated', key3: null } })).status).to.equal(202);
    expect((await req('GET', `${S}/key2`)).body).to.deep.equal({ key2: 'value2-updated' });
    const put = await req('PUT', `${S}/key3`, { key3: 'value3' });
    expect([put.status, put.body]).to.deep.equal([200, { key3: 'value3' }]);
    expect(await message('PUT', `${S}/key3`, { key1: 'v' }, 400)).to.equal('Request body and URI mismatch');
    expect((await req('GET', S)).body).to.deep.equal({ group_specs: { key1: 'value1', key2: 'value2-updated', key3: 'value3' } });
    const del = await req('DELETE', `${S}/key1`);
    expect(del.status).to.equal(202);
    expect(await message('GET', `${S}/key1`, undefined, 404)).to.equal(`Group Type ${t.id} has no extra spec with key key1.`);
    expect(await message('DELETE', `${S}/key1`, undefined, 404)).to.equal(`Group Type ${t.id} has no specs with key key1.`);
    expect(await message('GET', `/v3/demo/group_types/${t.id}/group_specs`, undefined, 403, DEMO)).to.equal("Policy doesn't allow group:group_types_specs:get_all to be performed.");
  });

  it('deletes a type with its specs', async () => {
    const t = await create({ name: 'del-gt', group_specs: { k: 'v' } });
    const r = await req('DELETE', `${G}/${t.id}`);
    expect(r.status).to.equal(202);
    expect(await message('GET', `${G}/${t.id}`, undefined, 404)).to.equal(`Group type ${t.id} could not be found.`);
    expect(await names('?is_public=none')).to.not.include('del-gt');
    // The name is free again.
    expect((await create({ name: 'del-gt' })).id).to.not.equal(t.id);
  });
});
