// npm run bench:requests — what one request of each kind costs the services, on the
// multi-process layout (RabbitMQ + MariaDB, fake drivers, noauth2): CPU ms per request of
// cinder-api and cinder-volume, from /proc, at one request in flight. The cycles of
// bench:attach are made of these; this says which one to make cheaper. Prints figures and
// asserts nothing. Knobs (bounded): BENCH_REQUESTS per kind (500, at most 5000); BENCH_DB.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from './cycles';
import { liftQuota, multiProcess, TOKEN } from './layouts';
import { cpuSeconds, type Proc } from './procs';
import { dbSocket, freshServers, servers } from './servers';

const N = Math.min(Number(process.env.BENCH_REQUESTS ?? 500), 5000);
const CONNECTOR = { ip: '127.0.0.1', host: 'bench-host', initiator: 'iqn.1993-08.org.debian:01:bench0000001' };

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'attachd-bench-requests-'));
  const stopServers = servers(work);
  const db = await freshServers();
  const layout = await multiProcess(mkdtempSync(join(work, 'multi-')), db);
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
    console.log(`\n# bench:requests — ${N} of each, one in flight; MariaDB over ${dbSocket() ? 'its local socket' : 'loopback TCP'}\n`);
    for (const [name, send] of kinds) {
      for (let i = 0; i < Math.min(50, N); i++) await send();
      const before = procs.map((p: Proc) => cpuSeconds(p.pid));
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) await send();
      const wall = Number(process.hrtime.bigint() - t0) / 1e6 / N;
      const cpu = procs.map((p, i) => `${p.name} ${(((cpuSeconds(p.pid) - before[i]) * 1000) / N).toFixed(2)} ms`);
      console.log(`${name.padEnd(38)} ${cpu.join('   ')}   (${wall.toFixed(2)} ms wall)`);
    }
  } finally {
    cinder.close();
    root.close();
    await layout.stop();
    await db.drop();
    stopServers();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:requests: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
