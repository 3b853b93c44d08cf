// The benchmarks' plain-socket HTTP client (bench/http-client.ts) reads every response framing a
// server may use, keeps its connection alive, and comes back after the server drops it.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '../../../bench/http-client';

describe('bench HTTP client', () => {
  let server: Server;
  let base: string;
  const ports = new Set<number>();

  before(async () => {
    server = createServer((req, res) => {
      ports.add(req.socket.remotePort as number);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.url === '/v3/p/echo') {
          const out = JSON.stringify({ method: req.method, token: req.headers['x-auth-token'], type: req.headers['content-type'] ?? null, body: body ? JSON.parse(body) : null, extra: req.headers['x-extra'] ?? null });
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) }).end(out);
        } else if (req.url === '/v3/p/chunked') {
          res.writeHead(200, { 'Content-Type': 'application/json' }); // no length: Node sends chunks
          res.write('{"volume": {"status": ');
          setImmediate(() => res.end('"available", "name": "ü"}}'));
        } else if (req.url === '/v3/p/until-close') {
          res.socket?.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nread until close');
        } else if (req.url === '/v3/p/drop') {
          res.setHeader('Connection', 'close');
          res.writeHead(202, { 'Content-Length': 0 }).end();
        } else {
          res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"itemNotFound": {"code": 404, "message": "no"}}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/p`;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => ports.clear());

  /** A client for the test's body, closed after it whatever happens. */
  const withClient = async (token: string, body: (c: Client) => Promise<void>): Promise<void> => {
    const c = new Client(base, token);
    try {
      await body(c);
    } finally {
      c.close();
    }
  };

  it('sends the token, a JSON body and extra headers, and reuses one connection', () => withClient('tok-1', async (c) => {
    for (let i = 0; i < 3; i++) {
      const r = await c.expect('POST', '/echo', 200, { volume: { size: i } }, { 'X-Extra': 'x' });
      expect(r.body).to.deep.equal({ method: 'POST', token: 'tok-1', type: 'application/json', body: { volume: { size: i } }, extra: 'x' });
    }
    expect((await c.req('GET', '/echo')).body).to.include({ method: 'GET', type: null, body: null });
    expect(ports.size).to.equal(1);
  }));

  it('reads chunked and close-delimited bodies, and JSON errors', () => withClient('t', async (c) => {
    expect((await c.expect('GET', '/chunked', 200)).body).to.deep.equal({ volume: { status: 'available', name: 'ü' } });
    expect((await c.expect('GET', '/until-close', 200)).body).to.equal('read until close');
    const r = await c.req('GET', '/missing');
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.code).to.equal(404);
    const err = await c.expect('GET', '/missing', 200).then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/^GET \/missing → 404 /);
  }));

  it('comes back on a new connection after the server closes one', () => withClient('t', async (c) => {
    expect((await c.req('POST', '/drop', {})).status).to.equal(202);
    expect((await c.req('POST', '/drop', {})).status).to.equal(202);
    expect((await c.expect('GET', '/echo', 200)).body.method).to.equal('GET');
    expect(ports.size).to.equal(3);
  }));

  it('runs overlapping calls one after the other on its one connection', () => withClient('t', async (c) => {
    const rs = await Promise.all([1, 2, 3, 4].map((i) => c.expect('POST', '/echo', 200, { i })));
    expect(rs.map((r) => r.body.body.i)).to.deep.equal([1, 2, 3, 4]);
    expect(ports.size).to.equal(1);
  }));

  it('rejects when nothing listens', async () => {
    const c = new Client('http://127.0.0.1:1/v3/p', 't');
    let err: Error | null = null;
    try {
      await c.req('GET', '/echo');
    } catch (e) {
      err = e as Error;
    } finally {
      c.close();
    }
    expect(err?.message).to.match(/GET \/echo: .*ECONNREFUSED/);
  });
});
