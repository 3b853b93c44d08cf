// Volume type bodies (cinder/api/schemas/volume_types.py, types_extra_specs.py,
// volume_type_access.py).
import { IsDefined } from '../../common/api/class-validator';
import { Nested, ObjectSchema, Schema } from '../../common/api';
import * as t from './parameter-types';

type Specs = Record<string, string | null>;

export class TypeCreate {
  @IsDefined({ message: "'name' is a required property" }) @Schema(t.name) name!: string;
  @Schema(t.description) description?: string | null;
  @Schema(t.extraSpecsWithNull) extra_specs?: Specs;
  @Schema(t.boolean) 'os-volume-type-access:is_public'?: boolean | string;
}

export class CreateTypeBody {
  @IsDefined({ message: "'volume_type' is a required property" }) @Nested(() => TypeCreate) volume_type!: TypeCreate;
}

export class TypeUpdate {
  @Schema(t.updateName) name?: string | null;
  @Schema(t.description) description?: string | null;
  @Schema(t.boolean) is_public?: boolean | string;
}

export class UpdateTypeBody {
  @IsDefined({ message: "'volume_type' is a required property" }) @Nested(() => TypeUpdate) volume_type!: TypeUpdate;
}

export class CreateSpecsBody {
  @IsDefined({ message: "'extra_specs' is a required property" }) @Schema(t.extraSpecsWithNoSpacesKey) extra_specs!: Specs;
}

/** PUT /types/{id}/extra_specs/{key}: the body is the one spec; its keywords are the body's own. */
@ObjectSchema({ before: { ...t.extraSpecsWithNoSpacesKey, minProperties: 1, maxProperties: 1 }, additionalProperties: true })
export class UpdateSpecBody {
  [key: string]: string | null;
}

class ProjectAccess {
  @IsDefined({ message: "'project' is a required property" }) @Schema(t.uuid) project!: string;
}

export class AddProjectAccessBody {
  @IsDefined({ message: "'addProjectAccess' is a required property" }) @Nested(() => ProjectAccess) addProjectAccess!: ProjectAccess;
}

export class RemoveProjectAccessBody {
  @IsDefined({ message: "'removeProjectAccess' is a required property" }) @Nested(() => ProjectAccess) removeProjectAccess!: ProjectAccess;
}
