// Cinder's exceptions: names and messages as cinder/exception.py has them, so faults and RPC
// failures read like real Cinder's. The API maps them by `code`.
import { exceptionBases } from '../common/exception';

const bases = exceptionBases('cinder.exception', 'CinderException', {
  invalid: 'Unacceptable parameters.', forbidden: { name: 'NotAuthorized', msgFmt: 'Not authorized.' },
});
export const { Base: CinderException, Invalid, NotFound, Forbidden: NotAuthorized } = bases;
export type CinderException = InstanceType<typeof CinderException>;
export class PolicyNotAuthorized extends NotAuthorized {
  static override msgFmt = "Policy doesn't allow %(action)s to be performed.";
}
export class InvalidInput extends Invalid {
  static override msgFmt = 'Invalid input received: %(reason)s';
}
export class InvalidAvailabilityZone extends Invalid {
  static override msgFmt = "Availability zone '%(az)s' is invalid.";
}
export class InvalidVolume extends Invalid {
  static override msgFmt = 'Invalid volume: %(reason)s';
}
export class InvalidSnapshot extends Invalid {
  static override msgFmt = 'Invalid snapshot: %(reason)s';
}
export class InvalidParameterValue extends Invalid {
  static override msgFmt = '%(err)s';
}
/** A body or query its JSON schema refuses; the detail is jsonschema's text. */
export class ValidationError extends Invalid {
  static override msgFmt = '%(detail)s';
}
export class InvalidUUID extends Invalid {
  static override msgFmt = 'Expected a UUID but received %(uuid)s.';
}
export class InvalidVolumeAttachMode extends Invalid {
  static override msgFmt = "Invalid attaching mode '%(mode)s' for volume %(volume_id)s.";
}
export class InvalidAuthKey extends Invalid {
  static override msgFmt = 'Invalid auth key: %(reason)s';
}
export class TransferNotFound extends NotFound {
  static override msgFmt = 'Transfer %(transfer_id)s could not be found.';
}
export class VolumeNotFound extends NotFound {
  static override msgFmt = 'Volume %(volume_id)s could not be found.';
}
export class VolumeMetadataNotFound extends NotFound {
  static override msgFmt = 'Volume %(volume_id)s has no metadata with key %(metadata_key)s.';
}
export class SnapshotMetadataNotFound extends NotFound {
  static override msgFmt = 'Snapshot %(snapshot_id)s has no metadata with key %(metadata_key)s.';
}
export class InvalidVolumeMetadataSize extends CinderException {
  static override msgFmt = 'Invalid metadata size: %(reason)s';
  static override code = 400;
}
export class ServiceNotFound extends NotFound {
  static override msgFmt = 'Service %(service_id)s could not be found.';
  constructor(kwargs: { service_id?: string | null; host?: string | null } = {}, message?: string) {
    super(kwargs, message ?? (kwargs.host ? `Service ${kwargs.service_id ?? 'None'} could not be found on host ${kwargs.host}.` : undefined));
  }
}
export class SnapshotNotFound extends NotFound {
  static override msgFmt = 'Snapshot %(snapshot_id)s could not be found.';
}
export class VolumeAttachmentNotFound extends NotFound {
  static override msgFmt = 'Volume attachment could not be found with filter: %(filter)s.';
}
export class VolumeTypeNotFound extends NotFound {
  static override msgFmt = 'Volume type %(volume_type_id)s could not be found.';
}
export class GroupNotFound extends NotFound {
  static override msgFmt = 'Group %(group_id)s could not be found.';
}
export class InvalidGroup extends Invalid {
  static override msgFmt = 'Invalid Group: %(reason)s';
}
export class GroupSnapshotNotFound extends NotFound {
  static override msgFmt = 'GroupSnapshot %(group_snapshot_id)s could not be found.';
}
export class InvalidGroupSnapshot extends Invalid {
  static override msgFmt = 'Invalid GroupSnapshot: %(reason)s';
}
export class InvalidGroupSnapshotStatus extends Invalid {
  static override msgFmt = 'Invalid GroupSnapshot Status: %(reason)s';
}
export class InvalidGroupStatus extends Invalid {
  static override msgFmt = 'Invalid Group Status: %(reason)s';
}
export class InvalidGroupType extends Invalid {
  static override msgFmt = 'Invalid group type: %(reason)s';
}
export class GroupTypeNotFound extends NotFound {
  static override msgFmt = 'Group type %(group_type_id)s could not be found.';
}
export class GroupTypeNotFoundByName extends GroupTypeNotFound {
  static override msgFmt = 'Group type with name %(group_type_name)s could not be found.';
}
export class GroupTypeSpecsNotFound extends NotFound {
  static override msgFmt = 'Group Type %(group_type_id)s has no specs with key %(group_specs_key)s.';
}
/** Duplicate (500) in Cinder; the group types API answers it 409 with this text. */
export class GroupTypeExists extends CinderException {
  static override msgFmt = 'Group Type %(id)s already exists.';
  static override code = 409;
}
export class BackupNotFound extends NotFound {
  static override msgFmt = 'Backup %(backup_id)s could not be found.';
}
export class VolumeTypeNotFoundByName extends VolumeTypeNotFound {
  static override msgFmt = 'Volume type with name %(volume_type_name)s could not be found.';
}
export class InvalidVolumeType extends Invalid {
  static override msgFmt = 'Invalid volume type: %(reason)s';
}
export class VolumeTypeAccessNotFound extends NotFound {
  static override msgFmt = 'Volume type access not found for %(volume_type_id)s / %(project_id)s combination.';
}
export class VolumeTypeExtraSpecsNotFound extends NotFound {
  static override msgFmt = 'Volume Type %(volume_type_id)s has no extra specs with key %(extra_specs_key)s.';
}
/**
 * Cinder's class is a 500, but every API path that meets it answers 400 with its own text
 * ("Target volume type is still in use." on delete, "Volume Type is currently in use." when
 * extra specs change): raised here with that text.
 */
export class VolumeTypeInUse extends CinderException {
  static override msgFmt = 'Volume Type %(volume_type_id)s deletion is not allowed with volumes present with the type.';
  static override code = 400;
}
export class VolumeTypeDeletionError extends Invalid {
  static override msgFmt = 'The volume type %(volume_type_id)s is the only currently defined volume type and cannot be deleted.';
}
export class VolumeTypeDefaultDeletionError extends Invalid {
  static override msgFmt = 'The volume type %(volume_type_id)s is a default volume type and cannot be deleted.';
}
export class VolumeTypeDefaultMisconfiguredError extends CinderException {
  static override msgFmt = 'The request cannot be fulfilled as the default volume type %(volume_type_name)s cannot be found.';
}
/** Duplicate (500) in Cinder; the types API answers it 409 with this text. */
export class VolumeTypeExists extends CinderException {
  static override msgFmt = 'Volume Type %(id)s already exists.';
  static override code = 409;
}
export class VolumeTypeAccessExists extends CinderException {
  static override msgFmt = 'Volume type access for %(volume_type_id)s / %(project_id)s combination already exists.';
  static override code = 409;
}
export class VolumeBackendAPIException extends CinderException {
  static override msgFmt = 'Bad or unexpected response from the storage volume backend API: %(data)s';
}
export class ExportFailure extends Invalid {
  static override msgFmt = 'Failed to export for volume: %(reason)s';
}
export class RemoveExportException extends CinderException {
  static override msgFmt = 'Failed to remove export for volume %(volume)s: %(reason)s';
}
export class NoValidBackend extends CinderException {
  static override msgFmt = 'No valid backend was found. %(reason)s';
}
/** attachment_deletion_allowed (bug #2004555): Nova, not the user, must take this attachment down. */
export class ConflictNovaUsingAttachment extends CinderException {
  // The class name leads Cinder's text (its API re-raises it as a 409 with that prefix).
  static override msgFmt = 'ConflictNovaUsingAttachment: Detach volume from instance %(instance_id)s using the Compute API';
  static override code = 409;
}
/** A manage whose reference names nothing the backend may take (the volume goes error_managing). */
export class ManageExistingInvalidReference extends CinderException {
  static override msgFmt = 'Manage existing volume failed due to invalid backend reference %(existing_ref)s: %(reason)s';
  static override code = 400;
}
/** Cinder's ServiceUnavailable, an Invalid (400): the backend a manage names is missing, disabled or down. */
export class ServiceUnavailable extends Invalid {
  static override msgFmt = 'Service is unavailable at this time.';
}
export class DriverNotInitialized extends CinderException {
  static override msgFmt = 'Volume driver not ready.';
}

// -- quotas (cinder/exception.py; the API answers a QuotaError 413 overLimit, "<Class>: <text>",
// Retry-After: 0, as Cinder's fault wrapper does) ----------------------------------------------
export class InvalidQuotaValue extends Invalid {
  static override msgFmt = 'Change would make usage less than 0 for the following resources: %(unders)s';
}
export class QuotaNotFound extends NotFound {
  static override msgFmt = 'Quota could not be found';
}
export class QuotaResourceUnknown extends QuotaNotFound {
  static override msgFmt = 'Unknown quota resources %(unknown)s.';
}
export class ProjectQuotaNotFound extends QuotaNotFound {
  static override msgFmt = 'Quota for project %(project_id)s could not be found.';
}
export class QuotaClassNotFound extends QuotaNotFound {
  static override msgFmt = 'Quota class %(class_name)s could not be found.';
}
/** Internal: what reserve/limit_check raise, turned into one of the QuotaErrors below by the caller. */
export class OverQuota extends CinderException {
  static override msgFmt = 'Quota exceeded for resources: %(overs)s';
}
export class QuotaError extends CinderException {
  static override msgFmt = 'Quota exceeded: code=%(code)s';
  static override code = 413;
  static override faultHeaders = { 'Retry-After': '0' };
  static override namedInFault = true;
}
export class VolumeSizeExceedsAvailableQuota extends QuotaError {
  static override msgFmt = 'Requested volume or snapshot exceeds allowed %(name)s quota. Requested %(requested)sG, quota is %(quota)sG and %(consumed)sG has been consumed.';
  constructor(kwargs: Record<string, unknown> = {}, message?: string) {
    super({ name: 'gigabytes', ...kwargs }, message);
  }
}
export class VolumeSizeExceedsLimit extends QuotaError {
  static override msgFmt = 'Requested volume size %(size)dG is larger than maximum allowed limit %(limit)dG.';
}
export class VolumeLimitExceeded extends QuotaError {
  static override msgFmt = "Maximum number of volumes allowed (%(allowed)d) exceeded for quota '%(name)s'.";
  constructor(kwargs: Record<string, unknown> = {}, message?: string) {
    super({ name: 'volumes', ...kwargs }, message);
  }
}
export class GroupLimitExceeded extends QuotaError {
  static override msgFmt = 'Maximum number of groups allowed (%(allowed)d) exceeded';
}
export class SnapshotLimitExceeded extends QuotaError {
  static override msgFmt = 'Maximum number of snapshots allowed (%(allowed)d) exceeded';
}
export class UnexpectedOverQuota extends QuotaError {
  static override msgFmt = 'Unexpected over quota on %(name)s.';
}
export class MessageNotFound extends NotFound {
  static override msgFmt = 'Message %(message_id)s could not be found.';
}
export class RPCTimeout extends CinderException {
  static override msgFmt = 'Timeout while requesting capabilities from backend %(service)s.';
  static override code = 502;
}
export class GlanceMetadataNotFound extends NotFound {
  static override msgFmt = 'Glance metadata for volume/snapshot %(id)s cannot be found.';
}
export class ClusterNotFound extends NotFound {
  static override msgFmt = 'Cluster %(id)s could not be found.';
}
/** Duplicate (500) in Cinder; the QoS specs API answers it 409 with this text. */
export class QoSSpecsExists extends CinderException {
  static override msgFmt = 'QoS Specs %(specs_id)s already exists.';
  static override code = 409;
}
export class QoSSpecsNotFound extends NotFound {
  static override msgFmt = 'No such QoS spec %(specs_id)s.';
}
export class QoSSpecsKeyNotFound extends NotFound {
  static override msgFmt = 'QoS spec %(specs_id)s has no spec with key %(specs_key)s.';
}
export class InvalidQoSSpecs extends Invalid {
  static override msgFmt = 'Invalid qos specs: %(reason)s';
}
/** A 500 in Cinder's own terms; its API answers a delete without force 400 "Qos specs still in use.". */
export class QoSSpecsInUse extends CinderException {
  static override msgFmt = 'QoS Specs %(specs_id)s is still associated with entities.';
}
export class VolumeTypeEncryptionExists extends Invalid {
  static override msgFmt = 'Volume type encryption for type %(type_id)s already exists.';
}
export class VolumeTypeEncryptionNotFound extends NotFound {
  static override msgFmt = 'Volume type encryption for type %(type_id)s does not exist.';
}
