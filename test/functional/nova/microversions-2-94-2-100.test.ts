// Compute 2.94–2.100 (2.101 is the maximum): each change to what we serve at its version and just
// below it — 2.94 FQDN hostnames, 2.96 pinned_availability_zone, 2.98 image properties, 2.100
// scheduler_hints —, the maximum itself (2.102 refused), and 2.95/2.97/2.99 leaving what we do
// not serve as it was.
import { expect } from 'chai';
import { startNova, type Json, type Nova } from './harness';
import { waitFor } from '../../support/processes';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const OTHER = '0b7e7d4a-5ff1-4a49-8b0e-3c2e3d4f5a6b';

describe('nova-api microversions 2.94-2.100', function () {
  this.timeout(30_000);
  let nova: Nova;
  // The cases keep the servers they make: no instance quota to run into.
  before(async () => { nova = await startNova({ quota: { instances: -1, cores: -1, ram: -1 } }); });
  after(async () => { await nova?.stop(); });

  const create = (server: Record<string, unknown>, o: { version?: string; token?: string; top?: Record<string, unknown> } = {}): ReturnType<Nova['req']> =>
    nova.req('POST', '/v2.1/servers', { ...o, body: { server: { name: 'h', imageRef: IMAGE, flavorRef: '1', ...server }, ...(o.top ?? {}) } });
  const created = async (server: Record<string, unknown>, o: { version?: string; token?: string; top?: Record<string, unknown> } = {}): Promise<string> => {
    const r = await create(server, o);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    return r.body.server.id as string;
  };
  const show = async (id: string, version: string, token = 'demo:demo'): Promise<Json> =>
    (await nova.req('GET', `/v2.1/servers/${id}`, { version, token })).body.server;
  const listed = async (id: string, version: string): Promise<Json> =>
    (await nova.req('GET', '/v2.1/servers/detail', { version })).body.servers.find((s: Json) => s.id === id);
  const update = (id: string, version: string, server: Record<string, unknown>): ReturnType<Nova['req']> =>
    nova.req('PUT', `/v2.1/servers/${id}`, { version, body: { server } });

  it('declares 2.101 as the maximum, serves it, and refuses 2.102 (406)', async () => {
    const root = await nova.req('GET', '/');
    expect(root.body.versions.find((v: Json) => v.id === 'v2.1')).to.include({ version: '2.101', min_version: '2.1' });
    expect((await nova.req('GET', '/v2.1/')).body.version).to.include({ version: '2.101' });
    let r = await nova.req('GET', '/v2.1/servers', { version: '2.100' });
    expect(r.status).to.equal(200);
    expect(r.headers.get('openstack-api-version')).to.equal('compute 2.100');
    r = await nova.req('GET', '/v2.1/servers', { headers: { 'OpenStack-API-Version': 'compute latest' } });
    expect(r.headers.get('x-openstack-nova-api-version')).to.equal('2.101');
    for (const version of ['2.102', '2.110']) {
      r = await nova.req('GET', '/v2.1/servers', { version });
      expect(r.status, version).to.equal(406);
      expect(r.body.computeFault.message).to.equal(`Version ${version} is not supported by the API. Minimum is 2.1 and maximum is 2.101.`);
    }
  });

  it('2.94 takes an FQDN as hostname on create (parameter_types.fqdn); 2.93 refuses it', async () => {
    const id = await created({ hostname: 'web-01.example.com' }, { version: '2.94' });
    expect(await show(id, '2.94')).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'web-01.example.com' });
    // fqdn allows what hostname did not: dots, underscores, a single character, 255 characters.
    for (const hostname of ['my_host.local', 'a', '-x-', 'h'.repeat(255)]) {
      const r = await create({ hostname }, { version: '2.94' });
      expect(r.status, hostname).to.equal(202);
      expect(await show(r.body.server.id, '2.94')).to.include({ 'OS-EXT-SRV-ATTR:hostname': hostname });
    }
    const r = await create({ hostname: 'web-01.example.com' }, { version: '2.93' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute hostname. Value: web-01.example.com. "
      + "'web-01.example.com' does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'");
  });

  it('2.94 validates the FQDN hostname (type, pattern, length) on create and update', async () => {
    const cases: Array<[unknown, string]> = [
      ['web 01', "'web 01' does not match '^[a-zA-Z0-9-._]*$'"],
      ['wéb', "'wéb' does not match '^[a-zA-Z0-9-._]*$'"],
      ['', "'' is too short"],
      ['h'.repeat(256), `'${'h'.repeat(256)}' is too long`],
      [12, "12 is not of type 'string'"],
    ];
    const id = await created({ name: 'fqdn-upd' }, { version: '2.94' });
    for (const [hostname, why] of cases) {
      const msg = `Invalid input for field/attribute hostname. Value: ${String(hostname)}. ${why}`;
      let r = await create({ hostname }, { version: '2.94' });
      expect(r.status, `create ${String(hostname)}`).to.equal(400);
      expect(r.body.badRequest.message).to.equal(msg);
      r = await update(id, '2.94', { hostname });
      expect(r.status, `update ${String(hostname)}`).to.equal(400);
      expect(r.body.badRequest.message).to.equal(msg);
    }
    // One hostname still cannot name several servers.
    const multi = await create({ hostname: 'one.example.com', max_count: 2 }, { version: '2.94', token: 'multi:multi' });
    expect(multi.status).to.equal(400);
    expect(multi.body.badRequest.message).to.equal('Unable to allocate a single hostname to multiple instances');
  });

  it('2.94 takes an FQDN as hostname on update (shown in the response); 2.93 refuses it', async () => {
    const id = await created({ name: 'fqdn-upd2' }, { version: '2.94' });
    let r = await update(id, '2.94', { hostname: 'db.internal.example.org' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.server).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'db.internal.example.org' });
    r = await update(id, '2.93', { hostname: 'db2.example.org' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.match(/'db2\.example\.org' does not match '\^\[a-zA-Z0-9\]\+\[a-zA-Z0-9-\]\*\[a-zA-Z0-9\]\+\$'$/);
    expect(await show(id, '2.93')).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'db.internal.example.org' });
  });

  it('2.96 shows pinned_availability_zone (the zone asked for at create, else null) in show, list and update; 2.95 does not', async () => {
    const pinned = await created({ name: 'pinned', availability_zone: 'nova' });
    const free = await created({ name: 'free' });
    await waitFor(async () => (await show(pinned, '2.1')).status === 'ACTIVE', 10_000, 'ACTIVE', 20);
    expect(await show(pinned, '2.96')).to.include({ pinned_availability_zone: 'nova', 'OS-EXT-AZ:availability_zone': 'nova' });
    expect(await show(free, '2.96')).to.include({ pinned_availability_zone: null, 'OS-EXT-AZ:availability_zone': 'nova' });
    expect(await listed(pinned, '2.96')).to.include({ pinned_availability_zone: 'nova' });
    expect(await listed(free, '2.96')).to.include({ pinned_availability_zone: null });
    expect((await update(pinned, '2.96', { name: 'pinned2' })).body.server).to.include({ name: 'pinned2', pinned_availability_zone: 'nova' });
    expect(await show(pinned, '2.95')).to.not.have.property('pinned_availability_zone');
    expect(await listed(pinned, '2.95')).to.not.have.property('pinned_availability_zone');
    expect((await update(pinned, '2.95', { name: 'pinned3' })).body.server).to.not.have.property('pinned_availability_zone');
    // An admin's forced host pins the zone part of "zone:host".
    const forced = await created({ name: 'forced', availability_zone: 'nova:compute1' }, { token: 'admin:admin' });
    expect(await show(forced, '2.96', 'admin:admin')).to.include({ pinned_availability_zone: 'nova' });
  });

  it('2.98 embeds the image properties (none for our image) in image; 2.97 does not', async () => {
    const id = await created({ name: 'img' });
    for (const get of [() => show(id, '2.98'), () => listed(id, '2.98'), async () => (await update(id, '2.98', { name: 'img' })).body.server]) {
      const image = (await get()).image;
      expect(image).to.include({ id: IMAGE });
      expect(image.properties).to.deep.equal({});
    }
    for (const get of [() => show(id, '2.97'), () => listed(id, '2.97'), async () => (await update(id, '2.97', { name: 'img' })).body.server]) {
      expect(Object.keys((await get()).image)).to.deep.equal(['id', 'links']);
    }
  });

  it('2.100 shows the scheduler hints given at create (values as lists of strings) in show, list and update; 2.99 does not', async () => {
    const hints = { same_host: OTHER, different_host: [OTHER], foo: 'bar', n: 3, flag: true, many: ['a', 1], _nova_check_type: 'x' };
    const id = await created({ name: 'hinted' }, { top: { 'os:scheduler_hints': hints } });
    const want = { same_host: [OTHER], different_host: [OTHER], foo: ['bar'], n: ['3'], flag: ['True'], many: ['a', '1'] };
    expect((await show(id, '2.100')).scheduler_hints).to.deep.equal(want);
    expect((await listed(id, '2.100')).scheduler_hints).to.deep.equal(want);
    expect((await update(id, '2.100', { name: 'hinted2' })).body.server.scheduler_hints).to.deep.equal(want);
    expect(await show(id, '2.99')).to.not.have.property('scheduler_hints');
    expect(await listed(id, '2.99')).to.not.have.property('scheduler_hints');
    expect((await update(id, '2.99', { name: 'hinted3' })).body.server).to.not.have.property('scheduler_hints');
    // The legacy key works too; os:scheduler_hints wins when both are given; no hints: {}.
    const legacy = await created({ name: 'legacy' }, { top: { 'OS-SCH-HNT:scheduler_hints': { cidr: '/24' } } });
    expect((await show(legacy, '2.100')).scheduler_hints).to.deep.equal({ cidr: ['/24'] });
    const both = await created({ name: 'both' }, { top: { 'os:scheduler_hints': { a: 'x' }, 'OS-SCH-HNT:scheduler_hints': { b: 'y' } } });
    expect((await show(both, '2.100')).scheduler_hints).to.deep.equal({ a: ['x'] });
    const none = await created({ name: 'none' });
    expect((await show(none, '2.100')).scheduler_hints).to.deep.equal({});
    expect((await listed(none, '2.100')).scheduler_hints).to.deep.equal({});
  });

  it('validates the scheduler hints as Nova\'s _hints schema at every version', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ 'os:scheduler_hints': 'x' }, "Invalid input for field/attribute os:scheduler_hints. Value: x. 'x' is not of type 'object'"],
      [{ 'os:scheduler_hints': { group: 'abc' } }, "Invalid input for field/attribute group. Value: abc. 'abc' is not valid under any of the given schemas"],
      [{ 'os:scheduler_hints': { different_host: 5 } }, 'Invalid input for field/attribute different_host. Value: 5. 5 is not valid under any of the given schemas'],
      [{ 'os:scheduler_hints': { same_host: 5 } }, "Invalid input for field/attribute same_host. Value: 5. 5 is not of type 'string', 'array'"],
      [{ 'os:scheduler_hints': { same_host: ['nope'] } }, "Invalid input for field/attribute 0. Value: nope. 'nope' is not a 'uuid'"],
      [{ 'OS-SCH-HNT:scheduler_hints': { cidr: '24' } }, "Invalid input for field/attribute cidr. Value: 24. '24' does not match '^/[0-9a-f.:]+$'"],
      [{ 'os:scheduler_hints': { build_near_host_ip: 'host' } },
        "Invalid input for field/attribute build_near_host_ip. Value: host. 'host' is not valid under any of the given schemas"],
      // Nova keeps hints as lists of strings and fails on what is not one (a 500 there).
      [{ 'os:scheduler_hints': { query: { a: 1 } } }, 'A string is required in field scheduler_hints["query"][0], not a dict'],
    ];
    for (const version of ['2.1', '2.100']) {
      for (const [top, msg] of cases) {
        const r = await create({ name: 'bad-hints' }, { version, top });
        expect(r.status, `${JSON.stringify(top)} at ${version}`).to.equal(400);
        expect(r.body.badRequest.message).to.equal(msg);
      }
    }
    const r = await create({ name: 'hints-ok' }, { top: { 'os:scheduler_hints': { query: '["=", "$free_ram_mb", 1024]', target_cell: 'cell1', group: [] } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
  });

  it('2.95, 2.97 and 2.99 leave evacuate, shares and consoles as they were (not served)', async () => {
    const id = await created({ name: 'other' });
    for (const version of ['2.94', '2.95', '2.97', '2.99', '2.100']) {
      const r = await nova.req('POST', `/v2.1/servers/${id}/action`, { version, body: { evacuate: {} } });
      expect(r.status, `evacuate at ${version}`).to.equal(400);
      expect(r.body.badRequest.message).to.equal('There is no such action: evacuate');
      expect((await nova.req('GET', `/v2.1/servers/${id}/shares`, { version })).status, `shares at ${version}`).to.equal(404);
      const console = await nova.req('POST', `/v2.1/servers/${id}/remote-consoles`, { version, body: { remote_console: { protocol: 'spice', type: 'spice-direct' } } });
      expect(console.status, `remote-consoles at ${version}`).to.equal(404);
      expect((await nova.req('GET', '/v2.1/os-console-auth-tokens/abc', { version })).status, `console tokens at ${version}`).to.equal(404);
    }
  });

  it('a server without a request spec (created before it was kept): not pinned; hints {} in show, null in the list', async () => {
    const id = await created({ name: 'old', availability_zone: 'nova' }, { top: { 'os:scheduler_hints': { foo: 'bar' } } });
    expect(await show(id, '2.100')).to.include({ pinned_availability_zone: 'nova' });
    await nova.ds.query('DELETE FROM request_specs WHERE instance_uuid = ?', [id]);
    expect(await show(id, '2.100')).to.deep.include({ pinned_availability_zone: null, scheduler_hints: {} });
    expect(await listed(id, '2.100')).to.deep.include({ pinned_availability_zone: null, scheduler_hints: null });
  });
});
