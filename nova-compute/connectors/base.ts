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
}

/** /dev/disk/by-path/ip-<portal>-iscsi-<iqn>-lun-<lun> (IPv6 brackets removed), as os-brick reports it. */
export function iscsiByPath(data: Record<string, unknown>): string {
  const portal = String(data.target_portal ?? '').replace(/[[\]]/g, '');
  return `/dev/disk/by-path/ip-${portal}-iscsi-${String(data.target_iqn ?? '')}-lun-${String(data.target_lun ?? 0)}`;
}
