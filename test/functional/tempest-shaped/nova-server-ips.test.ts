// GET /servers/{id}/ips: tempest's compute base lists the addresses of every server it creates
// (servers_client.list_addresses → 200 {"addresses": {...}}). Servers here have no networks.
import { expect } from 'chai';
import { activeServer, startNova, type Nova } from '../nova/harness';

describe('tempest-shaped: nova server addresses', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  it('lists no addresses (200), 404s an unknown network and an unknown server', async () => {
    const id = await activeServer(nova, 'ips');
    let r = await nova.req('GET', `/v2.1/servers/${id}/ips`);
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ addresses: {} });
    r = await nova.req('GET', `/v2.1/demo/servers/${id}/ips/private`);
    expect(r.status).to.equal(404);
    expect(r.body).to.deep.equal({ itemNotFound: { code: 404, message: 'Instance is not a member of specified network' } });
    r = await nova.req('GET', '/v2.1/servers/6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b/ips');
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('Instance 6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b could not be found.');
    r = await nova.req('GET', `/v2.1/servers/${id}/ips`, { token: 'other:other' });
    expect(r.status).to.equal(404);
  });
});
