// Swap volume (nova/compute/api.py swap_volume, as in Zed, which tempest's test_volume_swap
// exercises): the old volume's row records the swap first (bdm-states.ts, swap-reserving with
// the new volume's id), then os-begin_detaching of the old volume and attachment_create for the
// new one (swap-reserved with its attachment id; os-reserve when the old volume was attached
// through the legacy flow), then the cast. What cannot be undone here stays
// on the row and the compute's reconciler rolls it back. The compute does the rest (swap-ops.ts).
import type { RequestContext } from '../../common/context';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import { BDM_STATES as S, othersMayHoldReservation } from '../../nova-common/bdm-states';
import type { BlockDeviceMapping, Instance } from '../../nova-common/entities';
import {
  InvalidInput, InvalidVolume, MultiattachSwapVolumeNotSupported, VolumeAttachmentNotFound, VolumeBDMNotFound,
} from '../../nova-common/exception';
import { retrying } from '../../nova-common/retry';
import type { CinderVolume } from '../../nova-common/volume/cinder';
import { caller, type ComputeAPI, type ComputeApiOptions } from './api';

const LOG = getLogger('nova-api.swap-volume');

/** Nova's swap_volume states: check_instance_state(vm_state=[ACTIVE, PAUSED, RESIZED]). */
const SWAP_STATES = ['active', 'paused', 'resized'];

export class SwapVolumeAPI {
  constructor(private readonly c: ComputeAPI, private readonly o: ComputeApiOptions) {}

  async swap(ctx: RequestContext, inst: Instance, oldVolume: CinderVolume, newVolume: CinderVolume): Promise<void> {
    this.c.checkState(ctx, inst, 'swap_volume', SWAP_STATES);
    if (!oldVolume.attachments.some((a) => a.server_id === inst.uuid)) throw new InvalidVolume({ reason: 'Old volume is attached to a different instance.' });
    if (newVolume.attach_status === 'attached') throw new InvalidVolume({ reason: 'New volume must be detached in order to swap.' });
    if (Number(newVolume.size) < Number(oldVolume.size)) throw new InvalidVolume({ reason: 'New volume must be the same size or larger.' });
    const bdm = await this.o.db.bdmByVolumeAndInstance(oldVolume.id, inst.uuid);
    if (!bdm) throw new VolumeBDMNotFound({ volume_id: oldVolume.id });
    await this.c.checkHostUp(inst);
    const intent = { swapVolumeId: newVolume.id, swapAttachmentId: null, attachRequestId: ctx.globalRequestId ?? ctx.requestId };
    if (!(await this.o.db.bdmTransition(bdm.id, [null], S.SWAP_RESERVING, intent))) {
      throw new InvalidVolume({ reason: `volume ${oldVolume.id} has an attach, detach or swap in progress` });
    }
    const row: BlockDeviceMapping = { ...bdm, ...intent, attachState: S.SWAP_RESERVING };
    let attachmentId: string | null = null;
    let reserved = false;
    let detaching = false;
    let takenOver = false;
    // Once the row records the reservation, whoever takes the row over knows it and releases it.
    let recorded = false;
    try {
      await pausePoint('nova-api.swap.after-intent');
      await this.o.cinder.beginDetaching(caller(ctx), oldVolume.id).catch((e: unknown) => {
        throw e instanceof InvalidInput ? new InvalidVolume({ reason: e.message }) : e;
      });
      detaching = true;
      // Counted after begin_detaching, which keeps new attachments of the old volume away meanwhile.
      if (oldVolume.attachments.length > 1) throw new MultiattachSwapVolumeNotSupported();
      const rows = await this.o.db.bdmsOfVolumeExcept(newVolume.id, 0);
      if (rows.some((b) => b.instanceUuid === inst.uuid)) throw new InvalidVolume({ reason: `volume ${newVolume.id} already attached` });
      if (rows.length && !newVolume.multiattach) {
        throw new InvalidVolume({ reason: `volume ${newVolume.id} is already attached to instances: ${rows.map((b) => b.instanceUuid).join(' ')}` });
      }
      // The old volume's flow is the new one's: attachment_create, or os-reserve for a legacy attachment.
      if (bdm.attachmentId) attachmentId = (await this.o.cinder.attachmentCreate(caller(ctx), newVolume.id, inst.uuid)).id;
      else {
        await this.o.cinder.reserve(caller(ctx), newVolume.id);
        reserved = true;
      }
      await pausePoint('nova-api.swap.after-attachment-create');
      if (!(await this.o.db.bdmTransition(bdm.id, [S.SWAP_RESERVING], S.SWAP_RESERVED, { swapAttachmentId: attachmentId }))) {
        // A server delete or the compute's reconciler took the row; undo() releases what we reserved.
        takenOver = true;
        throw new InvalidVolume({ reason: `the swap of volume ${oldVolume.id} was taken over by its compute` });
      }
      recorded = true;
      await this.c.recordAction(ctx, inst.uuid, 'swap_volume');
      await this.o.rpc.swapVolume(ctx, inst, oldVolume.id, newVolume.id, attachmentId);
      await pausePoint('nova-api.swap.after-cast');
    } catch (e) {
      await this.undo(ctx, row, detaching, attachmentId, reserved ? newVolume.id : null, recorded);
      // A deleted server is answered as Nova's state check would (404 gone, 409 deleting).
      if (takenOver) this.c.checkState(ctx, await this.c.get(ctx, inst.uuid), 'swap_volume', SWAP_STATES);
      throw e;
    }
  }

  /**
   * Nova's rollback of a swap that never reached its compute: attachment_delete or os-unreserve
   * of the new volume, roll_detaching of the old one, the intent withdrawn; retried for a bounded time, else left to the compute's reconciler.
   */
  private async undo(ctx: RequestContext, row: BlockDeviceMapping, detaching: boolean, attachmentId: string | null, reservedId: string | null,
    recorded: boolean): Promise<void> {
    const budget = this.o.undoRetryMs ?? 0;
    const meta = { context: ctx, bdm_id: row.id };
    try {
      // Only while the row is still ours (the compute's reconciler may have taken it over).
      const cur = await retrying('read BDM', budget, () => this.o.db.bdmGetAny(row.id), meta);
      if (!cur || ![S.SWAP_RESERVING, S.SWAP_RESERVED].includes(cur.attachState as never) || cur.attachRequestId !== row.attachRequestId) {
        if (!recorded) await this.releaseAfterTakeover(ctx, attachmentId, reservedId, budget, meta);
        return;
      }
      if (attachmentId) {
        await retrying('attachment_delete', budget, () => this.o.cinder.attachmentDelete(caller(ctx), attachmentId).catch((e: unknown) => {
          if (!(e instanceof VolumeAttachmentNotFound)) throw e;
        }), meta);
      }
      if (reservedId) await retrying('os-unreserve', budget, () => this.o.cinder.unreserve(caller(ctx), reservedId), meta);
      if (detaching) await retrying('os-roll_detaching', budget, () => this.o.cinder.rollDetaching(caller(ctx), row.volumeId as string), meta);
      await retrying('withdraw swap', budget, () => this.o.db.bdmTransition(row.id, [S.SWAP_RESERVING, S.SWAP_RESERVED], null,
        { swapVolumeId: null, swapAttachmentId: null }), meta);
    } catch (e) {
      LOG.warning(`Undoing the swap of volume ${row.volumeId} failed (${(e as Error).message}); the compute's reconciler rolls it back`, meta);
    }
  }

  /**
   * The new volume's reservation once the row is no longer ours. Whoever took the row (a server
   * delete, the compute's reconciler) released what it found; a reservation that landed after it
   * looked is known only to us: an attachment by its id, an os-reserve (which names no one) while
   * the volume is still 'attaching' and no live row may hold it. The old volume is the taker's.
   */
  private async releaseAfterTakeover(ctx: RequestContext, attachmentId: string | null, reservedId: string | null, budget: number,
    meta: Record<string, unknown>): Promise<void> {
    if (attachmentId) {
      await retrying('attachment_delete', budget, () => this.o.cinder.attachmentDelete(caller(ctx), attachmentId).catch((e: unknown) => {
        if (!(e instanceof VolumeAttachmentNotFound)) throw e;
      }), meta);
    } else if (reservedId) {
      const v = await retrying('GET volume', budget, () => this.o.cinder.get(caller(ctx), reservedId), meta);
      if (v.status === 'attaching' && !othersMayHoldReservation(await this.o.db.bdmsOfVolumeExcept(reservedId, 0), true)) {
        await retrying('os-unreserve', budget, () => this.o.cinder.unreserve(caller(ctx), reservedId), meta);
      }
    }
  }
}
