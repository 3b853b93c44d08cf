// Request bodies of os-volume_attachments, one DTO per microversion range (nova
// api/openstack/compute/schemas/volumes.py): each adds to the previous, unknown keys rejected.
import { IsDefined } from '../../common/api/class-validator';
import { Schema } from '../../common/api';
import * as t from './parameter-types';

export const { toBoolean } = t;

/** match_device()'s pattern, as the schema spells it (the message quotes it). */
const device = { type: ['string', 'null'], pattern: '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$' } as const;

export class AttachVolumeV21 {
  @IsDefined() @Schema(t.uuid) volumeId!: string;
  @Schema(device) device?: string | null;
}

export class AttachVolumeV249 extends AttachVolumeV21 {
  @Schema(t.tag) tag?: string;
}

export class AttachVolumeV279 extends AttachVolumeV249 {
  @Schema(t.boolean) delete_on_termination?: boolean | string;
}

/** PUT before 2.85: only the new volume (a swap). */
export class SwapVolume {
  @IsDefined() @Schema(t.uuid) volumeId!: string;
}

/** PUT from 2.85 (update_v285): the 2.79 create body plus serverId and id, all validated alike. */
export class UpdateVolumeAttachmentV285 extends AttachVolumeV279 {
  @Schema(t.uuid) serverId?: string;
  @Schema(t.uuid) id?: string;
}
