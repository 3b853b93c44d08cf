// Bodies of POST /volumes/{id}/action (cinder/api/schemas/volume_actions.py, admin_actions.py):
// each action's DTO is the whole body, {"<action>": {...}}.
import { IsDefined } from '../../common/api/class-validator';
import { badRequest, Nested, ObjectSchema, pyTruthy, Schema, type Format, type JsonSchema } from '../../common/api';
import { ATTACH_STATUSES, MIGRATION_STATUSES, VOLUME_STATUSES, type AttachStatus, type MigrationStatus, type VolumeStatus } from '../../cinder-common/volume-status';
import * as t from './parameter-types';

type Dict = Record<string, unknown>;

const required = (key: string): PropertyDecorator => IsDefined({ message: `'${key}' is a required property` });

/** A body {"<action>": <cls>}, the action object required (V: null too when the schema lets it be). */
export function actionBody<T extends object, V = T>(action: string, cls: new () => T, schema: JsonSchema = { type: 'object' }): new () => Record<string, V> {
  class Body {}
  required(action)(Body.prototype, action);
  Nested(() => cls, schema)(Body.prototype, action);
  return Body as new () => Record<string, V>;
}

class Connector {
  @required('connector') @Schema({ type: ['object', 'string'] }) connector!: Dict | string;
}
export const InitializeConnectionBody = actionBody('os-initialize_connection', Connector);

class ConnectorOrNull {
  @required('connector') @Schema({ type: ['string', 'object', 'null'] }) connector!: Dict | string | null;
}
export const TerminateConnectionBody = actionBody('os-terminate_connection', ConnectorOrNull);

@ObjectSchema({ after: t.anyOfRequired('instance_uuid', 'host_name') })
export class Attach {
  @Schema(t.uuid) instance_uuid?: string;
  @required('mountpoint') @Schema({ type: 'string', minLength: 1, maxLength: 255 }) mountpoint!: string;
  @Schema({ type: 'string', maxLength: 255 }) host_name?: string;
  @Schema({ type: 'string', enum: ['rw', 'ro'] }) mode?: 'rw' | 'ro';
}
export const AttachBody = actionBody('os-attach', Attach);

class Detach {
  @Schema(t.uuidAllowNull) attachment_id?: string | null;
}
export const DetachBody = actionBody<Detach, Detach | null>('os-detach', Detach, { type: ['object', 'null'] });

class Extend {
  @required('new_size') @Schema(t.volumeSize) new_size!: number | string;
}
export const ExtendBody = actionBody('os-extend', Extend);

class Bootable {
  @required('bootable') @Schema(t.boolean) bootable!: boolean | string;
}
export const SetBootableBody = actionBody('os-set_bootable', Bootable);

class Readonly {
  @required('readonly') @Schema(t.boolean) readonly!: boolean | string;
}
export const UpdateReadonlyFlagBody = actionBody('os-update_readonly_flag', Readonly);

class MigrateVolumeCompletion {
  @required('new_volume') @Schema(t.uuid) new_volume!: string;
  @Schema({ type: ['string', 'null', 'boolean'] }) error?: string | boolean | null;
}
export const MigrateVolumeCompletionBody = actionBody('os-migrate_volume_completion', MigrateVolumeCompletion);

class Retype {
  @required('new_type') @Schema({ type: 'string' }) new_type!: string;
  @Schema({ type: ['string', 'null'], enum: ['on-demand', 'never'] }) migration_policy?: string | null;
}
export const RetypeBody = actionBody('os-retype', Retype);

class ForceDetach {
  @Schema({ type: ['string', 'object', 'null'] }) connector?: Dict | string | null;
  @Schema({ type: ['string', 'null'] }) attachment_id?: string | null;
}
export const ForceDetachBody = actionBody('os-force_detach', ForceDetach);

// -- os-reset_status: Cinder's format checkers raise their own texts (validators.py), lists in its order.

/** A status format: a non-empty value not among `valid` (lower-cased) is refused with the checker's text. */
const statusFormat = (name: string, valid: readonly string[], text: string): Format => ({
  name,
  check: (v) => {
    if (typeof v === 'string' && v && !valid.includes(v.toLowerCase())) throw badRequest(text.replace('%s', v));
    return true;
  },
});

const VOLUME_STATUS = statusFormat('volume_status', VOLUME_STATUSES, "Volume status: %s is invalid, valid statuses are: ('creating', " +
  "'available', 'deleting', 'error', 'error_deleting', 'error_managing', 'managing', 'attaching', 'in-use', 'detaching', 'maintenance', " +
  "'restoring-backup', 'error_restoring', 'reserved', 'awaiting-transfer', 'backing-up', 'error_backing-up', 'error_extending', " +
  "'downloading', 'uploading', 'retyping', 'extending').");
const ATTACH_STATUS = statusFormat('volume_attach_status', ATTACH_STATUSES,
  "Volume attach status: %s is invalid, valid statuses are: ['attached', 'detached'].");
const MIGRATION_STATUS = statusFormat('volume_migration_status', MIGRATION_STATUSES,
  "Volume migration status: %s is invalid, valid statuses are: ('migrating', 'error', 'success', 'completing', 'none', 'starting').");

/** validate_volume_reset_body: at least one of the three, not empty. */
const RESET_BODY: Format = {
  name: 'validate_volume_reset_body',
  check: (v) => {
    const d = (v ?? {}) as Dict;
    // Python's truth: an empty list or dict given as a status counts as none (then this error, before the types').
    if (!pyTruthy(d.status) && !pyTruthy(d.attach_status) && !pyTruthy(d.migration_status)) {
      throw badRequest("Must specify 'status', 'attach_status' or 'migration_status' for update.");
    }
    return true;
  },
};

@ObjectSchema({ before: { format: RESET_BODY } })
export class ResetStatus {
  @Schema({ type: ['string', 'null'], format: VOLUME_STATUS }) status?: string | null;
  @Schema({ type: ['string', 'null'], format: ATTACH_STATUS }) attach_status?: string | null;
  @Schema({ type: ['string', 'null'], format: MIGRATION_STATUS }) migration_status?: string | null;
}
export const ResetStatusBody = actionBody('os-reset_status', ResetStatus);

/** What os-reset_status changes: each status given, lower-cased; the migration status 'none' is null. */
export function resetStatusUpdate(r: ResetStatus): ResetStatusUpdate {
  // The formats above admit only the states these types list (lower-cased).
  const out: ResetStatusUpdate = {};
  if (r.status) out.status = r.status.toLowerCase() as VolumeStatus;
  if (r.attach_status) out.attach_status = r.attach_status.toLowerCase() as AttachStatus;
  if (r.migration_status) out.migration_status = r.migration_status.toLowerCase() === 'none' ? null : r.migration_status.toLowerCase() as MigrationStatus;
  return out;
}

export interface ResetStatusUpdate { status?: VolumeStatus; attach_status?: AttachStatus; migration_status?: MigrationStatus | null }

class SetImageMetadata {
  @required('metadata') @Schema(t.extraSpecs) metadata!: Record<string, string>;
}
export const SetImageMetadataBody = actionBody('os-set_image_metadata', SetImageMetadata);

class UnsetImageMetadata {
  @required('key') @Schema({ type: 'string', minLength: 1, maxLength: 255 }) key!: string;
}
export const UnsetImageMetadataBody = actionBody('os-unset_image_metadata', UnsetImageMetadata);
