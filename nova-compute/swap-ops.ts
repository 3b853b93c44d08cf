// swap_volume on the compute host (nova/compute/manager.py _swap_volume): the new volume
// connected (attachment_update, or os-initialize_connection for a legacy attachment), the guest's
// disk swapped (the driver copies), the new attachment completed, the old host connection
// dropped; then the row is committed to the new volume in one UPDATE (swap-committing, the old
// volume now in swap_volume_id) and Cinder lets the old volume go (attachment_delete, or
// os-terminate_connection + os-migrate_volume_completion). Before the commit every failure rolls
// back to the old volume; after it the swap is finished. The row's state (bdm-states.ts) says
// which, so the reconciler can end a swap a kill cut short.
import { pausePoint } from '../common/fault/pause';
import { getLogger } from '../common/log';
import { BDM_STATES as S } from '../nova-common/bdm-states';
import type { BlockDeviceMapping, Instance } from '../nova-common/entities';
import { InvalidInput, VolumeAttachmentNotFound, VolumeNotFound } from '../nova-common/exception';
import { StepInterrupted } from '../nova-common/retry';
import { attachmentConnectionInfo, type ConnectionInfo } from '../nova-common/volume/cinder';
import { ignore, releaseOrphanAttachments, type FlowDeps } from './cinder-flows';
import type { DeviceInfo, VolumeConnector } from './connectors';
import type { ComputeDriver } from './virt/driver';
import type { Op } from './volume-ops';

const LOG = getLogger('nova-compute.volume');

/** Swap columns cleared when a swap ends either way. */
const CLEARED = { swapVolumeId: null, swapAttachmentId: null };

export interface SwapDeps extends FlowDeps {
  driver: ComputeDriver;
  connector: VolumeConnector;
  parse: (text: string | null) => ConnectionInfo | null;
}

export class SwapOps {
  constructor(private readonly d: SwapDeps) {}

  /** Run the swap a 'swap-reserved' row records. Returns false when it was not ours to run. */
  async swap(op: Op, instance: Instance, bdm: BlockDeviceMapping): Promise<boolean> {
    const oldId = bdm.volumeId as string;
    const newId = bdm.swapVolumeId as string;
    const mountpoint = bdm.deviceName as string;
    if (!(await this.d.step(op, 'claim swap', () => this.d.db.bdmTransition(bdm.id, [S.SWAP_RESERVED], S.SWAPPING)))) {
      LOG.info(`Swap of volume ${oldId} (BDM ${bdm.id}) was already taken or finished`, op.meta);
      return false;
    }
    LOG.info(`Swapping volume ${oldId} for ${newId} at ${mountpoint}`, op.meta);
    const oldInfo = this.d.parse(bdm.connectionInfo);
    let info: ConnectionInfo | null = null;
    let device: DeviceInfo | null = null;
    try {
      const [oldV, newV] = [await this.d.volume(op, oldId), await this.d.volume(op, newId)];
      if (!newV) throw new VolumeNotFound({ volume_id: newId });
      const resizeTo = Number(newV.size ?? 0) > Number(oldV?.size ?? 0) ? Number(newV.size) : 0;
      const raw = await this.connectNew(op, bdm);
      info = { driver_volume_type: raw.driver_volume_type, serial: newId, data: { ...raw.data } };
      device = await this.d.connector.connectVolume(info.data);
      info.data.device_path = device.path;
      await pausePoint('nova-compute.swap.after-connect');
      await this.d.driver.swapVolume(instance, oldInfo ?? { driver_volume_type: 'unknown', data: {} }, info, mountpoint, resizeTo);
      LOG.info(`Copied volume ${oldId} to ${newId} at ${mountpoint}`, op.meta);
      if (bdm.swapAttachmentId) {
        const att = bdm.swapAttachmentId;
        await this.d.step(op, 'attachment_complete', () => this.d.cinder.attachmentComplete(op.caller, att));
      }
      await pausePoint('nova-compute.swap.after-complete');
      // The guest no longer uses the old device.
      if (oldInfo) await this.disconnect(op, oldInfo);
      // The commit: from here the row names the new volume and the swap is finished, not undone.
      const committed = await this.d.step(op, 'commit swap', () => this.d.db.bdmTransition(bdm.id, [S.SWAPPING], S.SWAP_COMMITTING, {
        volumeId: newId, attachmentId: bdm.swapAttachmentId, connectionInfo: JSON.stringify(info), swapVolumeId: oldId, swapAttachmentId: bdm.attachmentId,
        ...(resizeTo ? { volumeSize: resizeTo } : {}),
      }));
      if (!committed) throw new Error(`BDM ${bdm.id} left 'swapping' while volume ${newId} was being connected`);
    } catch (e) {
      LOG.error(`Failed to swap volume ${oldId} for ${newId}: ${(e as Error).message}; rolling back`, op.meta);
      await this.rollback(op, instance, { ...bdm, attachState: S.SWAPPING }, { info, device }).catch((err: unknown) =>
        LOG.warning(`Rollback of the swap of volume ${oldId} left for the reconciler: ${(err as Error).message}`, op.meta));
      throw e;
    }
    await pausePoint('nova-compute.swap.after-commit');
    await this.finish(op, {
      ...bdm, attachState: S.SWAP_COMMITTING, volumeId: newId, attachmentId: bdm.swapAttachmentId, swapVolumeId: oldId, swapAttachmentId: bdm.attachmentId,
      connectionInfo: JSON.stringify(info),
    });
    return true;
  }

  /** The new volume's connection_info: attachment_update (with the device), or os-initialize_connection. */
  private connectNew(op: Op, bdm: BlockDeviceMapping): Promise<ConnectionInfo> {
    const newId = bdm.swapVolumeId as string;
    const att = bdm.swapAttachmentId;
    return att
      ? this.d.step(op, 'attachment_update', () => this.d.cinder.attachmentUpdate(op.caller, att, this.d.connectorProperties(), bdm.deviceName ?? undefined))
      : this.d.step(op, 'os-initialize_connection', () => this.d.cinder.initializeConnection(op.caller, newId, this.d.connectorProperties()));
  }

  /**
   * A swap_volume cast its row no longer records: a server delete or the reconciler rolled the
   * swap back after reading the row but before nova-api recorded the new volume's reservation,
   * which only this cast names now. The attachment goes unless a live row of the server holds
   * it; a legacy reservation by the rollback's rule.
   */
  async releaseUnrecorded(op: Op, instanceUuid: string, newId: string, attachmentId: string | null): Promise<void> {
    if (attachmentId) {
      const rows = await this.d.step(op, 'read BDMs', () => this.d.db.bdmsByInstance(instanceUuid));
      if (rows.some((b) => b.attachmentId === attachmentId || b.swapAttachmentId === attachmentId)) return;
      await this.d.step(op, 'attachment_delete', () => this.d.cinder.attachmentDelete(op.caller, attachmentId).catch(ignore(VolumeAttachmentNotFound)));
    } else if (await this.legacyReservationIsOurs(op, newId)) {
      await this.d.step(op, 'os-unreserve', () => this.d.cinder.unreserve(op.caller, newId).catch(ignore(VolumeNotFound)));
    } else return;
    LOG.info(`Released volume ${newId}, reserved for a swap that was rolled back`, op.meta);
  }

  /** A legacy reservation of the new volume is ours when it is 'attaching' and no live row holds it. */
  private async legacyReservationIsOurs(op: Op, newId: string): Promise<boolean> {
    const v = await this.d.volume(op, newId);
    return v?.status === 'attaching' && (await this.d.db.bdmsOfVolumeExcept(newId, 0)).length === 0;
  }

  /**
   * Undo a swap that did not commit: the guest back on the old volume, the new one disconnected
   * and released (its attachment deleted or swept, or its legacy reservation let go), the old
   * volume back to in-use, the intent withdrawn. Safe to redo from any point.
   */
  async rollback(op: Op, instance: Instance, bdm: BlockDeviceMapping, known: { info?: ConnectionInfo | null; device?: DeviceInfo | null } = {}): Promise<void> {
    const oldId = bdm.volumeId as string;
    const newId = bdm.swapVolumeId;
    const newAttachment = bdm.swapAttachmentId;
    const legacy = !bdm.attachmentId;
    const ours = legacy && newId ? await this.legacyReservationIsOurs(op, newId) : false;
    let info = known.info ?? null;
    if (!info && newAttachment) {
      const att = await this.d.step(op, 'GET attachment', () => this.d.cinder.attachmentGet(op.caller, newAttachment)).catch((e: unknown) => {
        if (e instanceof VolumeAttachmentNotFound) return null;
        throw e;
      });
      const flat = att?.connection_info;
      info = flat && typeof flat.driver_volume_type === 'string' ? { ...attachmentConnectionInfo(flat), serial: newId ?? undefined } : null;
    } else if (!info && ours) {
      info = await this.connectNew(op, bdm).catch((e: unknown) => {
        if (!(e instanceof StepInterrupted)) throw e;
        return null;
      });
    }
    const oldInfo = this.d.parse(bdm.connectionInfo);
    const onNew = this.d.driver.listDisks(instance).some((x) => x.targetDev === bdm.deviceName?.replace(/^\/dev\//, '') && x.serial === newId);
    if (onNew && oldInfo && !instance.deleted) {
      // The old device may have been dropped already: connect it again (idempotent) first.
      await this.d.connector.connectVolume(oldInfo.data).catch((e: unknown) => LOG.warning(`Reconnecting volume ${oldId} failed: ${(e as Error).message}`, op.meta));
      await this.d.driver.swapVolume(instance, info ?? { driver_volume_type: 'unknown', data: {} }, oldInfo, bdm.deviceName as string, 0)
        .catch((e: unknown) => LOG.warning(`Swapping the guest back to volume ${oldId} failed: ${(e as Error).message}`, op.meta));
    }
    if (info) await this.disconnect(op, info, known.device ?? null);
    if (newAttachment) {
      await this.d.step(op, 'attachment_delete', () => this.d.cinder.attachmentDelete(op.caller, newAttachment).catch(ignore(VolumeAttachmentNotFound)));
    } else if (newId && !legacy) {
      await releaseOrphanAttachments(this.d, op, { ...bdm, id: 0, volumeId: newId });
    } else if (newId && ours) {
      await this.d.step(op, 'os-terminate_connection', () => this.d.cinder.terminateConnection(op.caller, newId, this.d.connectorProperties()).catch(ignore(VolumeNotFound)));
      await this.d.step(op, 'os-unreserve', () => this.d.cinder.unreserve(op.caller, newId).catch(ignore(VolumeNotFound)));
    }
    const v = await this.d.volume(op, oldId);
    if (v?.status === 'detaching') await this.d.step(op, 'os-roll_detaching', () => this.d.cinder.rollDetaching(op.caller, oldId));
    await this.d.step(op, 'withdraw swap', () => this.d.db.bdmTransition(bdm.id, [S.SWAP_RESERVING, S.SWAP_RESERVED, S.SWAPPING], null, CLEARED));
    LOG.info(`Rolled back the swap of volume ${oldId}${newId ? ` for ${newId}` : ''}`, op.meta);
  }

  /**
   * After the commit Cinder lets the old volume go: attachment_delete, or for a legacy attachment
   * os-terminate_connection and os-migrate_volume_completion (which moves Cinder's attachment to
   * the new volume), each checked against Cinder's state on a redo. Then the row settles.
   */
  async finish(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    const oldId = bdm.swapVolumeId as string;
    const newId = bdm.volumeId as string;
    const oldAttachment = bdm.swapAttachmentId;
    if (oldAttachment) {
      await this.d.step(op, 'attachment_delete', () => this.d.cinder.attachmentDelete(op.caller, oldAttachment).catch(ignore(VolumeAttachmentNotFound)));
    } else {
      await this.d.step(op, 'os-terminate_connection', () => this.d.cinder.terminateConnection(op.caller, oldId, this.d.connectorProperties()).catch(ignore(VolumeNotFound)));
      const admin = op.admin ? await op.admin() : op.caller;
      await this.d.step(op, 'os-migrate_volume_completion', () => this.d.cinder.migrateVolumeCompletion(admin, oldId, newId, false).catch((e: unknown) => {
        if (e instanceof VolumeNotFound) return undefined;
        // Cinder's completion attaches the new volume 'rw', which a readonly one refuses, after
        // it has detached the old one: what it left undone is done below, in the new volume's mode.
        if (!(e instanceof InvalidInput)) throw e;
        LOG.warning(`os-migrate_volume_completion of ${oldId} to ${newId} refused (${e.message}); finishing its steps one by one`, op.meta);
        return undefined;
      }));
      // A completion cut short (or refused) between its detach and its attach: finish what it left.
      const nv = await this.d.volume(op, newId);
      if (nv && !nv.attachments.some((a) => a.server_id === bdm.instanceUuid)) {
        const mode = this.d.parse(bdm.connectionInfo)?.data.access_mode;
        await this.d.step(op, 'os-attach', () => this.d.cinder.attach(op.caller, newId, bdm.instanceUuid as string, bdm.deviceName as string, typeof mode === 'string' ? mode : 'rw'));
      }
      const ov = await this.d.volume(op, oldId);
      const left = ov?.attachments.find((a) => a.server_id === bdm.instanceUuid);
      if (ov && (left || ov.status === 'detaching')) {
        await this.d.step(op, 'os-detach', () => this.d.cinder.detach(op.caller, oldId, left?.attachment_id ?? null).catch(ignore(VolumeNotFound)));
      }
    }
    await pausePoint('nova-compute.swap.after-old-released');
    await this.d.step(op, 'settle BDM', () => this.d.db.bdmTransition(bdm.id, [S.SWAP_COMMITTING], null, CLEARED));
    LOG.info(`Swapped volume ${oldId} for ${newId}`, op.meta);
  }

  private async disconnect(op: Op, info: ConnectionInfo, device: DeviceInfo | null = null): Promise<void> {
    await this.d.connector.disconnectVolume(info.data, device)
      .catch((e: unknown) => LOG.warning(`Host disconnect failed: ${(e as Error).message}`, op.meta));
  }
}
