// Request bodies of os-volume_attachments, one DTO per microversion range (nova
// api/openstack/compute/schemas/volumes.py): each adds to the previous, unknown keys rejected.
// Messages are jsonschema's, quoting the schema as Python prints it.
import { pyRepr as repr } from '../../common/api';
import * as t from './parameter-types';
import { IsDefined, IsIn, IsOptional, IsString, Length, Matches, ValidateBy, ValidateIf } from 'class-validator';

const UUID_LIKE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
/** match_device()'s pattern as the schema spells it (RegExp.source would escape the slashes). */
const DEVICE_PATTERN = '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$';
const DEVICE = new RegExp(DEVICE_PATTERN);

/** parameter_types.boolean's enum, in its order (the 400 message lists it). */
const BOOLEAN_ENUM = [...t.BOOLEAN_ENUM];
export const { toBoolean } = t;

/** {'type': ['boolean', 'string']}: named isBoolean so it is reported before the enum. */
const IsBooleanOrString = (): PropertyDecorator => ValidateBy({
  name: 'isBoolean',
  validator: {
    validate: (v: unknown) => typeof v === 'boolean' || typeof v === 'string',
    defaultMessage: (a) => `${repr(a?.value)} is not of type 'boolean', 'string'`,
  },
});

/** parameter_types.volume_id / server_id / attachment_id: {'type': 'string', 'format': 'uuid'}. */
const Uuid = (): PropertyDecorator => (target, prop) => {
  IsString({ message: (a) => `${repr(a.value)} is not of type 'string'` })(target, prop);
  Matches(UUID_LIKE, { message: (a) => `${repr(a.value)} is not a 'uuid'` })(target, prop);
};

export class AttachVolumeV21 {
  @IsDefined({ message: "'volumeId' is a required property" })
  @Uuid()
  volumeId!: string;

  @IsOptional()
  @ValidateIf((o: AttachVolumeV21) => o.device !== null)
  @IsString({ message: (a) => `${repr(a.value)} is not of type 'string', 'null'` })
  @Matches(DEVICE, { message: (a) => `${repr(a.value)} does not match ${repr(DEVICE_PATTERN)}` })
  device?: string | null;
}

export class AttachVolumeV249 extends AttachVolumeV21 {
  @IsOptional()
  @IsString({ message: (a) => `${repr(a.value)} is not of type 'string'` })
  @Length(1, 60, { message: (a) => `${repr(a.value)} is too ${String(a.value).length ? 'long' : 'short'}` })
  @Matches(/^[^,/]*$/, { message: (a) => `${repr(a.value)} does not match '^[^,/]*$'` })
  tag?: string;
}

export class AttachVolumeV279 extends AttachVolumeV249 {
  @IsOptional()
  @IsBooleanOrString()
  @IsIn(BOOLEAN_ENUM, { message: (a) => `${repr(a.value)} is not one of ${repr(BOOLEAN_ENUM)}` })
  delete_on_termination?: boolean | string;
}

/** PUT before 2.85: only the new volume (a swap). */
export class SwapVolume {
  @IsDefined({ message: "'volumeId' is a required property" })
  @Uuid()
  volumeId!: string;
}

/** PUT from 2.85 (update_v285): the 2.79 create body plus serverId and id, all validated alike. */
export class UpdateVolumeAttachmentV285 extends AttachVolumeV279 {
  @IsOptional() @Uuid() serverId?: string;
  @IsOptional() @Uuid() id?: string;
}
