// The os-volume_attachments business rules (nova/compute/api.py attach_volume, detach_volume
// and friends): the attach from "accept the request" to "cast to the compute"
// (docs/attach-detach.md) with the intent recorded first (nova-common/bdm-states.ts),
// the detach's intent, os-begin_detaching and its cast. The server-level checks (lock, state,
// policy, host up) come from ComputeAPI.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context';
import { isDbConnectionError } from '../../common/db/errors';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import { ATTACHED_STATES, BDM_STATES, othersMayHoldReservation } from '../../nova-common/bdm-states';
import { isDuplicateEntry, isRetryableConflict } from '../../nova-common/db';
import { matchDevice, nextDeviceName } from '../../nova-common/device-name';
import type { BlockDeviceMapping, Instance } from '../../nova-common/entities';
import {
  CinderConnectionFailed, DevicePathInUse, InvalidInput, InvalidVolume, MultiattachNotSupportedOldMicroversion,
  RootDeviceDetach, TooManyDiskDevices, VolumeAttachmentNotFound, VolumeAttachTimedOut, VolumeBDMNotFound, VolumeNotAttached,
} from '../../nova-common/exception';
import { CinderHTTPError, type CinderVolume } from '../../nova-common/volume/cinder';
import { retrying } from '../../nova-common/retry';
import { caller, type ComputeAPI, type ComputeApiOptions } from './api';

const LOG = getLogger('nova-api.volume-attachments');

/** A Cinder call that failed without saying no: it may or may not have taken effect. */
function isUncertain(e: unknown): boolean {
  return e instanceof CinderConnectionFailed || (e instanceof CinderHTTPError && e.status >= 500);
}

/** The message Cinder gives a detach of a volume that is not plainly attached. */
export interface AttachRequest {
  volumeId: string;
  device: string | null;
  tag: string | null;
  deleteOnTermination: boolean;
  /** 2.60+: multiattach volumes may be attached. */
  supportsMultiattach?: boolean;
}

/** An attach past its checks: the server, its new row, and the volume (attachments flow only). */
interface PreparedAttach {
  inst: Instance;
  bdm: BlockDeviceMapping;
  volume: CinderVolume | null;
}

/** What holds the volume for the row: the attachment (if any) and how to let it go. */
interface Reservation {
  attachmentId: string | null;
  release: () => Promise<void>;
}

const NOT_DETACHABLE = "Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.";

export class VolumeAttachmentAPI {
  constructor(private readonly c: ComputeAPI, private readonly o: ComputeApiOptions) {}

  /** How long nova-api may still act on an intent it wrote (the compute waits twice that). */
  private ownershipMs(): number {
    return (this.o.pendingTimeoutMs ?? 60_000) / 2;
  }

  /**
   * "Reserve the device": INSERT the BDM with the chosen device. The unique index over (instance_uuid,
   * device_name, deleted) makes a concurrent attach (any API process) that picked the same
   * device fail here; an automatic choice then retries with the next free letter.
   */
  private async reserveDevice(inst: Instance, volumeId: string, device: string | null, extra: Partial<BlockDeviceMapping>): Promise<BlockDeviceMapping> {
    if (device) matchDevice(device);
    for (let attempt = 0; attempt < 64; attempt++) {
      const bdms = await this.o.db.bdmsByInstance(inst.uuid);
      if (bdms.some((b) => b.volumeId === volumeId)) throw new InvalidVolume({ reason: 'already attached' });
      const max = this.o.maxDiskDevices;
      if (max >= 0 && bdms.filter((b) => b.deviceName).length + 1 > max) throw new TooManyDiskDevices({ maximum: max });
      const next = nextDeviceName(inst.rootDeviceName, bdms.map((b) => b.deviceName), device);
      if (!next) throw new DevicePathInUse({ path: device });
      const uuid = randomUUID();
      try {
        return await this.o.db.bdmCreate({
          uuid, instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: next.device, volumeId,
          bootIndex: null, ...extra,
        });
      } catch (e) {
        if (isDbConnectionError(e)) await this.withdrawInsert(uuid);
        if (!isDuplicateEntry(e) && !isRetryableConflict(e)) throw e;
        // Lost a race: either the volume or the device was taken meanwhile; look again.
      }
    }
    throw new DevicePathInUse({ path: device ?? 'auto' });
  }

  /**
   * The database went away around our INSERT, which may have committed all the same: take the
   * row back once the database answers (no reservation was made yet), so the client's retry
   * does not find it and say "already attached". Past the budget the compute's reconciler
   * drops it as a stale 'reserving' row.
   */
  private async withdrawInsert(uuid: string): Promise<void> {
    await retrying('withdraw BDM', this.o.undoRetryMs ?? 0, () => this.o.db.bdmDestroyByUuidIf(uuid, BDM_STATES.RESERVING), { bdm_uuid: uuid })
      .catch((e: Error) => LOG.warning(`withdrawing BDM ${uuid} failed (${e.message}); the compute's reconciler drops it`));
  }

  /**
   * From "accept the request" to "cast to the compute", with the intent recorded first: the BDM row is inserted 'reserving', moves
   * to 'reserved' once Cinder reserved the volume (os-reserve, or attachment_create whose id the
   * row then carries), and the cast hands it to the compute. What cannot be undone here (Cinder
   * or the database unreachable) stays on the row, and the compute's reconciler rolls it back
   * (bdm-states.ts).
   */
  async attachVolume(ctx: RequestContext, uuid: string, req: AttachRequest): Promise<BlockDeviceMapping> {
    const p = await this.prepareAttach(ctx, uuid, req);
    return this.reserveAndCast(ctx, p, req, true);
  }

  /**
   * 2.101: the same checks and the row (the intent) before the 202, the reservation and the cast
   * after it. A failure past the 202 is an Error event on the attach_volume action, and the row
   * it leaves is rolled back as on the synchronous path (here, else by the compute's reconciler).
   */
  async attachVolumeAsync(ctx: RequestContext, uuid: string, req: AttachRequest): Promise<void> {
    const p = await this.prepareAttach(ctx, uuid, req);
    await this.c.recordAction(ctx, uuid, 'attach_volume').catch(async (e: unknown) => {
      await this.undoReservation(ctx, p.bdm, null);
      throw e;
    });
    void this.reserveAndCast(ctx, p, req, false).catch(async (e: unknown) => {
      LOG.warning(`Attach of volume ${req.volumeId} to ${uuid} failed after it was accepted: ${(e as Error).message}`, { context: ctx });
      const ev = await this.o.db.eventStart(uuid, ctx.requestId, 'api_attach_volume', p.inst.host ?? '').catch(() => null);
      await this.o.db.eventFinish(ev, 'Error', (e as Error).message).catch(() => undefined);
    });
  }

  /** The checks a client hears about at once, then the row with the intent. */
  private async prepareAttach(ctx: RequestContext, uuid: string, req: AttachRequest): Promise<PreparedAttach> {
    const inst = await this.c.get(ctx, uuid);
    this.c.can(ctx, 'os_compute_api:os-volumes-attachments:create', inst);
    this.c.checkState(ctx, inst, 'attach_volume');
    // Real Nova's reserve_block_device_name call would time out against a dead compute; with a
    // cast we check the heartbeat instead, so the volume is never left 'attaching'.
    await this.c.checkHostUp(inst);
    const attachments = (await this.o.attachFlow?.useAttachments(caller(ctx))) ?? false;
    // The attachments flow reads the volume first (Nova's _check_volume_already_attached).
    const volume = attachments ? await this.checkNotAttached(ctx, inst, req.volumeId) : null;
    const intent = { attachState: BDM_STATES.RESERVING, attachStateAt: new Date(), attachRequestId: ctx.globalRequestId ?? ctx.requestId };
    try {
      const bdm = await this.reserveDevice(inst, req.volumeId, req.device, { tag: req.tag, deleteOnTermination: req.deleteOnTermination, ...intent });
      return { inst, bdm, volume };
    } catch (e) {
      if (e instanceof InvalidVolume) {
        if (attachments) throw new InvalidVolume({ reason: `volume ${req.volumeId} already attached` });
        // Already on this server: the seed answers from the volume's state.
        const v = await this.o.cinder.get(caller(ctx), req.volumeId);
        if (v.status !== 'available') throw new InvalidVolume({ reason: "status must be 'available'" });
      }
      throw e;
    }
  }

  /**
   * A volume that is not multiattach may have no live row anywhere, and none may have one on
   * this server (Cinder would let the same server attach twice through the attachments API).
   */
  private async checkNotAttached(ctx: RequestContext, inst: Instance, volumeId: string): Promise<CinderVolume> {
    const volume = await this.o.cinder.get(caller(ctx), volumeId);
    const rows = await this.o.db.bdmsOfVolumeExcept(volumeId, 0);
    if (rows.length && !volume.multiattach) {
      throw new InvalidVolume({ reason: `volume ${volumeId} is already attached to instances: ${rows.map((b) => b.instanceUuid).join(' ')}` });
    }
    if (rows.some((b) => b.instanceUuid === inst.uuid)) throw new InvalidVolume({ reason: `volume ${volumeId} already attached` });
    return volume;
  }

  /** The reservation at Cinder, the row 'reserved', the cast; every failure undone or left to the reconciler. */
  private async reserveAndCast(ctx: RequestContext, p: PreparedAttach, req: AttachRequest, record: boolean): Promise<BlockDeviceMapping> {
    const { inst } = p;
    await pausePoint('nova-api.attach.after-bdm-insert');
    const held = p.volume ? await this.reserveAttachment(ctx, inst, p.bdm, p.volume, req) : await this.reserveLegacy(ctx, p.bdm);
    const bdm = { ...p.bdm, attachmentId: held.attachmentId };
    await pausePoint('nova-api.attach.after-reserve');
    if (!(await this.o.db.bdmTransition(bdm.id, [BDM_STATES.RESERVING], BDM_STATES.RESERVED, { attachmentId: held.attachmentId }).catch(async (e: unknown) => {
      await this.undoReservation(ctx, bdm, held.release);
      throw e;
    }))) {
      // The row was taken from us: a server delete (its compute drops rows in flight) or the
      // compute's reconciler (a stale row). Either released what it found; a reservation that
      // landed after it looked is known only to us.
      await this.releaseAfterTakeover(ctx, bdm, held);
      // A delete: answered as Nova's state check would (404 gone, 409 deleting).
      this.c.checkState(ctx, await this.c.get(ctx, inst.uuid), 'attach_volume');
      throw new VolumeAttachTimedOut({ volume_id: req.volumeId });
    }
    try {
      if (record) await this.c.recordAction(ctx, inst.uuid, 'attach_volume');
      await this.o.rpc.attachVolume(ctx, inst, bdm);
    } catch (e) {
      // The cast may not have gone out: take the row back unless the compute already has it.
      const back = await this.o.db.bdmTransition(bdm.id, [BDM_STATES.RESERVED], BDM_STATES.RESERVING).catch(() => null);
      if (back === false) {
        LOG.warning(`Cast of attach_volume failed (${(e as Error).message}) but compute ${inst.host} already runs the attach`, { context: ctx });
        return bdm;
      }
      if (back) await this.undoReservation(ctx, bdm, held.release);
      throw e;
    }
    await pausePoint('nova-api.attach.after-cast');
    return bdm;
  }

  /**
   * Our reservation, once our row is gone: an attachment by its id; an os-reserve (which names no
   * one) when the volume is still 'attaching' and no other live row may hold it, the rule the
   * compute's rollback follows. What fails here is left to Cinder's reconciler.
   */
  private async releaseAfterTakeover(ctx: RequestContext, bdm: BlockDeviceMapping, held: Reservation): Promise<void> {
    const volumeId = bdm.volumeId as string;
    try {
      if (held.attachmentId) {
        await held.release();
        return;
      }
      // Our os-reserve was confirmed: other rows still 'reserving' cannot hold it.
      const v = await this.o.cinder.get(caller(ctx), volumeId);
      if (v.status === 'attaching' && !othersMayHoldReservation(await this.o.db.bdmsOfVolumeExcept(volumeId, bdm.id), true)) await held.release();
    } catch (e) {
      LOG.warning(`Releasing volume ${volumeId} after its attach was taken over failed: ${(e as Error).message}`, { context: ctx, bdm_id: bdm.id });
    }
  }

  /** "Read the volume", "check the volume", "reserve the volume" (os-reserve). */
  private async reserveLegacy(ctx: RequestContext, bdm: BlockDeviceMapping): Promise<Reservation> {
    const volumeId = bdm.volumeId as string;
    const release = () => this.o.cinder.unreserve(caller(ctx), volumeId);
    let reserving = false;
    try {
      const volume = await this.o.cinder.get(caller(ctx), volumeId);            // read the volume
      if (volume.status !== 'available') throw new InvalidVolume({ reason: "status must be 'available'" });  // check the volume
      if (volume.attach_status === 'attached') throw new InvalidVolume({ reason: 'already attached' });
      reserving = true;
      await this.o.cinder.reserve(caller(ctx), volumeId);                       // reserve the volume
      return { attachmentId: null, release };
    } catch (e) {
      // os-reserve lost on the way back (Cinder unreachable or 5xx): it may have happened, and
      // only the reconciler can tell ours from another's, so the row stays 'reserving' for it.
      if (reserving && isUncertain(e)) {
        // Still 'available' once Cinder answers again: the reserve did not happen, the row goes.
        const status = await retrying('GET volume', this.o.undoRetryMs ?? 0, () => this.o.cinder.get(caller(ctx), volumeId), { context: ctx })
          .then((v) => v.status, () => null);
        if (status !== 'available') {
          LOG.warning(`os-reserve of volume ${volumeId} has an unknown outcome (${(e as Error).message}); the compute's reconciler settles it`, { context: ctx });
          throw e;
        }
      }
      await this.undoReservation(ctx, bdm, null);
      throw e;
    }
  }

  /**
   * Nova's _check_attach_and_reserve_volume: the 2.60 multiattach rule, then attachment_create
   * (Cinder judges the volume's state). The attachment's id is what the compute acts on.
   */
  private async reserveAttachment(ctx: RequestContext, inst: Instance, bdm: BlockDeviceMapping, volume: CinderVolume, req: AttachRequest): Promise<Reservation> {
    const volumeId = bdm.volumeId as string;
    let creating = false;
    try {
      if (volume.multiattach && !req.supportsMultiattach) throw new MultiattachNotSupportedOldMicroversion();
      creating = true;
      const att = await this.o.cinder.attachmentCreate(caller(ctx), volumeId, inst.uuid);
      const release = () => this.o.cinder.attachmentDelete(caller(ctx), att.id).catch((e: unknown) => {
        if (!(e instanceof VolumeAttachmentNotFound)) throw e;
      });
      return { attachmentId: att.id, release };
    } catch (e) {
      // attachment_create lost on the way back: find what it made (nothing else holds this
      // volume for this server) and delete it; if Cinder stays away, the reconciler does.
      if (creating && isUncertain(e)) {
        const swept = await retrying('sweep attachments', this.o.undoRetryMs ?? 0, async () => {
          for (const a of await this.o.cinder.attachmentsOf(caller(ctx), volumeId, inst.uuid)) await this.o.cinder.attachmentDelete(caller(ctx), a.id);
          return true;
        }, { context: ctx }).catch(() => false);
        if (!swept) {
          LOG.warning(`attachment_create for volume ${volumeId} has an unknown outcome (${(e as Error).message}); the compute's reconciler settles it`, { context: ctx });
          throw e;
        }
      }
      await this.undoReservation(ctx, bdm, null);
      throw e;
    }
  }

  /**
   * Release our reservation and drop the row, retrying a lost database or Cinder for a bounded
   * time (a retry of the client's must not find the row and say "already attached"); what still
   * fails stays 'reserving' for the compute's reconciler.
   */
  private async undoReservation(ctx: RequestContext, bdm: BlockDeviceMapping, release: (() => Promise<void>) | null): Promise<void> {
    const warn = (what: string) => (err: unknown): false => {
      LOG.warning(`${what} failed (${(err as Error).message}); the compute's reconciler will finish the rollback`, { context: ctx, bdm_id: bdm.id });
      return false;
    };
    const budget = this.o.undoRetryMs ?? 0;
    const meta = { context: ctx, bdm_id: bdm.id };
    // Out of Nova's view before the volume can show 'available' (the intent stays on the row).
    // Not there any more: the compute's reconciler took the attach over and releases it itself.
    // A redo after a lost answer finds the row already hidden (by us: still 'reserving').
    const hide = async (attempt: number): Promise<boolean> => (await this.o.db.bdmHide(bdm.id, BDM_STATES.RESERVING))
      || (attempt > 0 && await this.o.db.bdmGetAny(bdm.id).then((r) => r?.deleted === bdm.id && r.attachState === BDM_STATES.RESERVING));
    const hidden = await retrying('hide BDM', budget, hide, meta).then((ok) => ok, warn(`hide BDM ${bdm.id}`));
    if (!hidden) return;
    if (release) {
      const ok = await retrying('release reservation', budget, release, meta).then(() => true, warn(`releasing volume ${bdm.volumeId}`));
      if (!ok) return;
    }
    // Nothing reached the compute host: the row goes, the volume stays as it was.
    await retrying('delete BDM', budget, () => this.o.db.bdmDestroyIf(bdm.id, BDM_STATES.RESERVING), meta).catch(warn(`delete BDM ${bdm.id}`));
  }

  async attachments(ctx: RequestContext, uuid: string): Promise<{ instance: Instance; bdms: BlockDeviceMapping[] }> {
    const instance = await this.c.get(ctx, uuid);
    this.c.can(ctx, 'os_compute_api:os-volumes-attachments:index', instance);
    const bdms = (await this.o.db.bdmsByInstance(uuid)).filter((b) => b.volumeId);
    return { instance, bdms };
  }

  async attachment(ctx: RequestContext, uuid: string, volumeId: string): Promise<BlockDeviceMapping> {
    this.c.can(ctx, 'os_compute_api:os-volumes-attachments:show', await this.c.get(ctx, uuid));
    const bdm = await this.o.db.bdmByVolumeAndInstance(volumeId, uuid);
    if (!bdm) throw new VolumeNotAttached({ instance_uuid: uuid, volume_id: volumeId });
    return bdm;
  }

  /**
   * The detach (docs/attach-detach.md): checks, then the intent ('detaching') on the row, os-begin_detaching and the cast.
   * Once recorded, the detach is finished by the compute even if the cast is lost.
   */
  async detachVolume(ctx: RequestContext, uuid: string, volumeId: string): Promise<void> {
    const inst = await this.c.get(ctx, uuid);
    this.c.can(ctx, 'os_compute_api:os-volumes-attachments:delete', inst);
    const volume = await this.o.cinder.get(caller(ctx), volumeId);
    const read = await this.o.db.bdmByVolumeAndInstance(volumeId, uuid);
    if (!read) throw new VolumeNotAttached({ instance_uuid: uuid, volume_id: volumeId });
    if (read.bootIndex === 0) throw new RootDeviceDetach();
    this.c.checkState(ctx, inst, 'detach_volume');
    await this.c.checkHostUp(inst);
    const bdm = await this.intendDetach(read, ctx.globalRequestId ?? ctx.requestId);
    // An attach or another detach of this volume is in flight.
    if (!bdm) throw new InvalidVolume({ reason: NOT_DETACHABLE });
    const since = Date.now();
    await pausePoint('nova-api.detach.after-intent');
    // Withdraw the intent only while it is surely still ours: past half the pending timeout the
    // compute's reconciler may have taken the detach over, and then it finishes it.
    const restore = async (): Promise<void> => {
      if (Date.now() - since > this.ownershipMs()) return;
      await this.o.db.bdmTransition(bdm.id, [BDM_STATES.DETACHING], bdm.attachState as null)
        .catch((err: unknown) => LOG.warning(`Could not withdraw the detach of BDM ${bdm.id}: ${(err as Error).message}`, { context: ctx }));
    };
    try {
      await this.o.cinder.beginDetaching(caller(ctx), volumeId);
    } catch (e) {
      // Unknown outcome: the intent stays and the compute's reconciler finishes the detach.
      if (isUncertain(e)) throw e;
      await restore();
      if (e instanceof InvalidInput) throw new InvalidVolume({ reason: e.message });
      throw e;
    }
    await pausePoint('nova-api.detach.after-begin-detaching');
    const attachmentId = volume.attachments.find((a) => a.server_id === uuid)?.attachment_id ?? null;
    try {
      await this.c.recordAction(ctx, uuid, 'detach_volume');
      await this.o.rpc.detachVolume(ctx, inst, volumeId, attachmentId);
    } catch (e) {
      // If this fails too, the row stays 'detaching' and the compute finishes the detach.
      const rolled = await this.o.cinder.rollDetaching(caller(ctx), volumeId).then(() => true, () => false);
      if (rolled) await restore();
      throw e;
    }
  }

  /**
   * The intent 'detaching' on the row, from the attached state it is in, which a failed detach
   * puts back (taken from another state, the row would regress to the one read). The compute
   * settling its attach between the read and the compare-and-swap (attach-committing → settled,
   * right after Cinder said in-use) is read again, so that detach is not refused; the row in
   * that state is returned. Null when an attach or another detach is in flight.
   */
  private async intendDetach(first: BlockDeviceMapping, requestId: string | null): Promise<BlockDeviceMapping | null> {
    let bdm: BlockDeviceMapping | null = first;
    for (let tries = 0; bdm && bdm.id === first.id && tries < 3; tries++) {
      if (!ATTACHED_STATES.includes(bdm.attachState)) return null;
      if (await this.o.db.bdmTransition(bdm.id, [bdm.attachState], BDM_STATES.DETACHING, { attachRequestId: requestId })) return bdm;
      bdm = await this.o.db.bdmByVolumeAndInstance(first.volumeId as string, first.instanceUuid as string);
    }
    return null;
  }

  /** The BDM a 2.85+ PUT updates; missing → VolumeBDMNotFound (404), as Nova's regular update. */
  async bdmForUpdate(ctx: RequestContext, uuid: string, volumeId: string): Promise<BlockDeviceMapping> {
    await this.c.get(ctx, uuid);
    const bdm = await this.o.db.bdmByVolumeAndInstance(volumeId, uuid);
    if (!bdm) throw new VolumeBDMNotFound({ volume_id: volumeId });
    return bdm;
  }

  async updateAttachment(bdm: BlockDeviceMapping, deleteOnTermination: boolean | undefined): Promise<void> {
    if (deleteOnTermination !== undefined) await this.o.db.bdmUpdate(bdm.id, { deleteOnTermination });
  }

  /** A volume as Cinder shows it to the caller (VolumeNotFound when Cinder 404s). */
  async getVolume(ctx: RequestContext, volumeId: string): Promise<CinderVolume> {
    return this.o.cinder.get(caller(ctx), volumeId);
  }
}
