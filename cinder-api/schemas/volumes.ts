// Volume create and update bodies (cinder/api/schemas/volumes.py), one DTO per microversion
// range: create (3.0, other keys allowed in `volume`), create_volume_v313 (+group_id),
// create_volume_v347 (+backup_id), create_volume_v353 (nothing else in `volume`); update.
import { Nested, ObjectSchema, Schema, type APIVersion } from '../../common/api';
import { IsDefined } from '../../common/api/class-validator';
import { SUPPORT_VOLUME_SCHEMA_CHANGES, VOLUME_CREATE_FROM_BACKUP } from '../microversions';
import * as t from './parameter-types';

type Dict = Record<string, unknown>;

/** The four spellings of name and description (validate_name_and_description strips them). */
class NameAndDescription {
  @Schema(t.nameRemoveWhiteSpaces) name?: string | null;
  @Schema(t.descriptionRemoveWhiteSpaces) description?: string | null;
  @Schema(t.nameRemoveWhiteSpaces) display_name?: string | null;
  @Schema(t.descriptionRemoveWhiteSpaces) display_description?: string | null;
}

@ObjectSchema({ additionalProperties: true })
export class VolumeCreateV30 extends NameAndDescription {
  @Schema(t.nameAllowZeroMinLength) volume_type?: string | null;
  @Schema(t.metadataAllowsNull) metadata?: Record<string, string> | null;
  @Schema(t.optionalUuid) snapshot_id?: string | null;
  @Schema(t.optionalUuid) source_volid?: string | null;
  @Schema(t.optionalUuid) consistencygroup_id?: string | null;
  @Schema(t.volumeSizeAllowsNull) size?: number | string | null;
  @Schema(t.availabilityZone) availability_zone?: string | null;
  @Schema(t.optionalBoolean) multiattach?: boolean | string | null;
  @Schema(t.nameAllowZeroMinLength) image_id?: string | null;
  @Schema(t.nameAllowZeroMinLength) imageRef?: string | null;
}

export class VolumeCreateV313 extends VolumeCreateV30 {
  @Schema(t.nameAllowZeroMinLength) group_id?: string | null;
}

export class VolumeCreateV347 extends VolumeCreateV313 {
  @Schema(t.optionalUuid) backup_id?: string | null;
}

@ObjectSchema({ additionalProperties: false })
export class VolumeCreateV353 extends VolumeCreateV347 {}

/** The create body around a `volume` DTO: the scheduler hints are the only other key. */
function createBody<V extends VolumeCreateV30>(volume: new () => V): new () => { volume: V; 'OS-SCH-HNT:scheduler_hints'?: Dict | null } {
  class Body {
    @IsDefined({ message: "'volume' is a required property" })
    @Nested(() => volume)
    volume!: V;

    @Schema({ type: ['object', 'null'] }) 'OS-SCH-HNT:scheduler_hints'?: Dict | null;
  }
  return Body;
}

const CREATE = [
  [SUPPORT_VOLUME_SCHEMA_CHANGES, createBody(VolumeCreateV353)],
  [VOLUME_CREATE_FROM_BACKUP, createBody(VolumeCreateV347)],
  ['3.13', createBody(VolumeCreateV313)],
  ['3.0', createBody(VolumeCreateV30)],
] as const;

/** The create body's DTO at a microversion. */
export const createVolumeSchema = (version: APIVersion): (typeof CREATE)[number][1] => (CREATE.find(([mv]) => version.atLeast(mv)) ?? CREATE[3])[1];

export class VolumeUpdate extends NameAndDescription {
  @Schema(t.extraSpecs) metadata?: Record<string, string>;
}

/** update_volume_v353 adds this after additionalProperties: at least one of the keys. */
const VOLUME_UPDATE_V353_ANY_OF = t.anyOfRequired('name', 'description', 'display_name', 'display_description', 'metadata');

export class UpdateVolumeBody {
  @IsDefined({ message: "'volume' is a required property" })
  @Nested(() => VolumeUpdate)
  volume!: VolumeUpdate;
}

@ObjectSchema({ final: VOLUME_UPDATE_V353_ANY_OF })
export class VolumeUpdateV353 extends VolumeUpdate {}

export class UpdateVolumeBodyV353 {
  @IsDefined({ message: "'volume' is a required property" })
  @Nested(() => VolumeUpdateV353)
  volume!: VolumeUpdateV353;
}

export const updateVolumeSchema = (version: APIVersion): typeof UpdateVolumeBody => (version.atLeast(SUPPORT_VOLUME_SCHEMA_CHANGES) ? UpdateVolumeBodyV353 : UpdateVolumeBody);

const strip = (v: string | null | undefined): string | null | undefined => (typeof v === 'string' ? v.trim() : v);

/**
 * validate_name_and_description: each stripped; `name` replaces `display_name` when sent, even as
 * null (Cinder pops one onto the other), and likewise `description`. Undefined: neither was sent.
 */
export function nameAndDescription(v: NameAndDescription): { name?: string | null; description?: string | null } {
  const name = v.name !== undefined ? v.name : v.display_name;
  const description = v.description !== undefined ? v.description : v.display_description;
  return {
    ...(name !== undefined ? { name: strip(name) } : {}),
    ...(description !== undefined ? { description: strip(description) } : {}),
  };
}
