export { Volume } from './volume';
export { VolumeAttachment } from './volume-attachment';
export { VolumeMetadata, VolumeAdminMetadata, VolumeGlanceMetadata } from './volume-metadata';
export { Service } from './service';
export { VolumeType, VolumeTypeExtraSpec, VolumeTypeProject, DEFAULT_TYPE_ID, DEFAULT_TYPE_NAME } from './volume-type';
export { Quota, QuotaClass, QuotaUsage, Reservation } from './quota';
export { Transfer } from './transfer';
export { Message } from './message';
export { QualityOfServiceSpecs } from './qos-specs';
export { Encryption } from './encryption';
export { Snapshot, SnapshotMetadata, type SnapshotStatus } from './snapshot';
export { GroupType, GroupTypeSpec, GroupTypeProject, DEFAULT_CGSNAPSHOT_TYPE } from './group-type';
export { Group, GroupVolumeTypeMapping, type GroupStatus } from './group';
export { GroupSnapshot, type GroupSnapshotStatus } from './group-snapshot';
import { Volume } from './volume';
import { VolumeAttachment } from './volume-attachment';
import { VolumeMetadata, VolumeAdminMetadata, VolumeGlanceMetadata } from './volume-metadata';
import { Service } from './service';
import { VolumeType, VolumeTypeExtraSpec, VolumeTypeProject } from './volume-type';
import { Quota, QuotaClass, QuotaUsage, Reservation } from './quota';
import { Transfer } from './transfer';
import { Message } from './message';
import { QualityOfServiceSpecs } from './qos-specs';
import { Encryption } from './encryption';
import { Snapshot, SnapshotMetadata } from './snapshot';
import { GroupType, GroupTypeSpec, GroupTypeProject } from './group-type';
import { Group, GroupVolumeTypeMapping } from './group';
import { GroupSnapshot } from './group-snapshot';

export const CINDER_ENTITIES = [Volume, VolumeAttachment, VolumeMetadata, VolumeAdminMetadata, Service, VolumeType, VolumeTypeExtraSpec,
  VolumeTypeProject, Quota, QuotaClass, QuotaUsage, Reservation, Transfer, Message, VolumeGlanceMetadata,
  QualityOfServiceSpecs, Encryption, Snapshot, SnapshotMetadata, GroupType, GroupTypeSpec, GroupTypeProject,
  Group, GroupVolumeTypeMapping, GroupSnapshot];
