// The compute's owner loop for its volume operations: at start and every
// [compute] volume_reconcile_interval seconds it takes each BDM row of an instance on this host
// whose attach_state says an attach or detach stopped half-way, and finishes or rolls it back
// (VolumeOps.resume; the direction is in nova-common/bdm-states.ts). Server deletes cut short
// and stops, starts and reboots cut short are redone, and builds cut short fail (vm_state error),
// as Nova's init_host does, and a volume a delete left attached to its deleted instance is
// released. Rows nova-api is still working on (reserving,
// detaching) are left alone until they are older than pending_volume_op_timeout.
// Each repair is logged at WARNING with the request id of the operation it repairs.
import { In } from 'typeorm';
import { getLogger } from '../common/log';
import { BDM_STATES as S } from '../nova-common/bdm-states';
import type { NovaDB } from '../nova-common/db-api';
import type { BlockDeviceMapping, Instance } from '../nova-common/entities';
import { REBUILD_TASKS, VM_STATES } from '../nova-common/objects';
import { POWER_OPS } from './power-ops';
import { CinderHTTPError } from '../nova-common/volume/cinder';
import type { ServiceAuth } from '../nova-common/volume/service-auth';
import type { ComputeManager } from './manager';
import type { Op, VolumeOps } from './volume-ops';

const LOG = getLogger('nova-compute.reconciler');

/** The task states of a stop, start or reboot the compute has still to finish. */
const POWER_TASKS: string[] = [...[...POWER_OPS.values()].flatMap((p) => p.tasks), ...REBUILD_TASKS];

/** Instances repaired side by side in one pass (each under its own instance lock). */
const CONCURRENCY = 8;

/** States nova-api drives until it hands over: not ours before they are old enough. */
const API_OWNED: ReadonlyArray<string | null> = [S.RESERVING, S.DETACHING, S.SWAP_RESERVING, S.SWAP_RESERVED];

export interface ReconcilerDeps {
  host: string;
  db: NovaDB;
  manager: ComputeManager;
  volumeOps: VolumeOps;
  auth: ServiceAuth;
  /** Seconds between passes; 0: only the start pass. */
  intervalSec: number;
  pendingTimeoutMs: number;
  /**
   * Set when every nova-api that could drive this host's rows started after this moment (the
   * all-in-one: its nova-api runs in this process and starts after the compute). A row nova-api
   * recorded before it has no one left to finish it, whatever its age.
   */
  apiStartedAfter?: Date;
}

export interface RepairReport {
  resumed: Array<{ bdmId: number; volumeId: string | null; instanceUuid: string; state: string | null; requestId: string | null; outcome: string }>;
  deletesRedone: string[];
  buildsFailed: string[];
  powerOpsRedone: string[];
  /** Ids of rows a server delete left live, released since. */
  leftoversReleased: number[];
}

export class VolumeReconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RepairReport> | null = null;

  constructor(private readonly d: ReconcilerDeps) {}

  /** The start pass, then the periodic ones. */
  async start(): Promise<void> {
    await this.runOnce().catch((e: unknown) => LOG.exception('Start-up volume reconciliation failed', e));
    if (this.d.intervalSec > 0) {
      this.timer = setInterval(() => { void this.runOnce().catch((e: unknown) => LOG.warning(`Volume reconciliation pass failed: ${(e as Error).message}`)); },
        this.d.intervalSec * 1000);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass (a pass already running is joined, not doubled). */
  runOnce(): Promise<RepairReport> {
    this.running ??= this.pass().finally(() => { this.running = null; });
    return this.running;
  }

  private passes = 0;
  /** When this compute started: the start pass takes only what was left before it. */
  private readonly startedAt = Date.now();

  /**
   * An instance task to redo: at the start pass any left from before this start (updated_at is
   * whole seconds on MariaDB, hence the margin; the all-in-one's own nova-api already takes
   * requests when its compute's start pass runs), later any older than pending_volume_op_timeout.
   */
  private cutShort(updatedAt: Date | null, first: boolean): boolean {
    const t = updatedAt?.getTime() ?? 0;
    return (first && t < this.startedAt - 1000) || Date.now() - t >= this.d.pendingTimeoutMs;
  }
  /**
   * Rows a pass took over and has not finished, with the request id of the operation taken:
   * retried at each pass whatever their age. A later operation on the same row (a new intent
   * nova-api writes, with its own request id) is not taken by this.
   */
  private readonly taken = new Map<number, string | null>();

  private async pass(): Promise<RepairReport> {
    const first = this.passes++ === 0;
    const report: RepairReport = { resumed: [], deletesRedone: [], buildsFailed: [], powerOpsRedone: [], leftoversReleased: [] };
    const rows = await this.d.db.bdmsPendingOnHost(this.d.host);
    const byInstance = new Map<string, Array<{ bdm: BlockDeviceMapping; instance: Instance }>>();
    for (const r of rows) byInstance.set(r.instance.uuid, [...(byInstance.get(r.instance.uuid) ?? []), r]);
    const work = [...byInstance.values()].map((items) => () => this.d.manager.locks.run(items[0].instance.uuid, async () => {
      for (const { bdm } of items) await this.resumeRow(bdm.id, report);
    }));
    for (const uuid of await this.deletesCutShort(first)) work.push(() => this.redoDelete(uuid, report));
    for (const uuid of await this.buildsCutShort(first)) work.push(() => this.failBuild(uuid, report));
    for (const [uuid, task] of await this.powerOpsCutShort(first)) work.push(() => this.redoPowerOp(uuid, task, report));
    for (const { bdm, instance } of await this.d.db.bdmsLeftByDeletedOnHost(this.d.host)) work.push(() => this.releaseLeftover(bdm.id, instance, report));
    await runLimited(work, CONCURRENCY);
    return report;
  }

  private async resumeRow(bdmId: number, report: RepairReport): Promise<void> {
    // Re-read under the lock: a cast handler may have finished it meanwhile.
    const bdm = await this.d.db.bdmGetAny(bdmId);
    if (!bdm?.attachState || !bdm.instanceUuid) {
      this.taken.delete(bdmId);
      return;
    }
    const age = Date.now() - (bdm.attachStateAt?.getTime() ?? 0);
    // Taken over once already (a repair that did not finish refreshes the row's time): ours now.
    const mine = this.taken.has(bdm.id) && this.taken.get(bdm.id) === bdm.attachRequestId;
    const orphaned = mine || (!!this.d.apiStartedAfter && !!bdm.attachStateAt && bdm.attachStateAt < this.d.apiStartedAfter);
    if (API_OWNED.includes(bdm.attachState) && age < this.d.pendingTimeoutMs && !orphaned) return;
    const instance = await this.d.db.instanceGetAny(bdm.instanceUuid);
    if (!instance) return;
    const entry = { bdmId: bdm.id, volumeId: bdm.volumeId, instanceUuid: instance.uuid, state: bdm.attachState, requestId: bdm.attachRequestId, outcome: 'done' };
    const op = await this.opFor(instance, bdm.attachRequestId, { volume_id: bdm.volumeId, instance_uuid: instance.uuid, bdm_id: bdm.id });
    LOG.warning(`Repairing volume ${bdm.volumeId} of instance ${instance.uuid}: ${bdm.attachState} since ${bdm.attachStateAt?.toISOString() ?? '?'} (${directionOf(bdm.attachState)})`, op.meta);
    this.taken.set(bdm.id, bdm.attachRequestId);
    try {
      await this.d.volumeOps.resume(op, instance, bdm);
      this.taken.delete(bdm.id);
      LOG.warning(`Repaired volume ${bdm.volumeId} of instance ${instance.uuid} (was ${bdm.attachState})`, op.meta);
    } catch (e) {
      // An expired or revoked service token: log in again next time.
      if (e instanceof CinderHTTPError && e.status === 401) this.d.auth.invalidate();
      entry.outcome = `failed: ${(e as Error).message}`;
      LOG.warning(`Repair of volume ${bdm.volumeId} (${bdm.attachState}) did not finish: ${(e as Error).message}; next pass retries`, op.meta);
    }
    report.resumed.push(entry);
  }

  /**
   * Instances of this host left 'deleting' (the compute died mid-delete, or the cast was lost):
   * all of them at start, as Nova's init_host; later only those a cast no longer explains.
   */
  private async deletesCutShort(first: boolean): Promise<string[]> {
    const rows = await this.d.db.instances.findBy({ host: this.d.host, deleted: 0, taskState: 'deleting' });
    return rows.filter((i) => this.cutShort(i.updatedAt, first)).map((i) => i.uuid);
  }

  private async redoDelete(uuid: string, report: RepairReport): Promise<void> {
    await this.d.manager.locks.run(uuid, async () => {
      const instance = await this.d.db.instanceGet(uuid);
      if (!instance || instance.taskState !== 'deleting') return;
      const op = await this.opFor(instance, null, { instance_uuid: uuid });
      LOG.warning(`Finishing the delete of instance ${uuid} left half-done`, op.meta);
      await this.d.manager.terminate(op, instance);
      report.deletesRedone.push(uuid);
    });
  }

  /**
   * Instances of this host left 'building' (the compute died mid-build, or the build cast was
   * lost: nova-api killed before it, or the broker lost it): all of them at start, as Nova's
   * init_host; later those older than pending_volume_op_timeout. A build in flight holds the
   * instance's lock, and a late build cast finds the instance no longer building.
   */
  private async buildsCutShort(first: boolean): Promise<string[]> {
    const rows = await this.d.db.instances.findBy({ host: this.d.host, deleted: 0, vmState: VM_STATES.BUILDING });
    return rows.filter((i) => this.cutShort(i.updatedAt, first)).map((i) => i.uuid);
  }

  private async failBuild(uuid: string, report: RepairReport): Promise<void> {
    await this.d.manager.locks.run(uuid, async () => {
      const fault = 'Instance failed to spawn correctly: its build was cut short';
      if (await this.d.db.instanceConditionalUpdate(uuid, { vmState: VM_STATES.BUILDING }, { vmState: VM_STATES.ERROR, taskState: null, faultMessage: fault })) {
        LOG.warning(`Instance ${uuid} was left building; set to ERROR state`);
        report.buildsFailed.push(uuid);
      }
    });
  }

  /**
   * Instances of this host left in a power operation's task (powering-off, rebooting, pausing,
   * suspending…: the compute died during it, or its cast was lost): all of them at start, as Nova's init_host
   * retries them, later those older than pending_volume_op_timeout.
   */
  private async powerOpsCutShort(first: boolean): Promise<Array<[string, string]>> {
    const rows = await this.d.db.instances.findBy({ host: this.d.host, deleted: 0, taskState: In(POWER_TASKS) });
    return rows.filter((i) => this.cutShort(i.updatedAt, first)).map((i) => [i.uuid, i.taskState as string]);
  }

  /** The operation again, as its cast would run it: under the instance's lock, from the task state it finds (a no-op if that moved on). */
  private async redoPowerOp(uuid: string, task: string, report: RepairReport): Promise<void> {
    LOG.warning(`Instance ${uuid} was left ${task}; doing it again`);
    if (!(await this.d.manager.redoTask(uuid, task))) return;
    report.powerOpsRedone.push(uuid);
  }

  /**
   * A settled live row of a deleted instance: a volume its delete left attached (a swap's
   * rollback after the delete looked, or any step that left it so). Released as the delete would.
   */
  private async releaseLeftover(bdmId: number, instance: Instance, report: RepairReport): Promise<void> {
    await this.d.manager.locks.run(instance.uuid, async () => {
      const bdm = await this.d.db.bdmGetAny(bdmId);
      if (!bdm || bdm.deleted || bdm.attachState) return;
      const op = await this.opFor(instance, null, { volume_id: bdm.volumeId, instance_uuid: instance.uuid, bdm_id: bdm.id });
      LOG.warning(`Releasing volume ${bdm.volumeId} left attached to deleted instance ${instance.uuid}`, op.meta);
      await this.d.volumeOps.releaseAll(op, instance, [bdm]);
      report.leftoversReleased.push(bdm.id);
    });
  }

  private async opFor(instance: Instance, requestId: string | null, meta: Record<string, unknown>): Promise<Op> {
    const caller = await this.d.auth.callerFor({ userId: instance.userId, projectId: instance.projectId }, requestId);
    // A repair is not the admin's request it finishes: admin-only steps act as Nova's service user.
    return { caller, budgetMs: 0, verify: true, admin: () => this.d.auth.adminCaller(requestId), meta: { context: { requestId: requestId ?? undefined, userId: instance.userId, projectId: instance.projectId }, ...meta } };
  }
}

function directionOf(state: string | null): string {
  const back: Array<string | null> = [S.RESERVING, S.ATTACHING, S.SWAP_RESERVING, S.SWAP_RESERVED, S.SWAPPING];
  return back.includes(state) ? 'rolling back' : 'finishing';
}

/** Run thunks with at most `limit` in flight; errors are the thunks' own business. */
async function runLimited(work: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < work.length) {
      const job = work[next++];
      await job().catch((e: unknown) => LOG.warning(`Reconciliation step failed: ${(e as Error).message}`));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, work.length) }, lane));
}
