// Volume state vocabulary and the status-after-detach rule (docs/attach-detach.md, Volume states).

export const VOLUME_STATUSES = ['creating', 'available', 'reserved', 'attaching', 'in-use', 'detaching', 'deleting', 'error',
  'error_deleting', 'maintenance', 'extending', 'error_extending', 'downloading', 'uploading', 'retyping', 'backing-up',
  'restoring-backup', 'error_restoring', 'awaiting-transfer', 'managing', 'error_managing'] as const;

/**
 * A volume's status: one an admin may set, 'deleted' (a soft-deleted row), or one of the
 * manage flow's own (docs/volume-manage.md): an unmanage under way or failed, and the delete
 * of a volume whose manage failed.
 */
export type VolumeStatus = (typeof VOLUME_STATUSES)[number] | 'deleted' | 'unmanaging' | 'error_unmanaging' | 'error_managing_deleting';

export const ATTACH_STATUSES = ['attached', 'attaching', 'detached', 'reserved', 'detaching', 'error_attaching', 'error_detaching', 'deleted'] as const;

export type AttachStatus = (typeof ATTACH_STATUSES)[number];

export const MIGRATION_STATUSES = ['migrating', 'error', 'success', 'completing', 'none', 'starting'] as const;

/** A migration status, or 'deleting' (the migration's cleanup of the source). */
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number] | 'deleting';

/** Statuses a volume may be deleted from without force (volume/api.py delete). */
export const DELETABLE: readonly VolumeStatus[] = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];

/** Migration statuses that do not block attach/detach/delete. */
export const MIGRATION_IDLE: ReadonlyArray<MigrationStatus | null> = [null, 'deleting', 'error', 'success'];

/**
 * The statuses an attach or a detach moves a volume between. Their writes expect one of these
 * (attachFlowFrom), so they never take a volume into the flow from another operation's status
 * that began meanwhile (deleting, extending, error…).
 */
export const ATTACH_FLOW: ReadonlyArray<VolumeStatus | null> = ['available', 'reserved', 'attaching', 'in-use', 'detaching'];

/**
 * What an attach or detach step expects: a status of the flow, or the one it read before it
 * began (an admin's reset to error, then a force detach, finishes as Cinder's does).
 */
export function attachFlowFrom(read: VolumeStatus | null): ReadonlyArray<VolumeStatus | null> {
  return ATTACH_FLOW.includes(read) ? ATTACH_FLOW : [...ATTACH_FLOW, read];
}

/** Attach statuses that keep a volume attached or in transition (each is also a volume status but 'attached'). */
type LiveAttachStatus = 'attached' | 'attaching' | 'reserved' | 'detaching';

/** (status, attach_status) after an attachment went away, from the remaining attach statuses. */
export function statusAfterDetach(remaining: Array<AttachStatus | null>): { status: VolumeStatus; attachStatus: AttachStatus } {
  const live = remaining.filter((s): s is LiveAttachStatus => !!s && !s.startsWith('error_') && s !== 'detached' && s !== 'deleted').sort();
  const attachStatus: LiveAttachStatus | 'detached' = live.length ? live[0] : 'detached';
  const status = attachStatus === 'attached' ? 'in-use' : attachStatus === 'detached' ? 'available' : attachStatus;
  return { status, attachStatus };
}

/**
 * Whether a detach that leaves `attachStatus` writes the volume's status as well: not when the
 * last attachment goes during a migration or an upload, whose own flow sets the status after
 * (Cinder's volume_detached); attach_status is written either way.
 */
export function detachSetsStatus(v: { status: VolumeStatus | null; migrationStatus: MigrationStatus | null }, attachStatus: AttachStatus): boolean {
  const m = v.migrationStatus;
  return attachStatus !== 'detached' || (!m && v.status !== 'uploading') || m === 'success' || m === 'error';
}
