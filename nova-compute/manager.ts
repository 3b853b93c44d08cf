// ComputeManager: the RPC endpoint of nova-compute (topic `compute`, server = host). Each
// method takes the instance lock, records an instance-action event under the caller's
// request_id, does the work (volume-ops / virt driver) and sends the legacy notification.
import type { ContextDict } from '../common/context';
import { getLogger } from '../common/log';
import { Target, type Endpoint, type Notifier } from '../common/rpc';
import type { NovaDB } from '../nova-common/db-api';
import type { Instance } from '../nova-common/entities';
import { InstanceInvalidState, InstanceNotFound } from '../nova-common/exception';
import { diagnosticsToPrimitive, objectData, POWER_STATE_NAMES, POWER_STATES, REBUILD_TASKS, VM_STATES, type TaskState } from '../nova-common/objects';
import { POWER_OPS, powerOpOfTask, type PowerOp } from './power-ops';
import { rebuildGuest } from './rebuild-ops';
import { COMPUTE_RPC_API_VERSION } from './rpcapi';
import { KeyedLock } from '../common/lock';
import { isDbConnectionError } from '../common/db/errors';
import { BDM_STATES } from '../nova-common/bdm-states';
import { retrying } from '../nova-common/retry';
import { callerFromDict, type CinderCaller } from '../nova-common/volume/cinder';
import { ctxLog, VolumeOps, type Op } from './volume-ops';
import type { ComputeDriver } from './virt/driver';
import type { ResourceTracker } from './resource-tracker';

const LOG = getLogger('nova-compute.manager');

export interface ManagerDeps {
  host: string;
  db: NovaDB;
  driver: ComputeDriver;
  volumeOps: VolumeOps;
  notifier: Notifier | null;
  /** This host's compute node record, refreshed when a server is built or deleted here. */
  tracker?: ResourceTracker;
  /** Retry budget (ms) of each attach/detach step when a dependency is lost. */
  retryBudgetMs: number;
  /** The service user's admin caller (a server delete releases with it the volumes its user cannot see). */
  adminCaller?: (requestId: string | null) => Promise<CinderCaller>;
}

type Args = Record<string, unknown>;


const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The instance's uuid from a cast's Instance primitive; anything else is refused before it reaches SQL. */
function uuidOf(args: Args): string {
  const uuid = objectData(args.instance).uuid;
  if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new TypeError(`instance.uuid must be a UUID, got ${JSON.stringify(uuid)?.slice(0, 64)}`);
  return uuid;
}

export class ComputeManager {
  readonly locks = new KeyedLock();

  constructor(private readonly d: ManagerDeps) {}

  endpoint(): Endpoint {
    return {
      target: new Target({ version: COMPUTE_RPC_API_VERSION }),
      methods: {
        attach_volume: (c, a) => this.attachVolume(c, a),
        detach_volume: (c, a) => this.detachVolume(c, a),
        swap_volume: (c, a) => this.swapVolume(c, a),
        build_and_run_instance: (c, a) => this.buildAndRunInstance(c, a),
        terminate_instance: (c, a) => this.terminateInstance(c, a),
        ...Object.fromEntries([...POWER_OPS.keys()].map((m) => [m, (c: ContextDict, a: Args) => this.powerOpCast(c, a, m)])),
        rebuild_instance: (c, a) => this.rebuildInstance(c, a),
        external_instance_event: (c, a) => this.externalInstanceEvent(c, a),
        // Nova's asks Neutron for the server's networks and hands them to the driver; servers
        // here have no networks, so there is nothing to inject.
        inject_network_info: (c, a) => { LOG.debug(`Inject network info for instance ${uuidOf(a)}: no networks`, { context: ctxLog(c) }); },
        get_host_uptime: () => this.d.driver.getHostUptime(),
        get_console_output: (c, a) => this.consoleOutput(c, a),
        get_diagnostics: async (c, a) => this.d.driver.getDiagnostics(await this.runningInstance(c, a)),
        get_instance_diagnostics: async (c, a) => diagnosticsToPrimitive(await this.d.driver.getInstanceDiagnostics(await this.runningInstance(c, a))),
        set_host_enabled: (_c, a) => this.d.driver.setHostEnabled(a.enabled === true),
        host_maintenance_mode: (_c, a) => this.d.driver.hostMaintenanceMode(String(a.host), a.mode === true),
        host_power_action: (_c, a) => this.d.driver.hostPowerAction(String(a.action)),
      },
    };
  }

  /** Nova's get_console_output: the driver's log, its last tail_length lines (none for 0; Python's [-n:] slice). */
  private async consoleOutput(_ctxt: ContextDict, args: Args): Promise<string> {
    const inst = await this.instanceOf(args);
    if (!inst) throw new InstanceNotFound({ instance_id: uuidOf(args) });
    const log = await this.d.driver.getConsoleOutput(inst);
    const n = args.tail_length === null || args.tail_length === undefined ? null : Number.parseInt(String(args.tail_length), 10) || 0;
    const out = n === null ? log : n === 0 ? '' : log.split('\n').slice(-n).join('\n');
    // As Nova's decode('ascii', 'replace').
    return out.replace(/[^\p{ASCII}]/gu, '\ufffd');
  }

  /** Nova's diagnostics: only of a running guest (InstanceInvalidState otherwise, the API's 409). */
  private async runningInstance(ctxt: ContextDict, args: Args): Promise<Instance> {
    const inst = await this.instanceOf(args);
    if (!inst) throw new InstanceNotFound({ instance_id: uuidOf(args) });
    if (inst.powerState !== POWER_STATES.RUNNING) {
      throw new InstanceInvalidState({ attr: 'power state', instance_uuid: inst.uuid, state: POWER_STATE_NAMES[inst.powerState ?? 0] ?? 'pending', method: 'get_diagnostics' });
    }
    LOG.info(`Retrieving diagnostics of instance ${inst.uuid}`, { context: ctxLog(ctxt) });
    return inst;
  }

  private async instanceOf(args: Args): Promise<Instance | null> {
    return this.d.db.instanceGet(uuidOf(args));
  }

  /** Run `fn` as instance event `event` (result Success/Error); errors are logged and re-thrown. */
  private async asEvent(ctxt: ContextDict, uuid: string, event: string, fn: () => Promise<void>): Promise<void> {
    const reqId = ctxLog(ctxt).requestId ?? null;
    const ev = await this.d.db.eventStart(uuid, reqId, event, this.d.host).catch(() => null);
    try {
      await fn();
      await this.d.db.eventFinish(ev, 'Success').catch(() => undefined);
    } catch (e) {
      LOG.exception(`${event} failed for instance ${uuid}`, e, { context: ctxLog(ctxt) });
      await this.d.db.eventFinish(ev, 'Error', (e as Error)?.stack ?? String(e)).catch(() => undefined);
      throw e;
    }
  }

  private async notify(ctxt: ContextDict, event: string, instance: Instance, extra: Args): Promise<void> {
    if (!this.d.notifier?.enabled) return;
    const payload = {
      tenant_id: instance.projectId, user_id: instance.userId, instance_id: instance.uuid, display_name: instance.displayName,
      host: this.d.host, node: instance.node, state: instance.vmState, availability_zone: instance.availabilityZone, ...extra,
    };
    try {
      await this.d.notifier.info(ctxt, event, payload);
    } catch (e) {
      LOG.warning(`Could not send notification ${event}: ${(e as Error).message}`);
    }
  }

  /** How a cast's volume operation runs: as its caller, with the configured retry budget. */
  private op(ctxt: ContextDict, extra: Record<string, unknown>): Op {
    return { caller: callerFromDict(ctxt), budgetMs: this.d.retryBudgetMs, meta: { context: ctxLog(ctxt), ...extra }, verify: false };
  }

  async attachVolume(ctxt: ContextDict, args: Args): Promise<void> {
    const uuid = uuidOf(args);
    const bdmId = objectData(args.bdm).id;
    if (!Number.isSafeInteger(bdmId)) throw new TypeError(`bdm.id must be an integer, got ${JSON.stringify(bdmId)?.slice(0, 64)}`);
    await this.locks.run(uuid, () => this.asEvent(ctxt, uuid, 'compute_attach_volume', async () => {
      const bdm = await this.d.db.bdmGet(bdmId as number);
      if (!bdm || !bdm.volumeId) {
        LOG.warning(`BDM ${bdmId} is gone; nothing to attach`, { context: ctxLog(ctxt) });
        return;
      }
      // A Python nova-api's row may not have the attachment_id its cast carries yet.
      const castAttachment = objectData(args.bdm).attachment_id;
      if (!bdm.attachmentId && bdm.attachState === null && typeof castAttachment === 'string') bdm.attachmentId = castAttachment;
      const op = this.op(ctxt, { volume_id: bdm.volumeId, instance_uuid: uuid, mountpoint: bdm.deviceName });
      const instance = await this.instanceOf(args);
      if (!instance) {
        LOG.warning(`Instance ${uuid} is gone; releasing volume ${bdm.volumeId}`, op.meta);
        await this.d.volumeOps.releaseAll(op, { uuid, deleted: 1 } as Instance, [bdm]);
        return;
      }
      if (await this.d.volumeOps.attach(op, instance, bdm)) {
        await this.notify(ctxt, 'compute.instance.volume.attach', instance, { volume_id: bdm.volumeId });
      }
    }));
  }

  async detachVolume(ctxt: ContextDict, args: Args): Promise<void> {
    const uuid = uuidOf(args);
    const volumeId = String(args.volume_id);
    const attachmentId = typeof args.attachment_id === 'string' ? args.attachment_id : null;
    await this.locks.run(uuid, () => this.asEvent(ctxt, uuid, 'compute_detach_volume', async () => {
      const instance = await this.instanceOf(args);
      const bdm = instance ? await this.d.db.bdmByVolumeAndInstance(volumeId, uuid) : null;
      if (!instance || !bdm) {
        LOG.warning(`Volume ${volumeId} is not attached to instance ${uuid}; nothing to detach`, { context: ctxLog(ctxt) });
        return;
      }
      await this.d.volumeOps.detach(this.op(ctxt, { volume_id: volumeId, instance_uuid: uuid }), instance, bdm, attachmentId);
      await this.notify(ctxt, 'compute.instance.volume.detach', instance, { volume_id: volumeId });
    }));
  }

  /**
   * swap_volume(instance, old_volume_id, new_volume_id, new_attachment_id): the row of the old
   * volume records the swap (nova-api wrote it); a cast whose row says otherwise finds nothing to
   * do but release the new volume's reservation, which only the cast may still name.
   */
  async swapVolume(ctxt: ContextDict, args: Args): Promise<void> {
    const uuid = uuidOf(args);
    const oldId = String(args.old_volume_id);
    await this.locks.run(uuid, () => this.asEvent(ctxt, uuid, 'compute_swap_volume', async () => {
      const instance = await this.instanceOf(args);
      const bdm = instance ? await this.d.db.bdmByVolumeAndInstance(oldId, uuid) : null;
      if (!instance || !bdm || bdm.swapVolumeId !== args.new_volume_id) {
        LOG.warning(`No swap of volume ${oldId} to ${String(args.new_volume_id)} recorded for instance ${uuid}; nothing to swap`, { context: ctxLog(ctxt) });
        const newId = String(args.new_volume_id);
        const attachmentId = typeof args.new_attachment_id === 'string' ? args.new_attachment_id : null;
        await this.d.volumeOps.swaps.releaseUnrecorded(this.op(ctxt, { volume_id: oldId, new_volume_id: newId, instance_uuid: uuid }), uuid, newId, attachmentId);
        return;
      }
      const op = this.op(ctxt, { volume_id: oldId, new_volume_id: bdm.swapVolumeId, instance_uuid: uuid });
      if (await this.d.volumeOps.swaps.swap(op, instance, bdm)) {
        await this.notify(ctxt, 'compute.instance.volume.swap', instance, { old_volume_id: oldId, new_volume_id: bdm.swapVolumeId });
      }
    }));
  }

  async buildAndRunInstance(ctxt: ContextDict, args: Args): Promise<void> {
    const uuid = uuidOf(args);
    // A database lost for a while is waited for (the attach steps' budget), as nova-api's create
    // already answered: else the server stayed building until the reconciler failed it.
    const meta = { context: ctxLog(ctxt), instance_uuid: uuid };
    await this.locks.run(uuid, () => this.asEvent(ctxt, uuid, 'compute_build_and_run_instance', async () => {
      const instance = await retrying('build: read the server', this.d.retryBudgetMs, () => this.instanceOf(args), meta);
      // A late cast of a build the reconciler already failed (or a second one): nothing to build.
      if (!instance || instance.vmState !== VM_STATES.BUILDING) return;
      try {
        const { rootDeviceName } = await this.d.driver.spawn(instance);
        await this.attachBootVolumes(ctxt, instance);
        // A compare-and-swap: redone after a lost answer, it finds the server no longer building.
        await retrying('build: mark the server active', this.d.retryBudgetMs, () => this.d.db.instanceConditionalUpdate(uuid, { vmState: VM_STATES.BUILDING }, {
          vmState: VM_STATES.ACTIVE, taskState: null, powerState: POWER_STATES.RUNNING, launchedAt: new Date(), rootDeviceName,
        }), meta);
        await this.notify(ctxt, 'compute.instance.create.end', instance, {});
      } catch (e) {
        await this.d.db.instanceConditionalUpdate(uuid, { vmState: VM_STATES.BUILDING }, { vmState: VM_STATES.ERROR, taskState: null, faultMessage: (e as Error).message });
        throw e;
      } finally {
        await this.d.tracker?.refresh();
      }
    }));
  }

  /**
   * The volumes the server was created with (block_device_mapping_v2, reserved by nova-api):
   * attached before it goes ACTIVE. A failure fails the build, as Nova's "Failure prepping
   * block device"; what was attached stays on the errored server until it is deleted.
   */
  private async attachBootVolumes(ctxt: ContextDict, instance: Instance): Promise<void> {
    const reserved = (await this.d.db.bdmsByInstance(instance.uuid)).filter((b) => b.volumeId && b.attachState === BDM_STATES.RESERVED);
    for (const bdm of reserved) {
      try {
        await this.d.volumeOps.attach(this.op(ctxt, { volume_id: bdm.volumeId, instance_uuid: instance.uuid, mountpoint: bdm.deviceName }), instance, bdm);
      } catch (e) {
        throw new Error(`Build of instance ${instance.uuid} aborted: Failure prepping block device. (${(e as Error).message})`, { cause: e });
      }
    }
  }

  /** A power operation's cast (stop, start, reboot, pause, unpause, suspend, resume; power-ops.ts). */
  async powerOpCast(ctxt: ContextDict, args: Args, method: string): Promise<void> {
    const p = POWER_OPS.get(method);
    if (!p) throw new Error(`No power operation ${method}`);
    await this.powerOp(ctxt, args, p);
  }

  /**
   * The power operations: under the instance's lock and event, the start notification, the
   * driver's work, then the new state from the task nova-api set (Nova's save(expected_task_state)),
   * and the end notification. A task that changed meanwhile (a delete) keeps the row as it is.
   */
  private async powerOp(ctxt: ContextDict, args: Args, p: PowerOp): Promise<void> {
    const uuid = uuidOf(args);
    await this.locks.run(uuid, () => this.asEvent(ctxt, uuid, p.event, async () => {
      const instance = await this.instanceOf(args);
      if (!instance) return;
      // A cast redone at start-up may find its task done, or another one begun: nothing to do.
      if (!p.tasks.includes(instance.taskState as TaskState)) {
        LOG.info(`Instance ${uuid} is no longer ${p.tasks.join(' or ')}; ${p.notice} has nothing to do`, { context: ctxLog(ctxt) });
        return;
      }
      await this.notify(ctxt, `compute.instance.${p.notice}.start`, instance, {});
      try {
        await p.run(this.d.driver, instance);
      } catch (e) {
        // Nova's reverts_task_state: the server keeps its state and can be asked again.
        await this.d.db.instanceConditionalUpdate(uuid, { taskState: p.tasks }, { taskState: null });
        throw e;
      }
      if (!(await this.d.db.instanceConditionalUpdate(uuid, { taskState: p.tasks }, { vmState: p.vmState, taskState: null, powerState: p.powerState }))) {
        LOG.warning(`Instance ${uuid} left task state ${p.tasks.join(' or ')} during ${p.notice}; its state stays`, { context: ctxLog(ctxt) });
      }
      await this.notify(ctxt, `compute.instance.${p.notice}.end`, instance, {});
    }));
  }

  /**
   * Nova's rebuild_instance on the server's own host (rebuild-ops.ts): from whichever rebuild
   * task state it finds, so a restarted compute redoes a rebuild cut short; none found, nothing
   * to do. A failure leaves the server in error with its fault, as Nova's; a lost database
   * leaves it rebuilding for the redo.
   */
  async rebuildInstance(ctxt: ContextDict, args: Args): Promise<void> {
    const uuid = uuidOf(args);
    await this.locks.run(uuid, () => this.asEvent(ctxt, uuid, 'compute_rebuild_instance', async () => {
      const instance = await this.instanceOf(args);
      if (!instance || !(REBUILD_TASKS as readonly string[]).includes(instance.taskState ?? '')) {
        LOG.info(`Instance ${uuid} is not rebuilding; nothing to do`, { context: ctxLog(ctxt) });
        return;
      }
      await this.notify(ctxt, 'compute.instance.rebuild.start', instance, {});
      try {
        if (!(await rebuildGuest(this.d, instance))) LOG.warning(`Instance ${uuid} left its rebuild task during the rebuild; its state stays`, { context: ctxLog(ctxt) });
      } catch (e) {
        // A lost database leaves the task as it is, for the reconciler to redo the rebuild.
        if (!isDbConnectionError(e)) {
          await this.d.db.instanceConditionalUpdate(uuid, { taskState: [...REBUILD_TASKS] }, { vmState: VM_STATES.ERROR, taskState: null, faultMessage: (e as Error).message });
        }
        throw e;
      }
      await this.notify(ctxt, 'compute.instance.rebuild.end', instance, {});
    }));
  }

  /** What a restarted compute runs again for a task state left on one of its servers (reconciler). */
  async redoTask(uuid: string, task: string): Promise<boolean> {
    const args = { instance: { uuid } };
    if ((REBUILD_TASKS as readonly string[]).includes(task)) await this.rebuildInstance({}, args);
    else {
      const method = powerOpOfTask(task);
      if (!method) return false;
      await this.powerOpCast({}, args, method);
    }
    return true;
  }

  async terminateInstance(ctxt: ContextDict, args: Args): Promise<void> {
    const uuid = uuidOf(args);
    await this.locks.run(uuid, () => this.asEvent(ctxt, uuid, 'compute_terminate_instance', async () => {
      const instance = await this.instanceOf(args);
      if (!instance) return;
      await this.d.driver.destroy(instance);
      const admin = this.d.adminCaller;
      const requestId = typeof ctxt.global_request_id === 'string' ? ctxt.global_request_id : typeof ctxt.request_id === 'string' ? ctxt.request_id : null;
      await this.terminate({ ...this.op(ctxt, { instance_uuid: uuid }), ...(admin ? { admin: () => admin(requestId) } : {}) }, instance);
      await this.notify(ctxt, 'compute.instance.delete.end', instance, {});
    }));
  }

  /** Destroy the guest, release its volumes, soft-delete the instance; safe to redo (the reconciler does). */
  async terminate(op: Op, instance: Instance): Promise<void> {
    await this.d.driver.destroy(instance);
    const bdms = await this.d.db.bdmsByInstance(instance.uuid);
    await this.d.volumeOps.releaseAll(op, { ...instance, deleted: instance.id } as Instance, bdms);
    await this.d.db.instanceSoftDelete(instance);
    await this.d.tracker?.refresh();
  }

  /**
   * external_instance_event(instances, events): the events nova-api accepted for servers on this
   * host. volume-extended (tag = the volume id) runs extend_volume as event compute_extend_volume
   * of the extend_volume action nova-api recorded; the events we have nothing to do for
   * (network-*, power-update, …) are logged and dropped.
   */
  async externalInstanceEvent(ctxt: ContextDict, args: Args): Promise<void> {
    const instances = Array.isArray(args.instances) ? args.instances : [];
    const events = Array.isArray(args.events) ? args.events.map(objectData) : [];
    for (const inst of instances) {
      const uuid = uuidOf({ instance: inst });
      for (const ev of events.filter((e) => e.instance_uuid === uuid)) {
        if (ev.name !== 'volume-extended' || typeof ev.tag !== 'string') {
          LOG.debug(`Event ${String(ev.name)} for instance ${uuid} has nothing to do here`, { context: ctxLog(ctxt) });
          continue;
        }
        const volumeId = ev.tag;
        await this.locks.run(uuid, () => this.asEvent(ctxt, uuid, 'compute_extend_volume', async () => {
          const instance = await this.d.db.instanceGet(uuid);
          if (!instance) return;
          await this.d.volumeOps.extender.extend(this.op(ctxt, { volume_id: volumeId, instance_uuid: uuid }), instance, volumeId);
        })).catch(() => undefined);
      }
    }
  }
}
