// The workers/cleanup body (cinder/api/schemas/workers.py): the body itself is the object.
import { ObjectSchema, Schema } from '../../common/api';
import * as t from './parameter-types';

@ObjectSchema({ additionalProperties: false })
export class CleanupBody {
  @Schema(t.hostname) cluster_name?: string | null;
  @Schema(t.boolean) disabled?: boolean | string;
  @Schema(t.hostname) host?: string | null;
  @Schema(t.boolean) is_up?: boolean | string;
  @Schema({ enum: ['cinder-volume', 'cinder-scheduler'] }) binary?: string;
  @Schema(t.optionalUuid) resource_id?: string | null;
  @Schema({ type: ['string', 'null'], minLength: 0, maxLength: 40 }) resource_type?: string | null;
  @Schema({ type: ['integer', 'string', 'null'], pattern: '^[0-9]*$', maxLength: 11 }) service_id?: number | string | null;
}
