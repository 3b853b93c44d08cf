import { expect } from 'chai';
import { authStrategy, createApiApp, idOf, signToken, verifyToken, type FastifyInstance } from '../../../common/api';
import { identityRoutes, parseUsers } from '../../../nova-api/stubs/keystone';

const SECRET = 'a-test-secret-of-at-least-32-characters';

describe('common/api minimal Keystone', () => {
  let app: FastifyInstance;
  before(async () => {
    const auth = authStrategy('keystone', SECRET);
    app = createApiApp({ name: 'test.identity', auth });
    identityRoutes(app, { users: parseUsers(['admin:secret:admin:admin', 'demo:pw:demo']), secret: SECRET });
    app.get('/whoami', async (req) => ({ user: req.ctx.userId, project: req.ctx.projectId, admin: req.ctx.isAdmin }));
    await app.ready();
  });
  after(() => app.close());

  const passwordBody = (name: string, password: string, project: string): Record<string, unknown> => ({
    auth: {
      identity: { methods: ['password'], password: { user: { name, password, domain: { name: 'Default' } } } },
      scope: { project: { name: project, domain: { name: 'Default' } } },
    },
  });

  it('serves the v3 version document without a token', async () => {
    const r = await app.inject({ url: '/identity/v3', headers: { host: '127.0.0.1:9999' } });
    expect(r.statusCode).to.equal(200);
    expect(r.json().version.id).to.equal('v3.14');
    expect(r.json().version.links[0].href).to.equal('http://127.0.0.1:9999/identity/v3/');
  });

  it('issues a token with a catalog for a good password, usable on the APIs', async () => {
    const r = await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', headers: { host: '127.0.0.1:9999' }, payload: passwordBody('demo', 'pw', 'demo') });
    expect(r.statusCode).to.equal(201);
    const token = r.headers['x-subject-token'] as string;
    const body = r.json().token;
    expect(body.project.id).to.equal(idOf('project', 'demo'));
    const types = body.catalog.map((c: { type: string }) => c.type);
    expect(types).to.include.members(['compute', 'volumev3', 'image']);
    const vol = body.catalog.find((c: { type: string }) => c.type === 'volumev3');
    expect(vol.endpoints[0].url).to.equal(`http://127.0.0.1:9999/volume/v3/${idOf('project', 'demo')}`);
    const who = await app.inject({ url: '/whoami', headers: { 'x-auth-token': token } });
    expect(who.json()).to.deep.equal({ user: idOf('user', 'demo'), project: idOf('project', 'demo'), admin: false });
    // Token method (nova --os-token) re-issues for the same user.
    const again = await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: { auth: { identity: { methods: ['token'], token: { id: token } } } } });
    expect(again.statusCode).to.equal(201);
  });

  it('issues tokens for an hour by default, as Keystone\'s [token] expiration', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: passwordBody('demo', 'pw', 'demo') });
    const exp = verifyToken(r.headers['x-subject-token'] as string, SECRET)?.exp as number;
    expect(exp - before).to.be.within(3600, 3601);
    expect(Date.parse(r.json().token.expires_at) / 1000).to.equal(exp);
  });

  it('issues from a token a token that ends when that one does (a token method never extends one)', async () => {
    const exp = Math.floor(Date.now() / 1000) + 100;
    const claims = { user_id: idOf('user', 'demo'), user_name: 'demo', project_id: idOf('project', 'demo'), project_name: 'demo', roles: ['member', 'reader'], exp };
    const r = await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: { auth: { identity: { methods: ['token'], token: { id: signToken(claims, SECRET) } } } } });
    expect(r.statusCode).to.equal(201);
    expect(Date.parse(r.json().token.expires_at) / 1000).to.equal(exp);
    expect(verifyToken(r.headers['x-subject-token'] as string, SECRET)?.exp).to.equal(exp);
  });

  it('answers a token method whose id is not a string with 401, not 500', async () => {
    for (const id of [123, null, {}, ['x']]) {
      const r = await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: { auth: { identity: { methods: ['token'], token: { id } } } } });
      expect(r.statusCode, JSON.stringify(id)).to.equal(401);
    }
  });

  it('refuses a wrong password, a foreign project and a forged token with 401', async () => {
    expect((await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: passwordBody('demo', 'nope', 'demo') })).statusCode).to.equal(401);
    expect((await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: passwordBody('demo', 'pw', 'admin') })).statusCode).to.equal(401);
    expect((await app.inject({ url: '/whoami', headers: { 'x-auth-token': 'admin:admin' } })).statusCode).to.equal(401);
    expect((await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: '{' , headers: { 'content-type': 'application/json' } })).statusCode).to.equal(400);
  });

  it('shows projects as Keystone\'s policies let each user see them', async () => {
    const tokenOf = async (name: string, pw: string): Promise<string> =>
      (await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: passwordBody(name, pw, name) })).headers['x-subject-token'] as string;
    const [admin, demo] = [await tokenOf('admin', 'secret'), await tokenOf('demo', 'pw')];
    const get = (url: string, token: string) => app.inject({ url, headers: { 'x-auth-token': token, host: '127.0.0.1:9999' } });
    const all = await get('/identity/v3/projects', admin);
    expect(all.statusCode).to.equal(200);
    expect(all.json().projects.map((p: { name: string; id: string }) => [p.name, p.id])).to.deep.equal([['admin', idOf('project', 'admin')], ['demo', idOf('project', 'demo')]]);
    expect((await get('/identity/v3/projects?name=demo', admin)).json().projects.map((p: { name: string }) => p.name)).to.deep.equal(['demo']);
    expect((await get(`/identity/v3/projects/${idOf('project', 'demo')}`, demo)).json().project).to.include({ name: 'demo', domain_id: 'default', enabled: true });
    expect((await get('/identity/v3/projects', demo)).statusCode).to.equal(403);
    expect((await get(`/identity/v3/projects/${idOf('project', 'admin')}`, demo)).statusCode).to.equal(403);
    expect((await get('/identity/v3/projects/nope', admin)).statusCode).to.equal(404);
    const mine = await get(`/identity/v3/users/${idOf('user', 'demo')}/projects`, demo);
    expect(mine.json().projects.map((p: { name: string }) => p.name)).to.deep.equal(['demo']);
    expect((await get(`/identity/v3/users/${idOf('user', 'admin')}/projects`, demo)).statusCode).to.equal(403);
    expect((await get('/identity/v3/projects', 'forged')).statusCode).to.equal(401);
  });
});

describe('common/api minimal Keystone in noauth2 mode', () => {
  it('hands out user:project tokens that noauth2 APIs accept, with project ids = names', async () => {
    const app = createApiApp({ name: 'test.identity', auth: authStrategy('noauth2', 'x') });
    identityRoutes(app, { users: parseUsers(['admin:secret:admin']), secret: 'x', mode: 'noauth2' });
    app.get('/whoami', async (req) => ({ project: req.ctx.projectId, admin: req.ctx.isAdmin }));
    const r = await app.inject({
      method: 'POST', url: '/identity/v3/auth/tokens',
      payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'secret' } } }, scope: { project: { name: 'admin' } } } },
    });
    expect(r.statusCode).to.equal(201);
    expect(r.headers['x-subject-token']).to.equal('admin:admin');
    expect(r.json().token.project.id).to.equal('admin');
    const who = await app.inject({ url: '/whoami', headers: { 'x-auth-token': r.headers['x-subject-token'] as string } });
    expect(who.json()).to.deep.equal({ project: 'admin', admin: true });
    for (const id of [123, null, {}]) {
      const bad = await app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: { auth: { identity: { methods: ['token'], token: { id } } } } });
      expect(bad.statusCode, JSON.stringify(id)).to.equal(401);
    }
    await app.close();
  });
});

describe('common/api Glance stub', () => {
  it('serves the one image by id and by name (what the clients resolve --image with); others 404', async () => {
    const app = createApiApp({ name: 'test.image', auth: authStrategy('noauth2', 'x') });
    identityRoutes(app, { users: parseUsers(['admin:secret:admin']), secret: 'x', mode: 'noauth2' });
    const h = { 'x-auth-token': 'admin:admin' };
    const id = '70a599e0-31e7-49b7-b260-868f441e862b';
    const one = await app.inject({ url: `/image/v2/images/${id}`, headers: h });
    expect(one.statusCode).to.equal(200);
    expect(one.json()).to.include({ id, name: 'cirros-0.6.2-x86_64-disk', status: 'active', self: `/v2/images/${id}` });
    const byName = await app.inject({ url: '/image/v2/images?name=cirros-0.6.2-x86_64-disk', headers: h });
    expect(byName.json().images.map((i: { id: string }) => i.id)).to.deep.equal([id]);
    expect((await app.inject({ url: '/image/v2/images?name=nope', headers: h })).json().images).to.deep.equal([]);
    expect((await app.inject({ url: '/image/v2/images/0b7f5b8e-1c1d-4e55-a1a2-9f3e4d5c6b7a', headers: h })).statusCode).to.equal(404);
    await app.close();
  });
});
