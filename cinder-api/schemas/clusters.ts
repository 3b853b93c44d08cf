// Cluster enable/disable bodies (cinder/api/schemas/clusters.py): the body itself is the object.
import { IsDefined } from '../../common/api/class-validator';
import { ObjectSchema, Schema } from '../../common/api';
import * as t from './parameter-types';

@ObjectSchema({ additionalProperties: false })
export class ClusterEnableBody {
  @IsDefined({ message: "'name' is a required property" }) @Schema(t.name) name!: string;
  @Schema(t.nullableString) binary?: string | null;
}

@ObjectSchema({ additionalProperties: false })
export class ClusterDisableBody extends ClusterEnableBody {
  @Schema({ type: ['string', 'null'], format: t.DISABLED_REASON }) disabled_reason?: string | null;
}
