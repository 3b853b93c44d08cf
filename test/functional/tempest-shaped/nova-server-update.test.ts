// PUT /servers/{id} and the create fields tempest's ServersTestJSON / ServersNegativeTestJSON
// check (tempest 33 api/compute/servers/test_servers*.py): rename (200, update schema without
// the extended attributes below 2.75), accessIPv4/v6 stored and shown, description at 2.19,
// adminPass echoed, bad names / IPs / flavors 400.
import { expect } from 'chai';
import { activeServer, startNova, type Nova } from '../nova/harness';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
// tempest's common_show_server properties (the update_server schema, additionalProperties false).
const UPDATE_KEYS = ['id', 'name', 'status', 'image', 'flavor', 'user_id', 'tenant_id', 'created', 'updated', 'progress', 'metadata',
  'links', 'addresses', 'hostId', 'OS-DCF:diskConfig', 'accessIPv4', 'accessIPv6'];

describe('tempest-shaped: nova server update and create fields', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  it('renames a server (200) with only the update schema keys at 2.1, and shows the new name', async () => {
    const id = await activeServer(nova, 'before');
    let r = await nova.req('PUT', `/v2.1/servers/${id}`, { body: { server: { name: 'after' } } });
    expect(r.status).to.equal(200);
    expect(r.body.server).to.have.all.keys(...UPDATE_KEYS);
    expect(r.body.server.name).to.equal('after');
    r = await nova.req('GET', `/v2.1/servers/${id}`);
    expect(r.body.server.name).to.equal('after');
    r = await nova.req('PUT', `/v2.1/servers/${id}`, { version: '2.75', body: { server: { name: 'again' } } });
    expect(r.body.server).to.include.keys('OS-EXT-STS:vm_state', 'security_groups', 'description', 'locked');
  });

  it('sets access IPs and a description (2.19) and shows them', async () => {
    const id = await activeServer(nova, 'ips');
    let r = await nova.req('PUT', `/v2.1/servers/${id}`, { body: { server: { accessIPv4: '4.3.2.1', accessIPv6: '::babe:4317:0A83' } } });
    expect(r.status).to.equal(200);
    expect(r.body.server).to.include({ accessIPv4: '4.3.2.1', accessIPv6: '::babe:4317:a83' });
    r = await nova.req('PUT', `/v2.1/servers/${id}`, { version: '2.19', body: { server: { description: 'd1' } } });
    expect(r.body.server.description).to.equal('d1');
    r = await nova.req('GET', `/v2.1/servers/${id}`, { version: '2.19' });
    expect(r.body.server).to.include({ accessIPv4: '4.3.2.1', description: 'd1' });
  });

  it('rejects an empty or 256-character name and an unknown server', async () => {
    const id = await activeServer(nova, 'neg');
    for (const name of ['', 'a'.repeat(256)]) {
      const r = await nova.req('PUT', `/v2.1/servers/${id}`, { body: { server: { name } } });
      expect(r.status).to.equal(400);
      expect(r.body.badRequest.message).to.match(/^Invalid input for field\/attribute name/);
    }
    const r = await nova.req('PUT', '/v2.1/servers/6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b', { body: { server: { name: 'x' } } });
    expect(r.status).to.equal(404);
    expect((await nova.req('PUT', `/v2.1/servers/${id}`, { token: 'other:other', body: { server: { name: 'x' } } })).status).to.equal(404);
  });

  it('create: stores access IPs, echoes adminPass, rejects bad IPs and unknown flavors (400)', async () => {
    const create = (server: Record<string, unknown>): ReturnType<Nova['req']> =>
      nova.req('POST', '/v2.1/servers', { body: { server: { name: 'c', imageRef: IMAGE, flavorRef: '1', ...server } } });
    let r = await create({ accessIPv4: '1.1.1.1', accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2', adminPass: 'testpassword' });
    expect(r.status).to.equal(202);
    expect(r.body.server.adminPass).to.equal('testpassword');
    const shown = (await nova.req('GET', `/v2.1/servers/${r.body.server.id}`)).body.server;
    expect(shown).to.include({ accessIPv4: '1.1.1.1', accessIPv6: '::babe:dc0c:1602' });

    r = await create({ accessIPv4: '1.1.1.1.1.1' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute accessIPv4. Value: 1.1.1.1.1.1. '1.1.1.1.1.1' is not a 'ipv4'");
    expect((await create({ accessIPv6: 'notanipv6' })).status).to.equal(400);
    r = await create({ flavorRef: '-1' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Flavor -1 could not be found.');
    r = await create({ flavorRef: 'http://127.0.0.1/flavors/2' });
    expect(r.status).to.equal(202);
  });
});
