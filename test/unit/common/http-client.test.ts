// httpFetch (common/api/http-client.ts): the services' HTTP client answers as fetch does, keeps
// its connection between requests, and fails as fetch fails (timeout, abort, no server).
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpFetch } from '../../../common/api/http-client';

describe('common/api/http-client: httpFetch', () => {
  let server: http.Server;
  let url: string;
  let connections = 0;
  const slow: http.ServerResponse[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        if (req.url === '/slow') { slow.push(res); return; }
        if (req.method === 'DELETE') { res.writeHead(204).end(); return; }
        if (req.url === '/close') { req.socket.destroy(); return; }
        // A server killed half-way through its answer.
        if (req.url === '/half') { res.writeHead(200, { 'Content-Length': '100' }); res.write('partial', () => req.socket.destroy()); return; }
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'Content-Type': 'application/json', 'X-Twice': ['a', 'b'] });
        res.end(JSON.stringify({ method: req.method, token: req.headers['x-auth-token'] ?? null, body: body ? JSON.parse(body) as unknown : null }));
      });
    });
    server.on('connection', () => { connections++; });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const r of slow) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends method, headers and body; reads status, headers and JSON as fetch does', async () => {
    const res = await httpFetch(`${url}/echo`, { method: 'POST', headers: { 'X-Auth-Token': 't', 'Content-Type': 'application/json' }, body: '{"a":1}' });
    expect([res.status, res.ok, res.statusText]).to.deep.equal([200, true, 'OK']);
    expect(res.headers.get('content-type')).to.equal('application/json');
    expect(res.headers.get('X-TWICE')).to.equal('a, b');
    expect(res.headers.get('x-absent')).to.equal(null);
    expect(await res.json()).to.deep.equal({ method: 'POST', token: 't', body: { a: 1 } });
    const viaHeaders = await httpFetch(`${url}/echo`, { headers: new Headers({ 'X-Auth-Token': 't2' }) });
    expect(await viaHeaders.json()).to.deep.equal({ method: 'GET', token: 't2', body: null });
    const missing = await httpFetch(`${url}/missing`);
    expect([missing.status, missing.ok]).to.deep.equal([404, false]);
    const empty = await httpFetch(`${url}/thing`, { method: 'DELETE' });
    expect([empty.status, await empty.text()]).to.deep.equal([204, '']);
    expect(await empty.json().then(() => null, (e: Error) => e.name)).to.equal('SyntaxError');
  });

  it('keeps one connection for requests in sequence', async () => {
    const before = connections;
    for (let i = 0; i < 5; i++) expect((await httpFetch(`${url}/echo`)).status).to.equal(200);
    expect(connections - before).to.be.at.most(1);
  });

  it('a kept connection the server closed while idle is not used again', async () => {
    const brief = http.createServer((_req, res) => res.end('ok'));
    brief.keepAliveTimeout = 30;
    const closed: Array<Promise<void>> = [];
    brief.on('connection', (s) => closed.push(new Promise((r) => s.once('close', () => r()))));
    await new Promise<void>((r) => brief.listen(0, '127.0.0.1', r));
    const u = `http://127.0.0.1:${(brief.address() as AddressInfo).port}/`;
    try {
      expect(await (await httpFetch(u)).text()).to.equal('ok');
      await closed[0];
      expect(await (await httpFetch(u, { method: 'PUT', body: 'x' })).text()).to.equal('ok');
      expect(closed.length).to.equal(2);
    } finally {
      brief.closeAllConnections();
      await new Promise((r) => brief.close(r));
    }
  });

  it('rejects with a TimeoutError past timeoutMs, and with the reason when the signal aborts', async () => {
    const timedOut = await httpFetch(`${url}/slow`, { timeoutMs: 50 }).then(() => null, (e: Error) => e);
    expect(timedOut?.name).to.equal('TimeoutError');
    const aborted = await httpFetch(`${url}/slow`, { signal: AbortSignal.timeout(50) }).then(() => null, (e: Error) => e);
    expect(aborted?.name).to.equal('TimeoutError');
    const already = await httpFetch(`${url}/echo`, { signal: AbortSignal.abort(new Error('gone')) }).then(() => null, (e: Error) => e);
    expect(already?.message).to.equal('gone');
  });

  it('fails as fetch does when nothing answers: TypeError "fetch failed" with the cause', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const err = await httpFetch(`http://127.0.0.1:${port}/`).then(() => null, (e: Error & { cause?: { code?: string } }) => e);
    expect([err?.name, err?.message, err?.cause?.code]).to.deep.equal(['TypeError', 'fetch failed', 'ECONNREFUSED']);
    const hungUp = await httpFetch(`${url}/close`, { method: 'POST', body: '{}' }).then(() => null, (e: Error) => e);
    expect(hungUp?.message).to.equal('fetch failed');
    // Not left waiting for the deadline: the cut answer fails at once.
    const half = await httpFetch(`${url}/half`, { timeoutMs: 60_000 }).then(() => null, (e: Error & { cause?: { code?: string } }) => e);
    expect([half?.message, half?.cause?.code]).to.deep.equal(['fetch failed', 'ECONNRESET']);
    const bad = await httpFetch('ftp://127.0.0.1/').then(() => null, (e: Error) => e);
    expect(bad?.message).to.equal('fetch failed');
  });
});
