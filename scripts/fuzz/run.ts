// The fuzz loop: sends the generator's requests (one at a time or a few racing), checks every
// answer, learns the ids the valid ones made, then waits for the system to settle and audits it.
// Every loop is bounded in count and in time.
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { audit, type Queries } from './audit';
import { violation, type Answer } from './checks';
import { Prng } from './prng';
import { FuzzState, Generator, type FuzzRequest } from './requests';

export const MAX_REQUESTS = 50_000;
export const MAX_SECONDS = 3600;

export interface Target {
  /** nova-api's /v2.1 base URL. */
  novaUrl: string;
  /** cinder-api's root URL (no /v3). */
  cinderUrl: string;
  /** Tokens of an admin (project `projects.admin`) and of a member of another project. */
  tokens: { admin: string; member: string };
  projects: { admin: string; member: string };
  queries: Queries;
  /** Whether the API processes are still running (a crash is a failure). */
  alive?: () => boolean;
}

export interface FuzzOptions {
  seed: number;
  requests: number;
  seconds: number;
  /** Share of steps that send a group of racing requests on one volume and server (default 0.06). */
  raceShare?: number;
  /** Seconds to wait for the state to settle before the audit fails. */
  settleSeconds?: number;
  log?: (line: string) => void;
  /** Every request and answer (JSON lines), to follow what led to a failure. */
  trace?: (line: string) => void;
}

export interface Failure {
  seed: number;
  index: number;
  kind: string;
  request?: { method: string; url: string; user: string; op: string; spoilt: string[]; headers: Record<string, string>; body?: string };
  answer?: { status: number; body: string };
}

export interface FuzzResult {
  seed: number;
  sent: number;
  byStatus: Record<string, number>;
  failures: Failure[];
  /** Audit lines left after the settle window (each also a failure). */
  stuck: string[];
  held: number;
  seconds: number;
}

const clip = (s: string, n = 600): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Sent { answer: Answer; error?: string }

function send(agent: Agent, url: string, req: FuzzRequest, token: string | null): Promise<Sent> {
  const data = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  return new Promise((resolve) => {
    const r = request(url, {
      method: req.method, agent, timeout: 60_000,
      headers: { ...(token === null ? {} : { 'X-Auth-Token': token }), Accept: 'application/json', ...req.headers, ...(data ? { 'Content-Length': data.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ answer: { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') } }));
      res.on('error', (e) => resolve({ answer: { status: 0, text: '', contentType: '' }, error: e.message }));
    });
    r.on('timeout', () => r.destroy(new Error('timed out after 60 s')));
    r.on('error', (e) => resolve({ answer: { status: 0, text: '', contentType: '' }, error: e.message }));
    r.end(data);
  });
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Export report of every backend (admin API); volume ids with an export. */
async function exportedVolumes(agent: Agent, t: Target): Promise<string[]> {
  const req: FuzzRequest = { service: 'cinder', method: 'GET', path: `/v3/${t.projects.admin}/os-volume-exports`, headers: {}, user: 'admin', op: 'audit', spoilt: [] };
  const { answer } = await send(agent, t.cinderUrl + req.path, req, t.tokens.admin);
  if (answer.status !== 200) throw new Error(`os-volume-exports answered ${answer.status}: ${clip(answer.text, 200)}`);
  const body = JSON.parse(answer.text) as { backends: Array<{ exports: string[] }> };
  return body.backends.flatMap((b) => b.exports);
}

export async function runFuzz(t: Target, o: FuzzOptions): Promise<FuzzResult> {
  const requests = Math.max(1, Math.min(MAX_REQUESTS, Math.floor(o.requests)));
  const seconds = Math.max(1, Math.min(MAX_SECONDS, o.seconds));
  const log = o.log ?? ((): void => undefined);
  const rng = new Prng(o.seed);
  const st = new FuzzState(t.projects);
  const gen = new Generator(rng, st);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const failures: Failure[] = [];
  const byStatus: Record<string, number> = {};
  const held = new Set<string>();
  const t0 = Date.now();
  const raceShare = Math.max(0, Math.min(1, o.raceShare ?? 0.06));
  let index = 0;

  const learn = (req: FuzzRequest, a: Answer): void => {
    const parts = req.path.split('?')[0].split('/');
    // A thing its owner cannot find any more is gone: stop aiming at it.
    const mine = (list: Array<{ id: string; project: string }>, id: string): boolean => list.some((x) => x.id === id && x.project === t.projects[req.user]);
    if (a.status === 404 && req.op === 'volume-show' && !req.spoilt.length && mine(st.volumes, parts[4])) st.forget('volumes', parts[4]);
    if (a.status === 404 && req.op === 'server-show' && !req.spoilt.length && mine(st.servers, parts[2])) st.forget('servers', parts[2]);
    if (a.status < 200 || a.status >= 300) return;
    let body: Record<string, Record<string, unknown>> | null = null;
    try { body = JSON.parse(a.text) as Record<string, Record<string, unknown>>; } catch { /* not JSON */ }
    const owner = req.path.startsWith(`/v3/${t.projects.member}`) || (req.service === 'nova' && req.user === 'member') ? t.projects.member : t.projects.admin;
    const id = (k: string): string | null => (body && typeof body[k]?.id === 'string' ? body[k].id as string : null);
    if (req.op === 'server-create' && req.method === 'POST' && id('server')) st.add('servers', id('server')!, owner);
    if (req.op === 'volume-create' && req.method === 'POST' && id('volume')) st.add('volumes', id('volume')!, owner);
    if (req.op === 'attachment-create' && req.method === 'POST' && id('attachment')) st.add('attachments', id('attachment')!, owner);
    if (req.op === 'type-create' && req.method === 'POST' && id('volume_type') && !st.types.includes(id('volume_type')!)) st.types.push(id('volume_type')!);
    if (req.op === 'qos-create' && id('qos_specs')) st.qosSpecs.push(id('qos_specs')!);
    if (req.op === 'group-type-create' && id('group_type')) st.groupTypes.push(id('group_type')!);
    if (req.op === 'snapshot-create' && id('snapshot')) st.add('snapshots', id('snapshot')!, owner);
    if ((req.op === 'group-create' || req.op === 'group-copy') && id('group')) st.add('groups', id('group')!, owner);
    if (req.op === 'group-snapshot-create' && id('group_snapshot')) st.add('groupSnapshots', id('group_snapshot')!, owner);
    if (req.op === 'volume-in-group' && id('volume')) st.add('volumes', id('volume')!, owner);
    if (req.op === 'snapshot-delete' && parts.length === 5) st.forget('snapshots', parts[4]);
    if (req.op === 'server-delete' && req.method === 'DELETE') st.forget('servers', parts[2]);
    if ((req.op === 'volume-delete' && req.method === 'DELETE') || req.op === 'action os-force_delete') st.forget('volumes', parts[4]);
    if (req.op === 'action os-unmanage') {
      st.forget('volumes', parts[4]);
      if (st.unmanaged.length < 50) st.unmanaged.push(`volume-${parts[4]}`);
    }
    if (req.op === 'volume-manage' && id('volume')) st.add('volumes', id('volume')!, owner);
    if (req.op === 'snapshot-action' && req.body?.includes('"os-unmanage"')) {
      st.forget('snapshots', parts[4]);
      if (st.unmanagedSnapshots.length < 50) st.unmanagedSnapshots.push(`snapshot-${parts[4]}`);
    }
    if (req.op === 'snapshot-manage' && id('snapshot')) st.add('snapshots', id('snapshot')!, owner);
    if (req.op === 'attachment-delete' && req.method === 'DELETE') st.forget('attachments', parts[4]);
    const services = (body as { services?: Array<{ id?: unknown; binary?: unknown }> } | null)?.services;
    const compute = Array.isArray(services) ? services.find((x) => x.binary === 'nova-compute' && typeof x.id === 'string') : undefined;
    if (req.op === 'services-list' && compute) st.computeUuid = compute.id as string;
    const va = body?.volumeAttachment;
    if (req.op === 'attach' && req.method === 'POST' && typeof va?.serverId === 'string' && typeof va.volumeId === 'string') st.pair(va.serverId, va.volumeId, owner);
    if (req.op === 'detach' && req.method === 'DELETE') st.unpair(parts[2], parts[4]);
    // A raw Cinder action that worked: the caller holds the volumes it names.
    // (Every id it names: the volume may have left the generator's lists meanwhile.)
    if (req.holds) for (const v of `${req.path} ${req.body ?? ''}`.match(UUID) ?? []) held.add(v);
  };

  const one = async (req: FuzzRequest, i: number): Promise<void> => {
    const url = (req.service === 'cinder' ? t.cinderUrl : req.root ? t.novaUrl.replace(/\/v2\.1$/, '') : t.novaUrl) + req.path;
    // A non-Latin-1 token cannot go in a header: sent as its UTF-8 bytes, as a careless client would.
    const token = req.token === undefined ? t.tokens[req.user] : req.token === null ? null : Buffer.from(req.token, 'utf8').toString('latin1');
    const { answer, error } = await send(agent, url, req, token);
    const key = error ? 'error' : String(answer.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    const bad = error ? `no answer: ${error}` : violation(answer, req.method === 'HEAD', !!req.root && req.path.startsWith('/image/'));
    if (bad) {
      failures.push({
        seed: o.seed, index: i, kind: bad,
        request: { method: req.method, url, user: req.user, op: req.op, spoilt: req.spoilt, headers: req.headers, body: req.body === undefined ? undefined : clip(req.body) },
        answer: { status: answer.status, body: clip(answer.text) },
      });
      log(`#${i} ${req.method} ${req.path.slice(0, 120)} → ${answer.status}: ${bad}`);
    }
    o.trace?.(JSON.stringify({ i, user: req.user, op: req.op, spoilt: req.spoilt, method: req.method, path: req.path, headers: req.headers,
      body: req.body === undefined ? undefined : clip(req.body, 300), status: answer.status, answer: clip(answer.text, 300) }));
    learn(req, answer);
  };

  // Both projects may make what the run needs (valid, as an operator would).
  for (const p of [t.projects.admin, t.projects.member]) {
    const q: FuzzRequest = { service: 'cinder', method: 'PUT', path: `/v3/${t.projects.admin}/os-quota-sets/${p}`, user: 'admin', op: 'setup', spoilt: [],
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ quota_set: { volumes: 1000, gigabytes: 100000 } }) };
    await one(q, -1);
  }

  while (index < requests && Date.now() - t0 < seconds * 1000) {
    if (t.alive && !t.alive()) {
      failures.push({ seed: o.seed, index, kind: 'an API process exited' });
      break;
    }
    const race = rng.chance(raceShare) && st.volumes.length && st.servers.length;
    const batch = race ? gen.race() : rng.chance(0.15) ? Array.from({ length: rng.int(2, 3) }, () => gen.next()) : [gen.next()];
    const todo = batch.slice(0, requests - index);
    // A race's later requests start a few ms apart, so one lands while another is half-way
    // (a swap past its begin_detaching when the server's delete comes): sent at once, they
    // mostly met before either began.
    const delays = todo.map((_, k) => (race && k ? rng.int(0, 8) : 0));
    await Promise.all(todo.map((req, k) => (delays[k] ? sleep(delays[k]) : Promise.resolve()).then(() => one(req, index + k))));
    index += todo.length;
  }

  // Settle: poll the audit until clean or the window ends.
  const settle = Math.max(1, Math.min(600, o.settleSeconds ?? 60)) * 1000;
  const s0 = Date.now();
  let stuck: string[] = [];
  for (let attempt = 0; attempt < 10_000 && Date.now() - s0 <= settle; attempt++) {
    try {
      stuck = await audit(t.queries, held, await exportedVolumes(agent, t));
    } catch (e) {
      stuck = [`audit failed: ${(e as Error).message}`];
    }
    if (!stuck.length) break;
    await pause(250);
  }
  if (t.alive && !t.alive()) failures.push({ seed: o.seed, index, kind: 'an API process exited' });
  for (const s of stuck) failures.push({ seed: o.seed, index, kind: `stuck after ${settle / 1000} s: ${s}` });
  agent.destroy();
  return { seed: o.seed, sent: index, byStatus, failures, stuck, held: held.size, seconds: (Date.now() - t0) / 1000 };
}

/** The summary and each failure, replayable by seed and index. */
export function report(res: FuzzResult): string {
  const lines = [`seed ${res.seed}: ${res.sent} requests in ${res.seconds.toFixed(1)} s; status ${JSON.stringify(res.byStatus)}; ` +
    `${res.held} id(s) held by raw actions; ${res.failures.length} failure(s)`];
  for (const f of res.failures) {
    lines.push(`  FAIL seed=${f.seed} index=${f.index}: ${f.kind}`);
    if (f.request) lines.push(`    request: ${JSON.stringify(f.request)}`);
    if (f.answer) lines.push(`    answer: ${JSON.stringify(f.answer)}`);
  }
  return lines.join('\n');
}
