// QoS specs bodies (cinder/api/schemas/qos_specs.py): create (a name, any other keys), set (keys
// as extra specs, values strings or null), unset (a list of distinct keys).
import { IsDefined } from '../../common/api/class-validator';
import { Nested, ObjectSchema, Schema } from '../../common/api';
import * as t from './parameter-types';

const required = (key: string): PropertyDecorator => IsDefined({ message: `'${key}' is a required property` });

/** The keys besides the name are the spec's; their values are checked by the API (validate_dictionary_string_length). */
@ObjectSchema({ additionalProperties: true })
class QosCreate {
  @required('name') @Schema(t.nameSkipSpacesAlone) name!: string;
}

@ObjectSchema({ additionalProperties: false })
export class QosCreateBody {
  @required('qos_specs') @Nested(() => QosCreate) qos_specs!: QosCreate;
}

@ObjectSchema({ additionalProperties: false })
export class QosSetBody {
  @required('qos_specs') @Schema(t.extraSpecsWithNull) qos_specs!: Record<string, string | null>;
}

@ObjectSchema({ additionalProperties: false })
export class QosUnsetBody {
  @required('keys') @Schema({ type: 'array', items: { type: 'string', minLength: 1, maxLength: 255 }, uniqueItems: true }) keys!: string[];
}
