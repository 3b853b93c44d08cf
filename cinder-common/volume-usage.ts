// The volume.* usage notifications (Cinder's notify_about_volume_usage and the payload its
// _usage_from_volume builds), sent the same way by cinder-api and cinder-volume. A failed send
// is only logged: a notification never fails the operation it reports.
import { getLogger } from '../common/log';
import type { Notifier } from '../common/rpc';
import type { Volume } from './entities';

const LOG = getLogger('cinder.volume.usage');

/** The payload's keys as Cinder sends them; `host` is the sender's idea of the volume's host. */
export function volumeUsagePayload(v: Volume, host: string | null): Record<string, unknown> {
  return {
    tenant_id: v.projectId, user_id: v.userId, host, availability_zone: v.availabilityZone, volume_id: v.id,
    volume_type: v.volumeTypeId, display_name: v.displayName, size: v.size, status: v.status,
    created_at: v.createdAt?.toISOString() ?? null, launched_at: v.launchedAt?.toISOString() ?? null, snapshot_id: v.snapshotId,
    replication_status: null,
  };
}

/**
 * volume.<suffix> at INFO, with `extra` keys over the usage payload. `v` may be a loader (the
 * volume as it is now): it is only read when the notification goes somewhere.
 */
export async function notifyVolumeUsage(notifier: Notifier | null | undefined, ctxt: Parameters<Notifier['info']>[0],
  v: Volume | (() => Promise<Volume | null>), suffix: string, host: string | ((v: Volume) => string | null),
  extra: Record<string, unknown> = {}): Promise<void> {
  if (!notifier?.enabled) return;
  try {
    const volume = typeof v === 'function' ? await v() : v;
    if (!volume) return;
    await notifier.info(ctxt, `volume.${suffix}`, { ...volumeUsagePayload(volume, typeof host === 'function' ? host(volume) : host), ...extra });
  } catch (e) {
    LOG.warning(`Could not send notification volume.${suffix}: ${(e as Error).message}`);
  }
}
