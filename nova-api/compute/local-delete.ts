// A server delete without its compute (Nova's _local_delete): the server was never scheduled,
// is in error, or its compute is down, so nova-api releases each volume itself, then drops the
// row, then the server. Kept apart from ComputeAPI: it is the one place nova-api undoes a
// compute's work, and it must be safe to redo row by row.
import type { RequestContext } from '../../common/context';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import type { NovaDB } from '../../nova-common/db-api';
import type { BlockDeviceMapping, Instance } from '../../nova-common/entities';
import { BDM_STATES, legacyReservationIsRows } from '../../nova-common/bdm-states';
import { TASK_STATES, type VmState } from '../../nova-common/objects';
import { retrying, StepInterrupted } from '../../nova-common/retry';
import type { CinderAPI, CinderCaller } from '../../nova-common/volume/cinder';

const LOG = getLogger('nova-api.compute');

export interface LocalDeleteDeps {
  db: NovaDB;
  cinder: CinderAPI;
  /** How long (ms) a lost Cinder is retried before the delete stops and answers 503. */
  undoRetryMs: number;
  caller(ctx: RequestContext): CinderCaller;
}

/**
 * The intent first (Nova's _delete saves task_state deleting before _local_delete): the server is
 * put 'deleting', then each volume released, then its row, then the server. Killed anywhere in
 * between, the server stays 'deleting' with the rows not yet dropped: its compute's reconciler
 * finishes it when the compute is back, or the next DELETE goes on from those rows. Without it, a
 * volume released here kept a live row with no Cinder attachment and nothing would ever finish it.
 * A refusal is logged and ignored, as Nova does. A lost Cinder is waited for (undoRetryMs), then
 * the delete stops where it is and the request answers 503; ignoring it would drop the row and
 * leave the attachment in Cinder for good.
 */
export async function localDelete(d: LocalDeleteDeps, ctx: RequestContext, inst: Instance): Promise<void> {
  if (!(await markDeleting(d.db, inst))) return;
  // Releases an earlier delete hid and did not finish (Cinder lost, or nova-api killed).
  for (const bdm of await d.db.bdmsHiddenOf(inst.uuid, BDM_STATES.DETACH_COMMITTING)) await releaseHidden(d, ctx, inst, bdm);
  for (const bdm of await d.db.bdmsByInstance(inst.uuid)) {
    if (!(await dropRow(d, ctx, inst, bdm))) {
      LOG.warning(`Delete of server ${inst.uuid} left deleting for its compute, which is back and holds BDM ${bdm.id}`, { context: ctx });
      return;
    }
  }
  await d.db.instanceSoftDelete(inst);
}

/**
 * Release what the row holds, then soft-delete it while it is still as released. A compute that
 * came back meanwhile may have moved it on (its reconciler finishing an attach): then the row is
 * released again as it is now, once that compute has settled it (no intent left). If it has not
 * within undoRetryMs, false: the compute is alive, and its reconciler finishes the server's
 * delete ('deleting') as it finishes one cut short.
 */
async function dropRow(d: LocalDeleteDeps, ctx: RequestContext, inst: Instance, listed: BlockDeviceMapping): Promise<boolean> {
  const deadline = Date.now() + d.undoRetryMs;
  let bdm: BlockDeviceMapping | null = listed;
  for (let moved = false, wait = 20; bdm; wait = Math.min(wait * 2, 500)) {
    if (moved && bdm.attachState !== null) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, wait));
      bdm = await d.db.bdmGet(bdm.id);
      continue;
    }
    if (bdm.attachmentId) {
      // An attachment leaves Nova's view before it is released, its release recorded on the
      // hidden row ('detach-committing'), as the compute's detach does: Cinder's
      // attachment-deletion check asks nova-api whether the server holds it, and without a
      // service token a row still shown made Cinder refuse; the volume stayed attached to a
      // server that was gone. Cut short, the next DELETE or the compute's reconciler finishes it.
      if (await d.db.bdmSoftDeleteIf(bdm, BDM_STATES.DETACH_COMMITTING)) {
        await releaseHidden(d, ctx, inst, bdm);
        return true;
      }
    } else {
      if (bdm.volumeId) {
        await release(d, ctx, inst, bdm);
        await pausePoint('nova-api.local_delete.after-release');
      }
      if (await d.db.bdmSoftDeleteIf(bdm)) return true;
    }
    if (moved && Date.now() >= deadline) return false;
    moved = true;
    bdm = await d.db.bdmGet(bdm.id);
    if (bdm) LOG.warning(`BDM ${bdm.id} of server ${inst.uuid} moved on (${bdm.attachState ?? 'attached'}) while it was released: its compute is back`, { context: ctx });
  }
  return true;
}

/** What a row holds released; a lost Cinder (after undoRetryMs) stops the delete, which answers 503. */
async function release(d: LocalDeleteDeps, ctx: RequestContext, inst: Instance, bdm: BlockDeviceMapping): Promise<void> {
  try {
    await releaseVolumes(d, ctx, inst, bdm, bdm.volumeId as string);
  } catch (e) {
    LOG.warning(`Delete of server ${inst.uuid} left deleting: ${(e as Error).message}`, { context: ctx });
    throw e instanceof StepInterrupted ? e.reason : e;
  }
}

/** A hidden row's release, then its intent settled (the row stays deleted). Safe to redo. */
async function releaseHidden(d: LocalDeleteDeps, ctx: RequestContext, inst: Instance, bdm: BlockDeviceMapping): Promise<void> {
  await release(d, ctx, inst, bdm);
  await pausePoint('nova-api.local_delete.after-release');
  await d.db.bdmTransition(bdm.id, [BDM_STATES.DETACH_COMMITTING], null, {}, 'any');
}

/**
 * task_state 'deleting' by compare-and-swap on the vm_state read (any task gives way to a delete;
 * the vm_state stays what it is), read again if it moved meanwhile. False once the server is gone.
 */
async function markDeleting(db: NovaDB, inst: Instance): Promise<boolean> {
  for (let now: Instance | null = inst; now; now = await db.instanceGet(inst.uuid)) {
    if (await db.instanceConditionalUpdate(inst.uuid, { vmState: now.vmState as VmState }, { taskState: TASK_STATES.DELETING })) return true;
  }
  return false;
}

/** What one row holds in Cinder, released as Nova's _local_cleanup_bdm_volumes releases it. */
async function releaseVolumes(d: LocalDeleteDeps, ctx: RequestContext, inst: Instance, bdm: BlockDeviceMapping, vid: string): Promise<void> {
  const who = d.caller(ctx);
  const step = <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> =>
    retrying(what, d.undoRetryMs, fn, { context: ctx }).catch((e: unknown) => {
      if (e instanceof StepInterrupted) throw e;
      LOG.warning(`${what} of volume ${vid} failed: ${(e as Error).message}`, { context: ctx });
      return undefined;
    });
  // A row of the attachments flow releases its own attachment, a legacy row detaches this server's.
  if (bdm.attachmentId) {
    await step('attachment_delete', () => d.cinder.attachmentDelete(who, bdm.attachmentId as string));
  } else if (bdm.connectionInfo) {
    await step('os-terminate_connection', () => d.cinder.terminateConnection(who, vid, { ip: '127.0.0.1', host: inst.host ?? 'localhost' }));
    await step('os-detach', () => legacyDetach(d, who, vid, inst.uuid));
  } else if (await step('volume get', () => reservationIsOurs(d, who, vid, bdm))) {
    // An attach in flight: only its own reservation is given back (os-reserve names no one).
    await step('os-unreserve', () => d.cinder.unreserve(who, vid));
  }
  // A swap its compute took part-way names the other volume in swap_*, this server's too (the
  // new one's attachment, or the old one's once committed); a legacy swap's new volume is only
  // reserved until committed, which cinder-volume's reconciler releases.
  const swapped = bdm.swapVolumeId;
  if (swapped && bdm.swapAttachmentId) {
    await step('attachment_delete', () => d.cinder.attachmentDelete(who, bdm.swapAttachmentId as string));
  } else if (swapped && !bdm.attachmentId) {
    await step('os-detach', () => legacyDetach(d, who, swapped, inst.uuid));
  }
  if (bdm.deleteOnTermination) await step('volume delete', () => d.cinder.delete(who, vid));
}

/**
 * A legacy reservation is this row's when the volume is 'attaching' and no other server's live
 * row may hold it (the rule the compute's rollback follows): another attach's os-reserve must
 * not be undone by this delete.
 */
async function reservationIsOurs(d: LocalDeleteDeps, who: CinderCaller, vid: string, bdm: BlockDeviceMapping): Promise<boolean> {
  const v = await d.cinder.get(who, vid);
  return v.status === 'attaching' && legacyReservationIsRows(v.status, bdm, await d.db.bdmsOfVolumeExcept(vid, bdm.id));
}

/**
 * os-detach of this server's attachment, as Nova's cinder API detach(volume_id, instance_uuid):
 * named, since Cinder refuses an os-detach that names none on a volume with several, and
 * skipped when the server has none (an os-detach naming none would take another server's).
 */
async function legacyDetach(d: LocalDeleteDeps, who: CinderCaller, volumeId: string, instanceUuid: string): Promise<void> {
  const v = await d.cinder.get(who, volumeId);
  const att = v.attachments.find((a) => a.server_id === instanceUuid);
  if (att?.attachment_id) await d.cinder.detach(who, volumeId, att.attachment_id);
}
