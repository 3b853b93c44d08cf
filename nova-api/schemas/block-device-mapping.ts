// block_device_mapping_v2 on server create (nova schemas/servers.py block_device_mapping_v2_new_item):
// each entry checked as Nova's schema does. What a server here can boot with: the image as its
// local root disk, and existing volumes (the boot volume at boot_index 0, or data volumes).
// Anything else is refused with Nova's InvalidBDM wording instead of being dropped.
import { badRequest, invalidInput, pyRepr as repr } from '../../common/api';
import { toBoolean } from './volume-attachments';

/** A volume a new server is to have attached (boot_index 0: its root disk). */
export interface BootVolume {
  volumeId: string;
  bootIndex: number | null;
  deviceName: string | null;
  deleteOnTermination: boolean;
  tag: string | null;
}

const KEYS = new Set(['source_type', 'destination_type', 'uuid', 'image_id', 'guest_format', 'device_type', 'disk_bus', 'boot_index',
  'device_name', 'volume_size', 'delete_on_termination', 'no_device', 'connection_info', 'snapshot_id', 'volume_id', 'tag', 'volume_type']);
const SOURCES = ['volume', 'image', 'snapshot', 'blank'];
const DESTINATIONS = ['local', 'volume'];
const UUID_CHARS = /^[a-zA-Z0-9._-]*$/;

const invalidBdm = (details: string): never => { throw badRequest(`Block Device Mapping is Invalid: ${details}`); };

function bootIndexOf(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
  throw invalidInput('boot_index', v, `${repr(v)} is not of type 'integer', 'string', 'null'`);
}

/** The volumes to attach; throws 400 for a malformed entry or one this cloud cannot honour. */
export function parseBlockDeviceMappingV2(value: unknown): BootVolume[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidInput('block_device_mapping_v2', value, `${repr(value)} is not of type 'array'`);
  const out: BootVolume[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw invalidInput('block_device_mapping_v2', item, `${repr(item)} is not of type 'object'`);
    const b = item as Record<string, unknown>;
    const extra = Object.keys(b).find((k) => !KEYS.has(k));
    if (extra) throw invalidInput('block_device_mapping_v2', b, `Additional properties are not allowed ('${extra}' was unexpected)`);
    for (const [k, allowed] of [['source_type', SOURCES], ['destination_type', DESTINATIONS]] as const) {
      if (b[k] !== undefined && !allowed.includes(b[k] as string)) throw invalidInput(k, b[k], `${repr(b[k])} is not one of ${repr(allowed)}`);
    }
    if (b.uuid !== undefined && (typeof b.uuid !== 'string' || !UUID_CHARS.test(b.uuid))) throw invalidInput('uuid', b.uuid, `${repr(b.uuid)} does not match '^[a-zA-Z0-9._-]*$'`);
    const bootIndex = bootIndexOf(b.boot_index);
    const source = (b.source_type as string | undefined) ?? 'volume';
    const dest = (b.destination_type as string | undefined) ?? (source === 'image' && bootIndex === 0 ? 'local' : 'volume');
    if (source === 'image' && dest === 'local') {
      if (bootIndex !== 0) invalidBdm('an image can only be the local root disk (boot_index 0)');
      continue; // the image root disk every server here boots with
    }
    if (source !== 'volume' || dest !== 'volume') invalidBdm(`source_type ${source} with destination_type ${dest} is not supported by this cloud`);
    const id = (b.uuid ?? b.volume_id) as string | undefined;
    if (!id) invalidBdm('Missing device UUID.');
    out.push({
      volumeId: id as string, bootIndex, deviceName: typeof b.device_name === 'string' ? b.device_name : null,
      deleteOnTermination: b.delete_on_termination === undefined ? false : toBoolean(b.delete_on_termination),
      tag: typeof b.tag === 'string' ? b.tag : null,
    });
  }
  if (out.filter((v) => v.bootIndex === 0).length > 1) invalidBdm('Boot sequence for the instance and image/block device mapping combination is not valid.');
  return out;
}
