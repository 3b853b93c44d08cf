// Host-side volume connectors (os-brick analogue). connect_volume makes the volume usable on
// the host and returns its path; disconnect_volume undoes it. Each family has a fake.
export interface DeviceInfo {
  type: 'block';
  /** What Nova stores as connection_info.data.device_path and the guest's <source dev>. */
  path: string;
}

export abstract class VolumeConnector {
  abstract readonly protocol: string;
  abstract connectVolume(data: Record<string, unknown>): Promise<DeviceInfo>;
  abstract disconnectVolume(data: Record<string, unknown>, deviceInfo: DeviceInfo | null): Promise<void>;
  /**
   * os-brick's extend_volume: make the host see the volume's new size after Cinder extended it;
   * returns the size in bytes the host now sees (null when this connector cannot tell).
   */
  async extendVolume(_data: Record<string, unknown>): Promise<number | null> {
    throw new Error(`The ${this.protocol} connector cannot extend a volume`);
  }
}

/** /dev/disk/by-path/ip-<portal>-iscsi-<iqn>-lun-<lun> (IPv6 brackets removed), as os-brick reports it. */
export function iscsiByPath(data: Record<string, unknown>): string {
  const portal = String(data.target_portal ?? '').replace(/[[\]]/g, '');
  return `/dev/disk/by-path/ip-${portal}-iscsi-${String(data.target_iqn ?? '')}-lun-${String(data.target_lun ?? 0)}`;
}
