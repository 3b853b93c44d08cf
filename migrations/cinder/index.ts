// The cinder database's migrations (in order) and entities, for createDataSource.
import { InitialCinderSchema1764060000000 } from './1764060000000-InitialCinderSchema';
import { VolumeTransitionRequestId1764110000000 } from './1764110000000-VolumeTransitionRequestId';
import { VolumeTypes1764120000000 } from './1764120000000-VolumeTypes';
import { Quotas1765300000000 } from './1765300000000-Quotas';
import { TraceSpans1765500000000 } from './1765500000000-TraceSpans';
import { Utf8mb4Tables1765600000000 } from './1765600000000-Utf8mb4Tables';
import { SoftDeleteIndexes1765700000000 } from './1765700000000-SoftDeleteIndexes';
import { Transfers1765900000000 } from './1765900000000-Transfers';
import { Messages1766000000000 } from './1766000000000-Messages';
import { VolumeGlanceMetadata1766100000000 } from './1766100000000-VolumeGlanceMetadata';
import { QosSpecs1766200000000 } from './1766200000000-QosSpecs';
import { TypeEncryption1766300000000 } from './1766300000000-TypeEncryption';
import { Snapshots1766400000000 } from './1766400000000-Snapshots';
import { GroupTypes1766500000000 } from './1766500000000-GroupTypes';
import { Groups1766600000000 } from './1766600000000-Groups';
import { GroupSnapshots1766700000000 } from './1766700000000-GroupSnapshots';

export const CINDER_MIGRATIONS = [InitialCinderSchema1764060000000, VolumeTransitionRequestId1764110000000, VolumeTypes1764120000000,
  Quotas1765300000000, TraceSpans1765500000000,
  Utf8mb4Tables1765600000000, SoftDeleteIndexes1765700000000, Transfers1765900000000, Messages1766000000000,
  VolumeGlanceMetadata1766100000000, QosSpecs1766200000000, TypeEncryption1766300000000, Snapshots1766400000000,
  GroupTypes1766500000000, Groups1766600000000, GroupSnapshots1766700000000];
export { CINDER_ENTITIES } from '../../cinder-common/entities';
