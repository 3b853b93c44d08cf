// The nova database's migrations (in order) and entities, for createDataSource.
import { InitialNovaSchema1764050000000 } from './1764050000000-InitialNovaSchema';
import { InstanceAccessIpsDescription1764070000000 } from './1764070000000-InstanceAccessIpsDescription';
import { InstanceLockedReason1764080000000 } from './1764080000000-InstanceLockedReason';
import { InstanceHostnameExtendedAttrs1764090000000 } from './1764090000000-InstanceHostnameExtendedAttrs';
import { BdmAttachIntent1764100000000 } from './1764100000000-BdmAttachIntent';
import { RequestSpecs1764110000000 } from './1764110000000-RequestSpecs';
import { BdmSwapIntent1764130000000 } from './1764130000000-BdmSwapIntent';
import { InstanceAutoDiskConfig1765400000000 } from './1765400000000-InstanceAutoDiskConfig';
import { TraceSpans1765500000000 } from './1765500000000-TraceSpans';
import { Utf8mb4Tables1765600000000 } from './1765600000000-Utf8mb4Tables';
import { SoftDeleteIndexes1765700000000 } from './1765700000000-SoftDeleteIndexes';
import { ComputeQuotas1765800000000 } from './1765800000000-ComputeQuotas';
import { ComputeQuotaClasses1765810000000 } from './1765810000000-ComputeQuotaClasses';
import { ProjectUserQuotas1765820000000 } from './1765820000000-ProjectUserQuotas';
import { ComputeNodes1765830000000 } from './1765830000000-ComputeNodes';
import { InstanceFaultCode1765840000000 } from './1765840000000-InstanceFaultCode';
import { KeyPairs1765850000000 } from './1765850000000-KeyPairs';
import { ServerTags1765860000000 } from './1765860000000-ServerTags';

export const NOVA_MIGRATIONS = [InitialNovaSchema1764050000000, InstanceAccessIpsDescription1764070000000, InstanceLockedReason1764080000000,
  InstanceHostnameExtendedAttrs1764090000000, BdmAttachIntent1764100000000, RequestSpecs1764110000000,
  BdmSwapIntent1764130000000, InstanceAutoDiskConfig1765400000000, TraceSpans1765500000000,
  Utf8mb4Tables1765600000000, SoftDeleteIndexes1765700000000, ComputeQuotas1765800000000,
  ComputeQuotaClasses1765810000000, ProjectUserQuotas1765820000000, ComputeNodes1765830000000, InstanceFaultCode1765840000000,
  KeyPairs1765850000000, ServerTags1765860000000];
export { NOVA_ENTITIES } from '../../nova-common/entities';
