// Volume state vocabulary and the status-after-detach rule (docs/attach-detach.md, Volume states).

export const VOLUME_STATUSES = ['creating', 'available', 'reserved', 'attaching', 'in-use', 'detaching', 'deleting', 'error',
  'error_deleting', 'maintenance', 'extending', 'error_extending', 'downloading', 'uploading', 'retyping', 'backing-up',
  'restoring-backup', 'error_restoring', 'awaiting-transfer', 'managing', 'error_managing'] as const;

export const ATTACH_STATUSES = ['attached', 'attaching', 'detached', 'reserved', 'detaching', 'error_attaching', 'error_detaching', 'deleted'] as const;

export const MIGRATION_STATUSES = ['migrating', 'error', 'success', 'completing', 'none', 'starting'] as const;

/** Statuses a volume may be deleted from without force (volume/api.py delete). */
export const DELETABLE = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];

/** Migration statuses that do not block attach/detach/delete. */
export const MIGRATION_IDLE = [null, 'deleting', 'error', 'success'];

/** (status, attach_status) after an attachment went away, from the remaining attach statuses. */
export function statusAfterDetach(remaining: Array<string | null>): { status: string; attachStatus: string } {
  const live = remaining.filter((s): s is string => !!s && !s.startsWith('error_') && s !== 'detached' && s !== 'deleted').sort();
  const attachStatus = live[0] ?? 'detached';
  const status = attachStatus === 'attached' ? 'in-use' : attachStatus === 'detached' ? 'available' : attachStatus;
  return { status, attachStatus };
}
