// The `fake` backend: the tgt contract (exports, CHAP, connection_info) with no I/O, for the
// embedded default and tests. `failNext` makes one call of a method fail like a backend would.
import type { Snapshot, Volume } from '../../cinder-common/entities';
import type { BackendConf } from '../../cinder-common/config';
import { Manageable } from './fake-manageable';
import type { BackendStats, ConnectionInfo, Connector, ModelUpdate, VolumeDriver } from './driver';
import { chapOf, formatLocation, iscsiConnectionInfo, newChapAuth, requireInitiator } from './iscsi';

export class FakeDriver implements VolumeDriver {
  readonly name = 'fake';
  /** volume id → size (GiB) of what exists on the "backend". */
  readonly volumes = new Map<string, number>();
  /** snapshot id → size (GiB) of the snapshots on the "backend". */
  readonly snapshots = new Map<string, number>();
  /** backend name (`volume-<id>`) → size (GiB) of what unmanage left on the "backend", for a manage to take. */
  readonly unmanaged = new Map<string, number>();
  /** backend name (`snapshot-<id>`) → size (GiB) of the snapshots unmanage_snapshot left on the "backend". */
  readonly unmanagedSnapshots = new Map<string, number>();
  /** volume ids currently exported (a target exists). */
  readonly exports = new Set<string>();
  /** tid of each export, so exporting an exported volume returns the same target (as tgt does). */
  private readonly tids = new Map<string, number>();
  /** method name → error to throw once. */
  readonly failNext = new Map<string, Error>();
  private readonly manageable = new Manageable(this.volumes, this.unmanaged, 'volume');
  private readonly manageableSnapshots = new Manageable(this.snapshots, this.unmanagedSnapshots, 'snapshot');
  private nextTid = 1;

  constructor(private readonly conf: BackendConf) {}

  private maybeFail(method: string): void {
    const e = this.failNext.get(method);
    if (e) {
      this.failNext.delete(method);
      throw e;
    }
  }

  async doSetup(): Promise<void> {}
  async shutdown(): Promise<void> {}

  async createVolume(volume: Volume): Promise<void> {
    this.maybeFail('createVolume');
    this.volumes.set(volume.id, volume.size ?? 0);
  }

  /**
   * No data to copy: the clone is a volume of its own size. The source is not looked up here:
   * this map starts empty after a restart, where a real backend's volumes are still there.
   */
  async createClonedVolume(volume: Volume, _source: Volume): Promise<void> {
    this.maybeFail('createClonedVolume');
    this.volumes.set(volume.id, volume.size ?? 0);
  }

  async deleteVolume(volume: Volume): Promise<void> {
    this.maybeFail('deleteVolume');
    this.volumes.delete(volume.id);
    this.exports.delete(volume.id);
  }

  async createSnapshot(snapshot: Snapshot, volume: Volume): Promise<void> {
    this.maybeFail('createSnapshot');
    this.snapshots.set(snapshot.id, volume.size ?? snapshot.volumeSize ?? 0);
  }

  async deleteSnapshot(snapshot: Snapshot): Promise<void> {
    this.maybeFail('deleteSnapshot');
    this.snapshots.delete(snapshot.id);
  }

  /** As the clone: the snapshot is not looked up here (this map starts empty after a restart). */
  async createVolumeFromSnapshot(volume: Volume, _snapshot: Snapshot): Promise<void> {
    this.maybeFail('createVolumeFromSnapshot');
    this.volumes.set(volume.id, volume.size ?? 0);
  }

  async extendVolume(volume: Volume, newSizeGb: number): Promise<void> {
    this.maybeFail('extendVolume');
    this.volumes.set(volume.id, newSizeGb);
  }

  /** As LVM's: nothing on the backend depends on the type, so any type is taken in place. */
  async retype(): Promise<boolean> {
    this.maybeFail('retype');
    return true;
  }

  async createExport(volume: Volume, _connector: Connector | null): Promise<ModelUpdate> {
    this.maybeFail('createExport');
    if (!this.exports.has(volume.id) || !this.tids.has(volume.id)) this.tids.set(volume.id, this.nextTid++);
    this.exports.add(volume.id);
    const iqn = `${this.conf.target_prefix}volume-${volume.id}`;
    return {
      provider_location: formatLocation(`${this.conf.target_ip_address}:${this.conf.target_port}`, this.tids.get(volume.id)!, iqn, 1),
      provider_auth: chapOf(volume) ? volume.providerAuth : newChapAuth(),
    };
  }

  /** As tgt: only a volume with CHAP credentials can be re-exported. */
  async ensureExport(volume: Volume): Promise<void> {
    if (!chapOf(volume)) return;
    if (!this.exports.has(volume.id)) this.tids.set(volume.id, this.nextTid++);
    this.exports.add(volume.id);
  }

  async removeExport(volume: Volume): Promise<void> {
    this.maybeFail('removeExport');
    this.exports.delete(volume.id);
  }

  async listExports(): Promise<string[]> {
    this.maybeFail('listExports');
    return [...this.exports];
  }

  validateConnector(connector: Connector): void {
    requireInitiator(connector);
  }

  async initializeConnection(volume: Volume, connector: Connector): Promise<ConnectionInfo> {
    this.maybeFail('initializeConnection');
    return iscsiConnectionInfo(volume, connector);
  }

  async terminateConnection(volume: Volume, _connector: Connector | null, _force: boolean): Promise<void> {
    this.maybeFail('terminateConnection');
    this.exports.delete(volume.id);
  }

  async manageExistingGetSize(_volume: Volume, ref: unknown): Promise<number> {
    this.maybeFail('manageExistingGetSize');
    return this.manageable.size(ref);
  }

  async manageExisting(volume: Volume, ref: unknown): Promise<void> {
    this.maybeFail('manageExisting');
    this.manageable.take(volume.id, ref);
  }

  async unmanage(volume: Volume): Promise<void> {
    this.maybeFail('unmanage');
    this.manageable.release(volume.id);
    this.exports.delete(volume.id);
  }

  async existingSize(volume: Volume): Promise<number | null> {
    this.maybeFail('existingSize');
    return this.volumes.get(volume.id) ?? null;
  }

  async manageExistingSnapshotGetSize(_snapshot: Snapshot, ref: unknown): Promise<number> {
    this.maybeFail('manageExistingSnapshotGetSize');
    return this.manageableSnapshots.size(ref);
  }

  async manageExistingSnapshot(snapshot: Snapshot, ref: unknown): Promise<void> {
    this.maybeFail('manageExistingSnapshot');
    this.manageableSnapshots.take(snapshot.id, ref);
  }

  async unmanageSnapshot(snapshot: Snapshot): Promise<void> {
    this.maybeFail('unmanageSnapshot');
    this.manageableSnapshots.release(snapshot.id);
  }

  async getStats(): Promise<BackendStats> {
    const used = [...this.volumes.values()].reduce((a, b) => a + b, 0);
    return {
      volume_backend_name: this.conf.volume_backend_name, vendor_name: 'Open Source', driver_version: '1.0', storage_protocol: 'iSCSI',
      total_capacity_gb: this.conf.total_capacity_gb, free_capacity_gb: Math.max(0, this.conf.total_capacity_gb - used), reserved_percentage: 0,
      // One target per volume, as LVM's; several hosts may attach it (a multiattach type needs it).
      shared_targets: false, multiattach: true,
    };
  }
}
