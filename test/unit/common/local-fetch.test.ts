// LocalRoutes (common/api/local-fetch.ts): a request to an API this process serves is handled
// by its fastify instance without a socket and reads as a fetch Response; any other URL, or
// the same one once the API has stopped serving, goes out over the network.
import { expect } from 'chai';
import Fastify, { type FastifyInstance } from 'fastify';
import { LocalRoutes, serveApi } from '../../../common/api';

describe('LocalRoutes: in-process fetch of a served API', () => {
  let app: FastifyInstance;
  let other: FastifyInstance;
  const routes = new LocalRoutes();
  let url = '';
  let otherUrl = '';
  let stop: () => Promise<void>;
  let connections = 0;

  before(async () => {
    app = Fastify();
    app.post('/v3/p/echo', async (req, reply) => reply.code(202).header('x-openstack-request-id', 'req-1').send({ got: req.body, h: req.headers['x-auth-token'] }));
    app.delete('/v3/p/thing', async (_req, reply) => reply.code(204).send());
    app.get('/v3/p/slow', () => new Promise(() => undefined));
    const served = await serveApi(app, 'test-api', '127.0.0.1', 0, async () => undefined, routes);
    url = served.url;
    app.server.on('connection', () => { connections++; });
    stop = served.stop;
    other = Fastify();
    other.get('/ping', async () => ({ pong: true }));
    await other.listen({ host: '127.0.0.1', port: 0 });
    otherUrl = `http://127.0.0.1:${(other.server.address() as { port: number }).port}`;
  });
  after(async () => { await other.close(); });

  it('hands a served URL to the app: status, headers and JSON body as over HTTP', async () => {
    const res = await routes.fetch(`${url}/v3/p/echo`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': 't' }, body: JSON.stringify({ a: 1 }),
    });
    expect([res.status, res.ok, res.statusText]).to.deep.equal([202, true, 'Accepted']);
    expect(res.headers.get('x-openstack-request-id')).to.equal('req-1');
    expect(res.headers.get('X-OpenStack-Request-Id'), 'names are case-insensitive').to.equal('req-1');
    expect(res.headers.get('x-absent')).to.equal(null);
    expect(await res.json()).to.deep.equal({ got: { a: 1 }, h: 't' });
    const viaHeaders = await routes.fetch(`${url}/v3/p/echo`, {
      method: 'POST', headers: new Headers({ 'Content-Type': 'application/json', 'X-Auth-Token': 't2' }), body: '{"b":2}',
    });
    expect(await viaHeaders.json()).to.deep.equal({ got: { b: 2 }, h: 't2' });
    const empty = await routes.fetch(`${url}/v3/p/thing`, { method: 'DELETE' });
    expect([empty.status, await empty.text()]).to.deep.equal([204, '']);
    // As Response.json() on an empty body.
    expect(await (await routes.fetch(`${url}/v3/p/thing`, { method: 'DELETE' })).json().then(() => null, (e: Error) => e.name)).to.equal('SyntaxError');
    expect(connections).to.equal(0);
    // The counter sees a real request: the one above made no connection.
    expect((await fetch(`${url}/v3/p/thing`, { method: 'DELETE' })).status).to.equal(204);
    expect(connections).to.equal(1);
  });

  it('rejects as fetch does when the signal aborts first, or past timeoutMs', async () => {
    const err = await routes.fetch(`${url}/v3/p/slow`, { signal: AbortSignal.timeout(50) }).then(() => null, (e: Error) => e);
    expect(err?.name).to.equal('TimeoutError');
    // timeoutMs: the same deadline without building a signal.
    const late = await routes.fetch(`${url}/v3/p/slow`, { timeoutMs: 50 }).then(() => null, (e: Error) => e);
    expect(late?.name).to.equal('TimeoutError');
  });

  it('sends any other origin over the network, and a stopped API no longer answers in process', async () => {
    expect(await (await routes.fetch(`${otherUrl}/ping`)).json()).to.deep.equal({ pong: true });
    await stop();
    const err = await routes.fetch(`${url}/v3/p/thing`, { method: 'DELETE' }).then(() => null, (e: Error) => e);
    expect(err?.message).to.equal('fetch failed');
  });
});
