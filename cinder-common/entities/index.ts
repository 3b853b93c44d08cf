export { Volume } from './volume';
export { VolumeAttachment } from './volume-attachment';
export { VolumeMetadata, VolumeAdminMetadata } from './volume-metadata';
export { Service } from './service';
export { VolumeType, VolumeTypeExtraSpec, VolumeTypeProject, DEFAULT_TYPE_ID, DEFAULT_TYPE_NAME } from './volume-type';
import { Volume } from './volume';
import { VolumeAttachment } from './volume-attachment';
import { VolumeMetadata, VolumeAdminMetadata } from './volume-metadata';
import { Service } from './service';
import { VolumeType, VolumeTypeExtraSpec, VolumeTypeProject } from './volume-type';

export const CINDER_ENTITIES = [Volume, VolumeAttachment, VolumeMetadata, VolumeAdminMetadata, Service, VolumeType, VolumeTypeExtraSpec,
  VolumeTypeProject];
