// npm run bench:attach — the whole attach, as users wait on it. In one run, interleaved rounds:
//  - the Nova + Cinder attach → in-use → detach → available cycle (each worker its own server
//    and volume) on the embedded all-in-one and on the multi-process layout over RabbitMQ +
//    MariaDB, at 1, 8 and 32 in flight;
//  - the legacy Cinder cycle against our cinder-api and, beside it, the real Cinder 21
//    (scripts/cinder-oracle.sh) on the same RabbitMQ and MariaDB, at 1 and 8;
//  - the same Nova cycle on the all-in-one with tracing off, to show what tracing costs;
//  - then the multi-process curve: more nova-api processes and computes, same load.
// For each point: cycles/s, p50/p99 of each step, CPU ms per cycle of each process, its RSS and
// its PSS (shared pages, such as the interpreter binary, counted as a share), read as each
// round of the point ends (the largest), and their totals; then, for the layouts on servers,
// the CPU the same load cost MariaDB and RabbitMQ (the private ones scripts/servers.sh runs).
// It prints figures and asserts nothing. Servers: TRANSPORT_URL, NOVA_DATABASE_URL and
// CINDER_DATABASE_URL if set, else a private pair from scripts/servers.sh (stopped after).
// Knobs (all bounded): BENCH_CYCLES per point per round (40), BENCH_ROUNDS (3), BENCH_WARMUP
// (40) and BENCH_WARMUP_SECONDS (10): each point first runs at least that many cycles and for at
// least that long, once, unmeasured, so every side, the real Cinder too, is measured warm (V8
// optimises a hot path only after thousands of calls; 0 and 0: none), BENCH_REWARM_SECONDS (3:
// unmeasured cycles before each round too, since the other points' rounds left the processes
// idle and V8's memory reducer shrank their heaps; 0: none), BENCH_C ("1,8,32"),
// BENCH_SECONDS per point (30), BENCH_LAYOUTS ("embedded,trace,multi,real,curve": which to
// run; trace is the all-in-one with [trace] enabled = true, to show what tracing costs;
// multitrace, not run by default, is the multi-process layout so, on its own databases),
// BENCH_CURVE ("1x1,2x2,4x2" as APIxCOMPUTES), BENCH_CURVE_CPU (0: each curve nova process may
// use the whole box; e.g. 0.2: each nova-api and nova-compute of the curve is limited to 0.2 of
// a core by a cgroup, root only, as if each ran on a node that size), BENCH_ONLY (regex over point names),
// BENCH_PROF=DIR (a V8 CPU profile of each service process, written at its exit), BENCH_CLIENT
// ("socket": the load generator's plain-socket HTTP client, bench/http-client.ts; "node": Node's), BENCH_DB
// ("socket": ours and the real Cinder reach MariaDB through its local socket when the private
// servers' one is there, as a single-machine deployment would; "tcp": loopback TCP).
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, cinderCycle, novaCycle, type Timings } from './cycles';
import { embedded, liftQuota, multiProcess, PROJECT, TOKEN, type Layout } from './layouts';
import { cpuSeconds, memoryMb, type Proc } from './procs';
import { dbSocket, freshServers, serverProcs, servers } from './servers';

const num = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const CYCLES = num('BENCH_CYCLES', 40);
const ROUNDS = num('BENCH_ROUNDS', 3);
const WARMUP = num('BENCH_WARMUP', 40);
const WARMUP_SECONDS = num('BENCH_WARMUP_SECONDS', 10);
const REWARM_SECONDS = num('BENCH_REWARM_SECONDS', 3);
const SECONDS = num('BENCH_SECONDS', 30);
const CONC = (process.env.BENCH_C ?? '1,8,32').split(',').map(Number);
const LAYOUTS = new Set((process.env.BENCH_LAYOUTS ?? 'embedded,trace,multi,real,curve').split(','));
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
/** The curve's nova-api and nova-compute processes each get this many cores (bench/cpu-cap.ts); 0: the box's. */
const CURVE_CPU = num('BENCH_CURVE_CPU', 0);
const ROOT = join(__dirname, '../..');

interface Point {
  name: string;
  conc: number;
  procs: Proc[];
  /** MariaDB and RabbitMQ, when the point runs on them: their CPU, apart from the services'. */
  servers: Proc[];
  /** One cycle by worker `w`; `i` numbers the cycle. */
  cycle(w: number, i: number, t: Timings, polls: { n: number }): Promise<void>;
  t: Timings;
  polls: { n: number };
  cycles: number;
  seconds: number;
  cpu: Map<string, number>;
  /** Each process's memory as its load ended, the largest over the rounds (MB). */
  mem: Map<string, { rss: number; pss: number }>;
  errors: string[];
  /** Cycles of the unmeasured warm-up. */
  warmed?: number;
  /** CPU seconds of this process, the load generator, in the rounds. */
  client: number;
}

/** Up to `count` cycles (and `seconds`) on the point's workers; returns how many completed. */
async function drive(p: Point, count: number, t: Timings, polls: { n: number }, first = 0, seconds = SECONDS): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let next = 0;
  let done = 0;
  const worker = async (w: number): Promise<void> => {
    while (next < count && Date.now() < deadline && p.errors.length < 5) {
      const i = first + next++;
      try {
        await p.cycle(w, i, t, polls);
        done++;
      } catch (e) {
        p.errors.push((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: p.conc }, (_, w) => worker(w)));
  return done;
}

/**
 * Cycles that are not measured, so the rounds see warm processes (V8's JIT, caches, pools): at
 * least WARMUP of them, then more until WARMUP_SECONDS have passed (at most 100000 in all).
 */
async function warmPoint(p: Point): Promise<void> {
  const started = Date.now();
  let done = WARMUP > 0 ? await drive(p, WARMUP, new Map(), { n: 0 }, 1_000_000) : 0;
  const left = WARMUP_SECONDS - (Date.now() - started) / 1000;
  if (left > 0) done += await drive(p, 100_000, new Map(), { n: 0 }, 1_000_000 + done, left);
  p.warmed = done;
}

async function runPoint(p: Point): Promise<void> {
  // The other points' rounds left this point's processes idle for a while, and V8's memory
  // reducer shrank their heaps (docs/performance.md, "Warm processes"): warm them again, unmeasured.
  if (REWARM_SECONDS > 0) await drive(p, 100_000, new Map(), { n: 0 }, 2_000_000 + p.cycles, REWARM_SECONDS);
  const measured = [...p.procs, ...p.servers];
  const before = new Map(measured.map((x) => [x.name, cpuSeconds(x.pid)]));
  const started = process.hrtime.bigint();
  const own = process.cpuUsage();
  p.cycles += await drive(p, CYCLES, p.t, p.polls, p.cycles + p.errors.length);
  p.seconds += Number(process.hrtime.bigint() - started) / 1e9;
  const spent = process.cpuUsage(own);
  p.client += (spent.user + spent.system) / 1e6;
  for (const x of measured) p.cpu.set(x.name, (p.cpu.get(x.name) ?? 0) + cpuSeconds(x.pid) - (before.get(x.name) ?? 0));
  // Read as the load ends, for every side alike: an idle process gives memory back later.
  for (const x of p.procs) {
    let m = { rss: NaN, pss: NaN };
    try { m = memoryMb(x.pid); } catch { /* gone */ }
    const had = p.mem.get(x.name);
    p.mem.set(x.name, had ? { rss: Math.max(had.rss, m.rss), pss: Math.max(had.pss, m.pss) } : m);
  }
}

/** Workers' servers and volumes for the Nova cycle: one pair each, made before timing. */
async function novaPoint(l: Layout, conc: number): Promise<Point> {
  await liftQuota(l.cinderUrl, l.novaUrls[0]);
  const nova = l.novaUrls.map((u) => new Client(u, TOKEN));
  const cinder = new Client(l.cinderUrl, TOKEN);
  const pairs: Array<{ server: string; volume: string; nova: Client; cinder: Client }> = [];
  for (let w = 0; w < conc; w++) {
    const n = nova[w % nova.length];
    const s = (await n.expect('POST', '/servers', 202, { server: { name: `bench-${w}`, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1' } })).body.server.id as string;
    const v = (await cinder.expect('POST', '/volumes', 202, { volume: { size: 1, name: `bench-${w}` } })).body.volume.id as string;
    pairs.push({ server: s, volume: v, nova: new Client(l.novaUrls[w % l.novaUrls.length], TOKEN), cinder: new Client(l.cinderUrl, TOKEN) });
  }
  for (const p of pairs) {
    for (let i = 0; ; i++) {
      const [s, v] = [await p.nova.req('GET', `/servers/${p.server}`), await p.cinder.req('GET', `/volumes/${p.volume}`)];
      if (s.body?.server?.status === 'ACTIVE' && v.body?.volume?.status === 'available') break;
      if (i > 600) throw new Error(`${l.name}: server ${p.server} / volume ${p.volume} not ready`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return newPoint(`nova attach+detach  ${l.name}`, conc, l.procs, l.name.startsWith('multi') ? serverProcs() : [], (w, _i, t, polls) => novaCycle(pairs[w].nova, pairs[w].cinder, pairs[w].server, pairs[w].volume, t, polls));
}

async function cinderPoint(name: string, url: string, procs: Proc[], servers: Proc[], conc: number): Promise<Point> {
  await liftQuota(url);
  const clients = Array.from({ length: conc }, () => new Client(url, TOKEN));
  return newPoint(`cinder cycle  ${name}`, conc, procs, servers, (w, i, t, polls) => cinderCycle(clients[w], t, polls, `bench-${i}`));
}

/** Up to 32 workers each keep a volume: past Cinder's default quota of 10, lifted as an operator would. */
function newPoint(name: string, conc: number, procs: Proc[], servers: Proc[], cycle: Point['cycle']): Point {
  return { name: `${name}  c=${conc}`, conc, procs, servers, cycle, t: new Map(), polls: { n: 0 }, cycles: 0, seconds: 0, cpu: new Map(), mem: new Map(), errors: [], client: 0 };
}

const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))] : NaN;
};
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');

function report(p: Point): void {
  const rate = p.cycles / (p.seconds || 1);
  const lines = [`${p.name}: ${p.cycles} cycles in ${p.seconds.toFixed(1)} s = ${rate.toFixed(1)} cycles/s, ${(p.polls.n / Math.max(1, p.cycles)).toFixed(1)} polls/cycle, after ${p.warmed ?? 0} warm-up cycles`];
  for (const [step, xs] of p.t) lines.push(`    ${step.padEnd(26)} p50 ${f1(pct(xs, 50)).padStart(7)} ms   p99 ${f1(pct(xs, 99)).padStart(7)} ms`);
  let total = 0;
  const mem = { rss: 0, pss: 0 };
  for (const x of p.procs) {
    const ms = ((p.cpu.get(x.name) ?? 0) * 1000) / Math.max(1, p.cycles);
    total += ms;
    const m = p.mem.get(x.name) ?? { rss: NaN, pss: NaN };
    mem.rss += m.rss;
    mem.pss += m.pss;
    lines.push(`    cpu ${x.name.padEnd(22)} ${f1(ms).padStart(7)} ms/cycle   rss ${f1(m.rss)} MB   pss ${f1(m.pss)} MB`);
  }
  lines.push(`    cpu total                  ${f1(total).padStart(7)} ms/cycle   rss ${f1(mem.rss)} MB   pss ${f1(mem.pss)} MB`);
  if (p.servers.length) {
    let all = total;
    for (const x of p.servers) {
      const ms = ((p.cpu.get(x.name) ?? 0) * 1000) / Math.max(1, p.cycles);
      all += ms;
      lines.push(`    cpu ${x.name.padEnd(22)} ${f1(ms).padStart(7)} ms/cycle`);
    }
    lines.push(`    cpu with the servers       ${f1(all).padStart(7)} ms/cycle`);
  }
  // Not the system's: the client's share of the box (BENCH_CLIENT=node for Node's http client).
  lines.push(`    cpu load generator         ${f1((p.client * 1000) / Math.max(1, p.cycles)).padStart(7)} ms/cycle`);
  if (p.errors.length) lines.push(`    ERRORS (${p.errors.length}): ${p.errors.slice(0, 3).join(' | ')}`);
  console.log(lines.join('\n'));
}

/** Each of ours beside the real Cinder at the same c: the ratios issue 15's goals are about. */
function compare(points: Point[]): void {
  const sum = (p: Point, k: 'rss' | 'pss'): number => p.procs.reduce((t, x) => t + (p.mem.get(x.name)?.[k] ?? NaN), 0);
  for (const real of points.filter((p) => p.name.startsWith('cinder cycle  real'))) {
    for (const ours of points.filter((p) => p.name.startsWith('cinder cycle  ours') && p.conc === real.conc)) {
      const rate = (p: Point): number => p.cycles / (p.seconds || 1);
      console.log(`${ours.name} / real: ${f1(rate(ours) / rate(real))}x the cycles/s, `
        + `${(sum(ours, 'rss') / sum(real, 'rss')).toFixed(3)} of the RSS (${(sum(ours, 'pss') / sum(real, 'pss')).toFixed(3)} of the PSS)`);
    }
  }
}

/** The real Cinder 21 on the same servers, if scripts/cinder-oracle.sh can run it. */
async function realCinder(work: string): Promise<{ url: string; procs: Proc[]; stop(): void } | null> {
  const script = join(ROOT, 'scripts/cinder-oracle.sh');
  if (!existsSync(script)) return null;
  const dir = join(work, 'real-cinder');
  process.stderr.write('bench: starting the real Cinder 21 (scripts/cinder-oracle.sh)…\n');
  // The same way to the database as ours (BENCH_DB).
  const sock = dbSocket();
  execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...(sock ? { ORACLE_DB_SOCKET: sock } : {}) } });
  // It writes DIR/env (CINDER_ORACLE_URL) and DIR/pgids ("name pgid": each service leads its group).
  const url = /CINDER_ORACLE_URL=(\S+)/.exec(readFileSync(join(dir, 'env'), 'utf8'))?.[1];
  const procs: Proc[] = readFileSync(join(dir, 'pgids'), 'utf8').trim().split('\n').map((l) => l.split(' '))
    .map(([name, pg]) => ({ name: `real ${name}`, pid: Number(pg), stop: async () => undefined }));
  if (!url) throw new Error(`cinder-oracle.sh wrote no CINDER_ORACLE_URL in ${dir}/env`);
  return { url: `${url.replace(/\/$/, '')}/v3/${PROJECT}`, procs, stop: () => execFileSync('bash', [script, 'stop', dir], { stdio: 'ignore' }) };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'attachd-bench-attach-'));
  // Only the embedded layout needs no servers: BENCH_LAYOUTS=embedded runs without RabbitMQ/MariaDB.
  const withServers = LAYOUTS.has('multi') || LAYOUTS.has('multitrace') || LAYOUTS.has('real') || LAYOUTS.has('curve');
  const cleanups: Array<() => Promise<void> | void> = withServers ? [servers(work)] : [];
  try {
    const aio = LAYOUTS.has('embedded') ? await embedded(work) : null;
    if (aio) cleanups.unshift(() => aio.stop());
    // What tracing costs: the same all-in-one with [trace] enabled = true, beside it.
    const traced = LAYOUTS.has('trace') ? await embedded(work, true) : null;
    if (traced) cleanups.unshift(() => traced.stop());
    const multiLayout = async (trace: boolean): Promise<Layout> => {
      const db = await freshServers();
      cleanups.unshift(() => db.drop());
      const m = await multiProcess(mkdtempSync(join(work, 'multi-')), db, 1, 1, trace);
      cleanups.unshift(() => m.stop());
      return m;
    };
    const multi = LAYOUTS.has('multi') ? await multiLayout(false) : null;
    const multiTraced = LAYOUTS.has('multitrace') ? await multiLayout(true) : null;
    const real = LAYOUTS.has('real') ? await realCinder(work).catch((e: Error) => { process.stderr.write(`bench: no real Cinder: ${e.message}\n`); return null; }) : null;
    if (real) cleanups.unshift(real.stop);
    const cinderOf = (l: Layout): Proc[] => l.procs.filter((p) => /cinder|attachd-all/.test(p.name));

    const points: Point[] = [];
    for (const c of CONC) for (const l of [aio, traced, multi, multiTraced]) if (l) points.push(await novaPoint(l, c));
    for (const c of CONC.filter((x) => x <= 8)) {
      for (const m of [multi, multiTraced]) if (m) points.push(await cinderPoint(`ours ${m.name}`, m.cinderUrl, cinderOf(m), serverProcs(), c));
      if (real) points.push(await cinderPoint('real Cinder 21', real.url, real.procs, serverProcs(), c));
      if (aio) points.push(await cinderPoint('ours embedded', aio.cinderUrl, aio.procs, [], c));
    }
    const chosen = points.filter((p) => !ONLY || ONLY.test(p.name));
    for (const p of chosen) {
      process.stderr.write(`warm-up: ${p.name}\n`);
      await warmPoint(p);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const p of chosen) {
        process.stderr.write(`round ${r + 1}/${ROUNDS}: ${p.name}\n`);
        await runPoint(p);
      }
    }
    console.log(`\n# bench:attach — ${ROUNDS} interleaved rounds of ≤${CYCLES} cycles (≤${SECONDS} s) per point, each after ≥${WARMUP} unmeasured cycles and ≥${WARMUP_SECONDS} s, and ${REWARM_SECONDS} s more before each round`
      + `${withServers ? `; MariaDB over ${dbSocket() ? 'its local socket' : 'loopback TCP'}` : ''}\n`);
    for (const p of chosen) report(p);
    compare(chosen);

    const curve = (process.env.BENCH_CURVE ?? '1x1,2x2,4x2').split(',').filter(Boolean).map((s) => s.split('x').map(Number));
    const top = Math.max(...CONC);
    if (curve.length && LAYOUTS.has('curve') && (!ONLY || ONLY.test('curve'))) {
      console.log(`\n# the multi-process curve: nova attach+detach at c=${top}, more nova-api processes and computes`
        + `${CURVE_CPU > 0 ? `, each of them limited to ${CURVE_CPU} core (as on nodes of that size; cinder-api, cinder-volume and the servers not)` : ''}\n`);
      for (const [apis, computes] of curve) {
        const dbs = await freshServers();
        const l = await multiProcess(mkdtempSync(join(work, 'curve-')), dbs, apis, computes, false, CURVE_CPU);
        try {
          const p = await novaPoint(l, top);
          await warmPoint(p);
          for (let r = 0; r < ROUNDS; r++) await runPoint(p);
          report(p);
        } finally {
          await l.stop();
          await dbs.drop();
        }
      }
    }
  } finally {
    for (const c of cleanups) await Promise.resolve(c()).catch(() => undefined);
    // BENCH_KEEP=1 keeps the services' logs and data for a look afterwards.
    if (process.env.BENCH_KEEP === '1') process.stderr.write(`bench: kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
