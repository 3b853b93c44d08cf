// Cinder with its MariaDB stopped (the private server of scripts/test.sh): cinder-api answers
// 503 with Retry-After instead of 500; cinder-volume's periodic reconciler keeps running through
// the outage and, once the database is back, converges without a restart.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { FakeDriver } from '../../../cinder-volume/drivers';
import { waitFor } from '../../support/processes';
import { join } from 'node:path';
import { createTestDatabase, requireServersDir, startDatabase, stopDatabase, viaSocket } from '../../support/servers';
import { startCinderApi } from '../../../cinder-api/main';
import { cinderConf, startCinder, type Cinder } from '../../functional/cinder/cinder-stack';

describe('cinder while MariaDB is down', function () {
  this.timeout(180_000);
  let c: Cinder | null = null;
  let db: { url: string; drop: () => Promise<void> } | null = null;
  let stopped = false;

  before(async function () {
    db = await createTestDatabase(this, 'cinder');
    requireServersDir(this);
    c = await startCinder({ database: { connection: db.url }, DEFAULT: { periodic_interval: 1 } });
  });
  after(async () => {
    if (stopped) await startDatabase();
    await c?.stop().catch(() => undefined);
    await db?.drop();
  });

  it('answers 503 during the outage; the reconciler survives it and converges after, without a restart', async () => {
    const cinder = c!;
    const fake = cinder.volume.backends[0].driver as FakeDriver;
    const id = await cinder.createVolume();

    await stopDatabase();
    stopped = true;
    for (const r of [
      await cinder.req('GET', `/v3/demo/volumes/${id}`),
      await cinder.action(id, 'os-reserve', null),
      await cinder.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1 } } }),
      await cinder.req('GET', '/v3/admin/os-volume-exports', { token: 'admin:admin' }),
    ]) {
      expect(r.status, JSON.stringify(r.body)).to.equal(503);
      expect(r.body.serviceUnavailable.code).to.equal(503);
      expect(r.headers.get('retry-after')).to.be.a('string');
    }
    // Drift only the database can judge: an export of a volume nobody knows.
    const stranger = randomUUID();
    fake.exports.add(stranger);
    let failed: unknown = null;
    try {
      await cinder.volume.backends[0].manager.reconciler.runOnce();
    } catch (e) {
      failed = e;
    }
    expect((failed as Error | null)?.message, 'a pass without the database fails').to.be.a('string');
    expect(fake.exports.has(stranger)).to.equal(true);

    await startDatabase();
    stopped = false;
    await waitFor(async () => (await cinder.req('GET', `/v3/demo/volumes/${id}`)).status === 200, 60_000, 'cinder-api to answer again', 250);
    // the periodic passes, still scheduled, repair it by themselves
    await waitFor(() => !fake.exports.has(stranger), 60_000, 'the reconciler to remove the unknown export', 250);
    expect((await cinder.action(id, 'os-reserve', null)).status).to.equal(202);
  });

  it('a cinder-api started while the database is down waits for it ([database] max_retries), then serves', async () => {
    const conf = cinderConf({ database: { connection: db!.url, max_retries: 120, retry_interval: 1 } });
    await stopDatabase();
    stopped = true;
    let settled: string | null = null;
    const starting = startCinderApi(conf, { transport: c!.transport, port: 0 });
    starting.then(() => { settled = 'started'; }, (e: Error) => { settled = `failed: ${e.message}`; });
    // Three attempts' worth of outage: it neither fails nor starts without its database.
    await new Promise((r) => setTimeout(r, 3000));
    expect(settled).to.equal(null);
    await startDatabase();
    stopped = false;
    const api = await starting;
    try {
      const r = await fetch(`${api.url}/v3/demo/volumes`, { headers: { 'X-Auth-Token': 'demo:demo' }, signal: AbortSignal.timeout(30_000) });
      expect(r.status).to.equal(200);
    } finally {
      await api.stop();
    }
  });

  // MariaDB removes its socket file when it stops: connecting then fails with ENOENT, which
  // answered 500 until it counted as a lost database.
  it('a cinder-api that reaches MariaDB through its unix socket answers 503 too', async function () {
    const sock = join(requireServersDir(this), 'db', 'mysqld.sock');
    const conf = cinderConf({ database: { connection: viaSocket(db!.url, sock) } });
    const api = await startCinderApi(conf, { transport: c!.transport, port: 0 });
    const list = async (): Promise<Response> => fetch(`${api.url}/v3/demo/volumes`, { headers: { 'X-Auth-Token': 'demo:demo' }, signal: AbortSignal.timeout(30_000) });
    try {
      expect((await list()).status).to.equal(200);
      await stopDatabase();
      stopped = true;
      const r = await list();
      expect(r.status, await r.clone().text()).to.equal(503);
      expect(((await r.json()) as { serviceUnavailable: { code: number } }).serviceUnavailable.code).to.equal(503);
      await startDatabase();
      stopped = false;
      await waitFor(async () => (await list()).status === 200, 60_000, 'cinder-api to answer again', 250);
    } finally {
      await api.stop();
    }
  });
});
