// Request-body checks of cinder/api/schemas (volumes.py, volume_actions.py, admin_actions.py),
// reported the way Cinder's jsonschema validator words them:
// "Invalid input for field/attribute <f>. Value: <v>. <why>" (400).
import { badRequest, invalidInput, pyRepr, type APIVersion } from '../../common/api';
import { ATTACH_STATUSES, MIGRATION_STATUSES, VOLUME_STATUSES, type AttachStatus, type MigrationStatus, type VolumeStatus } from '../../cinder-common/volume-status';
import { SUPPORT_VOLUME_SCHEMA_CHANGES, VOLUME_CREATE_FROM_BACKUP } from './microversions';

type Dict = Record<string, unknown>;

export { pyRepr, pyStr } from '../../common/api';

export function invalid(field: string, value: unknown, why: string): Error {
  return invalidInput(field, value, why);
}

const TYPE_NAMES: Record<string, (v: unknown) => boolean> = {
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  string: (v) => typeof v === 'string',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
};

/** jsonschema "type": one name or a list. */
export function checkType(field: string, value: unknown, types: string[]): void {
  if (types.some((t) => TYPE_NAMES[t](value))) return;
  const shown = types.length === 1 ? `'${types[0]}'` : types.map((t) => `'${t}'`).join(', ');
  throw invalid(field, value, `${pyRepr(value)} is not of type ${shown}`);
}

/** The action/body object under `key` (required); returns it (null allowed when nullable). */
export function section(body: unknown, key: string, types: string[] = ['object']): Dict | null {
  if (!TYPE_NAMES.object(body)) throw badRequest(`${pyRepr(body)} is not of type 'object'`);
  const root = body as Dict;
  if (!(key in root)) throw badRequest(`'${key}' is a required property`);
  const v = root[key];
  checkType(key, v, types);
  return v as Dict | null;
}

export function noExtra(field: string, obj: Dict, allowed: string[]): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length) throw invalid(field, obj, `Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
}

export function required(field: string, obj: Dict, key: string): void {
  if (!(key in obj)) throw invalid(field, obj, `'${key}' is a required property`);
}

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export function checkUuid(field: string, v: unknown, nullable = false): void {
  checkType(field, v, nullable ? ['string', 'null'] : ['string']);
  if (typeof v === 'string' && !UUID.test(v)) throw invalid(field, v, `${pyRepr(v)} is not a 'uuid'`);
}

export function checkString(field: string, v: unknown, o: { min?: number; max?: number; nullable?: boolean } = {}): void {
  checkType(field, v, o.nullable ? ['string', 'null'] : ['string']);
  if (typeof v !== 'string') return;
  if (o.min !== undefined && v.length < o.min) throw invalid(field, v, `${pyRepr(v)} is too short`);
  if (o.max !== undefined && v.length > o.max) throw invalid(field, v, `${pyRepr(v)} is too long`);
}

/** parameter_types.volume_size: integer or digit string, 1..2147483647. */
export function checkSize(field: string, v: unknown, nullable = false): number | null {
  checkType(field, v, nullable ? ['integer', 'string', 'null'] : ['integer', 'string']);
  if (v === null) return null;
  if (typeof v === 'string' && !/^[0-9]+$/.test(v)) throw invalid(field, v, `${pyRepr(v)} does not match '^[0-9]+$'`);
  const n = Number(v);
  if (typeof v === 'number' && n < 1) throw invalid(field, v, `${v} is less than the minimum of 1`);
  if (n > 2147483647) throw invalid(field, v, `${pyRepr(v)} is greater than the maximum of 2147483647`);
  return n;
}

const META_KEY = /^[a-zA-Z0-9-_:. /]{1,255}$/;

export function checkMetadata(field: string, v: unknown): Record<string, string> | null {
  checkType(field, v, ['object', 'null']);
  if (v === null) return null;
  for (const [k, val] of Object.entries(v as Dict)) {
    if (!META_KEY.test(k)) throw invalid(field, v, `Additional properties are not allowed (${pyRepr(k)} was unexpected)`);
    checkString(k, val, { max: 255 });
  }
  return v as Record<string, string>;
}

/** Strip and bound the free-text fields (name/description ≤ 255, null allowed). */
export function text(field: string, v: unknown): string | null | undefined {
  if (v === undefined) return undefined;
  checkString(field, v, { nullable: true });
  // Cinder's schema leaves the length to utils.check_string_length, with its own text.
  const length = typeof v === 'string' ? [...v].length : 0;
  if (length > 255) throw badRequest(`Invalid input received: ${field} has ${length} characters, more than 255.`);
  return typeof v === 'string' ? v.trim() : null;
}

// Cinder's format checkers' own texts (api/validation/validators.py), lists in its order.
const RESET_STATUS_INVALID: Record<string, string> = {
  volume_status: "Volume status: %s is invalid, valid statuses are: ('creating', 'available', 'deleting', 'error', 'error_deleting', " +
    "'error_managing', 'managing', 'attaching', 'in-use', 'detaching', 'maintenance', 'restoring-backup', 'error_restoring', 'reserved', " +
    "'awaiting-transfer', 'backing-up', 'error_backing-up', 'error_extending', 'downloading', 'uploading', 'retyping', 'extending').",
  volume_attach_status: "Volume attach status: %s is invalid, valid statuses are: ['attached', 'detached'].",
  volume_migration_status: "Volume migration status: %s is invalid, valid statuses are: ('migrating', 'error', 'success', 'completing', 'none', 'starting').",
};

/** os-reset_status formats (volume_status, volume_attach_status, volume_migration_status). */
export function resetStatusBody(v: Dict): { status?: VolumeStatus; attach_status?: AttachStatus; migration_status?: MigrationStatus | null } {
  noExtra('os-reset_status', v, ['status', 'attach_status', 'migration_status']);
  // Each value is checked against its list below.
  const out: Record<string, string | null> = {};
  const fmt = (key: 'status' | 'attach_status' | 'migration_status', valid: readonly string[], name: string): void => {
    if (!(key in v)) return;
    const raw = v[key];
    checkType(key, raw, ['string']);
    const s = (raw as string).toLowerCase();
    if (!valid.includes(s)) throw badRequest(RESET_STATUS_INVALID[name].replace('%s', raw as string));
    if (key === 'migration_status') out.migration_status = s === 'none' ? null : s;
    else out[key] = s;
  };
  fmt('status', VOLUME_STATUSES, 'volume_status');
  fmt('attach_status', ATTACH_STATUSES, 'volume_attach_status');
  fmt('migration_status', MIGRATION_STATUSES, 'volume_migration_status');
  return out as { status?: VolumeStatus; attach_status?: AttachStatus; migration_status?: MigrationStatus | null };
}

const BOOL_STRINGS = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't',
  'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f'];

/** parameter_types.boolean: a JSON boolean or one of the strings oslo's bool_from_string knows. */
export function checkBoolean(field: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && BOOL_STRINGS.includes(v)) return ['true', '1', 'on', 'yes', 'y', 't'].includes(v.toLowerCase());
  throw invalid(field, v, `${pyRepr(v)} is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f']`);
}

/** A body's top level may hold only these keys (a path-less error: just jsonschema's message). */
export function noExtraTop(body: Dict, allowed: string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length) throw badRequest(`Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
}

const NAME_KEYS = ['name', 'description', 'display_name', 'display_description'];

/**
 * Strips name/description (validate_name_and_description); `name` replaces `display_name` when
 * present, even as null (Cinder pops one onto the other), and likewise `description`.
 */
function nameAndDescription(v: Dict): { name: string | null | undefined; description: string | null | undefined } {
  const t = Object.fromEntries(NAME_KEYS.map((k) => [k, text(k, v[k])]));
  return { name: 'name' in v ? t.name : t.display_name, description: 'description' in v ? t.description : t.display_description };
}

export interface CreateVolumeBody {
  /** The `volume` object as sent (after the checks). */
  volume: Dict;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  size: number | null;
}

/**
 * schemas/volumes.py create (3.0), create_volume_v313 (+group_id), create_volume_v347
 * (+backup_id), create_volume_v353 (nothing else allowed in `volume`). The top level takes only
 * `volume` and the scheduler hints at every version. Checks run in jsonschema's order: the
 * volume's properties, then its extra keys, then the top level.
 */
export function createVolumeBody(body: unknown, version: APIVersion): CreateVolumeBody {
  const v = section(body, 'volume') as Dict;
  const { name, description } = nameAndDescription(v);
  if ('volume_type' in v) checkString('volume_type', v.volume_type, { max: 255, nullable: true });
  const metadata = 'metadata' in v ? checkMetadata('metadata', v.metadata) ?? {} : {};
  for (const k of ['snapshot_id', 'source_volid', 'consistencygroup_id']) if (k in v) checkUuid(k, v[k], true);
  const size = 'size' in v ? checkSize('size', v.size, true) : null;
  if ('availability_zone' in v) checkString('availability_zone', v.availability_zone, { min: 1, max: 255, nullable: true });
  if ('multiattach' in v && v.multiattach !== null) {
    try {
      checkBoolean('multiattach', v.multiattach);
    } catch {
      throw invalid('multiattach', v.multiattach, `${pyRepr(v.multiattach)} is not valid under any of the given schemas`);
    }
  }
  for (const k of ['image_id', 'imageRef']) if (k in v) checkString(k, v[k], { max: 255, nullable: true });
  if (version.atLeast('3.13') && 'group_id' in v) checkString('group_id', v.group_id, { max: 255, nullable: true });
  if (version.atLeast(VOLUME_CREATE_FROM_BACKUP) && 'backup_id' in v) checkUuid('backup_id', v.backup_id, true);
  if (version.atLeast(SUPPORT_VOLUME_SCHEMA_CHANGES)) {
    noExtra('volume', v, [...NAME_KEYS, 'volume_type', 'metadata', 'snapshot_id', 'source_volid', 'consistencygroup_id', 'size',
      'availability_zone', 'multiattach', 'image_id', 'imageRef', 'group_id', 'backup_id']);
  }
  const top = body as Dict;
  if ('OS-SCH-HNT:scheduler_hints' in top) checkType('OS-SCH-HNT:scheduler_hints', top['OS-SCH-HNT:scheduler_hints'], ['object', 'null']);
  noExtraTop(top, ['volume', 'OS-SCH-HNT:scheduler_hints']);
  return { volume: v, name: name ?? null, description: description ?? null, metadata, size };
}

export interface UpdateVolumeBody {
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
}

/**
 * schemas/volumes.py update: only the name/description spellings and metadata (an object: null
 * is refused) at every version; from 3.53 (update_volume_v353) at least one of them.
 */
export function updateVolumeBody(body: unknown, version: APIVersion): UpdateVolumeBody {
  const v = section(body, 'volume') as Dict;
  const { name, description } = nameAndDescription(v);
  if ('metadata' in v) checkType('metadata', v.metadata, ['object']);
  const metadata = 'metadata' in v ? checkMetadata('metadata', v.metadata) ?? {} : undefined;
  noExtra('volume', v, [...NAME_KEYS, 'metadata']);
  if (version.atLeast(SUPPORT_VOLUME_SCHEMA_CHANGES) && !Object.keys(v).length) {
    throw invalid('volume', v, `${pyRepr(v)} is not valid under any of the given schemas`);
  }
  noExtraTop(body as Dict, ['volume']);
  return {
    ...('name' in v || 'display_name' in v ? { name: name ?? null } : {}),
    ...('description' in v || 'display_description' in v ? { description: description ?? null } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
  };
}
