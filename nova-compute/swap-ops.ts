// swap_volume on the compute host (nova/compute/manager.py _swap_volume, attachments flow):
// attachment_update of the new volume, host connect, the guest's disk swapped (the driver
// copies), attachment_complete; then the row is committed to the new volume in one UPDATE
// (swap-committing, the old volume now in swap_volume_id) and the old attachment is deleted.
// Before the commit every failure rolls back to the old volume; after it the swap is finished.
// The row's state (bdm-states.ts) says which, so the reconciler can end a swap a kill cut short.
import { pausePoint } from '../common/fault/pause';
import { getLogger } from '../common/log';
import { BDM_STATES as S } from '../nova-common/bdm-states';
import type { BlockDeviceMapping, Instance } from '../nova-common/entities';
import { VolumeAttachmentNotFound, VolumeNotFound } from '../nova-common/exception';
import type { ConnectionInfo } from '../nova-common/volume/cinder';
import { attachmentConnectionInfo } from '../nova-common/volume/cinder';
import { releaseOrphanAttachments, type FlowDeps } from './cinder-flows';
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
    const newAttachment = bdm.swapAttachmentId as string;
    const mountpoint = bdm.deviceName as string;
    if (!(await this.d.step(op, 'claim swap', () => this.d.db.bdmTransition(bdm.id, [S.SWAP_RESERVED], S.SWAPPING)))) {
      LOG.info(`Swap of volume ${oldId} (BDM ${bdm.id}) was already taken or finished`, op.meta);
      return false;
    }
    LOG.info(`Swapping volume ${oldId} for ${newId} at ${mountpoint}`, op.meta);
    let info: ConnectionInfo | null = null;
    let device: DeviceInfo | null = null;
    try {
      const [oldV, newV] = [await this.d.volume(op, oldId), await this.d.volume(op, newId)];
      if (!newV) throw new VolumeNotFound({ volume_id: newId });
      const resizeTo = Number(newV.size ?? 0) > Number(oldV?.size ?? 0) ? Number(newV.size) : 0;
      const raw = await this.d.step(op, 'attachment_update', () => this.d.cinder.attachmentUpdate(op.caller, newAttachment, this.d.connectorProperties(), mountpoint));
      info = { driver_volume_type: raw.driver_volume_type, serial: newId, data: { ...raw.data } };
      device = await this.d.connector.connectVolume(info.data);
      info.data.device_path = device.path;
      await pausePoint('nova-compute.swap.after-connect');
      await this.d.driver.swapVolume(instance, this.d.parse(bdm.connectionInfo) ?? { driver_volume_type: 'unknown', data: {} }, info, mountpoint, resizeTo);
      LOG.info(`Copied volume ${oldId} to ${newId} at ${mountpoint}`, op.meta);
      await this.d.step(op, 'attachment_complete', () => this.d.cinder.attachmentComplete(op.caller, newAttachment));
      await pausePoint('nova-compute.swap.after-complete');
      // The commit: from here the row names the new volume and the swap is finished, not undone.
      const committed = await this.d.step(op, 'commit swap', () => this.d.db.bdmTransition(bdm.id, [S.SWAPPING], S.SWAP_COMMITTING, {
        volumeId: newId, attachmentId: newAttachment, connectionInfo: JSON.stringify(info), swapVolumeId: oldId, swapAttachmentId: bdm.attachmentId,
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
    await this.finish(op, { ...bdm, attachState: S.SWAP_COMMITTING, volumeId: newId, attachmentId: newAttachment, swapVolumeId: oldId, swapAttachmentId: bdm.attachmentId });
    return true;
  }

  /**
   * Undo a swap that did not commit: the guest back on the old volume, the new one disconnected
   * and its attachment deleted (or swept, if nova-api never learnt its id), the old volume back
   * to in-use, the intent withdrawn. Safe to redo from any point.
   */
  async rollback(op: Op, instance: Instance, bdm: BlockDeviceMapping, known: { info?: ConnectionInfo | null; device?: DeviceInfo | null } = {}): Promise<void> {
    const oldId = bdm.volumeId as string;
    const newId = bdm.swapVolumeId;
    const newAttachment = bdm.swapAttachmentId;
    let info = known.info ?? null;
    if (!info && newAttachment) {
      const att = await this.d.step(op, 'GET attachment', () => this.d.cinder.attachmentGet(op.caller, newAttachment)).catch((e: unknown) => {
        if (e instanceof VolumeAttachmentNotFound) return null;
        throw e;
      });
      const flat = att?.connection_info;
      info = flat && typeof flat.driver_volume_type === 'string' ? { ...attachmentConnectionInfo(flat), serial: newId ?? undefined } : null;
    }
    const oldInfo = this.d.parse(bdm.connectionInfo);
    const onNew = this.d.driver.listDisks(instance).some((x) => x.targetDev === bdm.deviceName?.replace(/^\/dev\//, '') && x.serial === newId);
    if (onNew && oldInfo && !instance.deleted) {
      await this.d.driver.swapVolume(instance, info ?? { driver_volume_type: 'unknown', data: {} }, oldInfo, bdm.deviceName as string, 0)
        .catch((e: unknown) => LOG.warning(`Swapping the guest back to volume ${oldId} failed: ${(e as Error).message}`, op.meta));
    }
    if (info) await this.d.connector.disconnectVolume(info.data, known.device ?? null).catch((e: unknown) => LOG.warning(`Host disconnect failed: ${(e as Error).message}`, op.meta));
    if (newAttachment) {
      await this.d.step(op, 'attachment_delete', () => this.d.cinder.attachmentDelete(op.caller, newAttachment).catch((e: unknown) => {
        if (!(e instanceof VolumeAttachmentNotFound)) throw e;
      }));
    } else if (newId) {
      await releaseOrphanAttachments(this.d, op, { ...bdm, id: 0, volumeId: newId });
    }
    const v = await this.d.volume(op, oldId);
    if (v?.status === 'detaching') await this.d.step(op, 'os-roll_detaching', () => this.d.cinder.rollDetaching(op.caller, oldId));
    await this.d.step(op, 'withdraw swap', () => this.d.db.bdmTransition(bdm.id, [S.SWAP_RESERVING, S.SWAP_RESERVED, S.SWAPPING], null, CLEARED));
    LOG.info(`Rolled back the swap of volume ${oldId}${newId ? ` for ${newId}` : ''}`, op.meta);
  }

  /** After the commit: the old volume's host connection and attachment go, then the row settles. */
  async finish(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    const oldId = bdm.swapVolumeId as string;
    const oldAttachment = bdm.swapAttachmentId;
    if (oldAttachment) {
      const att = await this.d.step(op, 'GET attachment', () => this.d.cinder.attachmentGet(op.caller, oldAttachment)).catch((e: unknown) => {
        if (e instanceof VolumeAttachmentNotFound) return null;
        throw e;
      });
      const flat = att?.connection_info;
      if (flat && typeof flat.driver_volume_type === 'string') {
        await this.d.connector.disconnectVolume(attachmentConnectionInfo(flat).data, null)
          .catch((e: unknown) => LOG.warning(`Host disconnect of volume ${oldId} failed: ${(e as Error).message}`, op.meta));
      }
      await this.d.step(op, 'attachment_delete', () => this.d.cinder.attachmentDelete(op.caller, oldAttachment).catch((e: unknown) => {
        if (!(e instanceof VolumeAttachmentNotFound)) throw e;
      }));
    }
    await pausePoint('nova-compute.swap.after-old-released');
    await this.d.step(op, 'settle BDM', () => this.d.db.bdmTransition(bdm.id, [S.SWAP_COMMITTING], null, CLEARED));
    LOG.info(`Swapped volume ${oldId} for ${bdm.volumeId}`, op.meta);
  }
}
