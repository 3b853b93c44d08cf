// npm run bench:requests — what one request of each kind costs the services, at one request
// in flight: CPU ms per request of cinder-api and cinder-volume (from /proc) on the
// multi-process layout (RabbitMQ + MariaDB, fake drivers, noauth2), then CPU µs per request
// cinder-api takes in process in the all-in-one (its LocalRoutes, as Nova's calls go; this
// process's CPU). The cycles of bench:attach are made of these; this says which one to make
// cheaper. Each multi-process kind runs twice in a row, to show what V8's warm-up costs; then
// what one statement costs MariaDB as a text query and as a prepared one, what one costs this
// process through TypeORM's runner, the direct path and mysql2 alone (db-paths.ts), what a span costs
// the trace store (bench/span-store.ts), what CinderDB's one-statement folds cost against the
// statements they replaced (bench/db-folds.ts); then ("client") the
// CPU of one loopback request through the global fetch, our HTTP client and the load generator's.
// Prints figures and asserts nothing. Knobs (bounded): BENCH_REQUESTS per kind (500, at most
// 5000); BENCH_DB; BENCH_LAYOUTS ("multi,embedded,client").
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from './cycles';
import { liftQuota, multiProcess, PROJECT, TOKEN, type Layout } from './layouts';
import { cpuSeconds, freePort, type Proc } from './procs';
import { setupLogging } from '../common/log';
import { loadAllInOneConfig, startAllInOne } from '../all-in-one/main';
import { createConnection } from 'mysql2/promise';
import { httpFetch } from '../common/api/http-client';
import { parseDatabaseUrl } from '../common/db';
import { dbSocket, freshServers, serverProcs, servers } from './servers';
import { perSpan } from './span-store';
import { perPath } from './db-paths';
import { perFold } from './db-folds';

const N = Math.min(Number(process.env.BENCH_REQUESTS ?? 500), 5000);
const LAYOUTS = new Set((process.env.BENCH_LAYOUTS ?? 'multi,embedded,client').split(','));
const CONNECTOR = { ip: '127.0.0.1', host: 'bench-host', initiator: 'iqn.1993-08.org.debian:01:bench0000001' };

/** Each request kind against the all-in-one's cinder-api through LocalRoutes, in this process. */
async function inProcess(work: string): Promise<void> {
  setupLogging({ silent: true });
  const [np, cp] = [await freePort(), await freePort()];
  const conf = join(work, 'embedded.conf');
  writeFileSync(conf, ['[DEFAULT]', `osapi_compute_listen_port = ${np}`, `osapi_volume_listen_port = ${cp}`, '[api]', 'auth_strategy = noauth2'].join('\n'));
  const run = await startAllInOne(loadAllInOneConfig({ configFiles: [conf], dataDir: join(work, 'data'), env: {} }), join(work, 'data'));
  try {
    const base = `http://127.0.0.1:${cp}`;
    const headers = { 'X-Auth-Token': TOKEN, Accept: 'application/json', 'Content-Type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
      const r = await run.localRoutes.fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      if (r.status >= 400) throw new Error(`${method} ${path} → ${r.status}`);
      return r.status === 204 ? null : r.json();
    };
    await liftQuota(`${base}/v3/${PROJECT}`);
    const vid = ((await call('POST', `/v3/${PROJECT}/volumes`, { volume: { size: 1 } })) as { volume: { id: string } }).volume.id;
    const kinds: Array<[string, () => Promise<unknown>]> = [
      ['GET / (versions, no database)', () => call('GET', '/')],
      ['GET /volumes/{id}', () => call('GET', `/v3/${PROJECT}/volumes/${vid}`)],
    ];
    console.log(`\n# in process: the all-in-one's cinder-api through LocalRoutes, ${N} of each\n`);
    for (const [name, send] of kinds) {
      // Warmed up as long as it is measured: the first thousands of calls are still being compiled.
      for (let i = 0; i < N; i++) {
        await send();
        await new Promise((r) => setImmediate(r));
      }
      const c0 = process.cpuUsage();
      // Yield to the event loop each time, as requests from a socket would: the injected
      // request's clean-up waits in the immediate queue.
      for (let i = 0; i < N; i++) {
        await send();
        await new Promise((r) => setImmediate(r));
      }
      const c = process.cpuUsage(c0);
      console.log(`${name.padEnd(38)} ${((c.user + c.system) / N).toFixed(0)} µs of CPU`);
    }
  } finally {
    await run.stop();
  }
}

async function multi(work: string): Promise<void> {
  const stopServers = servers(work);
  try {
    await multiOn(work);
  } finally {
    stopServers();
  }
}

async function multiOn(work: string): Promise<void> {
  const db = await freshServers();
  try {
    await timeRequests(await multiProcess(mkdtempSync(join(work, 'multi-')), db), db.cinderDb);
  } finally {
    await db.drop();
  }
}

async function timeRequests(layout: Layout, cinderDb: string): Promise<void> {
  const cinder = new Client(layout.cinderUrl, TOKEN);
  const root = new Client(layout.cinderUrl.replace(/\/v3\/.*$/, ''), TOKEN);
  try {
    await liftQuota(layout.cinderUrl);
    const vid = (await cinder.expect('POST', '/volumes', 202, { volume: { size: 1, name: 'bench-requests' } })).body.volume.id as string;
    for (let i = 0; (await cinder.expect('GET', `/volumes/${vid}`, 200)).body.volume.status !== 'available'; i++) {
      if (i > 600) throw new Error(`volume ${vid} not available`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const procs = layout.procs.filter((p) => p.name.startsWith('cinder-'));
    const act = (body: unknown, code: number) => () => cinder.expect('POST', `/volumes/${vid}/action`, code, body);
    const kinds: Array<[string, () => Promise<unknown>]> = [
      ['GET / (versions, no database)', () => root.req('GET', '/')],
      ['GET /volumes/{id}', () => cinder.expect('GET', `/volumes/${vid}`, 200)],
      ['os-reserve + os-unreserve', async () => { await act({ 'os-reserve': null }, 202)(); await act({ 'os-unreserve': null }, 202)(); }],
      ['os-initialize_connection (RPC call)', act({ 'os-initialize_connection': { connector: CONNECTOR } }, 200)],
    ];
    console.log(`\n# bench:requests — ${N} of each, one in flight, twice in a row (a fresh process, then warmer); MariaDB over ${dbSocket() ? 'its local socket' : 'loopback TCP'}\n`);
    for (const [name, send] of kinds) {
      for (let i = 0; i < Math.min(50, N); i++) await send();
      const passes: Array<{ cpu: number[]; wall: number }> = [];
      for (let pass = 0; pass < 2; pass++) {
        const before = procs.map((p: Proc) => cpuSeconds(p.pid));
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < N; i++) await send();
        passes.push({ wall: Number(process.hrtime.bigint() - t0) / 1e6 / N, cpu: procs.map((p, i) => ((cpuSeconds(p.pid) - before[i]) * 1000) / N) });
      }
      const cpu = procs.map((p, i) => `${p.name} ${passes[0].cpu[i].toFixed(2)} → ${passes[1].cpu[i].toFixed(2)} ms`);
      console.log(`${name.padEnd(38)} ${cpu.join('   ')}   (${passes[1].wall.toFixed(2)} ms wall)`);
    }
    await perStatement(cinderDb, vid);
    if (parseDatabaseUrl(cinderDb).type === 'mysql') await perPath(cinderDb, vid, Math.min(8 * N, 20_000));
    const mariadb = serverProcs().find((p) => p.name === 'MariaDB');
    if (mariadb && parseDatabaseUrl(cinderDb).type === 'mysql') await perSpan(cinderDb, mariadb, Math.min(40 * N, 200_000));
    if (mariadb && parseDatabaseUrl(cinderDb).type === 'mysql') await perFold(cinderDb, mariadb, Math.min(6 * N, 6000));
  } finally {
    cinder.close();
    root.close();
    await layout.stop();
  }
}

/**
 * One volume row read 4N times as a text query (what TypeORM sends) and as a server-side
 * prepared statement, interleaved twice: MariaDB's CPU and this client's, per statement.
 */
async function perStatement(url: string, vid: string): Promise<void> {
  // Four times the requests' count: MariaDB's CPU is read in 10 ms ticks.
  const n = Math.min(4 * N, 20_000);
  const u = parseDatabaseUrl(url);
  const mariadb = serverProcs().find((p) => p.name === 'MariaDB');
  if (u.type !== 'mysql' || !mariadb) return;
  const conn = await createConnection({ host: u.host, port: u.port, socketPath: u.socketPath, user: u.username, password: u.password, database: u.database });
  try {
    const sql = 'SELECT * FROM volumes WHERE id = ? AND deleted = ?';
    console.log(`\n# one volume row read ${n} times on one connection: CPU per statement\n`);
    const read = (mode: 'query' | 'execute'): Promise<unknown> => (mode === 'query' ? conn.query(sql, [vid, 0]) : conn.execute(sql, [vid, 0]));
    for (let i = 0; i < Math.min(200, N); i++) await Promise.all([read('query'), read('execute')]);
    for (let round = 0; round < 2; round++) {
      for (const mode of ['query', 'execute'] as const) {
        const [s0, c0] = [cpuSeconds(mariadb.pid), process.cpuUsage()];
        for (let i = 0; i < n; i++) await read(mode);
        const c = process.cpuUsage(c0);
        console.log(`${mode === 'query' ? 'text query' : 'prepared (execute)'}`.padEnd(38)
          + ` MariaDB ${(((cpuSeconds(mariadb.pid) - s0) * 1e6) / n).toFixed(0)} µs   client ${((c.user + c.system) / n).toFixed(0)} µs`);
      }
    }
  } finally {
    await conn.end();
  }
}

/** A loopback request and its answer through the global fetch and through httpFetch, server in this process. */
async function clients(): Promise<void> {
  const body = JSON.stringify({ volume: { id: '0'.repeat(36), status: 'available', attachments: [] } });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(body));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/p/volumes/x`;
  const init = { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': 't' }, body: '{"a":1}' };
  const generator = { socket: new Client(url, 't', 'socket'), node: new Client(url, 't', 'node') };
  const ways: Array<[string, () => Promise<unknown>]> = [
    ['global fetch (undici)', async () => (await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) })).json()],
    ['httpFetch (node http, keep-alive)', async () => (await httpFetch(url, { ...init, timeoutMs: 60_000 })).json()],
    // The benchmarks' load generator (bench/http-client.ts), both ways BENCH_CLIENT picks.
    ['load generator, plain socket', () => generator.socket.req('POST', '', { a: 1 })],
    ['load generator, node http', () => generator.node.req('POST', '', { a: 1 })],
  ];
  try {
    console.log(`\n# the services' HTTP client: ${N} loopback requests, client and server both in this process\n`);
    for (let round = 0; round < 2; round++) {
      for (const [name, send] of ways) {
        for (let i = 0; i < N; i++) await send();
        const c0 = process.cpuUsage();
        for (let i = 0; i < N; i++) await send();
        const c = process.cpuUsage(c0);
        console.log(`${name.padEnd(38)} ${((c.user + c.system) / N).toFixed(0)} µs of CPU`);
      }
    }
  } finally {
    generator.socket.close();
    generator.node.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'attachd-bench-requests-'));
  try {
    if (LAYOUTS.has('multi')) await multi(work);
    if (LAYOUTS.has('embedded')) await inProcess(work);
    if (LAYOUTS.has('client')) await clients();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:requests: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
