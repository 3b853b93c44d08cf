// One interface for every backend (cinder/volume/driver.py, reduced to what the attach flow
// needs). `fake` and `tgt` both implement it; the manager never knows which one it has.
import type { Snapshot, Volume, VolumeType } from '../../cinder-common/entities';

export type Connector = Record<string, unknown>;

/** Columns a driver asks the manager to save on the volume. */
export interface ModelUpdate {
  provider_location?: string | null;
  provider_auth?: string | null;
}

export interface ConnectionInfo {
  driver_volume_type: string;
  data: Record<string, unknown>;
}

export interface BackendStats {
  volume_backend_name: string;
  vendor_name: string;
  driver_version: string;
  storage_protocol: string;
  total_capacity_gb: number;
  free_capacity_gb: number;
  reserved_percentage: number;
  /** false: every volume has its own target, so hosts need not lock around scans (LVM says so). */
  shared_targets?: boolean | null;
  /** Whether a volume may be attached to several hosts at once: a multiattach type asks it (CapabilitiesFilter). */
  multiattach?: boolean;
}

export interface VolumeDriver {
  readonly name: string;
  /** Prepare the backend (e.g. start our tgtd); called once before serving. */
  doSetup(): Promise<void>;
  /** Release what doSetup started. */
  shutdown(): Promise<void>;
  createVolume(volume: Volume): Promise<ModelUpdate | void>;
  /** create_cloned_volume: `volume` with `source`'s data (and its own, larger or equal, size); redone, it copies again. */
  createClonedVolume(volume: Volume, source: Volume): Promise<ModelUpdate | void>;
  deleteVolume(volume: Volume): Promise<void>;
  /** create_snapshot: `snapshot` of `volume` as it is now; redone, it is taken again. */
  createSnapshot(snapshot: Snapshot, volume: Volume): Promise<void>;
  /** delete_snapshot: gone from the backend; one already gone is no error (a redo). */
  deleteSnapshot(snapshot: Snapshot): Promise<void>;
  /** create_volume_from_snapshot: `volume` with the snapshot's data, at its own (larger or equal) size; redone, it copies again. */
  createVolumeFromSnapshot(volume: Volume, snapshot: Snapshot): Promise<ModelUpdate | void>;
  extendVolume(volume: Volume, newSizeGb: number): Promise<void>;
  /** Change the volume to `type` in place on this backend; false: it cannot (a migration would). Absent: never in place. */
  retype?(volume: Volume, type: VolumeType): Promise<boolean>;
  /** Make the volume reachable; returns provider_location/provider_auth to save. */
  createExport(volume: Volume, connector: Connector | null): Promise<ModelUpdate>;
  /** Re-create an export lost by a restart (start-up recovery). */
  ensureExport(volume: Volume): Promise<void>;
  removeExport(volume: Volume): Promise<void>;
  /** Ids of the volumes that have a target/export on this backend now (the reconciler compares them with the volumes). */
  listExports(): Promise<string[]>;
  validateConnector(connector: Connector): void;
  initializeConnection(volume: Volume, connector: Connector): Promise<ConnectionInfo>;
  terminateConnection(volume: Volume, connector: Connector | null, force: boolean): Promise<void>;
  getStats(): Promise<BackendStats>;
  /**
   * manage_existing_get_size: the size in GiB (rounded up) of the backend object `ref` names
   * (`{"source-name": NAME}`), to be managed as `volume`. ManageExistingInvalidReference when
   * `ref` names nothing this backend has, or nothing it may take.
   */
  manageExistingGetSize(volume: Volume, ref: unknown): Promise<number>;
  /**
   * manage_existing: the object `ref` names becomes `volume`'s (renamed to its name). Redone
   * after it succeeded (the object already is `volume`'s, the name gone), it succeeds again.
   */
  manageExisting(volume: Volume, ref: unknown): Promise<ModelUpdate | void>;
  /** unmanage: the volume's object stays on the backend under its name (`volume-<id>`), no longer Cinder's. */
  unmanage(volume: Volume): Promise<void>;
  /** The size in GiB of `volume`'s own object on the backend, null when it has none (the reconciler asks, after a manage was cut short). */
  existingSize(volume: Volume): Promise<number | null>;
  /**
   * manage_existing_snapshot_get_size: the size in GiB (rounded up) of the backend snapshot
   * `ref` names (`{"source-name": NAME}`); ManageExistingInvalidReference as for a volume.
   */
  manageExistingSnapshotGetSize(snapshot: Snapshot, ref: unknown): Promise<number>;
  /** manage_existing_snapshot: the object `ref` names becomes `snapshot`'s (renamed to `snapshot-<id>`); a redo after success succeeds. */
  manageExistingSnapshot(snapshot: Snapshot, ref: unknown): Promise<void>;
  /** unmanage_snapshot: the snapshot's object stays on the backend under its name, no longer Cinder's. */
  unmanageSnapshot(snapshot: Snapshot): Promise<void>;
}
