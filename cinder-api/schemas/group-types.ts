// Group type bodies (cinder/api/schemas/group_types.py and group_specs.py).
import { IsDefined } from '../../common/api/class-validator';
import { Nested, ObjectSchema, Schema, type JsonSchema } from '../../common/api';
import * as t from './parameter-types';

type Specs = Record<string, string | null>;

/** group_specs_with_no_spaces_key_and_value_null: keys without spaces, values strings or null. */
const groupSpecs: JsonSchema = {
  type: 'object', patternProperties: { '^[a-zA-Z0-9-_:.]{1,255}$': { type: ['string', 'null'], maxLength: 255 } }, additionalProperties: false,
};

export class GroupTypeCreate {
  @IsDefined({ message: "'name' is a required property" }) @Schema(t.name) name!: string;
  @Schema(t.description) description?: string | null;
  @Schema(t.boolean) is_public?: boolean | string;
  @Schema(t.metadataAllowsNull) group_specs?: Record<string, string> | null;
}

export class CreateGroupTypeBody {
  @IsDefined({ message: "'group_type' is a required property" }) @Nested(() => GroupTypeCreate) group_type!: GroupTypeCreate;
}

export class GroupTypeUpdate {
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @Schema(t.description) description?: string | null;
  @Schema(t.boolean) is_public?: boolean | string;
}

export class UpdateGroupTypeBody {
  @IsDefined({ message: "'group_type' is a required property" }) @Nested(() => GroupTypeUpdate) group_type!: GroupTypeUpdate;
}

export class CreateGroupSpecsBody {
  @IsDefined({ message: "'group_specs' is a required property" }) @Schema(groupSpecs) group_specs!: Specs;
}

/** PUT /group_types/{id}/group_specs/{key}: the body is the one spec. */
@ObjectSchema({ before: { ...groupSpecs, minProperties: 1, maxProperties: 1 }, additionalProperties: true })
export class UpdateGroupSpecBody {
  [key: string]: string | null;
}
