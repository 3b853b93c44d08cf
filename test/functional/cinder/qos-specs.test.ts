// QoS specs (cinder qos-*): create and its refusals, show, list, update, delete_keys, the
// associations with a volume type, delete with and without force, and a front-end spec in
// os-initialize_connection's connection_info (per-GB keys scaled by the volume's size).
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { NotificationListener, Target, type Notification } from '../../../common/rpc';
import { startCinder, type Cinder, type Json } from './cinder-stack';
import type { FakeDriver } from '../../../cinder-volume/drivers/fake';

const ADMIN = 'admin:admin';
const Q = '/v3/admin/qos-specs';
const CONNECTOR = { initiator: 'iqn.1993-08.org.debian:01:qos', host: 'qoshost', ip: '127.0.0.1' };

describe('cinder qos-specs', function () {
  let c: Cinder;
  let listener: NotificationListener;
  const notes: Notification[] = [];
  before(async () => {
    c = await startCinder({ oslo_messaging_notifications: { driver: 'messagingv2' } });
    listener = new NotificationListener(c.transport, [new Target({ topic: 'notifications' })], { onMessage: (n) => { notes.push(n); } }, { pool: `qos-t-${Date.now()}` });
    await listener.start();
  });
  after(async () => {
    await listener?.stop();
    await c?.stop();
  });

  const req = (method: string, path: string, body?: unknown, token = ADMIN) => c.req(method, path, { token, body });
  const create = async (qos: Json): Promise<string> => {
    const r = await req('POST', Q, { qos_specs: qos });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.qos_specs.id;
  };
  const show = async (id: string): Promise<Json> => (await req('GET', `${Q}/${id}`)).body.qos_specs;
  const message = async (method: string, path: string, body: unknown, status: number): Promise<string> => {
    const r = await req(method, path, body);
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return Object.values(r.body as Record<string, { message: string }>)[0].message;
  };
  const newType = async (name: string): Promise<string> => (await req('POST', '/v3/admin/types', { volume_type: { name } })).body.volume_type.id;
  const typedVolume = async (type: string, size = 1): Promise<string> => {
    const r = await req('POST', '/v3/admin/volumes', { volume: { size, volume_type: type } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const id = r.body.volume.id as string;
    await waitFor(async () => (await c.show(id, ADMIN)).status === 'available', 10_000, `volume ${id} available`, 20);
    return id;
  };

  it('creates, shows and lists as Cinder: the name stripped, back-end by default, null keys left out', async () => {
    const id = await create({ name: '  gold  ', consumer: 'front-end', total_iops_sec: '500', skipped: null });
    const gold = await show(id);
    expect(gold).to.deep.equal({ id, name: 'gold', consumer: 'front-end', specs: { total_iops_sec: '500' } });
    const r = await req('GET', `${Q}/${id}`);
    expect(r.body.links[0].href).to.match(new RegExp(`/v3/admin/qos-specs/${id}$`));
    const silver = await create({ name: 'silver', consumer: null });
    expect((await show(silver)).consumer).to.equal('back-end');
    const list = (await req('GET', Q)).body.qos_specs.map((s: Json) => s.name);
    expect(list).to.include.members(['gold', 'silver']);
    const page = await req('GET', `${Q}?limit=1&sort=value:asc`);
    expect(page.body.qos_specs.map((s: Json) => s.name)).to.deep.equal(['gold']);
    expect(page.body.qos_specs_links[0].href).to.contain(`marker=${id}`);
    expect((await req('GET', `${Q}?value=silver`)).body.qos_specs.map((s: Json) => s.id)).to.deep.equal([silver]);
    // name and consumer are no columns of the table: Cinder lists nothing.
    expect((await req('GET', `${Q}?name=gold`)).body.qos_specs).to.deep.equal([]);
    expect(await message('GET', `${Q}?sort_key=name`, undefined, 400)).to.equal('Invalid input received: Invalid sort key');
    expect(await message('GET', `${Q}?marker=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee`, undefined, 404)).to.equal('No such QoS spec aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee.');
    // Each create is Cinder's qos_specs.create from publisher QoSSpecs.
    await waitFor(() => notes.some((n) => n.eventType === 'qos_specs.create' && n.publisherId === 'QoSSpecs' && (n.payload as { name?: string }).name === 'gold'),
      5_000, 'qos_specs.create for gold', 20);
  });

  it('refuses what Cinder refuses, with its words', async () => {
    await create({ name: 'dup' });
    expect(await message('POST', Q, { qos_specs: { name: 'DUP' } }, 409)).to.equal('QoS Specs DUP already exists.');
    expect(await message('POST', Q, { qos_specs: { name: 'x', consumer: 'bogus' } }, 400)).to.match(/^Invalid qos specs: Valid consumer of QoS specs are: .*'back-end', 'front-end', 'both'/);
    expect(await message('POST', Q, { qos_specs: { name: 'x', k: 5 } }, 400)).to.equal('Invalid input received: Value for key "k" is not a string or unicode');
    expect(await message('POST', Q, { qos_specs: { name: 'x', '': 'v' } }, 400)).to.equal('Invalid input received: Key "" has 0 characters, less than 1.');
    expect(await message('POST', Q, { qos_specs: { name: '   ' } }, 400)).to.equal("An invalid 'name' value was provided. The 'name' can not be empty.");
    expect(await message('POST', Q, { qos_specs: {} }, 400)).to.equal("Invalid input for field/attribute qos_specs. Value: {}. 'name' is a required property");
    expect(await message('POST', Q, { qos_specs: { name: 'x' }, extra: 1 }, 400)).to.equal("Additional properties are not allowed ('extra' was unexpected)");
    const user = await req('POST', '/v3/demo/qos-specs', { qos_specs: { name: 'mine' } }, 'demo:demo');
    expect([user.status, user.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow volume_extension:qos_specs_manage:create to be performed."]);
    expect((await req('GET', '/v3/demo/qos-specs', undefined, 'demo:demo')).status).to.equal(403);
    expect(await message('GET', `${Q}/nope`, undefined, 404)).to.equal('No such QoS spec nope.');
  });

  it('updates and deletes keys as Cinder: null clears a key it has, delete_keys stops at the first missing one', async () => {
    const id = await create({ name: 'upd', a: '1', b: '2', c: '3' });
    const put = await req('PUT', `${Q}/${id}`, { qos_specs: { a: '10', b: null, n: null, consumer: 'both' } });
    expect([put.status, put.body]).to.deep.equal([200, { qos_specs: { a: '10', b: null, n: null, consumer: 'both' } }]);
    expect(await show(id)).to.deep.include({ consumer: 'both', specs: { a: '10', b: null, c: '3' } });
    await req('PUT', `${Q}/${id}`, { qos_specs: { consumer: null } });
    expect((await show(id)).consumer).to.equal('back-end');
    expect(await message('PUT', `${Q}/${id}`, { qos_specs: { consumer: 'nobody' } }, 400)).to.match(/^Invalid qos specs: Valid consumer/);
    expect(await message('PUT', `${Q}/${id}/delete_keys`, { keys: ['a', 'nope', 'c'] }, 404)).to.equal(`QoS spec ${id} has no spec with key nope.`);
    expect((await show(id)).specs).to.deep.equal({ b: null, c: '3' });
    expect((await req('PUT', `${Q}/${id}/delete_keys`, { keys: ['c'] })).status).to.equal(202);
    expect(await message('PUT', `${Q}/${id}/delete_keys`, { keys: ['consumer'] }, 404)).to.equal(`QoS spec ${id} has no spec with key consumer.`);
    expect(await message('PUT', `${Q}/${id}/delete_keys`, { keys: 'x' }, 400)).to.equal("Invalid input for field/attribute keys. Value: x. 'x' is not of type 'array'");
  });

  it('associates with volume types, refuses a second spec and a delete in use, and forces one', async () => {
    const [one, two] = [await create({ name: 'assoc-1' }), await create({ name: 'assoc-2' })];
    const t = await newType('qos-type');
    expect((await req('GET', `${Q}/${one}/associate?vol_type_id=${t}`)).status).to.equal(202);
    expect((await req('GET', `${Q}/${one}/associate?vol_type_id=${t}`)).status).to.equal(202);
    expect(await message('GET', `${Q}/${two}/associate?vol_type_id=${t}`, undefined, 400))
      .to.equal(`Invalid volume type: Type ${t} is already associated with another qos specs: ${one}`);
    expect(await message('GET', `${Q}/${one}/associate`, undefined, 400)).to.equal('Volume Type id must not be None.');
    expect(await message('GET', `${Q}/${one}/associate?vol_type_id=nope`, undefined, 404)).to.equal('Volume type nope could not be found.');
    expect((await req('GET', `${Q}/${one}/associations`)).body).to.deep.equal({ qos_associations: [{ association_type: 'volume_type', name: 'qos-type', id: t }] });
    expect((await req('GET', `/v3/admin/types/${t}`)).body.volume_type.qos_specs_id).to.equal(one);
    expect(await message('DELETE', `${Q}/${one}`, undefined, 400)).to.equal('Qos specs still in use.');
    expect(await message('DELETE', `${Q}/${one}?force=maybe`, undefined, 400)).to.equal("Value 'maybe' for 'force' is not a boolean.");
    expect((await req('GET', `${Q}/${one}/disassociate?vol_type_id=${t}`)).status).to.equal(202);
    expect((await req('GET', `${Q}/${one}/associations`)).body.qos_associations).to.deep.equal([]);
    await req('GET', `${Q}/${two}/associate?vol_type_id=${t}`);
    expect((await req('DELETE', `${Q}/${two}?force=true`)).status).to.equal(202);
    expect((await req('GET', `/v3/admin/types/${t}`)).body.volume_type.qos_specs_id).to.equal(null);
    expect((await req('GET', `${Q}/${two}`)).status).to.equal(404);
    expect((await req('DELETE', `${Q}/${one}`)).status).to.equal(202);
  });

  it('puts a front-end spec into connection_info, per-GB keys scaled by the size; a back-end one not at all', async () => {
    const t = await newType('qos-conn');
    const spec = await create({
      name: 'conn', consumer: 'front-end', write_iops_sec: '7', read_iops_sec_per_gb: '10', read_iops_sec_per_gb_min: '25',
      total_bytes_sec_per_gb: '1000', total_bytes_sec_max: '1500',
    });
    await req('GET', `${Q}/${spec}/associate?vol_type_id=${t}`);
    const vid = await typedVolume('qos-conn', 2);
    const init = await c.action(vid, 'os-initialize_connection', { connector: CONNECTOR }, ADMIN);
    expect(init.status, JSON.stringify(init.body)).to.equal(200);
    expect(init.body.connection_info.data.qos_specs).to.deep.equal({ write_iops_sec: '7', read_iops_sec: 25, total_bytes_sec: 1500 });
    await c.action(vid, 'os-terminate_connection', { connector: CONNECTOR }, ADMIN);
    await req('PUT', `${Q}/${spec}`, { qos_specs: { consumer: 'back-end' } });
    const back = await c.action(vid, 'os-initialize_connection', { connector: CONNECTOR }, ADMIN);
    expect(back.body.connection_info.data.qos_specs).to.equal(null);
    await c.action(vid, 'os-terminate_connection', { connector: CONNECTOR }, ADMIN);
  });

  it('refuses a per-GB key that is no integer before anything is exported', async () => {
    const t = await newType('qos-bad');
    const spec = await create({ name: 'bad', consumer: 'both', total_iops_sec_per_gb: 'lots' });
    await req('GET', `${Q}/${spec}/associate?vol_type_id=${t}`);
    const vid = await typedVolume('qos-bad');
    const init = await c.action(vid, 'os-initialize_connection', { connector: CONNECTOR }, ADMIN);
    expect([init.status, init.body.badRequest?.message]).to.deep.equal([400, `Invalid input received: QoS spec total_iops_sec_per_gb of volume type ${t} is not an integer: lots`]);
    const drivers = c.volume.backends.map((b) => b.driver as FakeDriver);
    expect(drivers.some((d) => d.exports.has(vid))).to.equal(false);
    expect((await c.show(vid, ADMIN)).status).to.equal('available');
  });
});
