// [service_user] send_service_user_token: which X-Service-Token Nova sends to Cinder.
import { expect } from 'chai';
import { verifyToken } from '../../../common/api/auth';
import { novaServiceTokens } from '../../../nova-common/volume/service-auth';

const SECRET = 'a-secret-of-thirty-two-characters-or-more';
const conf = (strategy: string, o: { send?: boolean; authType?: string | null; authUrl?: string | null } = {}) => ({
  service_user: {
    send_service_user_token: o.send ?? true, auth_type: o.authType ?? null, auth_url: null, username: null, password: null,
    project_name: null, user_domain_name: 'Default', project_domain_name: 'Default',
  },
  api: { auth_strategy: strategy, token_secret: SECRET },
  keystone_authtoken: { auth_url: o.authUrl ?? null },
});

describe('nova: the service token sent to Cinder', () => {
  it('with the embedded identity: a token Nova signs itself, with the service role', async () => {
    const tokens = novaServiceTokens(conf('keystone'));
    const claims = verifyToken((await tokens!()) as string, SECRET);
    expect(claims?.user_name).to.equal('nova');
    expect(claims?.roles).to.include('service');
  });

  it('none when not asked for, and none without credentials or the secret (noauth2, an external Keystone)', () => {
    expect(novaServiceTokens(conf('keystone', { send: false }))).to.equal(null);
    expect(novaServiceTokens(conf('noauth2'))).to.equal(null);
    // A made-up token would make the external Keystone refuse the whole request.
    expect(novaServiceTokens(conf('keystone', { authUrl: 'http://keystone.invalid/v3' }))).to.equal(null);
  });

  it('with credentials, a password login: a function is given, called only when a request goes out', () => {
    expect(novaServiceTokens(conf('keystone', { authType: 'password', authUrl: 'http://keystone.invalid/v3' }))).to.be.a('function');
  });
});
