// The vocabulary of Cinder's user messages (cinder/message/message_field.py): a message names
// what was being done (an action), what went wrong (a detail) and the resource, by ids; its
// event_id is VOLUME_<resource>_<action>_<detail>. The texts are what the API shows users.
// Only the ids are stored, so the texts can change without touching rows.

export type Field = readonly [id: string, text: string];

export const Resource = { VOLUME: 'VOLUME', VOLUME_SNAPSHOT: 'VOLUME_SNAPSHOT', VOLUME_BACKUP: 'VOLUME_BACKUP' } as const;

export const Action = {
  SCHEDULE_ALLOCATE_VOLUME: ['001', 'schedule allocate volume'],
  ATTACH_VOLUME: ['002', 'attach volume'],
  COPY_VOLUME_TO_IMAGE: ['003', 'copy volume to image'],
  UPDATE_ATTACHMENT: ['004', 'update attachment'],
  COPY_IMAGE_TO_VOLUME: ['005', 'copy image to volume'],
  UNMANAGE_VOLUME: ['006', 'unmanage volume'],
  EXTEND_VOLUME: ['007', 'extend volume'],
  CREATE_VOLUME_FROM_BACKEND: ['008', 'create volume from backend storage'],
  SNAPSHOT_CREATE: ['009', 'create snapshot'],
  SNAPSHOT_DELETE: ['010', 'delete snapshot'],
  SNAPSHOT_UPDATE: ['011', 'update snapshot'],
  SNAPSHOT_METADATA_UPDATE: ['012', 'update snapshot metadata'],
  BACKUP_CREATE: ['013', 'create backup'],
  BACKUP_DELETE: ['014', 'delete backup'],
  BACKUP_RESTORE: ['015', 'restore backup'],
  REIMAGE_VOLUME: ['016', 'reimage volume'],
} as const satisfies Record<string, Field>;

export const Detail = {
  UNKNOWN_ERROR: ['001', 'An unknown error occurred.'],
  DRIVER_NOT_INITIALIZED: ['002', 'Driver is not initialized at present.'],
  NO_BACKEND_AVAILABLE: ['003', 'Could not find any available weighted backend.'],
  FAILED_TO_UPLOAD_VOLUME: ['004', 'Failed to upload volume to image at backend.'],
  VOLUME_ATTACH_MODE_INVALID: ['005', "Volume's attach mode is invalid."],
  QUOTA_EXCEED: ['006', 'Not enough quota resource for operation.'],
  NOT_ENOUGH_SPACE_FOR_IMAGE: ['007', 'Image used for creating volume exceeds available space.'],
  UNMANAGE_ENC_NOT_SUPPORTED: ['008', 'Unmanaging encrypted volumes is not supported.'],
  NOTIFY_COMPUTE_SERVICE_FAILED: ['009', 'Compute service failed to extend volume.'],
  DRIVER_FAILED_EXTEND: ['010', 'Volume Driver failed to extend volume.'],
  SIGNATURE_VERIFICATION_FAILED: ['011', 'Image signature verification failed.'],
  DRIVER_FAILED_CREATE: ['012', 'Driver failed to create the volume.'],
  SNAPSHOT_CREATE_ERROR: ['013', 'Snapshot failed to create.'],
  SNAPSHOT_UPDATE_METADATA_FAILED: ['014', 'Volume snapshot update metadata failed.'],
  SNAPSHOT_IS_BUSY: ['015', 'Snapshot is busy.'],
  SNAPSHOT_DELETE_ERROR: ['016', 'Snapshot failed to delete.'],
  BACKUP_INVALID_STATE: ['017', 'Backup status is invalid.'],
  BACKUP_SERVICE_DOWN: ['018', 'Backup service is down.'],
  BACKUP_CREATE_DEVICE_ERROR: ['019', 'Failed to get backup device from the volume service.'],
  BACKUP_CREATE_DRIVER_ERROR: ['020', 'Backup driver failed to create backup.'],
  ATTACH_ERROR: ['021', 'Failed to attach volume.'],
  DETACH_ERROR: ['022', 'Failed to detach volume.'],
  BACKUP_CREATE_CLEANUP_ERROR: ['023', 'Cleanup of temporary volume/snapshot failed.'],
  BACKUP_SCHEDULE_ERROR: ['024', 'Backup failed to schedule. Service not found for creating backup.'],
  BACKUP_DELETE_DRIVER_ERROR: ['025', 'Backup driver failed to delete backup.'],
  BACKUP_RESTORE_ERROR: ['026', 'Backup driver failed to restore backup.'],
  VOLUME_INVALID_STATE: ['027', 'Volume status is invalid.'],
  REIMAGE_VOLUME_FAILED: ['028', 'Compute service failed to reimage volume.'],
  IMAGE_FORMAT_UNACCEPTABLE: ['029', 'The image disk format must be the same as the volume format for the volume type you are requesting.'],
} as const satisfies Record<string, Field>;

/** Exceptions (by class name) whose detail says more than UNKNOWN_ERROR. */
const EXCEPTION_DETAILS: Array<[Field, string[]]> = [
  [Detail.DRIVER_NOT_INITIALIZED, ['DriverNotInitialized']],
  [Detail.NO_BACKEND_AVAILABLE, ['NoValidBackend']],
  [Detail.VOLUME_ATTACH_MODE_INVALID, ['InvalidVolumeAttachMode']],
  [Detail.QUOTA_EXCEED, ['ImageLimitExceeded', 'BackupLimitExceeded', 'SnapshotLimitExceeded']],
  [Detail.NOT_ENOUGH_SPACE_FOR_IMAGE, ['ImageTooBig']],
  [Detail.SNAPSHOT_IS_BUSY, ['SnapshotIsBusy']],
];

const text = (fields: Record<string, Field>, id: string | null): string | undefined => Object.values(fields).find((f) => f[0] === id)?.[1];

/** The detail id of a message: a mapped exception's, else the detail given, else UNKNOWN_ERROR's. */
export function detailIdOf(exception: unknown, detail: Field | null): string {
  if (exception instanceof Error) {
    const name = exception.constructor.name;
    const mapped = EXCEPTION_DETAILS.find(([, names]) => names.includes(name));
    if (mapped) return mapped[0][0];
  }
  if (detail && text(Detail, detail[0]) === detail[1]) return detail[0];
  return Detail.UNKNOWN_ERROR[0];
}

/** What a user reads: "<action>:<detail>", unknown ids as Cinder words them. */
export function userMessage(actionId: string | null, detailId: string | null): string {
  return `${text(Action, actionId) ?? 'unknown action'}:${text(Detail, detailId) ?? Detail.UNKNOWN_ERROR[1]}`;
}
