// attach_volume / detach_volume on the compute host, as steps that can each be redone: the
// seed's connector → initialize_connection → host connect → guest attach → (connection_info
// saved, Nova's order) → os-attach, and the detach mirror. The BDM row's attach_state
// (nova-common/bdm-states.ts) records how far an operation got, so a cast handler or the
// reconciler can finish or roll it back after a kill, an outage or a lost cast. Runs under
// the instance lock taken by the manager. docs/self-healing.md walks through every step.
import { pausePoint } from '../common/fault/pause';
import { markRolledBack, timeVolumeOp, type VolumeOpOutcome } from '../common/metrics';
import { idsOfContextDict, traceMethods, withSpan, type ScopeIds } from '../common/trace';
import { getLogger, type LogMeta } from '../common/log';
import { BDM_STATES as S } from '../nova-common/bdm-states';
import type { BlockDeviceMapping, Instance } from '../nova-common/entities';
import type { NovaDB } from '../nova-common/db-api';
import { InvalidInput, VolumeNotFound } from '../nova-common/exception';
import type { CinderAPI, CinderCaller, CinderVolume, ConnectionInfo } from '../nova-common/volume/cinder';
import type { ConnectorProperties, DeviceInfo, VolumeConnector } from './connectors';
import { isTransient, retrying, StepInterrupted } from '../nova-common/retry';
import { SwapOps } from './swap-ops';
import { ExtendOps } from './extend-ops';
import { AttachmentsFlow, LegacyFlow, releaseOrphanAttachments, type CinderFlow, type FlowDeps } from './cinder-flows';
import type { ComputeDriver } from './virt/driver';

const LOG = getLogger('nova-compute.volume');

/** Passes a server delete makes over a row that moves under it (see releaseOne). */
const RELEASE_PASSES = 4;

export interface VolumeOpsDeps {
  db: NovaDB;
  cinder: CinderAPI;
  driver: ComputeDriver;
  connector: VolumeConnector;
  connectorProperties: () => ConnectorProperties;
  /** An intent older than this may have outlived its reservation at Cinder: check before using it. */
  pendingTimeoutMs: number;
}

/** Who an operation acts for, how long its steps retry, and what its log lines carry. */
export interface Op {
  caller: CinderCaller;
  /** Retry budget of each step (ms); 0 = one attempt (the reconciler comes back later). */
  budgetMs: number;
  meta: LogMeta;
  /** Re-read Cinder's state before acting (the reconciler, a late cast): the intent may be stale. */
  verify: boolean;
  /** Who makes admin-only calls (os-migrate_volume_completion); the caller itself when absent. */
  admin?: () => Promise<CinderCaller>;
}

/** The guest attach failed for good (not a lost dependency): the attach was rolled back. */
export class AttachAborted extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'AttachAborted';
  }
}

const isNotFound = (e: unknown): boolean => e instanceof VolumeNotFound;

const SWAP_STATES = [S.SWAP_RESERVING, S.SWAP_RESERVED, S.SWAPPING, S.SWAP_COMMITTING];

export class VolumeOps {
  private readonly legacy: LegacyFlow;
  private readonly attachments: AttachmentsFlow;
  private readonly flowDeps: FlowDeps;
  /** Volume swaps (swap-ops.ts), which share these steps. */
  readonly swaps: SwapOps;
  /** Attached-volume extension (extend-ops.ts). */
  readonly extender: ExtendOps;

  constructor(private readonly d: VolumeOpsDeps) {
    // Host and guest steps as spans towards the target and the hypervisor (docs/tracing.md).
    traceMethods(d.connector, ['connectVolume', 'disconnectVolume'], { peer: 'target' });
    traceMethods(d.driver, ['attachVolume', 'detachVolume'], { peer: 'hypervisor' });
    this.flowDeps = { db: d.db, cinder: d.cinder, connectorProperties: d.connectorProperties, step: (o, n, f) => this.step(o, n, f), volume: (o, v) => this.volume(o, v) };
    this.legacy = new LegacyFlow(this.flowDeps);
    this.attachments = new AttachmentsFlow(this.flowDeps);
    this.swaps = new SwapOps({ ...this.flowDeps, driver: d.driver, connector: d.connector, parse: parseConnectionInfo });
    this.extender = new ExtendOps({ ...this.flowDeps, driver: d.driver, connector: d.connector, parse: parseConnectionInfo });
  }

  /** A row with an attachment_id was attached through the attachments API, and detaches by it. */
  private flow(bdm: BlockDeviceMapping): CinderFlow {
    return bdm.attachmentId ? this.attachments : this.legacy;
  }

  private step<T>(op: Op, name: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    return retrying(name, op.budgetMs, fn, op.meta);
  }

  /** The volume as Cinder has it now, null when it is gone. */
  private async volume(op: Op, volumeId: string): Promise<CinderVolume | null> {
    return this.step(op, 'GET volume', async () => {
      try {
        return await this.d.cinder.get(op.caller, volumeId);
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    });
  }

  // -- attach -------------------------------------------------------------------------------

  /**
   * Take the attach of a 'reserved' row (or a row a Python nova-api wrote without intent) and
   * run it. Returns false when there was nothing to do (already taken, done or gone).
   */
  async attach(op: Op, instance: Instance, bdm: BlockDeviceMapping): Promise<boolean> {
    const volumeId = bdm.volumeId as string;
    const claimed = await this.step(op, 'claim attach', async () =>
      (await this.d.db.bdmTransition(bdm.id, [S.RESERVED], S.ATTACHING))
      || (bdm.attachState === null && !bdm.connectionInfo && await this.d.db.bdmClaimForeign(bdm.id, S.ATTACHING, { attachmentId: bdm.attachmentId })));
    if (!claimed) {
      LOG.info(`Attach of volume ${volumeId} (BDM ${bdm.id}) was already taken or finished`, op.meta);
      return false;
    }
    await timeVolumeOp('attach', () => this.attachClaimed(op, instance, bdm));
    return true;
  }

  /** The attach of a row just claimed ('attaching'), to its end or its rollback (attachd_volume_attach_duration_seconds). */
  private async attachClaimed(op: Op, instance: Instance, bdm: BlockDeviceMapping): Promise<VolumeOpOutcome> {
    const volumeId = bdm.volumeId as string;
    const mountpoint = bdm.deviceName as string;
    LOG.info(`Attaching volume ${volumeId} to ${mountpoint}`, op.meta);
    const stale = op.verify || (bdm.attachStateAt !== null && Date.now() - bdm.attachStateAt.getTime() > this.d.pendingTimeoutMs);
    if (stale && !(await this.flow(bdm).reservationHeld(op, bdm))) {
      await this.abandonAttach(op, instance, bdm);
      return 'rollback';
    }
    let info: ConnectionInfo | null = null;
    let device: DeviceInfo | null = null;
    let stage = `Failed to initialize the connection of volume ${volumeId}`;
    try {
      const raw = await this.flow(bdm).connect(op, bdm);
      await pausePoint('nova-compute.attach.after-initialize-connection');
      const { driver_volume_type: dvt, data, ...rest } = raw;
      info = { driver_volume_type: dvt, serial: volumeId, data: { ...data }, ...rest };
      stage = `Failed to connect volume ${volumeId} on the host`;
      device = await this.d.connector.connectVolume(info.data);
      info.data.device_path = device.path;
      await pausePoint('nova-compute.attach.after-connect');
      stage = `Failed to attach volume ${volumeId} to the guest at ${mountpoint}`;
      await this.d.driver.attachVolume(instance, info, mountpoint);
      await pausePoint('nova-compute.attach.after-guest-attach');
      // Nova's order: connection_info is in the row before os-attach, so a detach always has it.
      stage = `Failed to save the connection_info of volume ${volumeId}`;
      const committed = await this.step(op, 'save connection_info', () =>
        this.d.db.bdmTransition(bdm.id, [S.ATTACHING], S.ATTACH_COMMITTING, { connectionInfo: JSON.stringify(info) }));
      if (!committed) throw new AttachAborted(`BDM ${bdm.id} left 'attaching' while the volume was being connected`);
    } catch (e) {
      LOG.error(`${stage}: ${(e as Error).message}; rolling back`, op.meta);
      // After a lost dependency, one quick try; what still fails is the reconciler's to finish.
      const undoOp = e instanceof StepInterrupted ? { ...op, budgetMs: 0 } : op;
      const undone = await this.rollbackAttach(undoOp, instance, bdm, { info, device }).then(() => true, (err: unknown) => {
        LOG.warning(`Rollback of the attach of volume ${volumeId} left for the reconciler: ${(err as Error).message}`, op.meta);
        return false;
      });
      throw undone ? markRolledBack(e) : e;
    }
    await pausePoint('nova-compute.attach.after-save-connection-info');
    await this.finishAttach(op, instance, { ...bdm, attachState: S.ATTACH_COMMITTING, connectionInfo: JSON.stringify(info) });
    return 'success';
  }

  /** The volume went to someone else (or away) before we touched it: drop our row only. */
  private async abandonAttach(op: Op, instance: Instance, bdm: BlockDeviceMapping): Promise<void> {
    LOG.warning(`Volume ${bdm.volumeId} is no longer reserved for instance ${instance.uuid}: dropping the attach`, op.meta);
    await this.step(op, 'delete BDM', () => this.d.db.bdmDestroyIf(bdm.id, S.ATTACHING));
  }

  /** os-attach, then the intent is settled. A volume Cinder no longer lets us have is let go. */
  async finishAttach(op: Op, instance: Instance, bdm: BlockDeviceMapping): Promise<void> {
    const volumeId = bdm.volumeId as string;
    const info = parseConnectionInfo(bdm.connectionInfo);
    const mode = typeof info?.data.access_mode === 'string' ? info.data.access_mode : 'rw';
    try {
      await this.flow(bdm).complete(op, bdm, mode);
    } catch (e) {
      if (e instanceof StepInterrupted) throw e;
      LOG.error(`os-attach of volume ${volumeId} failed: ${(e as Error).message}; undoing the guest and host attach`, op.meta);
      const undone = await withSpan({ name: 'rollback attach', rollback: true }, async () => {
        // From here it is a rollback ('attaching' again), out of Nova's view, as rollbackAttach goes on.
        if (!(await this.step(op, 'roll back BDM', () => this.takeBackCommitting(bdm)))) {
          // A detach took the row and went on: it tears down and releases what is left.
          LOG.warning(`BDM ${bdm.id} was taken by a detach: the detach finishes it, not this rollback`, op.meta);
          return false;
        }
        await this.teardownHost(op, instance, bdm, info);
        await this.flow(bdm).release(op, bdm);
        await this.step(op, 'delete BDM', () => this.d.db.bdmDestroyIf(bdm.id, S.ATTACHING));
        return true;
      });
      throw undone ? markRolledBack(e) : e;
    }
    await pausePoint('nova-compute.attach.after-os-attach');
    // A detach requested meanwhile already moved the row on: then this CAS changes nothing.
    await this.step(op, 'settle BDM', () => this.d.db.bdmTransition(bdm.id, [S.ATTACH_COMMITTING], null));
    LOG.info(`Attached volume ${volumeId} to ${bdm.deviceName}`, op.meta);
  }

  /**
   * Take a committing row back for a rollback ('attaching', out of Nova's view). nova-api may
   * hold it for a moment with a detach intent ('detaching') that it withdraws when Cinder
   * refuses the detach (the volume was never in-use): then wait, bounded by the time nova-api
   * may still withdraw it, instead of leaving the row committing with no one to finish it.
   * False when the row went on elsewhere (a detach that proceeded, or the row gone).
   */
  private async takeBackCommitting(bdm: BlockDeviceMapping): Promise<boolean> {
    const deadline = Date.now() + this.d.pendingTimeoutMs / 2;
    for (let wait = 10; ; wait = Math.min(wait * 2, 500)) {
      if (await this.d.db.bdmTransition(bdm.id, [S.ATTACH_COMMITTING], S.ATTACHING, { deleted: bdm.id, deletedAt: new Date() })) return true;
      const now = await this.d.db.bdmGet(bdm.id);
      // Back to 'attach-committing' already: take it now; still 'detaching': wait; else it went on.
      if (Date.now() >= deadline) return false;
      if (now?.attachState === S.ATTACH_COMMITTING) continue;
      if (now?.attachState !== S.DETACHING) return false;
      await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
    }
  }

  /**
   * Undo an attach that never reached os-attach: guest, host, export and reservation, then
   * the row ("undo the reservation" deletes it, docs/attach-detach.md). Safe to run again from any point.
   */
  rollbackAttach(op: Op, instance: Instance, bdm: BlockDeviceMapping, known: { info?: ConnectionInfo | null; device?: DeviceInfo | null } = {}): Promise<void> {
    return withSpan({ name: 'rollback attach', rollback: true }, () => this.undoAttach(op, instance, bdm, known));
  }

  private async undoAttach(op: Op, instance: Instance, bdm: BlockDeviceMapping, known: { info?: ConnectionInfo | null; device?: DeviceInfo | null }): Promise<void> {
    const volumeId = bdm.volumeId as string;
    // Out of Nova's view first (intent kept): the volume is never 'available' while this row counts.
    await this.step(op, 'hide BDM', () => this.d.db.bdmHide(bdm.id, S.ATTACHING));
    await this.guestDetach(op, instance, bdm, known.info ?? null);
    // Killed before connection_info was saved: ask Cinder what to disconnect.
    const info = known.info ?? await this.flow(bdm).lostConnection(op, bdm);
    if (info) await this.disconnect(op, info, known.device ?? null);
    await this.flow(bdm).release(op, bdm);
    await this.step(op, 'delete BDM', () => this.d.db.bdmDestroyIf(bdm.id, S.ATTACHING));
    LOG.info(`Rolled back the attach of volume ${volumeId}`, op.meta);
  }

  /** A row nova-api left 'reserving' (it died or lost Cinder): drop it, then release a reservation nobody holds. */
  rollbackReserving(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    return withSpan({ name: 'rollback reservation', rollback: true }, () => this.undoReserving(op, bdm));
  }

  private async undoReserving(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    const volumeId = bdm.volumeId as string;
    // Row first, out of Nova's view with its intent kept: if nova-api is still alive it finds its
    // row gone and releases its own reservation; if a release below fails (Cinder away), the
    // next pass finds the hidden row and releases again. A row already hidden (a rollback cut
    // short, nova-api's or ours) goes on from here.
    const hidden = bdm.deleted !== 0 || await this.step(op, 'hide BDM', () => this.d.db.bdmHide(bdm.id, S.RESERVING));
    if (!hidden) return;
    // The row does not say which flow nova-api had begun: undo whichever left a trace.
    if (bdm.attachmentId) await this.attachments.release(op, bdm);
    const orphans = await releaseOrphanAttachments(this.flowDeps, op, bdm);
    const v = await this.volume(op, volumeId);
    if (await this.legacy.reservationIsOurs(v, bdm)) await this.step(op, 'os-unreserve', () => this.d.cinder.unreserve(op.caller, volumeId));
    await this.step(op, 'delete BDM', () => this.d.db.bdmDestroyIf(bdm.id, S.RESERVING));
    LOG.info(`Rolled back the unfinished reservation of volume ${volumeId}${orphans.length ? ` (attachment ${orphans.join(', ')})` : ''}`, op.meta);
  }


  // -- detach -------------------------------------------------------------------------------

  /**
   * Detach a volume whose row is 'detaching' (nova-api set it; a cast from a Python nova-api
   * has none, so it is recorded here first). A guest that refuses rolls the detach back.
   */
  async detach(op: Op, instance: Instance | null, bdm: BlockDeviceMapping, attachmentId: string | null, opts: { guestGone?: boolean } = {}): Promise<void> {
    const volumeId = bdm.volumeId as string;
    // Recorded (or confirmed) on the row as it is now: the state read may be stale. A server
    // delete read the rows first; nova-api may have withdrawn its 'detaching' meanwhile, and
    // going on from the stale state left the row attached and the volume 'detaching'.
    const taken = await this.step(op, 'record detach', () => this.d.db.bdmTransition(bdm.id, [null, S.ATTACH_COMMITTING, S.DETACHING], S.DETACHING));
    if (!taken) {
      LOG.info(`Detach of volume ${volumeId}: BDM ${bdm.id} is not attached (state read: ${bdm.attachState})`, op.meta);
      return;
    }
    await timeVolumeOp('detach', () => this.detachRecorded(op, instance, { ...bdm, attachState: S.DETACHING }, attachmentId, opts));
  }

  /** The detach of a row now 'detaching', to its end or its rollback (attachd_volume_detach_duration_seconds). */
  private async detachRecorded(op: Op, instance: Instance | null, bdm: BlockDeviceMapping, attachmentId: string | null, opts: { guestGone?: boolean }): Promise<VolumeOpOutcome | null> {
    const volumeId = bdm.volumeId as string;
    LOG.info(`Detaching volume ${volumeId} from ${bdm.deviceName ?? '-'}`, op.meta);
    if (op.verify) {
      const v = await this.volume(op, volumeId);
      // Only while Cinder still has this row's attachment: nova-api's local delete may have
      // released it already, and a multiattach volume in-use for another server must not go
      // 'detaching' for a detach that has nothing left to detach.
      if (v?.status === 'in-use' && v.attachments.some((a) => (bdm.attachmentId ? a.attachment_id === bdm.attachmentId : a.server_id === bdm.instanceUuid))) {
        await this.step(op, 'os-begin_detaching', () => this.d.cinder.beginDetaching(op.caller, volumeId)).catch((e: unknown) => {
          // A server delete goes on without it, as Nova's _shutdown_instance (which never sends
          // it) does: the volume's state moved since it was read (another detach began).
          if (!opts.guestGone || !(e instanceof InvalidInput)) throw e;
          LOG.warning(`os-begin_detaching of volume ${volumeId} refused (${e.message}); detaching it from the deleted server all the same`, op.meta);
        });
      }
    }
    const info = parseConnectionInfo(bdm.connectionInfo);
    try {
      if (instance && !opts.guestGone && info) await this.d.driver.detachVolume(instance, info, bdm.deviceName as string);
      await pausePoint('nova-compute.detach.after-guest-detach');
      if (info) await this.d.connector.disconnectVolume(info.data, devicePathOf(info));
      await pausePoint('nova-compute.detach.after-disconnect');
    } catch (e) {
      LOG.error(`Failed to detach volume ${volumeId} from the guest: ${(e as Error).message}; rolling the detach back`, op.meta);
      await this.step(op, 'os-roll_detaching', () => this.d.cinder.rollDetaching(op.caller, volumeId).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      }));
      await this.step(op, 'settle BDM', () => this.d.db.bdmTransition(bdm.id, [S.DETACHING], null));
      throw markRolledBack(e);
    }
    await this.flow(bdm).disconnectBackend(op, bdm);
    await pausePoint('nova-compute.detach.after-terminate-connection');
    // The row leaves Nova's view before Cinder shows 'available': no "already attached" race.
    const moved = await this.step(op, 'soft-delete BDM', () =>
      this.d.db.bdmTransition(bdm.id, [S.DETACHING], S.DETACH_COMMITTING, { deleted: bdm.id, deletedAt: new Date() }));
    // Someone else (a reconciler pass) took the row on: theirs to finish, not timed here.
    if (!moved) return null;
    await pausePoint('nova-compute.detach.after-bdm-delete');
    await this.finishDetach(op, { ...bdm, attachState: S.DETACH_COMMITTING, deleted: bdm.id }, attachmentId);
    return 'success';
  }

  /** The flow's last detach step (os-detach or attachment_delete), then settled. */
  async finishDetach(op: Op, bdm: BlockDeviceMapping, attachmentId: string | null | undefined): Promise<void> {
    const volumeId = bdm.volumeId as string;
    await this.flow(bdm).finishDetach(op, bdm, attachmentId);
    await pausePoint('nova-compute.detach.after-os-detach');
    await this.step(op, 'settle BDM', () => this.d.db.bdmTransition(bdm.id, [S.DETACH_COMMITTING], null, {}, 'any'));
    LOG.info(`Detached volume ${volumeId}`, op.meta);
  }


  // -- shared -------------------------------------------------------------------------------

  /** Finish or roll back whatever the row's intent says (the reconciler's entry point). */
  async resume(op: Op, instance: Instance, bdm: BlockDeviceMapping): Promise<void> {
    switch (bdm.attachState) {
      case S.RESERVING: return this.rollbackReserving(op, bdm);
      case S.RESERVED: await this.attach(op, instance, bdm); return;
      case S.ATTACHING: return this.rollbackAttach(op, instance, bdm);
      case S.ATTACH_COMMITTING: return this.finishAttach(op, instance, bdm);
      case S.DETACHING: return this.detach(op, instance.deleted ? null : instance, bdm, null);
      case S.DETACH_COMMITTING: return this.finishDetach(op, bdm, undefined);
      case S.SWAP_RESERVING: case S.SWAP_RESERVED: case S.SWAPPING: return this.swaps.rollback(op, instance, bdm);
      case S.SWAP_COMMITTING: return this.swaps.finish(op, bdm);
      default: return undefined;
    }
  }

  /**
   * Server delete: the guest is gone. Each volume's attach is rolled back or its detach run
   * (no guest step), then delete_on_termination volumes are deleted.
   */
  async releaseAll(op: Op, instance: Instance, bdms: BlockDeviceMapping[]): Promise<void> {
    for (const bdm of bdms) {
      if (!bdm.volumeId) {
        await this.step(op, 'soft-delete BDM', () => this.d.db.bdmSoftDelete(bdm.id));
        continue;
      }
      try {
        if (!(await this.releaseOne(op, instance, bdm))) continue;
      } catch (e) {
        // Cinder or the database away: the delete stays 'deleting' for the reconciler to finish.
        if (isTransient(e)) throw e;
        // Anything else (Cinder refusing, a 500 of its backend) is ignored, as Nova's
        // _shutdown_instance does: the server goes, its row with it, Cinder keeps what it says.
        LOG.warning(`Ignoring the failed release of volume ${bdm.volumeId} of the deleted server: ${(e as Error).message}`, op.meta);
        await this.rollBackOurDetaching(op, bdm);
        await this.step(op, 'drop BDM', async () => {
          await this.d.db.bdmSoftDelete(bdm.id);
          await this.d.db.bdmTransition(bdm.id, Object.values(S), null, {}, 'any');
        });
      }
      if (bdm.deleteOnTermination) {
        const volumeId = bdm.volumeId as string;
        await this.step(op, 'volume delete', () => this.d.cinder.delete(op.caller, volumeId)).catch((e: unknown) => {
          if (e instanceof StepInterrupted) throw e;
          LOG.warning(`Could not delete volume ${volumeId} of deleted server: ${(e as Error).message}`, op.meta);
        });
      }
    }
  }

  /**
   * A detach of a deleted server's volume that Cinder refused after our os-begin_detaching: the
   * volume goes back to 'in-use' (still this server's, as Cinder says) rather than staying in a
   * transition nothing will finish. Best effort: a failure is only logged.
   */
  private async rollBackOurDetaching(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    const volumeId = bdm.volumeId as string;
    try {
      const v = await this.volume({ ...op, budgetMs: 0 }, volumeId);
      if (v?.status !== 'detaching' || !v.attachments.some((a) => a.server_id === bdm.instanceUuid)) return;
      await this.d.cinder.rollDetaching(op.caller, volumeId);
    } catch (e) {
      LOG.warning(`Could not roll the detach of volume ${volumeId} back: ${(e as Error).message}`, op.meta);
    }
  }

  /**
   * One volume of a deleted server: its attach rolled back or its detach run (no guest step).
   * False when a swap in flight, ended first, took the row away. The row read may be stale:
   * nova-api may have begun a swap or a detach on it since, and a step whose compare-and-swap
   * finds the row moved does nothing. So each pass takes the row as it is now, until it is gone
   * (a race probe left a volume attached to a deleted server: the delete's detach found the row
   * 'swap-reserving' and went on). Each move is a request nova-api accepted meanwhile, so a few
   * passes do; past them the delete is left 'deleting' for the reconciler.
   */
  private async releaseOne(userOp: Op, instance: Instance, row: BlockDeviceMapping): Promise<boolean> {
    let bdm = row;
    const op = await this.releasingAs(userOp, row.volumeId as string);
    const vop = { ...op, verify: true };
    for (let pass = 1; ; pass++) {
      // A swap in flight ends first (rolled back, or finished once committed); then the row is detached.
      if (SWAP_STATES.includes(bdm.attachState as never)) {
        await this.resume(vop, instance, bdm);
        const after = await this.step(op, 'read BDM', () => this.d.db.bdmGetAny(bdm.id));
        if (!after || after.deleted) return false;
        bdm = after;
      }
      if (bdm.attachState === S.RESERVING) await this.rollbackReserving(vop, bdm);
      else if (bdm.attachState === S.RESERVED || bdm.attachState === S.ATTACHING) {
        if (bdm.attachState === S.RESERVED) await this.step(op, 'claim attach', () => this.d.db.bdmTransition(bdm.id, [S.RESERVED], S.ATTACHING));
        await this.rollbackAttach(vop, instance, { ...bdm, attachState: S.ATTACHING });
      } else if (bdm.attachState === S.DETACH_COMMITTING) await this.finishDetach(vop, bdm, undefined);
      else await this.detach(vop, null, bdm, null, { guestGone: true });
      const now = await this.step(op, 'read BDM', () => this.d.db.bdmGetAny(bdm.id));
      if (!now || now.deleted) return true;
      if (pass >= RELEASE_PASSES) throw new StepInterrupted('release BDM', new Error(`BDM ${bdm.id} kept moving (now ${now.attachState ?? 'settled'})`));
      LOG.info(`BDM ${bdm.id} of the deleted server moved to ${now.attachState ?? 'settled'} meanwhile; releasing it as it is now`, op.meta);
      bdm = now;
    }
  }

  /**
   * Who releases a deleted server's volume: the server's user, or the service user's admin when
   * the user cannot see the volume (an admin attached another project's volume). As the user,
   * every call would find nothing and the volume would stay attached to a server that is gone
   * (Nova's _shutdown_instance leaves it so).
   */
  private async releasingAs(op: Op, volumeId: string): Promise<Op> {
    if (!op.admin || await this.volume(op, volumeId)) return op;
    // No admin to be had (no service credentials, a refused token): the user's calls, as Nova's.
    const admin = await op.admin().catch(() => null);
    const seen = admin && await this.volume({ ...op, caller: admin }, volumeId).catch((e: unknown) => {
      if (isTransient(e)) throw e;
      return null;
    });
    return seen && admin ? { ...op, caller: admin } : op;
  }

  private async guestDetach(op: Op, instance: Instance, bdm: BlockDeviceMapping, info: ConnectionInfo | null): Promise<void> {
    if (instance.deleted || !bdm.deviceName) return;
    try {
      await this.d.driver.detachVolume(instance, info ?? { driver_volume_type: 'unknown', data: {} }, bdm.deviceName);
    } catch (e) {
      LOG.warning(`Guest detach of ${bdm.deviceName} failed: ${(e as Error).message}`, op.meta);
    }
  }

  private async disconnect(op: Op, info: ConnectionInfo, device: DeviceInfo | null): Promise<void> {
    try {
      await this.d.connector.disconnectVolume(info.data, device ?? devicePathOf(info));
    } catch (e) {
      LOG.warning(`Host disconnect failed: ${(e as Error).message}`, op.meta);
    }
  }

  private async teardownHost(op: Op, instance: Instance, bdm: BlockDeviceMapping, info: ConnectionInfo | null): Promise<void> {
    await this.guestDetach(op, instance, bdm, info);
    if (info) await this.disconnect(op, info, null);
  }
}

function devicePathOf(info: ConnectionInfo): DeviceInfo | null {
  return typeof info.data.device_path === 'string' ? { type: 'block', path: info.data.device_path } : null;
}

export function parseConnectionInfo(text: string | null): ConnectionInfo | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as ConnectionInfo;
    return v && typeof v === 'object' && v.data && typeof v.data === 'object' ? v : null;
  } catch {
    return null;
  }
}

/** The fields of an oslo context dict a log line shows. */
export function ctxLog(ctxt: Record<string, unknown>): ScopeIds {
  return idsOfContextDict(ctxt) ?? {};
}
