// Nova's exceptions: names and messages as nova/exception.py has them, so API faults and RPC
// failures read the same as real Nova's. The API maps them by `code` in one place.
import { exceptionBases } from '../common/exception';

const bases = exceptionBases('nova.exception', 'NovaException', {
  invalid: 'Bad Request - Invalid Parameters', forbidden: { name: 'Forbidden', msgFmt: 'Forbidden' },
});
export const { Base: NovaException, Invalid, NotFound, Forbidden } = bases;
export type NovaException = InstanceType<typeof NovaException>;

export class InvalidVolume extends Invalid {
  static override msgFmt = 'Invalid volume: %(reason)s';
}
/** A requested destination (2.74) that is no compute host: Nova's create answers it with 400. */
export class ComputeHostNotFound extends Invalid {
  static override msgFmt = 'Compute host %(host)s could not be found.';
}
/** An image a rebuild may not use (Nova's 400): here, any new image for a volume-backed server. */
export class ImageUnacceptable extends Invalid {
  static override msgFmt = 'Image %(image_id)s is unacceptable: %(reason)s';
}
export class InvalidInput extends Invalid {
  static override msgFmt = 'Invalid input received: %(reason)s';
}
export class InvalidDevicePath extends Invalid {
  static override msgFmt = 'The supplied device path (%(path)s) is invalid.';
}
export class DevicePathInUse extends Invalid {
  static override msgFmt = 'The supplied device path (%(path)s) is in use.';
  static override code = 409;
}
export class TooManyDiskDevices extends Forbidden {
  static override msgFmt = 'The maximum allowed number of disk devices (%(maximum)d) to attach to a single instance has been exceeded.';
}
export class PolicyNotAuthorized extends Forbidden {
  static override msgFmt = "Policy doesn't allow %(action)s to be performed.";
}
export class InstanceNotFound extends NotFound {
  static override msgFmt = 'Instance %(instance_id)s could not be found.';
}
export class VolumeNotFound extends NotFound {
  static override msgFmt = 'Volume %(volume_id)s could not be found.';
}
export class VolumeBDMNotFound extends NotFound {
  static override msgFmt = 'No volume Block Device Mapping with id %(volume_id)s.';
}
export class VolumeNotAttached extends NotFound {
  // The API words it from the server's point of view (volumes.py _get_instance_bdms).
  static override msgFmt = 'Instance %(instance_uuid)s is not attached to volume %(volume_id)s';
}
export class InstanceIsLocked extends NovaException {
  static override msgFmt = 'Instance %(instance_uuid)s is locked';
  static override code = 409;
}
export class InstanceInvalidState extends NovaException {
  static override msgFmt = "Cannot '%(method)s' instance %(instance_uuid)s while it is in %(attr)s %(state)s";
  static override code = 409;
}
/** Multiple create with a requested hostname (2.90): one name cannot serve several servers. */
export class AmbiguousHostnameForMultipleInstances extends Invalid {
  static override msgFmt = 'Unable to allocate a single hostname to multiple instances';
}
/** OverQuota: the API answers 403 (servers create turns OverQuota into HTTPForbidden). */
export class TooManyInstances extends NovaException {
  static override msgFmt = 'Quota exceeded for %(overs)s: Requested %(req)s, but already used %(used)s of %(allowed)s %(overs)s';
  static override code = 403;
}
/** OverQuota: more ports than the project may have (Nova's check of Neutron's port quota). */
export class PortLimitExceeded extends NovaException {
  static override msgFmt = 'Maximum number of ports exceeded';
  static override code = 403;
}
/** OverQuota: the API answers 403. */
export class MetadataLimitExceeded extends NovaException {
  static override msgFmt = 'Maximum number of metadata items exceeds %(allowed)d';
  static override code = 403;
}
export class ServiceUnavailable extends NovaException {
  static override msgFmt = 'Service is unavailable at this time.';
  static override code = 409;
}
export class NoValidHost extends NovaException {
  static override msgFmt = 'No valid host was found. %(reason)s';
}
/** Cinder cannot be reached: a lost dependency, so 503 (Nova answers 500; we never 500 on an outage). */
export class SnapshotNotFound extends NotFound {
  static override msgFmt = 'Snapshot %(snapshot_id)s could not be found.';
}
/** Cinder refused a create past a quota (its 413): Nova's 403. */
export class OverQuota extends NovaException {
  static override msgFmt = 'Quota exceeded for resources: %(overs)s';
  static override code = 403;
}
export class CinderConnectionFailed extends NovaException {
  static override msgFmt = 'Connection to cinder host failed: %(reason)s';
  static override code = 503;
}
export class VolumeAttachFailed extends NovaException {
  static override msgFmt = 'Volume %(volume_id)s could not be attached. Reason: %(reason)s';
}
export class VolumeDriverNotFound extends NovaException {
  static override msgFmt = 'Could not find a handler for %(driver_type)s volume.';
}
export class DeviceDetachFailed extends NovaException {
  static override msgFmt = 'Device detach failed for %(device)s: %(reason)s';
}
export class ImageNotFound extends NotFound {
  static override msgFmt = 'Image %(image_id)s could not be found.';
}
export class FlavorNotFound extends NotFound {
  static override msgFmt = 'Flavor %(flavor_id)s could not be found.';
}

export class VolumeAttachmentNotFound extends NotFound {
  static override msgFmt = 'Volume attachment %(attachment_id)s could not be found.';
}
export class MultiattachNotSupportedOldMicroversion extends Invalid {
  static override msgFmt = 'Multiattach volumes are only supported starting with compute API version 2.60.';
}
export class CinderAPIVersionNotAvailable extends NovaException {
  static override msgFmt = 'Nova does not support Cinder API version %(version)s';
}
export class MultiattachSwapVolumeNotSupported extends Invalid {
  static override msgFmt = 'Swapping multi-attach volumes with more than one read/write attachment is not supported.';
}
export class InstanceActionNotFound extends NovaException {
  static override msgFmt = 'Action for request_id %(request_id)s on instance %(instance_uuid)s not found';
  static override code = 404;
}
/** The detach of a root volume: the API's 400 (volumes.py words it so). */
export class RootDeviceDetach extends NovaException {
  static override msgFmt = 'Cannot detach a root device volume';
  static override code = 400;
}
/** The attach took longer than its compute waits for nova-api, and the compute rolled it back. */
export class VolumeAttachTimedOut extends NovaException {
  static override msgFmt = 'Attaching volume %(volume_id)s took too long and was rolled back; try again.';
  static override code = 503;
}
export class InvalidKeypair extends Invalid {
  static override msgFmt = 'Keypair data is invalid: %(reason)s';
}
export class KeypairNotFound extends NotFound {
  static override msgFmt = 'Keypair %(name)s not found for user %(user_id)s';
}
/** The keypairs API answers it with 409 (HTTPConflict). */
export class KeyPairExists extends NovaException {
  static override msgFmt = "Key pair '%(key_name)s' already exists.";
  static override code = 409;
}
/** OverQuota: the keypairs API answers 403. */
export class KeypairLimitExceeded extends NovaException {
  static override msgFmt = 'Quota exceeded, too many key pairs.';
  static override code = 403;
}
/** A list's marker that is not there: NotFound in Nova, answered 400 by the APIs that page. */
export class MarkerNotFound extends Invalid {
  static override msgFmt = 'Marker %(marker)s could not be found.';
}
/** No host yet: the console API answers it with 409 (HTTPConflict). */
export class InstanceNotReady extends Invalid {
  static override msgFmt = 'Instance %(instance_id)s is not ready';
  static override code = 409;
}
/** A server uuid Nova has no instance mapping for (the tags API looks servers up so). */
export class InstanceMappingNotFound extends NotFound {
  static override msgFmt = 'Instance %(uuid)s has not been mapped to a cell.';
}
export class InstanceTagNotFound extends NotFound {
  static override msgFmt = "Instance %(instance_id)s has no tag '%(tag)s'";
}
/** The tags API's own 400s and 404 (server_tags.py words them in the controller). */
export class TagLimitExceeded extends Invalid {
  static override msgFmt = 'The number of tags exceeded the per-server limit %(limit)d';
}
export class InvalidTag extends Invalid {
  static override msgFmt = "Tag '%(tag)s' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: %(err)s";
}
export class ServerTagNotFound extends NotFound {
  static override msgFmt = "Server %(server_id)s has no tag '%(tag)s'";
}
