// attach_volume / detach_volume on the compute host: seed steps 6–11 with their rollbacks, and
// the mirror image for detach (seed-flow.md, attach-semantics.md §7.1). Runs under the
// instance lock taken by the manager.
import type { ContextDict } from '../common/context';
import { getLogger } from '../common/log';
import type { BlockDeviceMapping, Instance } from '../nova-common/entities';
import type { NovaDB } from '../nova-common/db-api';
import { callerFromDict, type CinderAPI, type CinderCaller, type ConnectionInfo } from '../nova-common/volume/cinder';
import type { ConnectorProperties, DeviceInfo, VolumeConnector } from './connectors';
import type { ComputeDriver } from './virt/driver';

const LOG = getLogger('nova-compute.volume');

export interface VolumeOpsDeps {
  db: NovaDB;
  cinder: CinderAPI;
  driver: ComputeDriver;
  connector: VolumeConnector;
  connectorProperties: () => ConnectorProperties;
}

/** Run cleanup steps, each best-effort: a failing undo must not hide the original error. */
async function undo(what: string, fn: () => Promise<unknown>, meta: Record<string, unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    LOG.warning(`Rollback step ${what} failed: ${(e as Error).message}`, meta);
  }
}

export class VolumeOps {
  constructor(private readonly d: VolumeOpsDeps) {}

  /** Seed step 8 (and the tail of every later rollback): unreserve, then drop the BDM row. */
  private async releaseReservation(caller: CinderCaller, bdm: BlockDeviceMapping, meta: Record<string, unknown>): Promise<void> {
    await undo('os-unreserve', () => this.d.cinder.unreserve(caller, bdm.volumeId as string), meta);
    await undo('delete BDM', () => this.d.db.bdmDestroy(bdm.id), meta);
  }

  async attach(ctxt: ContextDict, instance: Instance, bdm: BlockDeviceMapping): Promise<void> {
    const caller = callerFromDict(ctxt);
    const volumeId = bdm.volumeId as string;
    const mountpoint = bdm.deviceName as string;
    const meta = { context: ctxLog(ctxt), volume_id: volumeId, instance_uuid: instance.uuid, mountpoint };
    LOG.info(`Attaching volume ${volumeId} to ${mountpoint}`, meta);

    // Steps 6–7: connector, initialize_connection. Any failure → step 8.
    let connector: ConnectorProperties;
    let info: ConnectionInfo;
    try {
      connector = this.d.connectorProperties();
      info = await this.d.cinder.initializeConnection(caller, volumeId, connector);
    } catch (e) {
      LOG.error(`Failed to initialize the connection of volume ${volumeId}: ${(e as Error).message}`, meta);
      await this.releaseReservation(caller, bdm, meta);
      throw e;
    }
    const { driver_volume_type: dvt, data, ...rest } = info;
    const connectionInfo: ConnectionInfo = { driver_volume_type: dvt, serial: volumeId, data: { ...data }, ...rest };
    const terminate = (): Promise<void> => undo('os-terminate_connection', () => this.d.cinder.terminateConnection(caller, volumeId, connector), meta);

    // Step 9: host connect, then guest attach; a failed guest attach disconnects the host.
    let device: DeviceInfo;
    try {
      device = await this.d.connector.connectVolume(connectionInfo.data);
    } catch (e) {
      LOG.error(`Failed to connect volume ${volumeId} on the host: ${(e as Error).message}`, meta);
      await terminate();
      await this.releaseReservation(caller, bdm, meta);
      throw e;
    }
    connectionInfo.data.device_path = device.path;
    const disconnect = (): Promise<void> => undo('disconnect_volume', () => this.d.connector.disconnectVolume(connectionInfo.data, device), meta);
    try {
      await this.d.driver.attachVolume(instance, connectionInfo, mountpoint);
    } catch (e) {
      LOG.error(`Failed to attach volume ${volumeId} to the guest at ${mountpoint}: ${(e as Error).message}`, meta);
      await disconnect();
      await terminate();
      await this.releaseReservation(caller, bdm, meta);
      throw e;
    }

    // Step 10: tell Cinder (in-use). Failure undoes the guest and host steps.
    const mode = typeof connectionInfo.data.access_mode === 'string' ? connectionInfo.data.access_mode : 'rw';
    try {
      await this.d.cinder.attach(caller, volumeId, instance.uuid, mountpoint, mode);
    } catch (e) {
      LOG.error(`os-attach of volume ${volumeId} failed: ${(e as Error).message}`, meta);
      await undo('guest detach', () => this.d.driver.detachVolume(instance, connectionInfo, mountpoint), meta);
      await disconnect();
      await terminate();
      await this.releaseReservation(caller, bdm, meta);
      throw e;
    }

    // Step 11: the BDM row gets connection_info (serial, data.device_path).
    const saved = await this.d.db.bdmSetConnectionInfo(bdm.id, JSON.stringify(connectionInfo));
    if (!saved) LOG.warning(`BDM ${bdm.id} vanished before its connection_info could be saved`, meta);
    LOG.info(`Attached volume ${volumeId} to ${mountpoint}`, meta);
  }

  async detach(ctxt: ContextDict, instance: Instance, bdm: BlockDeviceMapping, attachmentId: string | null): Promise<void> {
    const caller = callerFromDict(ctxt);
    const volumeId = bdm.volumeId as string;
    const meta = { context: ctxLog(ctxt), volume_id: volumeId, instance_uuid: instance.uuid, mountpoint: bdm.deviceName };
    LOG.info(`Detaching volume ${volumeId} from ${bdm.deviceName ?? '-'}`, meta);
    const info = parseConnectionInfo(bdm.connectionInfo);
    try {
      if (info && bdm.deviceName) await this.d.driver.detachVolume(instance, info, bdm.deviceName);
      if (info) {
        const path = typeof info.data.device_path === 'string' ? info.data.device_path : null;
        await this.d.connector.disconnectVolume(info.data, path ? { type: 'block', path } : null);
      }
    } catch (e) {
      LOG.error(`Failed to detach volume ${volumeId} from the guest: ${(e as Error).message}`, meta);
      await undo('os-roll_detaching', () => this.d.cinder.rollDetaching(caller, volumeId), meta);
      throw e;
    }
    await this.d.cinder.terminateConnection(caller, volumeId, this.d.connectorProperties());
    await this.d.cinder.detach(caller, volumeId, attachmentId);
    await this.d.db.bdmSoftDelete(bdm.id);
    LOG.info(`Detached volume ${volumeId}`, meta);
  }

  /**
   * Server delete: the guest is gone; release each volume at Cinder (terminate + detach, or
   * unreserve when the attach never finished), delete delete_on_termination volumes, soft-delete rows.
   */
  async releaseAll(ctxt: ContextDict, instance: Instance, bdms: BlockDeviceMapping[]): Promise<void> {
    const caller = callerFromDict(ctxt);
    for (const bdm of bdms) {
      const meta = { context: ctxLog(ctxt), volume_id: bdm.volumeId, instance_uuid: instance.uuid };
      if (bdm.volumeId) {
        const volumeId = bdm.volumeId;
        const info = parseConnectionInfo(bdm.connectionInfo);
        if (info) {
          const path = typeof info.data.device_path === 'string' ? info.data.device_path : null;
          await undo('disconnect_volume', () => this.d.connector.disconnectVolume(info.data, path ? { type: 'block', path } : null), meta);
          await undo('os-terminate_connection', () => this.d.cinder.terminateConnection(caller, volumeId, this.d.connectorProperties()), meta);
          const attachmentId = await this.attachmentIdOf(caller, volumeId, instance.uuid);
          await undo('os-detach', () => this.d.cinder.detach(caller, volumeId, attachmentId), meta);
        } else {
          await undo('os-unreserve', () => this.d.cinder.unreserve(caller, volumeId), meta);
        }
        if (bdm.deleteOnTermination) await undo('volume delete', () => this.d.cinder.delete(caller, volumeId), meta);
      }
      await this.d.db.bdmSoftDelete(bdm.id);
    }
  }

  private async attachmentIdOf(caller: CinderCaller, volumeId: string, instanceUuid: string): Promise<string | null> {
    try {
      const v = await this.d.cinder.get(caller, volumeId);
      return v.attachments.find((a) => a.server_id === instanceUuid)?.attachment_id ?? null;
    } catch {
      return null;
    }
  }
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
export function ctxLog(ctxt: ContextDict): { requestId?: string; userId?: string | null; projectId?: string | null } {
  const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { requestId: s(ctxt.request_id), userId: s(ctxt.user_id) ?? null, projectId: s(ctxt.project_id) ?? null };
}
