// Snapshot bodies (cinder/api/schemas/snapshots.py, snapshot_actions.py and admin_actions.py's
// reset_status_snapshot): create, update, os-reset_status, os-update_snapshot_status.
import { IsDefined } from '../../common/api/class-validator';
import { badRequest, Nested, ObjectSchema, Schema, type Format } from '../../common/api';
import { InvalidInput } from '../../cinder-common/exception';
import { actionBody } from './volume-actions';
import * as t from './parameter-types';

const required = (key: string): PropertyDecorator => IsDefined({ message: `'${key}' is a required property` });

/** SnapshotStatus.ALL, in Cinder's order (its format checker's text lists them so). */
export const SNAPSHOT_STATUSES = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting', 'unmanaging', 'backing-up', 'restoring'] as const;

@ObjectSchema({ additionalProperties: false })
class SnapshotCreate {
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @Schema(t.nameAllowZeroMinLength) display_name?: string | null;
  @Schema(t.description) description?: string | null;
  @required('volume_id') @Schema(t.uuidAllowNull) volume_id!: string | null;
  @Schema(t.boolean) force?: boolean | string;
  @Schema(t.metadataAllowsNull) metadata?: Record<string, string> | null;
}

@ObjectSchema({ additionalProperties: false })
export class SnapshotCreateBody {
  @required('snapshot') @Nested(() => SnapshotCreate) snapshot!: SnapshotCreate;
}

@ObjectSchema({ additionalProperties: false, after: t.anyOfRequired('name', 'description', 'display_name', 'display_description') })
class SnapshotUpdate {
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @Schema(t.description) description?: string | null;
  @Schema(t.nameAllowZeroMinLength) display_name?: string | null;
  @Schema(t.description) display_description?: string | null;
}

@ObjectSchema({ additionalProperties: false })
export class SnapshotUpdateBody {
  @required('snapshot') @Nested(() => SnapshotUpdate) snapshot!: SnapshotUpdate;
}

/** _validate_snapshot_status: an empty or unknown status (lower-cased) is refused with its text. */
const SNAPSHOT_STATUS: Format = {
  name: 'snapshot_status',
  check: (v) => {
    if (typeof v === 'string' && (!v || !(SNAPSHOT_STATUSES as readonly string[]).includes(v.toLowerCase()))) {
      throw badRequest(`Snapshot status: ${v} is invalid, valid statuses are: (${SNAPSHOT_STATUSES.map((s) => `'${s}'`).join(', ')}).`);
    }
    return true;
  },
};

@ObjectSchema({ additionalProperties: false })
class ResetStatus {
  @required('status') @Schema({ type: 'string', format: SNAPSHOT_STATUS }) status!: string;
}
export const SnapshotResetStatusBody = actionBody('os-reset_status', ResetStatus);

/** _validate_progress: a whole percentage from 0% to 100% (an empty one passes). */
const PROGRESS: Format = {
  name: 'progress',
  check: (v) => {
    if (typeof v !== 'string' || !v) return true;
    const n = v.slice(0, -1).trim();
    if (!/^[+-]?\d+$/.test(n)) throw new InvalidInput({ reason: 'progress must be an integer percentage' });
    if (Number(n) < 0 || Number(n) > 100 || !v.endsWith('%')) throw new InvalidInput({ reason: 'progress must be an integer percentage between 0 and 100' });
    return true;
  },
};

@ObjectSchema({ additionalProperties: false })
class UpdateSnapshotStatus {
  @required('status') @Schema({ type: 'string' }) status!: string;
  @Schema({ format: PROGRESS }) progress?: unknown;
}
export const UpdateSnapshotStatusBody = actionBody('os-update_snapshot_status', UpdateSnapshotStatus);
