// block_device_mapping(_v2) of server create (nova schemas/servers.py legacy_block_device_mapping,
// block_device_mapping_v2_new_item, and the tag/volume_type later microversions add), then what
// a server here can boot with: the image as its local root disk, and existing volumes (the boot
// volume at boot_index 0, or data volumes). Anything else is refused with Nova's InvalidBDM
// wording instead of being dropped.
import { badRequest, type JsonSchema } from '../../common/api';
import * as t from './parameter-types';

/** A volume a new server is to have attached (boot_index 0: its root disk). */
export interface BootVolume {
  volumeId: string;
  bootIndex: number | null;
  deviceName: string | null;
  deleteOnTermination: boolean;
  tag: string | null;
}

/** One block_device_mapping_v2 entry as the schema lets it through. */
export interface BlockDeviceMappingV2 {
  source_type?: 'volume' | 'image' | 'snapshot' | 'blank';
  destination_type?: 'local' | 'volume';
  uuid?: string;
  volume_id?: string;
  boot_index?: number | string | null;
  device_name?: string;
  delete_on_termination?: boolean | string;
  tag?: string;
}

const LEGACY_PROPERTIES: Record<string, JsonSchema> = {
  virtual_name: { type: 'string', maxLength: 255 },
  volume_id: t.uuid,
  snapshot_id: t.uuid,
  volume_size: t.volumeSize,
  device_name: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-r/]*$' },
  delete_on_termination: t.boolean,
  no_device: {},
  connection_info: { type: 'string', maxLength: 16777215 },
};

const V2_PROPERTIES: Record<string, JsonSchema> = {
  ...LEGACY_PROPERTIES,
  source_type: { type: 'string', enum: ['volume', 'image', 'snapshot', 'blank'] },
  uuid: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' },
  image_id: t.uuid,
  destination_type: { type: 'string', enum: ['local', 'volume'] },
  guest_format: { type: 'string', maxLength: 255 },
  device_type: { type: 'string', maxLength: 255 },
  disk_bus: { type: 'string', maxLength: 255 },
  boot_index: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$' },
};

const list = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'array', items: { type: 'object', properties, additionalProperties: false } });

export const legacyBlockDeviceMapping = list(LEGACY_PROPERTIES);
export const blockDeviceMappingV2 = list(V2_PROPERTIES);
/** create_v232 and create_v242 on: each entry may carry a tag. */
export const blockDeviceMappingV2Tagged = list({ ...V2_PROPERTIES, tag: t.tag });
/** create_v267 on: and a volume_type. */
export const blockDeviceMappingV267 = list({ ...V2_PROPERTIES, tag: t.tag, volume_type: t.volumeType });

const invalidBdm = (details: string): never => { throw badRequest(`Block Device Mapping is Invalid: ${details}`); };

/** The volumes to attach; throws 400 for an entry this cloud cannot honour. */
export function bootVolumes(bdms: BlockDeviceMappingV2[] | undefined): BootVolume[] {
  const out: BootVolume[] = [];
  for (const b of bdms ?? []) {
    const bootIndex = b.boot_index === undefined || b.boot_index === null ? null : Number(b.boot_index);
    const source = b.source_type ?? 'volume';
    const dest = b.destination_type ?? (source === 'image' && bootIndex === 0 ? 'local' : 'volume');
    if (source === 'image' && dest === 'local') {
      if (bootIndex !== 0) invalidBdm('an image can only be the local root disk (boot_index 0)');
      continue; // the image root disk every server here boots with
    }
    if (source !== 'volume' || dest !== 'volume') invalidBdm(`source_type ${source} with destination_type ${dest} is not supported by this cloud`);
    const volumeId = b.uuid ?? b.volume_id;
    if (!volumeId) return invalidBdm('Missing device UUID.');
    out.push({
      volumeId, bootIndex, deviceName: b.device_name ?? null,
      deleteOnTermination: b.delete_on_termination === undefined ? false : t.toBoolean(b.delete_on_termination),
      tag: b.tag ?? null,
    });
  }
  if (out.filter((v) => v.bootIndex === 0).length > 1) invalidBdm('Boot sequence for the instance and image/block device mapping combination is not valid.');
  return out;
}
