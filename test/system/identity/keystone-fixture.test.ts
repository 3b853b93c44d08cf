// The real Keystone 22 of scripts/keystone.sh and the fixture helper of test/support/keystone:
// tokens of provisioned users validate with their roles and project, revocation and expiry make
// them invalid, and only an admin or service user may validate another user's token.
import { expect } from 'chai';
import { provisionCloud, requireKeystone, startKeystone, type Cloud, type KeystoneAdmin } from '../../support/keystone';
import { startCinder } from '../../functional/cinder/cinder-stack';
import { waitFor } from '../../support/processes';

const COMPUTE_URL = 'http://127.0.0.1:18774/v2.1';
const VOLUME_URL = 'http://127.0.0.1:18776/v3/%(project_id)s';

describe('integration: real Keystone fixtures (test/support/keystone)', function () {
  this.timeout(60_000);
  let keystone: KeystoneAdmin;
  let cloud: Cloud | undefined;

  before(async function () {
    keystone = await requireKeystone(this);
    cloud = await provisionCloud(keystone, { computeUrl: COMPUTE_URL, volumeUrl: VOLUME_URL });
  });

  after(async () => {
    await cloud?.cleanup();
  });

  it('validates a member1 token as the nova service user: 200, roles member + reader, project p1, the catalog', async () => {
    const c = cloud!;
    const member = await c.login('member1');
    const v = await keystone.validateToken(member.token, { authToken: await c.token('nova') });
    expect(v.status).to.equal(200);
    const token = v.token!;
    expect(token.user.id).to.equal(c.users.member1.id);
    expect(token.project?.id).to.equal(c.projects.p1.id);
    expect(token.project?.name).to.equal(c.projects.p1.name);
    // reader comes with member: Keystone's implied roles.
    expect(token.roles?.map((r) => r.name)).to.include.members(['member', 'reader']);
    expect(token.roles?.map((r) => r.name)).not.to.include('admin');
    expect(new Date(token.expires_at).getTime()).to.equal(member.expiresAt.getTime());

    const byName = new Map((token.catalog ?? []).map((s) => [s.name, s]));
    const compute = byName.get(`nova-${c.suffix}`);
    const volume = byName.get(`cinderv3-${c.suffix}`);
    expect(compute?.type).to.equal('compute');
    expect(compute?.endpoints).to.deep.include({ id: c.endpoints.compute!.endpointId, interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: COMPUTE_URL });
    expect(volume?.type).to.equal('volumev3');
    expect(volume?.endpoints[0].url).to.equal(`http://127.0.0.1:18776/v3/${c.projects.p1.id}`);
  });

  it('gives every provisioned user a token with its roles on its project', async () => {
    const c = cloud!;
    const expected: Array<[keyof Cloud['users'], string, string[]]> = [
      ['reader1', c.projects.p1.id, ['reader']],
      ['admin1', c.projects.p1.id, ['admin', 'member', 'reader']],
      ['member2', c.projects.p2.id, ['member', 'reader']],
      ['nova', c.projects.service.id, ['admin', 'service']],
      ['cinder', c.projects.service.id, ['admin', 'service']],
    ];
    for (const [user, projectId, roles] of expected) {
      const t = await c.login(user);
      expect(t.body.project?.id, user).to.equal(projectId);
      expect(t.body.roles?.map((r) => r.name), user).to.include.members(roles);
    }
    expect(c.authtokenSection('cinder')).to.include({ username: c.users.cinder.name, project_name: c.projects.service.name, auth_url: keystone.url });
  });

  it('reuses a user\'s token instead of logging in again', async () => {
    const c = cloud!;
    const first = await c.login('member2');
    const again = await c.login('member2');
    expect(again.token).to.equal(first.token);
    const fresh = await c.login('member2', { fresh: true });
    expect(fresh.token).not.to.equal(first.token);
  });

  it('refuses a revoked token: validation gives 404', async () => {
    const c = cloud!;
    const nova = await c.token('nova');
    const t = await c.login('member1', { fresh: true });
    expect((await keystone.validateToken(t.token, { authToken: nova })).status).to.equal(200);
    expect(await keystone.revokeToken(t.token)).to.equal(204);
    const v = await keystone.validateToken(t.token, { authToken: nova });
    expect(v.status).to.equal(404);
    // The helper forgot it: the next login is a new token.
    expect((await c.login('member1')).token).not.to.equal(t.token);
  });

  it('lets no plain user validate another user\'s token: 403', async () => {
    const c = cloud!;
    const member = await c.token('member1');
    for (const caller of ['reader1', 'member2'] as const) {
      const v = await keystone.validateToken(member, { authToken: await c.token(caller) });
      expect(v.status, caller).to.equal(403);
    }
    // Its own token, a user may check.
    expect((await keystone.validateToken(member, { authToken: member })).status).to.equal(200);
  });

  it('refuses a token once expired, on a Keystone started with 5 s tokens (scripts/keystone.sh)', async function () {
    this.timeout(180_000);
    const t0 = Date.now();
    const short = await startKeystone(this, { tokenExpiration: 5, processes: 1 });
    const started = Date.now();
    // Our cinder-api validating against it, with a long cache: the expiry must win over the cache.
    const cinder = await startCinder({ api: { auth_strategy: 'keystone' }, keystone_authtoken: {
      auth_url: short.url, auth_type: 'password', username: 'admin', password: short.admin.adminCredentials.password, project_name: 'admin', token_cache_time: 300 } });
    try {
      const subject = await short.admin.adminLogin({ fresh: true });
      const project = subject.body.project?.id as string;
      const ours = async (): Promise<number> => (await cinder.req('GET', `/v3/${project}/volumes`, { token: subject.token })).status;
      expect(await ours()).to.equal(200);
      const lifetime = subject.expiresAt.getTime() - new Date(subject.body.issued_at).getTime();
      expect(lifetime).to.equal(5000);
      expect((await short.admin.validateToken(subject.token)).status).to.equal(200);
      // Keystone refuses the token once it has expired.
      await waitFor(async () => (await short.admin.validateToken(subject.token)).status === 404, 30_000, 'the token expired', 250);
      expect((await short.admin.validateToken(subject.token, { allowExpired: true })).status).to.equal(200);
      // And as X-Auth-Token it is refused: 401.
      const own = await short.admin.request('GET', '/v3/projects', { token: subject.token, ok: [401] });
      expect(own.status).to.equal(401);
      expect(await ours(), 'cinder-api, its cached validation notwithstanding').to.equal(401);
    } finally {
      await cinder.stop();
      const stopping = Date.now();
      await short.stop();
      console.log(`      (5 s-token Keystone: start ${((started - t0) / 1000).toFixed(1)} s, test ${((stopping - started) / 1000).toFixed(1)} s, stop ${((Date.now() - stopping) / 1000).toFixed(1)} s)`);
    }
  });
});
