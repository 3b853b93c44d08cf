// The chaos campaign's schedule: a pure function of (seed, round), so a round's faults and every
// worker's operations can be replayed exactly from the seed (scripts/chaos.sh, CHAOS_ROUND).
import { ATTACH_STEPS, ATTACH_STEPS_V3, DETACH_STEPS, DETACH_STEPS_V3, EXTEND_STEPS, LOCAL_DELETE_STEPS, REBUILD_STEPS, RETYPE_STEPS, SNAPSHOT_STEPS, SWAP_STEPS, type Flow, type Service } from '../../test/system/faults/fault-cluster';

export const SERVICES: readonly Service[] = ['nova-api', 'nova-compute', 'cinder-api', 'cinder-volume'];
export const FLOWS: readonly Flow[] = ['attachments', 'legacy'];

/** Nova microversions the attach is driven at (2.101: the async attach). */
export const ATTACH_VERSIONS = ['2.1', '2.60', '2.79', '2.101'] as const;

export type FaultKind = 'kill' | 'compute-down' | 'db-outage' | 'broker-stop' | 'broker-kill';

/** Steps of nova-api's local delete, reached only while a compute is down: a compute-down arms them. */
export const COMPUTE_DOWN_STEPS: readonly string[] = LOCAL_DELETE_STEPS.map(([, point]) => point);

/** Faults of one service (run on the kills' track); the others take a server down. */
export const SERVICE_FAULTS: readonly FaultKind[] = ['kill', 'compute-down'];

export interface Fault {
  /** Milliseconds after the round's load started. */
  atMs: number;
  kind: FaultKind;
  /** kill, compute-down: which cluster (flow) and service. */
  flow?: Flow;
  service?: Service;
  /**
   * kill: the pause point armed first, so the kill lands exactly after that step (when reached in
   * time). compute-down: the step of nova-api's local delete its first server delete is killed at.
   */
  point?: string;
  /** db-outage / broker-stop: how long the server stays down. */
  downMs?: number;
  /** compute-down: how many servers with volumes are deleted while nova-compute counts as down. */
  deletes?: number;
}

export type OpKind = 'attach' | 'detach' | 'swap' | 'extend' | 'retype' | 'transfer' | 'snapshot' | 'create-volume' | 'delete-volume' | 'create-server' | 'delete-server'
  | 'stop' | 'start' | 'reboot' | 'pause' | 'unpause' | 'suspend' | 'resume' | 'rebuild';

export interface Op {
  kind: OpKind;
  /** Indices into the round's pools of servers and volumes (taken modulo their size). */
  server: number;
  volume: number;
  other: number;
  /** Nova microversion of the request. */
  version: string;
  multiattach: boolean;
  /** Pause before the op, milliseconds (pacing of the load, not a wait for an event). */
  pauseMs: number;
}

export interface RoundPlan {
  seed: string;
  round: number;
  loadMs: number;
  faults: Fault[];
  /** Per flow, per worker: its operations, in order. */
  ops: Record<Flow, Op[][]>;
}

/** mulberry32 over a 32-bit FNV-1a hash of the text: small, fast, and the same on every machine. */
export function rng(text: string): () => number {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  let a = h;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const between = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const OP_WEIGHTS: Array<[OpKind, number]> = [
  ['attach', 28], ['detach', 20], ['swap', 8], ['extend', 8], ['retype', 6], ['transfer', 4], ['snapshot', 4], ['create-volume', 5], ['delete-volume', 6],
  ['create-server', 3], ['delete-server', 4], ['stop', 6], ['start', 6], ['reboot', 6],
  ['pause', 3], ['unpause', 3], ['suspend', 3], ['resume', 3], ['rebuild', 4],
];
const TOTAL_WEIGHT = OP_WEIGHTS.reduce((n, [, w]) => n + w, 0);

function opKind(r: () => number): OpKind {
  let x = r() * TOTAL_WEIGHT;
  for (const [k, w] of OP_WEIGHTS) if ((x -= w) < 0) return k;
  return 'attach';
}

export interface PlanOptions {
  /** Whether the database and the broker may be taken down (their servers are ours). */
  serverFaults: boolean;
  workers: number;
  opsPerWorker: number;
}

/** The round's plan: 1–3 faults at random moments of a 15–25 s load, and each worker's operations. */
export function planRound(seed: string, round: number, o: PlanOptions): RoundPlan {
  const r = rng(`${seed}/${round}`);
  const loadMs = between(r, 15, 25) * 1000;
  const kinds: FaultKind[] = o.serverFaults ? ['kill', 'kill', 'kill', 'compute-down', 'db-outage', 'broker-stop', 'broker-kill'] : ['kill', 'kill', 'kill', 'compute-down'];
  const faults: Fault[] = [];
  for (let i = between(r, 1, 3); i > 0; i--) {
    const kind = pick(r, kinds);
    const atMs = between(r, 1000, loadMs - 2000);
    if (kind === 'kill') {
      const flow = pick(r, FLOWS);
      const service = pick(r, SERVICES);
      const steps = stepsOf(flow).filter(([svc]) => svc === service).map(([, point]) => point);
      // Half the kills wait for a step of an attach, detach, swap, extend or retype; the others land wherever the load is.
      const point = r() < 0.5 ? pick(r, steps) : undefined;
      faults.push({ atMs, kind, flow, service, ...(point ? { point } : {}) });
    }
    // nova-compute killed and kept down past service_down_time: nova-api deletes servers itself,
    // half the time killed half-way through the first (only a compute-down reaches those steps).
    else if (kind === 'compute-down') {
      const flow = pick(r, FLOWS);
      const deletes = between(r, 1, 2);
      const point = r() < 0.5 ? pick(r, COMPUTE_DOWN_STEPS) : undefined;
      faults.push({ atMs, kind, flow, service: 'nova-compute', deletes, ...(point ? { point } : {}) });
    }
    else if (kind === 'db-outage') faults.push({ atMs, kind, downMs: 10_000 });
    else if (kind === 'broker-stop') faults.push({ atMs, kind, downMs: between(r, 2, 8) * 1000 });
    else faults.push({ atMs, kind });
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  const ops = {} as Record<Flow, Op[][]>;
  for (const flow of FLOWS) {
    ops[flow] = [];
    for (let w = 0; w < o.workers; w++) {
      const wr = rng(`${seed}/${round}/${flow}/${w}`);
      const list: Op[] = [];
      for (let i = 0; i < o.opsPerWorker; i++) {
        const kind = opKind(wr);
        const version = kind === 'swap' ? pick(wr, ['2.1', '2.85']) : kind === 'attach' || kind === 'detach' ? pick(wr, ATTACH_VERSIONS) : '2.1';
        list.push({ kind, server: between(wr, 0, 99), volume: between(wr, 0, 99), other: between(wr, 0, 99), version,
          multiattach: wr() < 0.2, pauseMs: between(wr, 50, 400) });
      }
      ops[flow].push(list);
    }
  }
  return { seed, round, loadMs, faults, ops };
}

/** The steps of the attach, detach, swap, extend, retype, snapshot and rebuild in `flow` (as the fault suite runs them), each with the service that runs it. */
export function stepsOf(flow: Flow): Array<[Service, string]> {
  const all = [...(flow === 'legacy' ? [...ATTACH_STEPS, ...DETACH_STEPS] : [...ATTACH_STEPS_V3, ...DETACH_STEPS_V3]), ...SWAP_STEPS, ...EXTEND_STEPS, ...RETYPE_STEPS,
    ...SNAPSHOT_STEPS, ...REBUILD_STEPS];
  return all.filter(([svc, point], i) => all.findIndex(([s2, p2]) => s2 === svc && p2 === point) === i);
}

/** One line per fault, for the report and the replay. */
export function describeFaults(faults: readonly Fault[]): string {
  return faults.map((f) => `+${(f.atMs / 1000).toFixed(1)}s ${f.kind}${f.service ? ` ${f.service} (${f.flow})` : ''}${f.point ? ` at ${f.point}` : ''}${f.downMs ? ` ${f.downMs / 1000}s` : ''}${f.deletes ? `, ${f.deletes} server delete(s)` : ''}`).join('; ');
}
