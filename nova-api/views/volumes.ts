// The os-volumes proxy's view (nova volumes.py _translate_volume_summary_view over Nova's
// cinder.py _untranslate_volume_summary_view): camelCase keys, the first attachment only (an
// empty object when there is none), the type's name as volumeType.
import type { CinderVolume } from '../../nova-common/volume/cinder';

export function proxyVolumeView(v: CinderVolume): Record<string, unknown> {
  const first = v.attachments[0];
  const attachments = first
    ? [{ id: v.id, volumeId: v.id, serverId: first.server_id ?? null, ...(first.device ? { device: first.device } : {}) }]
    : [{}];
  return {
    id: v.id, status: v.status, size: v.size ?? null, availabilityZone: v.availability_zone ?? null, createdAt: v.created_at ?? null,
    attachments, displayName: v.name ?? null, displayDescription: v.description ?? null, volumeType: v.volume_type ?? null,
    snapshotId: v.snapshot_id ?? null, metadata: v.metadata && typeof v.metadata === 'object' ? v.metadata : {},
  };
}

/** _translate_snapshot_summary_view (the detail view is the same): Cinder's snapshot, camelCase. */
export function proxySnapshotView(s: Record<string, unknown>): Record<string, unknown> {
  return {
    id: s.id, volumeId: s.volume_id, status: s.status, size: s.size, createdAt: s.created_at,
    displayName: s.name ?? null, displayDescription: s.description ?? null,
  };
}
