// Compute 2.90–2.93 (Nova 26's maximum): the version document and negotiation, 2.90's hostname on
// create/update (schema, multiple create, default from the name) and in the views by version and
// role; 2.91–2.93 change only APIs we do not serve, which answer as below them.
import { expect } from 'chai';
import { startNova, type Json, type Nova } from './harness';
import { waitFor } from '../../support/processes';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const PATTERN = "'^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'";
const EXTENDED_2_3 = ['OS-EXT-SRV-ATTR:reservation_id', 'OS-EXT-SRV-ATTR:launch_index', 'OS-EXT-SRV-ATTR:hostname', 'OS-EXT-SRV-ATTR:kernel_id',
  'OS-EXT-SRV-ATTR:ramdisk_id', 'OS-EXT-SRV-ATTR:root_device_name', 'OS-EXT-SRV-ATTR:user_data'];

describe('nova-api microversions 2.90-2.93', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  const create = (server: Record<string, unknown>, o: { version?: string; token?: string } = {}): ReturnType<Nova['req']> =>
    nova.req('POST', '/v2.1/servers', { ...o, body: { server: { name: 'h', imageRef: IMAGE, flavorRef: '1', ...server } } });
  const show = async (id: string, version: string, token = 'demo:demo'): Promise<Json> =>
    (await nova.req('GET', `/v2.1/servers/${id}`, { version, token })).body.server;

  it('serves 2.93 (the maximum is checked in microversions-2-94-2-100)', async () => {
    let r = await nova.req('GET', '/v2.1/servers', { version: '2.93' });
    expect(r.status).to.equal(200);
    expect(r.headers.get('openstack-api-version')).to.equal('compute 2.93');
    r = await nova.req('GET', '/v2.1/servers', { headers: { 'X-OpenStack-Nova-API-Version': '2.93' } });
    expect(r.headers.get('x-openstack-nova-api-version')).to.equal('2.93');
  });

  it('create at 2.90 stores the requested hostname; shown to the owner from 2.90, to admins from 2.3', async () => {
    const r = await create({ name: 'Named Server', hostname: 'my-host-1' }, { version: '2.90' });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body.server).to.not.have.property('OS-EXT-SRV-ATTR:hostname');
    const id = r.body.server.id as string;
    expect(await show(id, '2.90')).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'my-host-1' });
    expect(await show(id, '2.93')).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'my-host-1' });
    const below = await show(id, '2.89');
    expect(below).to.not.have.property('OS-EXT-SRV-ATTR:hostname');
    expect(Object.keys(below).filter((k) => k.startsWith('OS-EXT-SRV-ATTR'))).to.deep.equal([]);
    // Admins: the 2.1 extended attributes, then the 2.3 ones (hostname among them) at any later version.
    const a21 = await show(id, '2.1', 'admin:admin');
    expect(a21).to.include.keys('OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:instance_name', 'OS-EXT-SRV-ATTR:hypervisor_hostname');
    expect(a21).to.not.have.property('OS-EXT-SRV-ATTR:hostname');
    const a23 = await show(id, '2.3', 'admin:admin');
    expect(a23).to.include.keys(...EXTENDED_2_3);
    expect(a23).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'my-host-1', 'OS-EXT-SRV-ATTR:launch_index': 0, 'OS-EXT-SRV-ATTR:kernel_id': '',
      'OS-EXT-SRV-ATTR:ramdisk_id': '', 'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda', 'OS-EXT-SRV-ATTR:user_data': null });
    expect(a23['OS-EXT-SRV-ATTR:reservation_id']).to.match(/^r-[0-9a-z]{8}$/);
    expect(await show(id, '2.92', 'admin:admin')).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'my-host-1' });
    // The list detail view follows the same rules.
    const detail = (await nova.req('GET', '/v2.1/servers/detail', { version: '2.90' })).body.servers.find((s: Json) => s.id === id);
    expect(detail).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'my-host-1' });
  });

  it('default hostname: the sanitized name, Server-<uuid> when nothing is left, -<n> for multiple create', async () => {
    let r = await create({ name: 'My Server_1.Example.COM' }, { version: '2.90' });
    expect(await show(r.body.server.id, '2.90')).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'my-server-1-example-com' });
    r = await create({ name: '--Ünïcödé ☃ x--' });
    expect(await show(r.body.server.id, '2.90')).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'ünïcödé--x' });
    r = await create({ name: '☃☃' });
    expect(await show(r.body.server.id, '2.90')).to.include({ 'OS-EXT-SRV-ATTR:hostname': `Server-${r.body.server.id}` });
    r = await create({ name: 'a'.repeat(70) });
    expect((await show(r.body.server.id, '2.90'))['OS-EXT-SRV-ATTR:hostname']).to.equal('a'.repeat(63));
    r = await create({ name: 'Multi Box', min_count: 2 }, { token: 'multi:multi', version: '2.90' });
    expect(r.status).to.equal(202);
    const servers = (await nova.req('GET', '/v2.1/servers/detail', { token: 'multi:multi', version: '2.90' })).body.servers as Json[];
    expect(servers.map((s) => [s.name, s['OS-EXT-SRV-ATTR:hostname']]).sort()).to.deep.equal([['Multi Box-1', 'multi-box-1'], ['Multi Box-2', 'multi-box-2']]);
    // Both belong to one reservation, each with its launch index.
    const admin = (await nova.req('GET', '/v2.1/servers/detail?all_tenants=1', { token: 'admin:admin', version: '2.90' })).body.servers as Json[];
    const mine = admin.filter((s) => s.tenant_id === 'multi');
    expect(new Set(mine.map((s) => s['OS-EXT-SRV-ATTR:reservation_id'])).size).to.equal(1);
    expect(mine.map((s) => s['OS-EXT-SRV-ATTR:launch_index']).sort()).to.deep.equal([0, 1]);
  });

  it('a requested hostname cannot go to several servers (400), whichever count asks for them', async () => {
    for (const counts of [{ max_count: 2 }, { min_count: 2 }, { min_count: 1, max_count: 3 }]) {
      const r = await create({ hostname: 'one-host', ...counts }, { version: '2.90', token: 'amb:amb' });
      expect(r.status, JSON.stringify(counts)).to.equal(400);
      expect(r.body.badRequest.message).to.equal('Unable to allocate a single hostname to multiple instances');
    }
    expect((await nova.req('GET', '/v2.1/servers', { token: 'amb:amb' })).body.servers).to.have.length(0);
    expect((await create({ hostname: 'one-host', max_count: 1 }, { version: '2.90', token: 'amb:amb' })).status).to.equal(202);
  });

  it('validates hostname as parameter_types.hostname, and rejects it below 2.90', async () => {
    const cases: Array<[unknown, string]> = [
      ['a', "Invalid input for field/attribute hostname. Value: a. 'a' is too short"],
      ['h'.repeat(64), `Invalid input for field/attribute hostname. Value: ${'h'.repeat(64)}. '${'h'.repeat(64)}' is too long`],
      ['-abc', `Invalid input for field/attribute hostname. Value: -abc. '-abc' does not match ${PATTERN}`],
      ['abc-', `Invalid input for field/attribute hostname. Value: abc-. 'abc-' does not match ${PATTERN}`],
      ['my.host', `Invalid input for field/attribute hostname. Value: my.host. 'my.host' does not match ${PATTERN}`],
      ['my_host', `Invalid input for field/attribute hostname. Value: my_host. 'my_host' does not match ${PATTERN}`],
      [123, "Invalid input for field/attribute hostname. Value: 123. 123 is not of type 'string'"],
      [null, "Invalid input for field/attribute hostname. Value: None. None is not of type 'string'"],
    ];
    for (const [hostname, msg] of cases) {
      const r = await create({ hostname }, { version: '2.90' });
      expect(r.status, String(hostname)).to.equal(400);
      expect(r.body.badRequest.message).to.equal(msg);
    }
    const r = await create({ hostname: 'fine-host' }, { version: '2.89' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.match(/^Invalid input for field\/attribute server\. Value: .*Additional properties are not allowed \('hostname' was unexpected\)$/);
    expect((await create({ hostname: '0a' }, { version: '2.90' })).status).to.equal(202);
  });

  it('update at 2.90 sets the hostname (shown in the response), validated; not accepted below 2.90', async () => {
    const r0 = await create({ name: 'upd' }, { version: '2.90' });
    const id = r0.body.server.id as string;
    await waitFor(async () => (await show(id, '2.1')).status === 'ACTIVE', 10_000, 'ACTIVE', 20);
    let r = await nova.req('PUT', `/v2.1/servers/${id}`, { version: '2.90', body: { server: { hostname: 'renamed-host' } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.server).to.include({ name: 'upd', 'OS-EXT-SRV-ATTR:hostname': 'renamed-host' });
    expect(await show(id, '2.90')).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'renamed-host' });
    r = await nova.req('PUT', `/v2.1/servers/${id}`, { version: '2.90', token: 'admin:admin', body: { server: { name: 'upd2' } } });
    expect(r.body.server).to.include({ name: 'upd2', 'OS-EXT-SRV-ATTR:hostname': 'renamed-host' }).and.include.keys(...EXTENDED_2_3);
    r = await nova.req('PUT', `/v2.1/servers/${id}`, { version: '2.90', body: { server: { hostname: 'x' } } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute hostname. Value: x. 'x' is too short");
    r = await nova.req('PUT', `/v2.1/servers/${id}`, { version: '2.89', body: { server: { hostname: 'other-host' } } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.match(/Additional properties are not allowed \('hostname' was unexpected\)$/);
    // 2.89 does not show it even to the owner, and did not change it.
    r = await nova.req('PUT', `/v2.1/servers/${id}`, { version: '2.89', body: { server: { name: 'upd3' } } });
    expect(r.body.server).to.not.have.property('OS-EXT-SRV-ATTR:hostname');
    expect(await show(id, '2.93')).to.include({ name: 'upd3', 'OS-EXT-SRV-ATTR:hostname': 'renamed-host' });
  });

  it('lists by hostname (a regular expression) from 2.90, or as admin at any version', async () => {
    await create({ name: 'flt', hostname: 'filter-me' }, { version: '2.90', token: 'flt:flt' });
    await create({ name: 'flt2' }, { token: 'flt:flt' });
    const names = async (q: string, version: string, token = 'flt:flt'): Promise<string[]> =>
      (await nova.req('GET', `/v2.1/servers${q}`, { version, token })).body.servers.map((s: Json) => s.name).sort();
    expect(await names('?hostname=^filter', '2.90')).to.deep.equal(['flt']);
    expect(await names('?hostname=^filter', '2.89')).to.deep.equal(['flt', 'flt2']);
    expect(await names('?all_tenants=1&hostname=^filter-me$', '2.1', 'admin:admin')).to.deep.equal(['flt']);
  });

  it('2.91-2.93 leave unshelve as it was (not served), rebuild an image-backed server at each; keypairs answer at each', async () => {
    const r0 = await create({ name: 'other' });
    const id = r0.body.server.id as string;
    const active = async (): Promise<void> => {
      await waitFor(async () => { const v = await show(id, '2.1'); return v.status === 'ACTIVE' && v['OS-EXT-STS:task_state'] === null; }, 10_000, 'ACTIVE', 20);
    };
    for (const version of ['2.89', '2.91', '2.93']) {
      for (const arg of [{ availability_zone: 'nova' }, null]) {
        const r = await nova.req('POST', `/v2.1/servers/${id}/action`, { version, body: { unshelve: arg } });
        expect(r.status, `unshelve at ${version}`).to.equal(400);
        expect(r.body.badRequest.message).to.equal('There is no such action: unshelve');
      }
      await active();
      const r = await nova.req('POST', `/v2.1/servers/${id}/action`, { version, body: { rebuild: { imageRef: IMAGE } } });
      expect(r.status, `rebuild at ${version}`).to.equal(202);
      expect(r.body.server.image.id).to.equal(IMAGE);
      await active();
      const kp = await nova.req('POST', '/v2.1/os-keypairs', { version, body: { keypair: { name: 'k', public_key: 'ssh-rsa AAAA' } } });
      expect(kp.status, `keypairs at ${version}`).to.equal(400);
      expect(kp.body.badRequest.message).to.equal('Keypair data is invalid: failed to generate fingerprint');
      expect((await nova.req('GET', '/v2.1/os-keypairs', { version })).body).to.deep.equal({ keypairs: [] });
    }
  });
});
