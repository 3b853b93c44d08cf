// os-server-password: no metadata service, so no guest posts a password: '' to read, nothing to
// clear (204); another project's server is 404.
import { expect } from 'chai';
import { activeServer, novaWithCinderFixture } from './harness';

describe('nova: os-server-password', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();

  it('reads an empty password, clears it (204), 404 for another project or no such server', async () => {
    const sid = await activeServer(s.nova, 'pw');
    const path = `/v2.1/servers/${sid}/os-server-password`;
    let r = await s.nova.req('GET', path);
    expect([r.status, r.body]).to.deep.equal([200, { password: '' }]);
    r = await s.nova.req('DELETE', path);
    expect([r.status, r.body]).to.deep.equal([204, null]);
    expect((await s.nova.req('GET', path, { token: 'other:other' })).status).to.equal(404);
    expect((await s.nova.req('DELETE', path, { token: 'other:other' })).status).to.equal(404);
    expect((await s.nova.req('GET', '/v2.1/servers/6e1a2b3c-0000-4000-8000-000000000000/os-server-password')).status).to.equal(404);
  });
});
