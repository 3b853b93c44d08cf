// Request bodies of os-volume_attachments, one DTO per microversion range (nova
// api/openstack/compute/schemas/volumes.py): each adds to the previous, unknown keys rejected.
import { pyRepr as repr } from '../../common/api';
import { IsDefined, IsIn, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';

const UUID_LIKE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const DEVICE = /(^\/dev\/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$/;

/** Strings Nova's schema accepts as a boolean (parameter_types.boolean). */
export const BOOLEAN_STRINGS = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
  'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'];

export function toBoolean(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', '1', 'on', 'yes'].includes(v.toLowerCase()));
}

export class AttachVolumeV21 {
  @IsDefined({ message: "'volumeId' is a required property" })
  @IsString({ message: (a) => `${repr(a.value)} is not of type 'string'` })
  @Matches(UUID_LIKE, { message: (a) => `${repr(a.value)} is not a 'uuid'` })
  volumeId!: string;

  @IsOptional()
  @ValidateIf((o: AttachVolumeV21) => o.device !== null)
  @IsString({ message: (a) => `${repr(a.value)} is not of type 'string', 'null'` })
  @Matches(DEVICE, { message: (a) => `${repr(a.value)} does not match '${DEVICE.source}'` })
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
  @IsIn([true, false, ...BOOLEAN_STRINGS], { message: (a) => `${repr(a.value)} is not one of [True, False, ${BOOLEAN_STRINGS.map((s) => `'${s}'`).join(', ')}]` })
  delete_on_termination?: boolean | string;
}

/** PUT before 2.85: only the new volume (a swap). */
export class SwapVolume {
  @IsDefined({ message: "'volumeId' is a required property" })
  @IsString({ message: (a) => `${repr(a.value)} is not of type 'string'` })
  @Matches(UUID_LIKE, { message: (a) => `${repr(a.value)} is not a 'uuid'` })
  volumeId!: string;
}

/** PUT from 2.85. */
export class UpdateVolumeAttachmentV285 extends SwapVolume {
  @IsOptional() @IsString() @Matches(DEVICE) device?: string | null;
  @IsOptional() @IsString() @Length(1, 60) tag?: string;
  @IsOptional() @IsIn([true, false, ...BOOLEAN_STRINGS]) delete_on_termination?: boolean | string;
  @IsOptional() @IsString() @Matches(UUID_LIKE) serverId?: string;
  @IsOptional() @IsString() @Matches(UUID_LIKE) id?: string;
}
