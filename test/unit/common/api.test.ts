import { expect } from 'chai';
import { connect, type AddressInfo } from 'node:net';
import { ConfigError } from '../../../common/exception';
import { IsOptional, IsString, Matches } from 'class-validator';
import {
  authStrategy, checkProjectInPath, checkTokenSecret, createApiApp, notFound, requestedVersion, signToken, validateBody,
  verifyToken, type FastifyInstance,
} from '../../../common/api';
import { HTTPFault } from '../../../common/api/faults';
import {
  CinderException, Invalid, InvalidInput, InvalidParameterValue, NotAuthorized, ValidationError, VolumeBackendAPIException,
} from '../../../cinder-common/exception';

/** What cinder-api's business layer throws, beside the HTTP fault it once threw for the same answer. */
const CODED: Array<[Error, HTTPFault]> = [
  [new Invalid({}, 'Cannot reset-state to deleting'), new HTTPFault(400, 'Cannot reset-state to deleting')],
  [new InvalidInput({}, 'No service found with host=h'), new HTTPFault(400, 'No service found with host=h')],
  [new InvalidParameterValue({ err: 'Services from different clusters found.' }), new HTTPFault(400, 'Services from different clusters found.')],
  [new ValidationError({ detail: "[] is not of type 'object'" }), new HTTPFault(400, "[] is not of type 'object'")],
  [new NotAuthorized({}, 'Access was denied to this resource.'), new HTTPFault(403, 'Access was denied to this resource.')],
  [new VolumeBackendAPIException({ data: 'x' }, 'Unable to fetch connection information from backend.'),
    new HTTPFault(500, 'Unable to fetch connection information from backend.')],
  [new CinderException({}, 'Unable to update attachment.(boom).'), new HTTPFault(500, 'Unable to update attachment.(boom).')],
];

class AttachDto {
  @IsString() volumeId!: string;
  @IsOptional() @IsString() @Matches(/^\/dev\/[a-z]+$/) device?: string | null;
}

function app(): FastifyInstance {
  const a = createApiApp({ name: 'test.api', auth: authStrategy('noauth2', 's'), requestIdHeaders: ['x-compute-request-id'], maxBodyBytes: 1024 });
  a.get('/', { config: { public: true } }, async () => ({ versions: [] }));
  a.get('/:project/things/:id', async (req) => {
    const p = req.params as { project: string; id: string };
    checkProjectInPath(req, p.project);
    if (p.id === 'missing') throw notFound('Thing missing could not be found.');
    if (p.id === 'boom') throw new Error('kaboom');
    return { ctx: { user: req.ctx.userId, project: req.ctx.projectId, admin: req.ctx.isAdmin } };
  });
  a.get('/p1/raise/:i/:http', async (req) => {
    const p = req.params as { i: string; http: string };
    throw CODED[Number(p.i)][p.http === '1' ? 1 : 0];
  });
  a.post('/things', async (req) => ({ got: validateBody(AttachDto, req.body, 'volumeAttachment') }));
  return a;
}

describe('common/api', () => {
  let a: FastifyInstance;
  before(async () => { a = app(); await a.ready(); });
  after(() => a.close());

  it('serves public routes without a token and asks for one elsewhere (401 fault)', async () => {
    expect((await a.inject({ url: '/' })).statusCode).to.equal(200);
    const r = await a.inject({ url: '/p1/things/x' });
    expect(r.statusCode).to.equal(401);
    expect(r.json()).to.have.nested.property('unauthorized.code', 401);
  });

  it('builds the context from a noauth2 token and sets request-id headers', async () => {
    const r = await a.inject({ url: '/p1/things/x', headers: { 'x-auth-token': 'alice:p1' } });
    expect(r.json()).to.deep.equal({ ctx: { user: 'alice', project: 'p1', admin: false } });
    expect(r.headers['x-openstack-request-id']).to.match(/^req-[0-9a-f-]{36}$/);
    expect(r.headers['x-compute-request-id']).to.equal(r.headers['x-openstack-request-id']);
    const admin = await a.inject({ url: '/admin/things/x', headers: { 'x-auth-token': 'admin:admin' } });
    expect(admin.json().ctx.admin).to.equal(true);
    // Ids longer than the columns that would store them (255) name no one: 401, not a database error later.
    const p255 = 'p'.repeat(255);
    expect((await a.inject({ url: `/${p255}/things/x`, headers: { 'x-auth-token': `alice:${p255}` } })).statusCode).to.equal(200);
    for (const token of [`alice:${'p'.repeat(256)}`, `${'u'.repeat(256)}:p1`, 'u'.repeat(256)]) {
      const r = await a.inject({ url: '/p1/things/x', headers: { 'x-auth-token': token } });
      expect(r.statusCode, token.slice(0, 8)).to.equal(401);
    }
  });

  it('refuses a URL project that is not the caller\'s', async () => {
    const r = await a.inject({ url: '/p2/things/x', headers: { 'x-auth-token': 'alice:p1' } });
    expect(r.statusCode).to.equal(400);
    expect(r.json().badRequest.message).to.equal("Malformed request URL: URL's project_id 'p2' doesn't match Context's project_id 'p1'");
  });

  it('reads JSON under the JSON types, text/plain or no type; any other type is 415', async () => {
    const h = { 'x-auth-token': 'alice:p1' };
    const body = JSON.stringify({ volumeAttachment: { volumeId: 'v1' } });
    for (const type of ['application/json', 'application/json; charset=UTF-8', 'application/vnd.openstack.compute+json', 'text/plain', undefined]) {
      const r = await a.inject({ method: 'POST', url: '/things', payload: body, headers: type ? { ...h, 'content-type': type } : h });
      expect(r.statusCode, String(type)).to.equal(200);
      expect(r.json().got.volumeId).to.equal('v1');
    }
    for (const type of ['application/xml', 'application/x-www-form-urlencoded']) {
      const r = await a.inject({ method: 'POST', url: '/things', payload: body, headers: { ...h, 'content-type': type } });
      expect(r.statusCode, type).to.equal(415);
      expect(r.json()).to.deep.equal({ badMediaType: { code: 415, message: 'Unsupported Content-Type' } });
    }
  });

  it('renders faults, unknown routes and unexpected errors in the OpenStack format', async () => {
    const h = { 'x-auth-token': 'alice:p1' };
    expect((await a.inject({ url: '/p1/things/missing', headers: h })).json()).to.deep.equal({ itemNotFound: { code: 404, message: 'Thing missing could not be found.' } });
    expect((await a.inject({ url: '/nowhere', headers: h })).json()).to.have.nested.property('itemNotFound.code', 404);
    const boom = await a.inject({ url: '/p1/things/boom', headers: h });
    expect(boom.statusCode).to.equal(500);
    expect(boom.json()).to.have.nested.property('computeFault.code', 500);
    expect(boom.body).to.not.contain('kaboom');
  });

  it('answers a coded exception exactly as the HTTP fault of the same status and text', async () => {
    const h = { 'x-auth-token': 'alice:p1' };
    for (let i = 0; i < CODED.length; i++) {
      const [coded, http] = await Promise.all(['0', '1'].map((k) => a.inject({ url: `/p1/raise/${i}/${k}`, headers: h })));
      expect([coded.statusCode, coded.headers['content-type'], coded.body], coded.body)
        .to.deep.equal([http.statusCode, http.headers['content-type'], http.body]);
      expect(coded.statusCode).to.equal(CODED[i][1].code);
    }
  });

  it('answers bad bodies with 4xx, never 500', async () => {
    const h = { 'x-auth-token': 'alice:p1', 'content-type': 'application/json' };
    const bad = await a.inject({ method: 'POST', url: '/things', headers: h, payload: '{"volumeAttachment": ' });
    expect(bad.statusCode).to.equal(400);
    expect(bad.json().badRequest.message).to.equal('Malformed request body');
    const big = await a.inject({ method: 'POST', url: '/things', headers: h, payload: JSON.stringify({ x: 'a'.repeat(4096) }) });
    expect(big.statusCode).to.equal(413);
    expect(big.json()).to.have.nested.property('overLimit.code', 413);
    const missing = await a.inject({ method: 'POST', url: '/things', headers: h, payload: '{}' });
    expect(missing.json().badRequest.message).to.equal("'volumeAttachment' is a required property");
    const extra = await a.inject({ method: 'POST', url: '/things', headers: h, payload: JSON.stringify({ volumeAttachment: { volumeId: 'v', bogus: 1 } }) });
    expect(extra.statusCode).to.equal(400);
    expect(extra.json().badRequest.message).to.contain('bogus');
    const wrongType = await a.inject({ method: 'POST', url: '/things', headers: h, payload: JSON.stringify({ volumeAttachment: { volumeId: 5 } }) });
    expect(wrongType.json().badRequest.message).to.match(/^Invalid input for field\/attribute volumeId\. Value: 5\./);
    const ok = await a.inject({ method: 'POST', url: '/things', headers: h, payload: JSON.stringify({ volumeAttachment: { volumeId: 'v', device: '/dev/vdb' } }) });
    expect(ok.json()).to.deep.equal({ got: { volumeId: 'v', device: '/dev/vdb' } });
  });

  it('answers a request its HTTP parser refuses (URL over 16 KiB, broken request line) with a fault, closing the connection', async () => {
    const served = app();
    await served.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = served.server.address() as AddressInfo;
      const raw = (text: string): Promise<string> => new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const s = connect(port, '127.0.0.1', () => s.write(text));
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        s.on('error', reject);
      });
      const parts = (res: string): { head: string; body: unknown } => ({ head: res.split('\r\n\r\n')[0], body: JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)) });
      const long = parts(await raw(`GET /p1/things/${'x'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: alice:p1\r\n\r\n`));
      expect(long.head).to.match(/^HTTP\/1\.1 431 /).and.match(/\r\nConnection: close/i).and.match(/\r\nContent-Type: application\/json/i);
      expect(long.body).to.deep.equal({ computeFault: { code: 431, message: 'Request line or headers too large.' } });
      const broken = parts(await raw('GET /p1/things/1 HTTP/1.1\r\nBad Header Line\r\n\r\n'));
      expect(broken.head).to.match(/^HTTP\/1\.1 400 /).and.match(/\r\nConnection: close/i);
      expect(broken.body).to.deep.equal({ badRequest: { code: 400, message: 'Malformed request.' } });
    } finally {
      await served.close();
    }
  });
});

describe('common/api microversions', () => {
  const nova = { service: 'compute', min: '2.1', max: '2.93', defaultVersion: '2.1', legacyHeader: 'X-OpenStack-Nova-API-Version' };
  const cinder = { service: 'volume', min: '3.0', max: '3.70', defaultVersion: '3.0' };

  it('reads either header, the modern one winning, and latest', () => {
    expect(requestedVersion({}, nova).toString()).to.equal('2.1');
    expect(requestedVersion({ 'x-openstack-nova-api-version': '2.49' }, nova).toString()).to.equal('2.49');
    expect(requestedVersion({ 'openstack-api-version': 'compute 2.79', 'x-openstack-nova-api-version': '2.49' }, nova).toString()).to.equal('2.79');
    expect(requestedVersion({ 'openstack-api-version': 'compute latest' }, nova).toString()).to.equal('2.93');
    expect(requestedVersion({ 'openstack-api-version': 'compute 2.1, volume 3.44' }, cinder).toString()).to.equal('3.44');
  });

  it('rejects malformed (400) and unsupported (406) versions', () => {
    const code = (f: () => unknown): number => { try { f(); } catch (e) { return (e as HTTPFault).code; } return 0; };
    expect(code(() => requestedVersion({ 'openstack-api-version': 'compute 2.x' }, nova))).to.equal(400);
    expect(code(() => requestedVersion({ 'openstack-api-version': 'compute 2.99' }, nova))).to.equal(406);
    expect(code(() => requestedVersion({ 'openstack-api-version': 'compute 2.1' }, cinder))).to.equal(400);
    expect(code(() => requestedVersion({ 'openstack-api-version': 'volume 3.71' }, cinder))).to.equal(406);
  });
});

describe('common/api keystone tokens', () => {
  const SECRET = 'a-test-secret-of-at-least-32-characters';

  it('verifies signed tokens and refuses forged or expired ones', async () => {
    const claims = { user_id: 'u', user_name: 'admin', project_id: 'p', project_name: 'admin', roles: ['admin'], exp: Date.now() / 1000 + 60 };
    const t = signToken(claims, SECRET);
    expect(verifyToken(t, SECRET)).to.deep.equal(claims);
    expect(verifyToken(t, 'other')).to.equal(null);
    expect(verifyToken(signToken({ ...claims, exp: 1 }, SECRET), SECRET)).to.equal(null);
    const ctx = await authStrategy('keystone', SECRET)({ token: t });
    expect(ctx.isAdmin).to.equal(true);
    expect(() => authStrategy('keystone', SECRET)({ token: 'admin:admin' })).to.throw(HTTPFault);
  });

  it('accepts only the exact token it signed: no extra part, no altered signature text', () => {
    const claims = { user_id: 'u', user_name: 'demo', project_id: 'p', project_name: 'demo', roles: ['member'], exp: Date.now() / 1000 + 60 };
    // A signature with a - or _ in it, so that its base64 spelling (+ /) differs.
    let t = signToken(claims, SECRET);
    for (let i = 1; !/[-_]/.test(t.split('.')[1]); i++) t = signToken({ ...claims, exp: claims.exp + i }, SECRET);
    const [body, sig] = t.split('.');
    expect(verifyToken(t, SECRET)).to.not.equal(null);
    const variants = {
      'a third part': `${t}.junk`, 'an empty third part': `${t}.`, 'padding': `${t}=`, 'characters outside base64url': `${t}!!`,
      'the base64 alphabet': `${body}.${sig.replace(/-/g, '+').replace(/_/g, '/')}`,
    };
    for (const [what, v] of Object.entries(variants)) expect(verifyToken(v, SECRET), what).to.equal(null);
    expect(() => authStrategy('keystone', SECRET)({ token: `${t}.junk` })).to.throw(HTTPFault);
    expect(() => authStrategy('keystone', SECRET)({ token: t, serviceToken: `${t}!!` })).to.throw(HTTPFault);
  });

  it('refuses signed claims of another shape with a 401, not a 500', () => {
    const claims = { user_id: 'u', user_name: 'demo', project_id: 'p', project_name: 'demo', roles: ['member'], exp: Date.now() / 1000 + 60 };
    for (const odd of [{ ...claims, roles: undefined }, { ...claims, roles: 'admin' }, { ...claims, exp: '99999999999' }, { ...claims, project_id: undefined }, null, [1]]) {
      const t = signToken(odd as never, SECRET);
      expect(verifyToken(t, SECRET), JSON.stringify(odd)).to.equal(null);
      expect(() => authStrategy('keystone', SECRET)({ token: t })).to.throw(HTTPFault);
    }
  });

  it('refuses to sign with an empty, short or published secret (anyone could forge tokens)', () => {
    for (const bad of ['', null, 'attachd-dev-secret', 'short-secret']) {
      expect(() => authStrategy('keystone', bad), String(bad)).to.throw(ConfigError, /token_secret/);
    }
    expect(() => checkTokenSecret(SECRET)).to.not.throw();
  });
});
