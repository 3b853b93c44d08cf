// bench:rpc — our oslo-compatible RPC next to raw amqplib request/reply, same broker, same run.
//   TRANSPORT_URL=rabbit://guest:guest@127.0.0.1:PORT/ node dist/bench/rpc.js
// Servers run in child processes (as services would). Closed-loop calls at 1, 8 and 64 in
// flight, then a one-way cast burst measured at the consumer; interleaved rounds, medians.
// Systems: raw amqplib request/reply (exclusive reply queue, correlation id, noDelay) through
// the default exchange and through a topic exchange; the oslo wire format written by hand on
// amqplib (the floor for that format); and our RPCClient/RPCServer.
// Besides rates it reports CPU microseconds per call/cast of the client, the server and the
// broker (its pid found by the listening port, when it runs on this machine): at c=64 the box
// is CPU-bound, so this shows which process pays for what.
// Knobs (all bounded): BENCH_CALLS (per point, 5000), BENCH_SECONDS (per point, 10),
// BENCH_ROUNDS (3), BENCH_CASTS (20000), BENCH_WARMUP (300), and the queue type of our
// RPCClient/RPCServer: BENCH_QUEUE_TYPE or `--queue-type` classic | quorum | both (default
// both: classic and quorum (rabbit_quorum_queue = true) side by side, same run). Ours also runs
// with tracing on (classic queues, spans kept in memory, as in the all-in-one) beside tracing off
// unless BENCH_TRACE=0. BENCH_METRICS=1 records attachd's RPC metrics (common/metrics/rpc.ts) in
// our client and server, as the services do: run with 0 and 1 to see what the hooks cost.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { setupLogging } from '../common/log';
import { getRpcTransport, RPCClient, RPCServer, Target, type TransportOptions } from '../common/rpc';
import { installRpcMetrics } from '../common/metrics';
import { addSpanSink, MemorySpanStore, setTracingEnabled, withSpan } from '../common/trace';
import { parseRabbitUrl } from '../common/rpc/drivers/rabbit/url';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const CALLS = env('BENCH_CALLS', 5000);
const SECONDS = env('BENCH_SECONDS', 10);
const ROUNDS = env('BENCH_ROUNDS', 3);
const CASTS = env('BENCH_CASTS', 20000);
const WARMUP = env('BENCH_WARMUP', 300);
/** Casts in flight (awaiting their confirm) for the confirmed cast senders (oslo-minimal, attachd). */
const CAST_WINDOW = env('BENCH_CAST_WINDOW', 1000);
const CONCURRENCY = (process.env.BENCH_C ?? "1,8,64").split(",").map(Number);
const METRICS = process.env.BENCH_METRICS === '1';

type QueueType = 'classic' | 'quorum';
function queueTypes(): QueueType[] {
  const i = process.argv.indexOf('--queue-type');
  const v = (i >= 0 ? process.argv[i + 1] : process.env.BENCH_QUEUE_TYPE) ?? 'both';
  if (v === 'both') return ['classic', 'quorum'];
  if (v === 'classic' || v === 'quorum') return [v];
  throw new Error(`queue type must be classic, quorum or both, not ${v}`);
}
/** Ours per queue type, and traced (classic queues, tracing on). */
type Variant = QueueType | 'traced';
function variants(): Variant[] {
  return [...queueTypes(), ...(process.env.BENCH_TRACE === '0' ? [] : ['traced' as const])];
}
/** Our transport options per variant: a quorum topic queue needs a durable exchange of its own. */
const OURS: Record<Variant, { name: string; topic: string; options: TransportOptions }> = {
  traced: { name: 'attachd+trace', topic: 'bench_oslo_traced', options: {} },
  classic: { name: 'attachd', topic: 'bench_oslo', options: {} },
  quorum: { name: 'attachd-quorum', topic: 'bench_oslo_quorum', options: { quorumQueue: true, controlExchange: 'bench_quorum' } },
};

const RAW_QUEUE = 'bench_raw_rpc';
const RAW_CAST_QUEUE = 'bench_raw_cast';
/** The raw baseline also runs through a topic exchange: the routing oslo's wire format uses. */
const RAW_EXCHANGE = 'bench_raw_topic';

// A Nova connector (~160 bytes) and a Cinder iSCSI connection_info (~640 bytes).
const CONNECTOR = {
  ip: '192.168.10.21', host: 'compute-01', initiator: 'iqn.1994-05.com.redhat:6d1f0c3a9b2e', multipath: false,
  platform: 'x86_64', os_type: 'linux',
};
const CONNECTION_INFO = {
  driver_volume_type: 'iscsi',
  data: {
    target_discovered: false, target_iqn: 'iqn.2010-10.org.openstack:volume-6f1c2a7e-0d5b-4c1e-9a3f-2b8d7e6c5a41',
    target_portal: '192.168.10.5:3260', target_lun: 1, volume_id: '6f1c2a7e-0d5b-4c1e-9a3f-2b8d7e6c5a41',
    auth_method: 'CHAP', auth_username: 'Xk2mP9qL4vB7', auth_password: 'r8T3wN6yZ1cH5fJ0', encrypted: false,
    qos_specs: null, access_mode: 'rw', cacheable: false, discard: true,
    target_iqns: ['iqn.2010-10.org.openstack:volume-6f1c2a7e-0d5b-4c1e-9a3f-2b8d7e6c5a41'],
    target_portals: ['192.168.10.5:3260'], target_luns: [1],
  },
  serial: '6f1c2a7e-0d5b-4c1e-9a3f-2b8d7e6c5a41',
};
const CONNECTOR_BYTES = Buffer.from(JSON.stringify(CONNECTOR));
const INFO_BYTES = Buffer.from(JSON.stringify(CONNECTION_INFO));

function url(): string {
  const u = process.env.TRANSPORT_URL;
  if (!u) throw new Error('TRANSPORT_URL is not set (bash scripts/servers.sh start DIR && source DIR/env)');
  for (const h of parseRabbitUrl(u).hosts) {
    if (!['127.0.0.1', 'localhost', '::1'].includes(h.hostname)) throw new Error('bench:rpc runs against a loopback broker only');
  }
  return u;
}

function amqpOptions(u: string): amqp.Options.Connect {
  const p = parseRabbitUrl(u);
  const h = p.hosts[0];
  return { protocol: 'amqp', hostname: h.hostname, port: h.port, username: h.username, password: h.password, vhost: p.vhost, heartbeat: 60 };
}

// ---- servers (child processes) --------------------------------------------------------------

type Ipc = { expectCasts?: number; cpu?: boolean };

/** This process's CPU time so far, µs. */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

let castTarget = 0;
let castCount = 0;
function countCast(): void {
  castCount++;
  if (castCount === castTarget) process.send?.({ castsDone: Date.now() });
}
process.on('message', (m: Ipc) => {
  if (m.cpu) process.send?.({ cpuUs: cpuNow() });
  if (m.expectCasts !== undefined) {
    castTarget = m.expectCasts;
    castCount = 0;
    process.send?.({ armed: true });
  }
});

async function rawServer(): Promise<void> {
  setupLogging({ silent: true });
  setupLogging({ silent: process.env.BENCH_LOG !== '1' });
  const conn = await amqp.connect(amqpOptions(url()), { noDelay: true });
  const ch = await conn.createChannel();
  await ch.assertQueue(RAW_QUEUE, { durable: false, autoDelete: false });
  await ch.assertQueue(RAW_CAST_QUEUE, { durable: false, autoDelete: false });
  await ch.purgeQueue(RAW_QUEUE);
  await ch.purgeQueue(RAW_CAST_QUEUE);
  await ch.assertExchange(RAW_EXCHANGE, 'topic', { durable: false, autoDelete: false });
  await ch.bindQueue(RAW_QUEUE, RAW_EXCHANGE, RAW_QUEUE);
  await ch.bindQueue(RAW_CAST_QUEUE, RAW_EXCHANGE, RAW_CAST_QUEUE);
  await ch.prefetch(256);
  await ch.consume(RAW_QUEUE, (msg) => {
    if (!msg) return;
    JSON.parse(msg.content.toString());
    ch.sendToQueue(msg.properties.replyTo as string, INFO_BYTES, { correlationId: msg.properties.correlationId as string, contentType: 'application/json' });
    ch.ack(msg);
  });
  await ch.consume(RAW_CAST_QUEUE, (msg) => {
    if (!msg) return;
    JSON.parse(msg.content.toString());
    ch.ack(msg);
    countCast();
  });
  await minimalOsloServer(conn);
  process.send?.({ ready: true });
}

// The oslo wire format done by hand on amqplib (envelope, `_context_*`, ids, topic exchange,
// confirmed requests, mandatory replies), with none of our library: the floor for this format.
const MIN_TOPIC = 'bench_min';
const PROPS: amqp.Options.Publish = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, headers: {} };
const hex = (): string => randomUUID().replace(/-/g, '');
const envelope = (m: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(m) }));
const unenvelope = (b: Buffer): Record<string, unknown> => JSON.parse((JSON.parse(b.toString()) as Record<string, string>)['oslo.message']) as Record<string, unknown>;

async function minimalOsloServer(conn: amqp.ChannelModel): Promise<void> {
  const ch = await conn.createChannel();
  const pub = await conn.createChannel();
  await ch.assertExchange('openstack', 'topic', { durable: false, autoDelete: false });
  const q = `${MIN_TOPIC}.bench`;
  await ch.assertQueue(q, { durable: false, autoDelete: false });
  await ch.purgeQueue(q);
  await ch.bindQueue(q, 'openstack', q);
  await ch.prefetch(128);
  await ch.consume(q, (msg) => {
    if (!msg) return;
    ch.ack(msg);
    const m = unenvelope(msg.content);
    if (m._reply_q) {
      pub.publish('', m._reply_q as string, envelope({ result: CONNECTION_INFO, failure: null, ending: true, _msg_id: m._msg_id, _unique_id: hex() }),
        { ...PROPS, mandatory: true });
    } else {
      countCast();
    }
  });
}

async function minimalOsloClient(): Promise<System> {
  const conn = await amqp.connect(amqpOptions(url()), { noDelay: true });
  const pub = await conn.createConfirmChannel();
  const ch = await conn.createChannel();
  const replyQ = `reply_${hex()}`;
  await ch.assertQueue(replyQ, { durable: false, autoDelete: false, arguments: { 'x-expires': 1_800_000 } });
  const pending = new Map<string, () => void>();
  await ch.consume(replyQ, (msg) => {
    if (!msg) return;
    const m = unenvelope(msg.content);
    const done = pending.get(m._msg_id as string);
    pending.delete(m._msg_id as string);
    done?.();
  }, { noAck: true });
  const ctx: Record<string, unknown> = { user_id: 'u1', project_id: 'p1', request_id: 'req-bench', roles: ['admin'], is_admin: true };
  const message = (method: string, extra: Record<string, unknown>): Buffer => {
    const m: Record<string, unknown> = { method, args: { connector: CONNECTOR }, ...extra, _unique_id: hex() };
    for (const k of Object.keys(ctx)) m[`_context_${k}`] = ctx[k];
    return envelope(m);
  };
  const q = `${MIN_TOPIC}.bench`;
  return {
    name: 'oslo-minimal',
    call: () => new Promise<void>((resolve) => {
      const id = hex();
      pending.set(id, resolve);
      pub.publish('openstack', q, message('initialize_connection', { _msg_id: id, _reply_q: replyQ, _timeout: null }),
        { ...PROPS, expiration: '30000' }, () => undefined);
    }),
    castBurst: async (n) => {
      let sent = 0;
      const one = (): Promise<void> => new Promise((res, rej) => {
        pub.publish('openstack', q, message('note', {}), PROPS, (err: unknown) => (err ? rej(err as Error) : res()));
      });
      await Promise.all(Array.from({ length: CAST_WINDOW }, async () => { while (sent < n) { sent++; await one(); } }));
    },
    close: () => conn.close(),
  };
}

async function osloServer(qt: Variant): Promise<void> {
  setupLogging({ silent: process.env.BENCH_LOG !== '1' });
  if (METRICS) installRpcMetrics();
  // Traced: spans of every dispatch kept in a memory store, as in the all-in-one.
  if (qt === 'traced') addSpanSink(new MemorySpanStore(20000));
  setTracingEnabled(qt === 'traced');
  const transport = getRpcTransport(url(), OURS[qt].options);
  const server = new RPCServer(transport, new Target({ topic: OURS[qt].topic, server: 'bench' }), [{
    methods: {
      initialize_connection: () => CONNECTION_INFO,
      note: () => { countCast(); },
    },
  }], { executorSize: 64 });
  await server.start();
  process.send?.({ ready: true });
}

// ---- clients -------------------------------------------------------------------------------

interface System {
  name: string;
  /** Called before each measurement (tracing on or off in this process). */
  before?(): void;
  call(): Promise<void>;
  castBurst(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Raw amqplib; `topic`: publish through a topic exchange instead of the default exchange. */
async function rawClient(topic: boolean): Promise<System> {
  const exchange = topic ? RAW_EXCHANGE : '';
  const conn = await amqp.connect(amqpOptions(url()), { noDelay: true });
  const ch = await conn.createChannel();
  const { queue: replyQ } = await ch.assertQueue('', { exclusive: true });
  const pending = new Map<string, () => void>();
  let next = 0;
  await ch.consume(replyQ, (msg) => {
    if (!msg) return;
    JSON.parse(msg.content.toString());
    const id = msg.properties.correlationId as string;
    const done = pending.get(id);
    pending.delete(id);
    done?.();
  }, { noAck: true });
  return {
    name: topic ? 'amqplib-topic' : 'amqplib-replyq',
    call: () => new Promise<void>((resolve) => {
      const id = String(++next);
      pending.set(id, resolve);
      ch.publish(exchange, RAW_QUEUE, Buffer.from(JSON.stringify({ method: 'initialize_connection', args: { connector: CONNECTOR } })), {
        correlationId: id, replyTo: replyQ, contentType: 'application/json',
      });
    }),
    castBurst: async (n) => {
      for (let i = 0; i < n; i++) {
        const ok = ch.publish(exchange, RAW_CAST_QUEUE, CONNECTOR_BYTES, { contentType: 'application/json' });
        if (!ok) await new Promise((r) => ch.once('drain', r));
      }
    },
    close: () => conn.close(),
  };
}

/** Our client; traced: each call and cast inside a request's span (as an API's), spans kept in memory. */
async function osloClient(qt: Variant): Promise<System> {
  if (METRICS) installRpcMetrics();
  const traced = qt === 'traced';
  const inRequest = <T>(fn: () => Promise<T>): Promise<T> =>
    (traced ? withSpan({ name: 'POST', kind: 'server', service: 'bench', root: true }, fn) : fn());
  const transport = getRpcTransport(url(), OURS[qt].options);
  const client = new RPCClient(transport, new Target({ topic: OURS[qt].topic, server: 'bench' }), { timeout: 30 });
  const ctx = { user_id: 'u1', project_id: 'p1', request_id: 'req-bench', roles: ['admin'], is_admin: true };
  return {
    name: OURS[qt].name,
    before: () => setTracingEnabled(traced),
    call: () => inRequest(async () => { await client.call(ctx, 'initialize_connection', { connector: CONNECTOR }); }),
    castBurst: async (n) => {
      // Each cast resolves on its publisher confirm; keep a window of them in flight.
      let sent = 0;
      const worker = async (): Promise<void> => {
        while (sent < n) {
          sent++;
          await inRequest(() => client.cast(ctx, 'note', { connector: CONNECTOR }));
        }
      };
      await Promise.all(Array.from({ length: CAST_WINDOW }, worker));
    },
    close: () => transport.close(),
  };
}

// ---- measurement ---------------------------------------------------------------------------

/** Rates plus CPU µs per call (or cast) spent by each process; NaN where not measurable. */
interface Point { rate: number; p50: number; p99: number; cpu: Cpu }
interface Cpu { client: number; server: number; broker: number }

/** The local broker's pid, from the process listening on the URL's port (ss); null if not found. */
function brokerPid(): number | null {
  try {
    const port = parseRabbitUrl(url()).hosts[0].port;
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** utime + stime of a process, µs (clock ticks of 10 ms: read over many calls only). */
function procCpu(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return NaN;
  }
}

let BROKER_PID: number | null = null;

/** CPU counters of the client (this process), the server child and the broker. */
async function cpuSnapshot(server: ChildProcess): Promise<Cpu> {
  const s = await request(server, { cpu: true }, 'cpuUs');
  return { client: cpuNow(), server: s.cpuUs as number, broker: procCpu(BROKER_PID) };
}

const perOp = (a: Cpu, b: Cpu, n: number): Cpu => ({
  client: (b.client - a.client) / n, server: (b.server - a.server) / n, broker: (b.broker - a.broker) / n,
});

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measureCalls(sys: System, c: number, server: ChildProcess): Promise<Point> {
  for (let i = 0; i < Math.min(WARMUP, 50 * c); i += c) await Promise.all(Array.from({ length: c }, () => sys.call()));
  const cpu0 = await cpuSnapshot(server);
  const lat: number[] = [];
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  const worker = async (): Promise<void> => {
    while (started < CALLS && performance.now() < deadline) {
      started++;
      const s = performance.now();
      await sys.call();
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: c }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = perOp(cpu0, await cpuSnapshot(server), lat.length);
  lat.sort((a, b) => a - b);
  return { rate: lat.length / elapsed, p50: pct(lat, 50), p99: pct(lat, 99), cpu };
}

function request(child: ChildProcess, msg: Ipc, key: string): Promise<Record<string, number | boolean>> {
  return new Promise((resolve) => {
    const on = (m: Record<string, number | boolean>): void => {
      if (key in m) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
    child.send(msg);
  });
}

async function measureCasts(sys: System, server: ChildProcess): Promise<{ rate: number; cpu: Cpu }> {
  await request(server, { expectCasts: CASTS }, 'armed');
  const cpu0 = await cpuSnapshot(server);
  const done = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('cast burst did not arrive within 120 s')), 120_000);
    const on = (m: Record<string, number>): void => {
      if ('castsDone' in m) {
        clearTimeout(timer);
        server.off('message', on);
        resolve(m.castsDone);
      }
    };
    server.on('message', on);
  });
  const t0 = Date.now();
  await sys.castBurst(CASTS);
  const t1 = await done;
  return { rate: CASTS / ((t1 - t0) / 1000), cpu: perOp(cpu0, await cpuSnapshot(server), CASTS) };
}

const children: ChildProcess[] = [];

function startChild(mode: string, ...args: string[]): Promise<ChildProcess> {
  const child = fork(__filename, [mode, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${mode} exited with ${code}`)));
    child.once('message', () => resolve(child));
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number, d = 2): string => (x >= 100 ? x.toFixed(0) : x.toFixed(d));

async function main(): Promise<void> {
  setupLogging({ silent: process.env.BENCH_LOG !== '1' });
  url();
  BROKER_PID = brokerPid();
  const types = queueTypes();
  const ourVariants = variants();
  const rawSrv = await startChild('raw-server');
  const ourServers = new Map<string, ChildProcess>();
  for (const qt of ourVariants) ourServers.set(OURS[qt].name, await startChild('oslo-server', qt));
  if (ourVariants.includes('traced')) addSpanSink(new MemorySpanStore(20000));
  const systems = [await rawClient(false), await rawClient(true), await minimalOsloClient()];
  for (const qt of ourVariants) systems.push(await osloClient(qt));
  const serverOf = (s: System): ChildProcess => ourServers.get(s.name) ?? rawSrv;
  const results: Record<string, Record<string, Point[]>> = {};
  const casts: Record<string, { rate: number; cpu: Cpu }[]> = {};
  for (const s of systems) {
    results[s.name] = {};
    casts[s.name] = [];
    for (const c of CONCURRENCY) results[s.name][c] = [];
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of CONCURRENCY) {
      for (const s of round % 2 ? systems : [...systems].reverse()) {
        s.before?.();
        const p = await measureCalls(s, c, serverOf(s));
        results[s.name][c].push(p);
        process.stderr.write(`round ${round} c=${c} ${s.name}: ${fmt(p.rate)} calls/s p50 ${fmt(p.p50)} ms p99 ${fmt(p.p99)} ms\n`);
      }
    }
    for (const s of round % 2 ? systems : [...systems].reverse()) {
      s.before?.();
      const r = await measureCasts(s, serverOf(s));
      casts[s.name].push(r);
      process.stderr.write(`round ${round} casts ${s.name}: ${fmt(r.rate)} msg/s\n`);
    }
  }
  const [raw, rawTopic, minimal, ...ours] = systems.map((s) => s.name);
  // One column per system, then each of ours against the three baselines.
  const row = (label: string, f: (name: string) => number, ratio: boolean): string => {
    const cells = [raw, rawTopic, minimal, ...ours].map((n) => fmt(f(n)));
    const ratios = ours.flatMap((o) => [raw, rawTopic, minimal].map((x) => (ratio ? (f(o) / f(x)).toFixed(2) : '-')));
    return `| ${label} | ${[...cells, ...ratios].join(' | ')} |`;
  };
  const heads = [`${raw} (default exchange)`, `${rawTopic} (topic exchange)`, `${minimal} (oslo wire by hand)`, ...ours,
    ...ours.flatMap((o) => [`${o}/replyq`, `${o}/topic`, `${o}/minimal`])];
  const lines = [
    `RPC benchmark: ${ROUNDS} round(s), per point ≤${CALLS} calls or ${SECONDS} s after warm-up, casts ${CASTS}; median of rounds; ` +
      `queue types: ${types.join(', ')} (the raw and minimal baselines use classic queues); attachd metrics ${METRICS ? 'on' : 'off'}`,
    `| metric | ${heads.join(' | ')} |`,
    `|${'---|'.repeat(heads.length + 1)}`,
  ];
  for (const c of CONCURRENCY) {
    lines.push(row(`c=${c} calls/s`, (n) => median(results[n][c].map((p) => p.rate)), true));
    lines.push(row(`c=${c} p50 ms`, (n) => median(results[n][c].map((p) => p.p50)), false));
    lines.push(row(`c=${c} p99 ms`, (n) => median(results[n][c].map((p) => p.p99)), false));
  }
  lines.push(row(`cast msg/s (${CASTS}, at consumer)`, (n) => median(casts[n].map((r) => r.rate)), true));
  // CPU per operation (lower is better): where the time goes when the box is CPU-bound.
  const top = Math.max(...CONCURRENCY);
  for (const who of ['client', 'server', 'broker'] as const) {
    lines.push(row(`${who} CPU µs/call @c=${top}`, (n) => median(results[n][top].map((p) => p.cpu[who])), false));
  }
  for (const who of ['client', 'server', 'broker'] as const) {
    lines.push(row(`${who} CPU µs/cast`, (n) => median(casts[n].map((r) => r.cpu[who])), false));
  }
  if (BROKER_PID === null) lines.push('(broker CPU: no local process listens on the broker port, NaN)');
  if (ourVariants.includes('traced') && types.includes('classic')) {
    // Tracing off and on, side by side (docs/tracing.md): same client code, spans kept in memory.
    const [off, on] = [OURS.classic.name, OURS.traced.name];
    const side = (label: string, f: (name: string) => number): string => `| ${label} | ${fmt(f(off))} | ${fmt(f(on))} | ${(f(on) / f(off)).toFixed(2)} |`;
    lines.push('', `| metric | ${off} (tracing off) | ${on} (tracing on) | on/off |`, '|---|---|---|---|');
    for (const c of CONCURRENCY) {
      lines.push(side(`c=${c} calls/s`, (n) => median(results[n][c].map((p) => p.rate))));
      lines.push(side(`c=${c} p50 ms`, (n) => median(results[n][c].map((p) => p.p50))));
    }
    lines.push(side(`cast msg/s (${CASTS}, at consumer)`, (n) => median(casts[n].map((r) => r.rate))));
    for (const who of ['client', 'server'] as const) lines.push(side(`${who} CPU µs/call @c=${top}`, (n) => median(results[n][top].map((p) => p.cpu[who]))));
    for (const who of ['client', 'server'] as const) lines.push(side(`${who} CPU µs/cast`, (n) => median(casts[n].map((r) => r.cpu[who]))));
  }
  console.log(lines.join('\n'));
  for (const s of systems) await s.close();
  rawSrv.kill('SIGTERM');
  for (const c of ourServers.values()) c.kill('SIGTERM');
}

const mode = process.argv[2];
// Exit normally on the parent's SIGTERM so `node --cpu-prof` also writes the servers' profiles.
if (mode) process.on('SIGTERM', () => process.exit(0));
const entry = mode === 'raw-server' ? rawServer : mode === 'oslo-server' ? () => osloServer(process.argv[3] as Variant) : main;
entry().catch((err: unknown) => {
  console.error(`bench:rpc failed: ${(err as Error).stack ?? String(err)}`);
  // Leftover servers would keep consuming the bench queues and skew the next run.
  for (const c of children) c.kill('SIGTERM');
  process.exit(1);
});
