// /healthcheck as oslo.middleware's healthcheck answers: no token needed, 200 "OK" text/plain,
// 503 with one reason per failing backend, HEAD 204/503 without body, JSON on request; one
// result reused for a second.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createApiApp, healthcheckRoutes, brokerHealth, unauthorized, type HealthBackend } from '../../../common/api';
import { getRpcTransport } from '../../../common/rpc';

describe('/healthcheck', () => {
  let dbUp = true;
  let brokerUp = true;
  let calls = 0;
  const backends: HealthBackend[] = [
    { name: 'database', check: async () => { calls++; if (!dbUp) throw new Error('connect ECONNREFUSED 127.0.0.1:3306'); } },
    { name: 'message broker', check: async () => { if (!brokerUp) throw new Error('AMQP server unreachable\nsecond line'); } },
  ];
  const app = () => {
    // Every authenticated route would be refused: the health check must not need a token.
    const a = createApiApp({ name: 'test.api', auth: async () => { throw unauthorized(); } });
    healthcheckRoutes(a, backends);
    return a;
  };
  beforeEach(() => { dbUp = true; brokerUp = true; calls = 0; });

  it('answers 200 "OK" in plain text without a token', async () => {
    const r = await app().inject({ url: '/healthcheck' });
    expect(r.statusCode).to.equal(200);
    expect(r.headers['content-type']).to.equal('text/plain; charset=UTF-8');
    expect(r.body).to.equal('OK');
  });

  it('answers 503 with one line per failing backend', async () => {
    dbUp = false;
    brokerUp = false;
    const r = await app().inject({ url: '/healthcheck' });
    expect(r.statusCode).to.equal(503);
    expect(r.body.split('\n')).to.deep.equal([
      'database unreachable: connect ECONNREFUSED 127.0.0.1:3306', 'message broker unreachable: AMQP server unreachable',
    ]);
  });

  it('HEAD: 204 or 503, no body', async () => {
    const a = app();
    const ok = await a.inject({ method: 'HEAD', url: '/healthcheck' });
    expect([ok.statusCode, ok.body]).to.deep.equal([204, '']);
    brokerUp = false;
    const b = app();
    const bad = await b.inject({ method: 'HEAD', url: '/healthcheck' });
    expect([bad.statusCode, bad.body]).to.deep.equal([503, '']);
  });

  it('JSON when asked: {"detailed": false, "reasons": [...]}', async () => {
    dbUp = false;
    const r = await app().inject({ url: '/healthcheck', headers: { accept: 'application/json' } });
    expect(r.statusCode).to.equal(503);
    expect(r.json()).to.deep.equal({ detailed: false, reasons: ['database unreachable: connect ECONNREFUSED 127.0.0.1:3306'] });
  });

  it('checks the backends at most once a second', async () => {
    const a = app();
    await Promise.all([a.inject({ url: '/healthcheck' }), a.inject({ url: '/healthcheck' })]);
    dbUp = false;
    // Within the second: the cached OK.
    expect((await a.inject({ url: '/healthcheck' })).statusCode).to.equal(200);
    expect(calls).to.equal(1);
  });

  it('the broker backend: a transport that reaches its broker, and one that cannot', async () => {
    const fake = getRpcTransport(`fake://health-${randomUUID()}`);
    // A loopback port nothing listens on (reserved for discard, never bound here).
    const dead = getRpcTransport('rabbit://u:p@127.0.0.1:9/', { reconnectInitialMs: 50, reconnectMaxMs: 100 });
    try {
      await brokerHealth(fake).check();
      const err = await brokerHealth(dead, 300).check().then(() => null, (e: unknown) => e);
      expect((err as Error).message).to.match(/AMQP server unreachable|Unable to connect/);
      expect((err as Error).message).not.to.include(':p@');
    } finally {
      await fake.close();
      await dead.close();
    }
  });
});
