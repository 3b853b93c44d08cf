// `bash scripts/fuzz.sh` / `npm run fuzz`: the seeded REST fuzzer against a layout it starts on
// loopback, then the audit; prints a summary and every failure; exit 1 on any failure.
// Environment (each bounded):
//   FUZZ_SEED      first seed (default 1); FUZZ_SEEDS: how many seeds from it (default 1, max 1000)
//   FUZZ_REQUESTS  requests per seed (default 2000, max 50000)
//   FUZZ_SECONDS   time per seed (default 300, max 3600); FUZZ_SETTLE_SECONDS (default 60)
//   FUZZ_RACES     share of steps that are racing groups on one volume and server (default 0.06, max 1)
//   FUZZ_LAYOUT    embedded (default: the all-in-one, SQLite + fake://, its own process) or multi
//                  (nova-api, nova-compute, cinder-api, cinder-volume over TRANSPORT_URL and
//                  NOVA_DATABASE_URL / CINDER_DATABASE_URL, e.g. from scripts/servers.sh's env)
//   FUZZ_AUTH      noauth2 (default: user:project tokens) or keystone (embedded only: the
//                  all-in-one's own identity, an admin and a member logged in with passwords)
//   FUZZ_CONFIG    one more config file for the embedded layout (e.g. etc/legacy-attach-flow.conf)
//   FUZZ_DIR       work directory (default: a new one under /tmp, kept when the seed failed or FUZZ_KEEP=1)
//   FUZZ_TRACE=1   every request and answer into <work>/trace.jsonl
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { freePort, startBin, type Proc } from '../../bench/procs';
import { multiProcess } from '../../bench/layouts';
import { mysqlQueries, sqliteQueries, type Queries } from './audit';
import { MAX_REQUESTS, MAX_SECONDS, report, runFuzz, type Target } from './run';

/** Projects as Cinder's URL rule wants them (32 hex digits); noauth2 tokens are user:project. */
export const PROJECTS = { admin: 'f0220000000000000000000000000a01', member: 'f0220000000000000000000000000b02' };
export const TOKENS = { admin: `admin:${PROJECTS.admin}`, member: `fuzzer:${PROJECTS.member}` };

const num = (name: string, def: number, lo: number, hi: number): number => {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v)) throw new Error(`${name} must be a number`);
  return Math.max(lo, Math.min(hi, Math.floor(v)));
};

interface Started { target: Omit<Target, 'queries'> & { queries: () => Promise<Queries> }; stop(): Promise<void> }

const up = (url: string) => async (): Promise<boolean> => (await fetch(url, { signal: AbortSignal.timeout(2000) })).status < 500;
const alive = (procs: Proc[]) => (): boolean => procs.every((p) => p.child?.exitCode === null && p.child?.signalCode === null);

/** A password login to the embedded identity: the token and its project id. */
async function login(novaRoot: string, user: string, password: string, project: string): Promise<{ token: string; project: string }> {
  const r = await fetch(`${novaRoot}/identity/v3/auth/tokens`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(10_000),
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
      scope: { project: { name: project, domain: { name: 'Default' } } } } }),
  });
  const token = r.headers.get('x-subject-token');
  if (r.status !== 201 || !token) throw new Error(`login of ${user} answered ${r.status}`);
  return { token, project: ((await r.json()) as { token: { project: { id: string } } }).token.project.id };
}

async function embedded(work: string, keystone: boolean): Promise<Started> {
  const [np, cp] = [await freePort(), await freePort()];
  const conf = join(work, 'attachd.conf');
  // Passwords only in this file (mode 600) and the child's environment, never on a command line or in a log.
  const [adminPw, memberPw] = [randomBytes(18).toString('hex'), randomBytes(18).toString('hex')];
  writeFileSync(conf, ['[DEFAULT]', 'osapi_compute_listen = 127.0.0.1', `osapi_compute_listen_port = ${np}`, 'osapi_volume_listen = 127.0.0.1',
    `osapi_volume_listen_port = ${cp}`, '[trace]', 'enabled = false',
    ...(keystone ? ['[identity]', `users = fuzzer:${memberPw}:fuzzproject`] : ['[api]', 'auth_strategy = noauth2'])].join('\n'), { mode: 0o600 });
  const data = join(work, 'data');
  const env = { TRANSPORT_URL: '', NOVA_DATABASE_URL: '', CINDER_DATABASE_URL: '', ...(keystone ? { ATTACHD_ADMIN_PASSWORD: adminPw } : {}) };
  const extra = process.env.FUZZ_CONFIG ? ['--config-file', process.env.FUZZ_CONFIG] : [];
  const p = await startBin('attachd-all', 'attachd-all', ['--config-file', conf, ...extra, '--data-dir', data], env, join(work, 'attachd-all.log'),
    async () => (await up(`http://127.0.0.1:${np}/v2.1/`)()) && up(`http://127.0.0.1:${cp}/`)());
  let tokens = TOKENS;
  let projects = PROJECTS;
  if (keystone) {
    try {
      const [a, m] = [await login(`http://127.0.0.1:${np}`, 'admin', adminPw, 'admin'), await login(`http://127.0.0.1:${np}`, 'fuzzer', memberPw, 'fuzzproject')];
      tokens = { admin: a.token, member: m.token };
      projects = { admin: a.project, member: m.project };
    } catch (e) {
      await p.stop();
      throw e;
    }
  }
  return {
    target: {
      novaUrl: `http://127.0.0.1:${np}/v2.1`, cinderUrl: `http://127.0.0.1:${cp}`, tokens, projects, alive: alive([p]),
      queries: async () => sqliteQueries(join(data, 'nova.sqlite'), join(data, 'cinder.sqlite')),
    },
    stop: () => p.stop(),
  };
}

/** A fresh utf8mb4 database beside the one `url` names (same server and user); its URL and drop(). */
async function freshDatabase(url: string, kind: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const u = new URL(url);
  const name = `${kind}_fz${randomBytes(4).toString('hex')}`;
  const admin = (): Promise<Connection> => createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
  const c = await admin();
  try { await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`); } finally { await c.end(); }
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = await admin();
      try { await d.query(`DROP DATABASE IF EXISTS \`${name}\``); } finally { await d.end(); }
    },
  };
}

async function multi(work: string): Promise<Started> {
  const [transportUrl, novaBase, cinderBase] = [process.env.TRANSPORT_URL, process.env.NOVA_DATABASE_URL, process.env.CINDER_DATABASE_URL];
  if (!transportUrl || !novaBase || !cinderBase) throw new Error('FUZZ_LAYOUT=multi needs TRANSPORT_URL, NOVA_DATABASE_URL and CINDER_DATABASE_URL (source the env of scripts/servers.sh)');
  // Each seed on empty databases of its own: the audit must see only this run's rows.
  const nova = await freshDatabase(novaBase, 'nova');
  const cinder = await freshDatabase(cinderBase, 'cinder').catch(async (e: unknown) => { await nova.drop(); throw e; });
  const drop = async (): Promise<void> => {
    if (process.env.FUZZ_KEEP === '1') return;
    await nova.drop();
    await cinder.drop();
  };
  const l = await multiProcess(work, { transportUrl, novaDb: nova.url, cinderDb: cinder.url }).catch(async (e: unknown) => { await drop(); throw e; });
  return {
    target: {
      novaUrl: l.novaUrls[0], cinderUrl: l.cinderUrl.replace(/\/v3\/.*$/, ''), tokens: TOKENS, projects: PROJECTS, alive: alive(l.procs),
      queries: () => mysqlQueries(nova.url, cinder.url),
    },
    stop: async () => { await l.stop(); await drop(); },
  };
}

async function main(): Promise<number> {
  const first = num('FUZZ_SEED', 1, 0, 2 ** 32 - 1);
  const seeds = num('FUZZ_SEEDS', 1, 1, 1000);
  const requests = num('FUZZ_REQUESTS', 2000, 1, MAX_REQUESTS);
  const seconds = num('FUZZ_SECONDS', 300, 1, MAX_SECONDS);
  const settleSeconds = num('FUZZ_SETTLE_SECONDS', 60, 1, 600);
  const raceShare = Math.max(0, Math.min(1, Number(process.env.FUZZ_RACES ?? 0.06) || 0));
  const layout = process.env.FUZZ_LAYOUT ?? 'embedded';
  if (!['embedded', 'multi'].includes(layout)) throw new Error(`FUZZ_LAYOUT must be embedded or multi, not ${layout}`);
  const auth = process.env.FUZZ_AUTH ?? 'noauth2';
  if (!['noauth2', 'keystone'].includes(auth) || (auth === 'keystone' && layout !== 'embedded')) throw new Error('FUZZ_AUTH must be noauth2, or keystone with the embedded layout');
  let failed = 0;
  for (let s = 0; s < seeds; s++) {
    const seed = (first + s) >>> 0;
    const work = process.env.FUZZ_DIR ? join(process.env.FUZZ_DIR, `seed-${seed}`) : mkdtempSync(join(tmpdir(), `attachd-fuzz-${seed}-`));
    if (process.env.FUZZ_DIR) rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const started = layout === 'multi' ? await multi(work) : await embedded(work, auth === 'keystone');
    let queries: Queries | null = null;
    let clean = false;
    const trace = process.env.FUZZ_TRACE === '1' ? (l: string): void => appendFileSync(join(work, 'trace.jsonl'), `${l}\n`) : undefined;
    try {
      queries = await started.target.queries();
      const res = await runFuzz({ ...started.target, queries }, { seed, requests, seconds, settleSeconds, raceShare, trace, log: (l) => console.error(`seed ${seed} ${l}`) });
      console.log(report(res));
      clean = !res.failures.length;
      if (!clean) failed++;
    } finally {
      await queries?.close();
      await started.stop();
      if (process.env.FUZZ_KEEP !== '1' && clean) rmSync(work, { recursive: true, force: true });
      else console.log(`  logs and data: ${work}`);
    }
  }
  console.log(`${seeds - failed}/${seeds} seed(s) clean (${layout}, ${auth}, ${requests} requests each)`);
  return failed ? 1 : 0;
}

if (require.main === module) {
  main().then((code) => { process.exitCode = code; }, (e: unknown) => { console.error(`fuzz: ${(e as Error).stack ?? String(e)}`); process.exitCode = 2; });
}
