// The differential test of our cinder-api against the real Cinder 21 (scripts/cinder-diff.sh
// starts both and runs this): every step of test/diff/scenarios.ts goes to both, the answers are
// normalised (ids to labels, times, base URLs) and compared (status, fault class, message, body
// keys and values, OpenStack-API-Version and Content-Type, the volume's state after the step).
// Each difference is either deliberate (a rule of test/diff/deliberate.json, explained in
// docs/differences.md) or unexplained. Exit 1 when any is unexplained.
//
//   node dist/test/diff/cinder-diff.js --ours URL --theirs URL [--rules FILE] [--json OUT] [--only REGEX] [--random] [--trace]
//
// --random plays test/diff/random-scenarios.ts instead: DIFF_SEED (default: a new one, printed)
// and DIFF_STEPS requests (default 500, at most MAX_STEPS). --trace prints every step's two
// statuses and volume states, to follow a walk up to its difference.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare, Side, type Answer, type Difference, type Json } from './normalise';
import { MAX_STEPS, randomScenarios } from './random-scenarios';
import { matches, type Rule } from './rules';
import { scenarios, type Scenario, type Step } from './scenarios';

interface Row {
  step: string;
  request: string;
  differences: Array<Difference & { reason?: string }>;
}

const SETTLING = new Set(['creating', 'extending', 'retyping', 'deleting', 'downloading', 'uploading', 'unmanaging']);
const TOKEN_USER = 'admin';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function fill(text: string, side: Side, project: string, ids: Map<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name === 'p' ? project : ids.get(name) ?? whole));
}

function fillJson(v: unknown, side: Side, project: string, ids: Map<string, string>): unknown {
  if (typeof v === 'string') return fill(v, side, project, ids);
  if (Array.isArray(v)) return v.map((x) => fillJson(x, side, project, ids));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillJson(x, side, project, ids)]));
  return v;
}

async function send(side: Side, project: string, method: string, path: string, opts: { mv?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const headers: Record<string, string> = { 'X-Auth-Token': `${TOKEN_USER}:${project}`, Accept: 'application/json', ...(opts.headers ?? {}) };
  if (opts.mv !== undefined) headers['OpenStack-API-Version'] = opts.mv.includes(' ') || opts.mv === '' ? opts.mv : `volume ${opts.mv}`;
  if (opts.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  const res = await fetch(side.url + path, { method, headers, body: opts.body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: Json = text;
  try { body = text ? JSON.parse(text) : null; } catch { /* keep the text */ }
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => { out[k] = v; });
  return { status: res.status, headers: out, body };
}

/** Waits (bounded) until the volume leaves a transitional status; returns its state, or {gone}. */
async function volumeState(side: Side, project: string, id: string): Promise<Json> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await send(side, project, 'GET', `/v3/${project}/volumes/${id}`, {});
    if (r.status === 404) return { gone: true };
    const v = r.body?.volume;
    if (!v) return { error: r.status };
    if (!SETTLING.has(v.status) || Date.now() > deadline) {
      // Cinder lists a volume's attachments in no set order (by their random ids, on MySQL): by server, host and device here.
      const attachments = (v.attachments ?? []).map((a: Json) => ({ server_id: a.server_id, host_name: a.host_name, device: a.device, attachment_id: a.attachment_id }))
        .sort((x: Json, y: Json) => `${x.server_id}|${x.host_name}|${x.device}`.localeCompare(`${y.server_id}|${y.host_name}|${y.device}`));
      return { status: v.status, size: v.size, bootable: v.bootable, metadata: v.metadata, multiattach: v.multiattach, migration_status: v.migration_status, attachments };
    }
    await new Promise((r2) => setTimeout(r2, 100));
  }
}

/** Waits (bounded) until the snapshot leaves creating or deleting; returns its state, or {gone}. */
async function snapshotState(side: Side, project: string, id: string): Promise<Json> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await send(side, project, 'GET', `/v3/${project}/snapshots/${id}`, {});
    if (r.status === 404) return { gone: true };
    const s = r.body?.snapshot;
    if (!s) return { error: r.status };
    if (!['creating', 'deleting', 'unmanaging'].includes(s.status) || Date.now() > deadline) return { status: s.status, size: s.size, metadata: s.metadata };
    await new Promise((r2) => setTimeout(r2, 100));
  }
}

/** A group's state once it leaves creating, deleting or updating (at most 30 s). */
async function groupState(side: Side, project: string, id: string): Promise<Json> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await send(side, project, 'GET', `/v3/${project}/groups/${id}?list_volume=True`, { mv: '3.25' });
    if (r.status === 404) return { gone: true };
    const g = r.body?.group;
    if (!g) return { error: r.status };
    if (!['creating', 'deleting', 'updating'].includes(g.status) || Date.now() > deadline) return { status: g.status, volumes: g.volumes?.length ?? null };
    await new Promise((r2) => setTimeout(r2, 100));
  }
}

/** A group snapshot's state once it leaves creating or deleting (at most 30 s). */
async function groupSnapshotState(side: Side, project: string, id: string): Promise<Json> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await send(side, project, 'GET', `/v3/${project}/group_snapshots/${id}`, { mv: '3.14' });
    if (r.status === 404) return { gone: true };
    const g = r.body?.group_snapshot;
    if (!g) return { error: r.status };
    if (!['creating', 'deleting'].includes(g.status) || Date.now() > deadline) return { status: g.status };
    await new Promise((r2) => setTimeout(r2, 100));
  }
}

function dig(body: Json, path: string): unknown {
  return path.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), body);
}

async function play(side: Side, project: string, ids: Map<string, string>, step: Step): Promise<Answer> {
  const path = fill(step.path, side, project, ids);
  const body = step.raw !== undefined ? step.raw : step.body === undefined ? undefined : JSON.stringify(fillJson(step.body, side, project, ids));
  const answer = await send(side, project, step.method, path, { mv: step.mv, headers: step.headers, body });
  const saves = !step.save ? [] : Array.isArray(step.save[0]) ? step.save as Array<[string, string]> : [step.save as [string, string]];
  for (const [label, at] of answer.status < 300 ? saves : []) {
    const id = dig(answer.body, at);
    if (typeof id === 'string') {
      ids.set(label, id);
      side.labels.set(id.toLowerCase(), `<${label}>`);
    }
  }
  if (step.state && ids.has(step.state)) answer.state = await volumeState(side, project, ids.get(step.state) as string);
  if (step.snapState && ids.has(step.snapState)) answer.state = { ...(answer.state ?? {}), snapshot: await snapshotState(side, project, ids.get(step.snapState) as string) };
  if (step.groupSnapshotState && ids.has(step.groupSnapshotState)) {
    answer.state = { ...(answer.state ?? {}), group_snapshot: await groupSnapshotState(side, project, ids.get(step.groupSnapshotState) as string) };
  }
  if (step.groupState && ids.has(step.groupState)) answer.state = { ...(answer.state ?? {}), group: await groupState(side, project, ids.get(step.groupState) as string) };
  return answer;
}

async function main(): Promise<void> {
  const oursUrl = arg('ours');
  const theirsUrl = arg('theirs');
  if (!oursUrl || !theirsUrl) throw new Error('usage: cinder-diff --ours URL --theirs URL [--rules FILE] [--json OUT] [--only REGEX] [--random] [--trace]');
  const rules = JSON.parse(readFileSync(arg('rules', join(__dirname, '..', '..', '..', 'test', 'diff', 'deliberate.json')) as string, 'utf8')).rules as Rule[];
  const only = arg('only');
  const trace = process.argv.includes('--trace');
  let played: Scenario[] = scenarios();
  let seed: number | undefined;
  if (process.argv.includes('--random')) {
    seed = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : randomBytes(4).readUInt32BE();
    const steps = process.env.DIFF_STEPS ? Number(process.env.DIFF_STEPS) : 500;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error('DIFF_SEED must be an integer in [0, 2^32)');
    if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) throw new Error(`DIFF_STEPS must be an integer in [1, ${MAX_STEPS}]`);
    played = randomScenarios(seed, steps);
    console.log(`random scenarios: DIFF_SEED=${seed} DIFF_STEPS=${steps} (${played.length} scenarios, replay one with --only '^random-${seed}-<k>$')`);
  }
  const rows: Row[] = [];
  let requests = 0;
  let identical = 0;
  const byReason = new Map<string, number>();
  let unexplained = 0;
  for (const sc of played) {
    if (only && !new RegExp(only).test(sc.name)) continue;
    const project = randomBytes(16).toString('hex');
    const o = new Side('ours', oursUrl.replace(/\/$/, ''));
    const t = new Side('theirs', theirsUrl.replace(/\/$/, ''));
    const oi = new Map<string, string>();
    const ti = new Map<string, string>();
    for (const [i, step] of sc.steps.entries()) {
      if (step.nextSecond) {
        const second = Math.floor(Date.now() / 1000);
        while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const name = `${sc.name}#${i + 1}`;
      const [a, b] = await Promise.all([play(o, project, oi, step), play(t, project, ti, step)]);
      requests++;
      if (trace) console.log(`${name} ${step.method} ${step.path} ours ${a.status} theirs ${b.status}${a.state ? ` ${JSON.stringify(a.state)} | ${JSON.stringify(b.state)}` : ''}`);
      const diffs = compare(a, b, o, t, { unordered: step.method === 'DELETE' && /\/attachments\/[^/?]+$/.test(step.path) });
      if (!diffs.length) { identical++; continue; }
      const request = `${step.method} ${step.path}${step.mv !== undefined ? ` [${step.mv}]` : ''}${step.body !== undefined ? ` ${JSON.stringify(step.body).slice(0, 120)}` : ''}${step.raw !== undefined ? ` raw(${step.headers?.['Content-Type'] ?? ''})` : ''}`;
      const classified = diffs.map((d) => ({ ...d, reason: rules.find((r) => matches(r, `${name} ${request}`, `${a.status} ${b.status}`, d))?.reason }));
      const open = classified.filter((d) => !d.reason);
      if (open.length) unexplained++;
      else {
        // A request whose differences are all deliberate counts under its first reason.
        const reason = classified[0].reason as string;
        byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      }
      rows.push({ step: name, request, differences: classified });
    }
  }
  const json = arg('json');
  if (json) writeFileSync(json, JSON.stringify({ requests, identical, deliberate: Object.fromEntries(byReason), unexplained, rows }, null, 2));
  for (const row of rows) {
    const open = row.differences.filter((d) => !d.reason);
    if (!open.length) continue;
    console.log(`${row.step}  ${row.request}`);
    for (const d of open) console.log(`    ${d.kind} ${d.at}: ours ${JSON.stringify(d.ours)} | theirs ${JSON.stringify(d.theirs)}`);
  }
  if (seed !== undefined) console.log(`\nDIFF_SEED=${seed}`);
  console.log(`${seed === undefined ? '\n' : ''}requests ${requests}, identical ${identical}, deliberate ${[...byReason.values()].reduce((n, x) => n + x, 0)}, unexplained ${unexplained}`);
  for (const [reason, n] of [...byReason].sort()) console.log(`  ${n}\t${reason}`);
  process.exitCode = unexplained ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 2;
});
