// bench:statements — how many SQL statements one cycle costs, and which. The all-in-one runs in
// this process on SQLite, with better-sqlite3's statement methods counted, and the two cycles of
// bench:attach run against it (bench/cycles.ts). It prints statements per cycle, per kind, and
// the most frequent texts. Counts are exact, whatever the machine's load; the CPU figure beside
// them includes the client, so compare it within one run only.
// With BENCH_PER_REQUEST=1 it also prints the legacy cycle's statements request by request:
// each request's own and those of the work it casts, counted until no statement has run for
// 20 ms (at most 2 s per request). BENCH_PER_REQUEST=texts also lists each request's statements.
// Knobs (bounded): BENCH_CYCLES per cycle kind (40, at most 1000), BENCH_TOP (25).
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setupLogging } from '../common/log';
import { loadAllInOneConfig, startAllInOne } from '../all-in-one/main';
import { freePort } from '../test/support/processes';
import { Client, cinderCycle, LEGACY_ACTIONS, novaCycle, type Timings } from './cycles';
import { liftQuota, PROJECT, TOKEN } from './layouts';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const CYCLES = Math.min(env('BENCH_CYCLES', 40), 1000);
const TOP = env('BENCH_TOP', 25);

let counting = false;
/** Statements counted so far, and when the last one ran (ms). */
let seen = 0;
let lastAt = 0;
const texts = new Map<string, number>();
const spent = new Map<string, number>(); // statement text → ns spent executing it
/** Each statement's text in order, while a request's are listed (BENCH_PER_REQUEST=texts). */
let listed: string[] | null = null;

/** Count every statement run through better-sqlite3 while `counting`. */
function countStatements(): void {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const orig = proto[m];
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      if (!counting) return orig.apply(this, args);
      seen++;
      lastAt = Date.now();
      const t = this.source.replace(/\s+/g, ' ').trim();
      texts.set(t, (texts.get(t) ?? 0) + 1);
      listed?.push(t);
      const t0 = process.hrtime.bigint();
      try {
        return orig.apply(this, args);
      } finally {
        spent.set(t, (spent.get(t) ?? 0) + Number(process.hrtime.bigint() - t0));
      }
    };
  }
}

async function measure(name: string, cycle: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < 5; i++) await cycle(i);
  texts.clear();
  spent.clear();
  counting = true;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < CYCLES; i++) await cycle(i);
  const cpu = process.cpuUsage(cpu0);
  counting = false;
  const total = [...texts.values()].reduce((a, b) => a + b, 0);
  const ns = [...spent.values()].reduce((a, b) => a + b, 0);
  const kinds = new Map<string, number>();
  for (const [t, n] of texts) kinds.set(t.split(' ')[0].toUpperCase(), (kinds.get(t.split(' ')[0].toUpperCase()) ?? 0) + n);
  process.stdout.write(`\n${name}: ${(total / CYCLES).toFixed(1)} statements/cycle `
    + `(${[...kinds].map(([k, n]) => `${k} ${(n / CYCLES).toFixed(1)}`).join(', ')}); `
    + `CPU ${((cpu.user + cpu.system) / 1000 / CYCLES).toFixed(1)} ms/cycle, client included; `
    + `${(ns / 1e6 / CYCLES).toFixed(2)} ms/cycle inside SQLite\n  per cycle   µs  statement\n`);
  for (const [t, n] of [...texts].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    const us = (spent.get(t) ?? 0) / 1e3 / CYCLES;
    process.stdout.write(`  ${(n / CYCLES).toFixed(1).padStart(5)} ${us.toFixed(0).padStart(6)}  ${t.slice(0, 130)}\n`);
  }
}

/** The statements `send` costs, the work it started included: until none has run for 20 ms (at most 2 s). */
async function statementsOf(send: () => Promise<unknown>): Promise<number> {
  const n0 = seen;
  if (process.env.BENCH_PER_REQUEST === 'texts') listed = [];
  await send();
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && Date.now() - lastAt < 20) await new Promise((r) => setTimeout(r, 5));
  if (listed) process.stdout.write(listed.map((t) => `      ${t.slice(0, 150)}\n`).join('') + `    ↑ ${seen - n0}\n`);
  listed = null;
  return seen - n0;
}

/** One legacy cycle, request by request (BENCH_PER_REQUEST=1). */
async function perRequest(cinder: Client): Promise<void> {
  counting = true;
  let vid = '';
  const rows: Array<[string, number]> = [];
  rows.push(['create (with create_volume)', await statementsOf(async () => { vid = (await cinder.expect('POST', '/volumes', 202, { volume: { size: 1, name: 'per-request' } })).body.volume.id; })]);
  rows.push(['GET (a poll)', await statementsOf(() => cinder.expect('GET', `/volumes/${vid}`, 200))]);
  for (const [key, body, code] of LEGACY_ACTIONS) rows.push([key, await statementsOf(() => cinder.expect('POST', `/volumes/${vid}/action`, code, body))]);
  rows.push(['delete (with delete_volume)', await statementsOf(() => cinder.expect('DELETE', `/volumes/${vid}`, 202))]);
  counting = false;
  process.stdout.write('\nlegacy Cinder cycle, request by request (SQLite):\n');
  for (const [what, n] of rows) process.stdout.write(`  ${String(n).padStart(3)}  ${what}\n`);
}

async function main(): Promise<void> {
  setupLogging({ silent: true });
  countStatements();
  const dir = mkdtempSync(join(tmpdir(), 'attachd-bench-sql-'));
  const [np, cp] = [await freePort(), await freePort()];
  const confFile = join(dir, 'attachd.conf');
  writeFileSync(confFile, ['[DEFAULT]', `osapi_compute_listen_port = ${np}`, `osapi_volume_listen_port = ${cp}`, '[api]', 'auth_strategy = noauth2'].join('\n'));
  const run = await startAllInOne(loadAllInOneConfig({ configFiles: [confFile], dataDir: dir, env: {} }), dir);
  const nova = new Client(`http://127.0.0.1:${np}/v2.1`, TOKEN);
  const cinder = new Client(`http://127.0.0.1:${cp}/v3/${PROJECT}`, TOKEN);
  try {
    await liftQuota(`http://127.0.0.1:${cp}/v3/${PROJECT}`);
    const t: Timings = new Map();
    const polls = { n: 0 };
    await measure('legacy Cinder cycle', (i) => cinderCycle(cinder, t, polls, `sql-${i}`));
    if (process.env.BENCH_PER_REQUEST === '1' || process.env.BENCH_PER_REQUEST === 'texts') await perRequest(cinder);
    const server = (await nova.expect('POST', '/servers', 202, { server: { name: 'sql', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1' } })).body.server.id as string;
    const volume = (await cinder.expect('POST', '/volumes', 202, { volume: { size: 1, name: 'sql' } })).body.volume.id as string;
    const until = async (c: Client, path: string, ok: (b: any) => boolean): Promise<void> => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const deadline = Date.now() + 30_000;
      while (!ok((await c.expect('GET', path, 200)).body)) {
        if (Date.now() > deadline) throw new Error(`${path}: not ready within 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await until(nova, `/servers/${server}`, (b) => b.server.status === 'ACTIVE');
    await until(cinder, `/volumes/${volume}`, (b) => b.volume.status === 'available');
    await measure('Nova attach + detach cycle', () => novaCycle(nova, cinder, server, volume, t, polls));
  } finally {
    nova.close();
    cinder.close();
    await run.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:statements: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
