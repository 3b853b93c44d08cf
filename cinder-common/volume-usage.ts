// The volume.* usage notifications (Cinder's notify_about_volume_usage and the payload its
// _usage_from_volume builds), sent the same way by cinder-api and cinder-volume. A failed send
// is only logged: a notification never fails the operation it reports.
import { getLogger } from '../common/log';
import type { Notifier } from '../common/rpc';
import type { Group, Snapshot, Volume } from './entities';

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

/**
 * snapshot.<suffix> at INFO with _usage_from_snapshot's payload. `extra` supplies what the row
 * lacks (the volume's zone, the metadata); only read when the notification goes somewhere.
 */
export async function notifySnapshotUsage(notifier: Notifier | null | undefined, ctxt: Parameters<Notifier['info']>[0], s: Snapshot,
  suffix: string, extra: () => Promise<{ availabilityZone: string | null; metadata: Record<string, string> }>): Promise<void> {
  if (!notifier?.enabled) return;
  try {
    const { availabilityZone, metadata } = await extra();
    await notifier.info(ctxt, `snapshot.${suffix}`, {
      tenant_id: s.projectId, user_id: s.userId, availability_zone: availabilityZone, volume_id: s.volumeId, volume_size: s.volumeSize,
      snapshot_id: s.id, display_name: s.displayName, created_at: s.createdAt?.toISOString() ?? null, status: s.status,
      deleted: String(s.deleted ? 'True' : 'False'), metadata: pyDictRepr(metadata),
    });
  } catch (e) {
    LOG.warning(`Could not send notification snapshot.${suffix}: ${(e as Error).message}`);
  }
}

/** null_safe_str of a dict: Python's repr of a str → str dict. */
function pyDictRepr(d: Record<string, string>): string {
  const q = (x: string): string => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `{${Object.entries(d).map(([k, v]) => `${q(k)}: ${q(v)}`).join(', ')}}`;
}

/** group.<suffix> at INFO from publisher group.<host>, with _usage_from_group's payload. */
export async function notifyGroupUsage(notifier: Notifier | null | undefined, ctxt: Parameters<Notifier['info']>[0], g: Group, suffix: string,
  host: string): Promise<void> {
  if (!notifier?.enabled) return;
  try {
    await notifier.prepare({ publisherId: `group.${host}` }).info(ctxt, `group.${suffix}`, {
      tenant_id: g.projectId, user_id: g.userId, availability_zone: g.availabilityZone, group_id: g.id, group_type: g.groupTypeId,
      name: g.name, created_at: g.createdAt?.toISOString() ?? null, status: g.status,
    });
  } catch (e) {
    LOG.warning(`Could not send notification group.${suffix}: ${(e as Error).message}`);
  }
}
