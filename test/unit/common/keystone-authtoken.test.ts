// keystonemiddleware's part that needs no Keystone: a token that is not printable ASCII is no
// Keystone token, and is refused (401) before Keystone is asked, so it is never a 503.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeystoneAuthToken } from '../../../common/api/keystone-authtoken';

describe('keystone_authtoken: tokens Keystone could not have issued', () => {
  let server: Server;
  let asked = 0;
  let auth: KeystoneAuthToken;
  before(async () => {
    // A Keystone that is down for everything: any request it gets is counted and answered 503.
    server = createServer((req, res) => { asked++; res.writeHead(503).end(); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    auth = new KeystoneAuthToken({
      www_authenticate_uri: null, auth_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/identity`, auth_type: 'password',
      username: 'nova', password: 'not-a-secret', project_name: 'service', user_domain_name: 'Default', project_domain_name: 'Default',
      service_token_roles: ['service'], service_token_roles_required: false, token_cache_time: 300, http_connect_timeout: 2,
    });
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const status = async (token: string, serviceToken?: string): Promise<number> => {
    try {
      await auth.authenticate({ token, serviceToken, requestId: 'req-1' } as Parameters<KeystoneAuthToken['authenticate']>[0]);
      return 200;
    } catch (e) {
      return (e as { code?: number }).code ?? 0;
    }
  };

  it('answers 401 for tokens with spaces, controls or characters beyond ASCII, without asking Keystone', async () => {
    for (const t of ['tök€n', 'to ken', 'tok\ten', '😀', 'abc\u0085']) {
      expect(await status(t), JSON.stringify(t)).to.equal(401);
      expect(await status('gAAAAAB-valid-looking', t), `service token ${JSON.stringify(t)}`).to.equal(401);
    }
    expect(asked).to.equal(0);
  });

  it('still answers 503 for a well-formed token while Keystone is away', async () => {
    expect(await status('gAAAAABn-well-formed_token')).to.equal(503);
    expect(asked).to.be.greaterThan(0);
  });
});
