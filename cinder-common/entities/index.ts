export { Volume } from './volume';
export { VolumeAttachment } from './volume-attachment';
export { VolumeMetadata, VolumeAdminMetadata } from './volume-metadata';
export { Service } from './service';
import { Volume } from './volume';
import { VolumeAttachment } from './volume-attachment';
import { VolumeMetadata, VolumeAdminMetadata } from './volume-metadata';
import { Service } from './service';

export const CINDER_ENTITIES = [Volume, VolumeAttachment, VolumeMetadata, VolumeAdminMetadata, Service];
