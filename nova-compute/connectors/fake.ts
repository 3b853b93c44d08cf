// Fake connector: behaves like the iSCSI one (same checks, same by-path device_path) without
// touching a target. Keeps what is connected so tests can see the host was cleaned up.
import { DeviceInfo, VolumeConnector, iscsiByPath } from './base';

export class FakeConnector extends VolumeConnector {
  readonly protocol = 'fake';
  /** device paths currently connected on this "host". */
  readonly connected = new Set<string>();

  async connectVolume(data: Record<string, unknown>): Promise<DeviceInfo> {
    if (!data.target_iqn && !data.volume_id) throw new Error('connection_info data has neither target_iqn nor volume_id');
    const path = data.target_iqn ? iscsiByPath(data) : `/dev/disk/by-id/fake-${String(data.volume_id)}`;
    this.connected.add(path);
    return { type: 'block', path };
  }

  /** Paths extended (tests): a fake host has no size to read back. */
  readonly extended: string[] = [];

  override async extendVolume(data: Record<string, unknown>): Promise<number | null> {
    if (!data.target_iqn && !data.volume_id) throw new Error('connection_info data has neither target_iqn nor volume_id');
    this.extended.push(data.target_iqn ? iscsiByPath(data) : `/dev/disk/by-id/fake-${String(data.volume_id)}`);
    return null;
  }

  async disconnectVolume(data: Record<string, unknown>, deviceInfo: DeviceInfo | null): Promise<void> {
    this.connected.delete(deviceInfo?.path ?? (data.target_iqn ? iscsiByPath(data) : `/dev/disk/by-id/fake-${String(data.volume_id)}`));
  }
}
