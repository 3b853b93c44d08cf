// The seeded chaos campaign (run by scripts/chaos.sh): two four-process clusters (the fault
// suite's layout, one per Cinder flow) under a mixed load, and in each round 1–3 faults at
// random moments: SIGKILL of a service (then started again), nova-compute kept down past
// service_down_time while servers with volumes are deleted (nova-api's local delete), MariaDB
// down 10 s, the broker's app stopped, the broker's VM killed and booted. After the load the cluster is left to settle
// (bounded) and audited (drift.ts fullDrift: rows, attachments, exports, tgtd, task states,
// quota usages). On drift it prints seed, round, fault schedule and drift, and exits 1.
//
// CHAOS_SEED (default: the time), CHAOS_ROUNDS (default 10, max 500), CHAOS_SECONDS (overall
// bound, default 3600), CHAOS_ROUND=<n> replays round n of CHAOS_SEED alone, CHAOS_WORKERS (per
// cluster, default 3), CHAOS_LOG_DIR (daemon logs of a failed round).
import 'reflect-metadata';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'mocha';
import type { Cluster } from '../../test/system/e2e/cluster';
import { waitFor } from '../../test/support/processes';
import { bootBroker, killBroker, startBroker, startDatabase, stopBroker, stopDatabase } from '../../test/support/servers';
import { fullDrift, waitNoDrift } from '../../test/system/faults/drift';
import { CONVERGE_MS, faultCluster, waitComputeDown, waitComputeUp, type Flow, type Service } from '../../test/system/faults/fault-cluster';
import { serverErrors } from '../../test/system/faults/load';
import { ensureMultiattachType, MULTIATTACH_TYPE, startMixedLoad, type Pool } from './mixed-load';
import { describeFaults, FLOWS, planRound, SERVICE_FAULTS, SERVICES, type Fault, type RoundPlan } from './plan';

const MAX_ROUNDS = 500;
/** Settling bound: cinder-volume's attach_transition_timeout (30 s, a stale reservation; a lost create/delete/extend ends sooner) plus the fault suite's bound. */
const SETTLE_MS = 30_000 + CONVERGE_MS + 60_000;
/** A restarted daemon gets this long to log "Started" (it may come up during an outage). */
const START_MS = 60_000;
/**
 * nova-api's service_down_time here (seconds; heartbeats every 2 s): a compute-down outlives it,
 * a MariaDB outage (10 s, heartbeats failing) does not, so no live compute is taken for dead;
 * overlapping outages can, so each round's pools wait for the computes to be counted up again.
 */
const SERVICE_DOWN_TIME = 20;

function intEnv(name: string, dflt: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? dflt : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${name} must be an integer from 0 to ${max}`);
  return n;
}

/** A server down for `ms` (the outage's length is the fault itself), then up again whatever happened. */
async function outage(stop: () => Promise<unknown>, start: () => Promise<unknown>, ms = 0): Promise<void> {
  await stop();
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    await start();
  }
}

const log = (s: string): void => { process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`); };

interface Figures { rounds: number; kills: number; computeDowns: number; localDeletes: number; dbOutages: number; brokerStops: number; brokerKills: number }

class Campaign {
  readonly clusters = new Map<Flow, Cluster>();
  readonly figures: Figures = { rounds: 0, kills: 0, computeDowns: 0, localDeletes: 0, dbOutages: 0, brokerStops: 0, brokerKills: 0 };
  /** The round's pools (a compute-down deletes some of their servers). */
  private pools = new Map<Flow, Pool>();
  private readonly controlRoot = mkdtempSync(join(tmpdir(), 'attachd-chaos-'));
  private readonly ctx = { skip: () => { throw new Error('a server or tool is missing (scripts/chaos.sh starts them; tgtd needs root)'); } } as unknown as Context;

  async start(): Promise<void> {
    for (const flow of FLOWS) {
      const { cluster, opts } = faultCluster(join(this.controlRoot, flow), flow);
      // A reservation a killed extend left is rolled back within the settling bound.
      const cinderConf = [...(opts?.cinderConf ?? []), 'reservation_expire = 20', 'reservation_clean_interval = 2'];
      const novaConf = [...(opts?.novaConf ?? []), '[DEFAULT]', `service_down_time = ${SERVICE_DOWN_TIME}`];
      this.clusters.set(flow, cluster);
      await cluster.start(this.ctx, { ...opts, cinderConf, novaConf });
      await ensureMultiattachType(cluster);
    }
  }

  async stop(): Promise<void> {
    await startDatabase().catch(() => undefined);
    for (const c of this.clusters.values()) await c.stop().catch(() => undefined);
    rmSync(this.controlRoot, { recursive: true, force: true });
  }

  /** Start `svc` again until it serves (a start during an outage may fail; bounded). */
  async restart(c: Cluster, svc: Service): Promise<void> {
    let last: unknown;
    for (let i = 0; i < 3; i++) {
      try {
        await c.startDaemon(svc, {}, START_MS);
        return;
      } catch (e) {
        last = e;
      }
    }
    throw new Error(`${svc} did not come back: ${(last as Error).message.slice(0, 2000)}`);
  }

  async fault(f: Fault): Promise<void> {
    if (f.kind === 'kill') {
      const c = this.clusters.get(f.flow as Flow) as Cluster;
      this.figures.kills++;
      if (f.point) await this.pauseAt(f.flow as Flow, f.service as Service, f.point);
      await c.kill9(f.service as Service);
      await this.restart(c, f.service as Service);
    } else if (f.kind === 'compute-down') {
      this.figures.computeDowns++;
      await this.computeDown(f.flow as Flow, f.deletes ?? 1, f.point);
    } else if (f.kind === 'db-outage') {
      this.figures.dbOutages++;
      await outage(stopDatabase, startDatabase, f.downMs);
    } else if (f.kind === 'broker-stop') {
      this.figures.brokerStops++;
      await outage(stopBroker, startBroker, f.downMs);
    } else {
      this.figures.brokerKills++;
      await killBroker();
      await bootBroker();
    }
  }

  /**
   * nova-compute killed and left down until nova-api counts it down (service_down_time), then up
   * to `deletes` servers with volumes deleted through nova-api (its local delete releases them),
   * each gone at once; then the compute is started again. With `point`, nova-api is killed there
   * during the first delete and started again: that server, left 'deleting', is the compute's
   * reconciler's to finish once it is back. The round's audit finds what is left.
   */
  private async computeDown(flow: Flow, deletes: number, point?: string): Promise<void> {
    const c = this.clusters.get(flow) as Cluster;
    const pool = this.pools.get(flow) as Pool;
    // Made again while an outage refuses it (bounded); what a failed try left goes with the round's cleanup.
    const own = await waitFor(() => this.prepareVictim(c, flow), 60_000, 'a server with volumes', 1000).catch((e: unknown) => {
      log(`    no server of our own to delete: ${(e as Error).message.slice(0, 300)}`);
      return null;
    });
    await c.kill9('nova-compute');
    try {
      await waitComputeDown(c, (SERVICE_DOWN_TIME + 60) * 1000);
      const withVolumes: string[] = [];
      for (const s of [...(own ? [own] : []), ...pool.servers]) {
        const r = await waitFor(async () => {
          const a = await c.req('nova', 'GET', `/v2.1/servers/${s}/os-volume_attachments`);
          return a.status === 503 ? null : a;
        }, 60_000, `the volumes of server ${s}`, 500);
        if (r?.status === 200 && r.body.volumeAttachments.length) withVolumes.push(s);
      }
      const victims = withVolumes.slice(0, deletes);
      log(`    compute down; deleting ${victims.length} of ${withVolumes.length} server(s) with volumes`);
      for (const [i, s] of victims.entries()) {
        if (i === 0 && point) {
          this.figures.kills++;
          await this.pauseAt(flow, 'nova-api', point, () => c.req('nova', 'DELETE', `/v2.1/servers/${s}`));
          await c.kill9('nova-api');
          await this.restart(c, 'nova-api');
          if (pool.servers.length > 1) pool.servers = pool.servers.filter((x) => x !== s);
          continue;
        }
        // A 503 (an outage of the database or Cinder under way) is asked again; the delete is synchronous.
        const status = await waitFor(async () => {
          const r = await c.req('nova', 'DELETE', `/v2.1/servers/${s}`);
          return r.status === 503 ? null : r.status;
        }, 60_000, `DELETE server ${s}`, 500);
        if (status !== 204 && status !== 404) throw new Error(`DELETE server ${s} with its compute down answered ${status}`);
        const after = await c.req('nova', 'GET', `/v2.1/servers/${s}`);
        if (after.status !== 404) throw new Error(`server ${s} still there after its local delete: ${after.status} ${JSON.stringify(after.body?.server?.status)}`);
        if (status === 204) this.figures.localDeletes++;
        if (pool.servers.length > 1) pool.servers = pool.servers.filter((x) => x !== s);
      }
    } finally {
      await this.restart(c, 'nova-compute');
    }
  }

  /**
   * The load may have left no server with a volume (its own deletes take the pool's, also while
   * the compute is down): one more server, out of the load's reach, with a volume of its own and,
   * in the attachments flow, a multiattach volume that a second new server holds too, so the
   * delete must release this server's attachment and keep the other's. (The legacy flow attaches
   * an 'available' volume only, as the seed's attach checks.)
   */
  private async prepareVictim(c: Cluster, flow: Flow): Promise<string> {
    const server = await c.createServer('chaos-victim');
    const attach = async (to: string, volumeId: string): Promise<void> => {
      const a = await c.req('nova', 'POST', `/v2.1/servers/${to}/os-volume_attachments`, { volumeAttachment: { volumeId } }, { 'X-OpenStack-Nova-API-Version': '2.60' });
      if (a.status !== 200) throw new Error(`attach ${a.status} ${JSON.stringify(a.body)}`);
      await c.waitVolume(volumeId, 'in-use');
    };
    const own = await c.createVolume();
    await attach(server, own);
    if (flow === 'legacy') {
      log(`    server ${server}: volume ${own}`);
      return server;
    }
    const sibling = await c.createServer('chaos-sibling');
    const r = await c.req('cinder', 'POST', '/volumes', { volume: { size: 1, volume_type: MULTIATTACH_TYPE } });
    if (r.status !== 202) throw new Error(`multiattach volume create ${r.status}`);
    const shared = r.body.volume.id as string;
    await c.waitVolume(shared, 'available');
    await attach(sibling, shared);
    await attach(server, shared);
    await waitFor(async () => ((await c.req('cinder', 'GET', `/volumes/${shared}`)).body?.volume?.attachments ?? []).length === 2,
      30_000, `multiattach volume ${shared} attached to both`, 200);
    log(`    server ${server}: volume ${own}, and multiattach volume ${shared} with server ${sibling}`);
    return server;
  }

  /**
   * Arm `point` in `svc`, start `op` if given (its answer is not awaited: the kill drops it), and
   * wait (up to 8 s) for the load or `op` to reach it; the kill follows either way.
   */
  private async pauseAt(flow: Flow, svc: Service, point: string, op?: () => Promise<unknown>): Promise<void> {
    const dir = join(this.controlRoot, flow, svc);
    rmSync(join(dir, 'hit'), { force: true });
    writeFileSync(join(dir, 'armed'), point);
    try {
      void op?.().catch(() => undefined);
      const hit = await waitFor(() => existsSync(join(dir, 'hit')), 8_000, point, 50).then(() => true, () => false);
      log(`    ${hit ? 'paused at' : 'not reached:'} ${point}`);
    } finally {
      rmSync(join(dir, 'armed'), { force: true });
    }
  }

  /** The faults at their moments: kills on their own track, database and broker faults one after another. */
  async runFaults(faults: Fault[], t0: number): Promise<string[]> {
    const problems: string[] = [];
    const at = async (f: Fault): Promise<void> => {
      const wait = t0 + f.atMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    };
    const track = async (fs: Fault[]): Promise<void> => {
      for (const f of fs) {
        await at(f);
        log(`  fault: ${describeFaults([f])}`);
        await this.fault(f).catch((e: unknown) => { problems.push(`fault ${describeFaults([f])}: ${(e as Error).message}`); });
      }
    };
    const ofService = (f: Fault): boolean => SERVICE_FAULTS.includes(f.kind);
    await Promise.all([track(faults.filter(ofService)), track(faults.filter((f) => !ofService(f)))]);
    return problems;
  }

  /** Every daemon of every cluster still running (none exited by itself). */
  private gone(): string[] {
    const out: string[] = [];
    for (const [flow, c] of this.clusters) {
      for (const svc of SERVICES) {
        const d = c.daemons.get(svc);
        if (!d || d.proc.exitCode !== null || d.proc.signalCode !== null) out.push(`${svc} (${flow}) is not running${d ? `: exit ${d.proc.exitCode ?? d.proc.signalCode}` : ''}`);
      }
    }
    return out;
  }

  async settle(deadline: number): Promise<string[]> {
    const left: string[] = [...this.gone()];
    for (const [flow, c] of this.clusters) {
      try {
        await waitNoDrift(c, Math.max(5_000, Math.min(SETTLE_MS, deadline - Date.now())), fullDrift);
      } catch (e) {
        left.push(...(e as Error).message.split('\n').map((l) => `${flow}: ${l.trim()}`));
      }
    }
    return left;
  }

  /** The round's servers and volumes, ready before the faults. */
  async makePools(): Promise<Map<Flow, Pool>> {
    const pools = new Map<Flow, Pool>();
    for (const [flow, c] of this.clusters) {
      const pool: Pool = { servers: [], volumes: [] };
      // Overlapping MariaDB outages can outlast service_down_time: no host until the next heartbeat.
      await waitComputeUp(c, (SERVICE_DOWN_TIME + 30) * 1000);
      for (let i = 0; i < 3; i++) pool.servers.push(await c.createServer(`chaos${i}`));
      for (let i = 0; i < 3; i++) pool.volumes.push({ id: await c.createVolume(), multiattach: false });
      const r = await c.req('cinder', 'POST', '/volumes', { volume: { size: 1, volume_type: 'chaos-multiattach' } });
      if (r.status !== 202) throw new Error(`multiattach volume create ${r.status}`);
      await c.waitVolume(r.body.volume.id as string, 'available');
      pool.volumes.push({ id: r.body.volume.id as string, multiattach: true });
      pools.set(flow, pool);
    }
    return pools;
  }

  /** After the round: every server deleted (their volumes detach), then every volume; bounded. */
  async cleanup(): Promise<void> {
    for (const [flow, c] of this.clusters) {
      const servers = ((await c.req('nova', 'GET', '/v2.1/servers')).body?.servers ?? []) as Array<{ id: string }>;
      for (const s of servers) await c.req('nova', 'DELETE', `/v2.1/servers/${s.id}`).catch(() => undefined);
      await waitFor(async () => ((await c.req('nova', 'GET', '/v2.1/servers')).body?.servers ?? []).length === 0,
        60_000, `the servers deleted (${flow})`, 250).catch(() => undefined);
      const settled = (v: { status: string }): boolean => !['attaching', 'detaching', 'reserved', 'in-use', 'creating', 'extending', 'retyping'].includes(v.status);
      await waitFor(async () => ((await c.req('cinder', 'GET', '/volumes/detail')).body?.volumes ?? []).every(settled),
        30_000, `the volumes released (${flow})`, 250).catch(() => undefined);
      // Offers a fault left open hold their volumes 'awaiting-transfer', which refuses a delete.
      const offers = ((await c.req('cinder', 'GET', '/os-volume-transfer')).body?.transfers ?? []) as Array<{ id: string }>;
      for (const t of offers) await c.req('cinder', 'DELETE', `/os-volume-transfer/${t.id}`).catch(() => undefined);
      const volumes = ((await c.req('cinder', 'GET', '/volumes/detail')).body?.volumes ?? []) as Array<{ id: string; status: string }>;
      // cascade: a volume's snapshots go with it.
      for (const v of volumes) if (v.status !== 'deleting') await c.req('cinder', 'DELETE', `/volumes/${v.id}?cascade=true`).catch(() => undefined);
      await waitFor(async () => ((await c.req('cinder', 'GET', '/volumes')).body?.volumes ?? []).length === 0,
        60_000, `the volumes deleted (${flow})`, 250).catch(() => undefined);
    }
  }

  async round(plan: RoundPlan, deadline: number): Promise<{ drift: string[]; statuses: string }> {
    const pools = await this.makePools();
    this.pools = pools;
    log(`round ${plan.round} (seed ${plan.seed}): load ${plan.loadMs / 1000}s, faults: ${describeFaults(plan.faults)}`);
    const t0 = Date.now();
    const loads = [...this.clusters].map(([flow, c]) => startMixedLoad(c, pools.get(flow) as Pool, plan.ops[flow], plan.loadMs + 60_000));
    const problems = await this.runFaults(plan.faults, t0);
    const rest = t0 + plan.loadMs - Date.now();
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    const results = await Promise.all(loads.map((l) => l.stop()));
    const statuses = results.map((r) => [...r.statuses].sort().map(([k, n]) => `${k}×${n}`).join(' ')).join(' | ');
    const bad = results.flatMap((r) => serverErrors(r));
    if (bad.length) log(`  unexpected 5xx: ${bad.join(', ')}`);
    const t1 = Date.now();
    const drift = [...problems, ...(await this.settle(deadline))];
    log(`  settled in ${Date.now() - t1} ms`);
    if (!drift.length) {
      await this.cleanup();
      drift.push(...(await this.settle(deadline)).map((d) => `after the round's cleanup: ${d}`));
    }
    return { drift, statuses };
  }

  dumpLogs(dir: string, round: number): string {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `round-${round}.log`);
    writeFileSync(file, [...this.clusters].map(([flow, c]) => `===== ${flow}\n${[...c.daemons.values()].map((d) => `--- ${d.name}\n${d.output()}`).join('\n')}`).join('\n'));
    return file;
  }
}

async function main(): Promise<number> {
  const seed = process.env.CHAOS_SEED || String(Date.now());
  const rounds = intEnv('CHAOS_ROUNDS', 10, MAX_ROUNDS);
  const seconds = intEnv('CHAOS_SECONDS', 3600, 7 * 24 * 3600);
  const workers = intEnv('CHAOS_WORKERS', 3, 16);
  const only = process.env.CHAOS_ROUND ? intEnv('CHAOS_ROUND', 0, MAX_ROUNDS) : null;
  const deadline = Date.now() + seconds * 1000;
  const serverFaults = !!process.env.ATTACHD_SERVERS_DIR;
  if (!serverFaults) log('ATTACHD_SERVERS_DIR unset: kills and compute-downs only (the database and broker are not ours to stop)');
  const list = only !== null ? [only] : Array.from({ length: rounds }, (_, i) => i + 1);
  const campaign = new Campaign();
  // Interrupted: the daemons, their databases and tgtds go with us, and the database is left up.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => { void campaign.stop().finally(() => process.exit(130)); });
  }
  let status = 0;
  try {
    await campaign.start();
    for (const n of list) {
      // A round takes its load, its faults and its settling: do not start one that cannot finish.
      if (Date.now() + 40_000 + SETTLE_MS > deadline) {
        log(`CHAOS_SECONDS reached before round ${n}`);
        break;
      }
      const plan = planRound(seed, n, { serverFaults, workers, opsPerWorker: 200 });
      const logDir = process.env.CHAOS_LOG_DIR || join(tmpdir(), `attachd-chaos-${seed}`);
      // A round that fails outright (its servers never ACTIVE, say) keeps the daemons' logs too.
      const { drift, statuses } = await campaign.round(plan, deadline).catch((e: unknown) => {
        log(`round ${n} failed; daemon logs: ${campaign.dumpLogs(logDir, n)}`);
        throw e;
      });
      campaign.figures.rounds++;
      log(`  answers: ${statuses}`);
      if (drift.length) {
        const file = campaign.dumpLogs(logDir, n);
        process.stdout.write([`DRIFT seed=${seed} round=${n}`, `faults: ${describeFaults(plan.faults)}`, ...drift.map((d) => `  ${d}`),
          `daemon logs: ${file}`, `replay: CHAOS_SEED=${seed} CHAOS_ROUND=${n} bash scripts/chaos.sh`, ''].join('\n'));
        status = 1;
        break;
      }
      log(`round ${n}: no drift`);
    }
  } finally {
    await campaign.stop();
  }
  const f = campaign.figures;
  log(`chaos: seed ${seed}, ${f.rounds} rounds, ${f.kills} kill -9, ${f.computeDowns} compute-down (${f.localDeletes} local deletes), ${f.dbOutages} MariaDB outages, ${f.brokerStops} broker stop_app, ${f.brokerKills} broker kills: ${status ? 'DRIFT' : 'no drift'}`);
  return status;
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`chaos: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
