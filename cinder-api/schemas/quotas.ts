// Quota bodies (cinder/api/schemas/quotas.py, quota_classes.py). Their 'quota_set' and
// 'quota_class_set' formats need the resource names (the volume types), read from the
// database: the controller checks them between the DTO's keywords, where the schema has them.
import { IsDefined } from '../../common/api/class-validator';
import { ObjectSchema, Schema } from '../../common/api';
import { DB_MAX_INT } from './parameter-types';

type Dict = Record<string, unknown>;

/** update_quota up to the format (type, minProperties); the body's additionalProperties follows the format. */
@ObjectSchema({ additionalProperties: true })
export class QuotaSetBody {
  @IsDefined({ message: "'quota_set' is a required property" }) @Schema({ type: 'object', minProperties: 1 }) quota_set!: Dict;
}

/** update_quota_class up to the format (its type). */
@ObjectSchema({ additionalProperties: true })
export class QuotaClassSetTypeBody {
  @IsDefined({ message: "'quota_class_set' is a required property" }) @Schema({ type: 'object' }) quota_class_set!: Dict;
}

/** update_quota_class after the format: the values and the body's additionalProperties. */
export class QuotaClassSetBody {
  @Schema({
    patternProperties: {
      '^[a-zA-Z0-9-_:. ]{1,255}$': { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: -1, minLength: 1, maximum: DB_MAX_INT },
    },
    additionalProperties: false,
  })
  quota_class_set!: Record<string, number | string>;
}
