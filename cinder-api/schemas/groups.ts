// Group bodies (cinder/api/schemas/groups.py): create, update, and the delete and reset_status
// actions, and create-from-src. The replication actions are not served.
import { IsDefined } from '../../common/api/class-validator';
import { Nested, ObjectSchema, Schema, badRequest, type Format, type JsonSchema } from '../../common/api';
import * as t from './parameter-types';

/** Python's len() of a stripped string. */
const stripped = (v: string): number => [...v.trim()].length;

/** The 'group_type' format: 1..255 characters once stripped (its InvalidInput fails the format). */
const GROUP_TYPE: Format = { name: 'group_type', check: (v) => typeof v !== 'string' || (stripped(v) >= 1 && stripped(v) <= 255) };

/** The 'availability_zone' format: its InvalidInput is the answer. */
const AZ: Format = {
  name: 'availability_zone',
  check: (v) => {
    if (typeof v !== 'string') return true;
    if (!v) throw badRequest("The 'availability_zone' can not be None.");
    const n = stripped(v);
    if (n < 1) throw badRequest(`Invalid input received: availability_zone has ${n} characters, less than 1.`);
    if (n > 255) throw badRequest(`Invalid input received: availability_zone has ${n} characters, more than 255.`);
    return true;
  },
};

/** The 'group_status' format: None fails it; the rest is checked by the controller (InvalidGroupStatus). */
const GROUP_STATUS: Format = { name: 'group_status', check: (v) => v !== null && v !== undefined };

const volumeTypes: JsonSchema = { type: 'array', minItems: 1, items: { type: 'string', maxLength: 255 }, uniqueItems: true };

export class GroupCreate {
  @Schema(t.description) description?: string | null;
  @IsDefined({ message: "'group_type' is a required property" }) @Schema({ type: 'string', format: GROUP_TYPE }) group_type!: string;
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @IsDefined({ message: "'volume_types' is a required property" }) @Schema(volumeTypes) volume_types!: string[];
  @Schema({ type: ['string', 'null'], format: AZ }) availability_zone?: string | null;
}

export class CreateGroupBody {
  @IsDefined({ message: "'group' is a required property" }) @Nested(() => GroupCreate) group!: GroupCreate;
}

@ObjectSchema({ after: { anyOf: [{ required: ['name'] }, { required: ['description'] }, { required: ['add_volumes'] }, { required: ['remove_volumes'] }] } })
export class GroupUpdate {
  @Schema(t.description) description?: string | null;
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @Schema(t.description) add_volumes?: string | null;
  @Schema(t.description) remove_volumes?: string | null;
}

export class UpdateGroupBody {
  @IsDefined({ message: "'group' is a required property" }) @Nested(() => GroupUpdate) group!: GroupUpdate;
}

@ObjectSchema({ after: { oneOf: [{ required: ['group_snapshot_id'] }, { required: ['source_group_id'] }] } })
export class GroupCreateFromSrc {
  @Schema(t.description) description?: string | null;
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @Schema(t.uuid) source_group_id?: string;
  @Schema(t.uuid) group_snapshot_id?: string;
}

export class CreateGroupFromSrcBody {
  @IsDefined({ message: "'create-from-src' is a required property" }) @Nested(() => GroupCreateFromSrc) 'create-from-src'!: GroupCreateFromSrc;
}

export class GroupDelete {
  @Schema(t.boolean) 'delete-volumes'?: boolean | string;
}

export class DeleteGroupBody {
  @IsDefined({ message: "'delete' is a required property" }) @Nested(() => GroupDelete) delete!: GroupDelete;
}

export class GroupResetStatus {
  @IsDefined({ message: "'status' is a required property" }) @Schema({ type: 'string', format: GROUP_STATUS }) status!: string;
}

export class ResetGroupStatusBody {
  @IsDefined({ message: "'reset_status' is a required property" }) @Nested(() => GroupResetStatus) reset_status!: GroupResetStatus;
}

export class GroupSnapshotCreate {
  @IsDefined({ message: "'group_id' is a required property" }) @Schema(t.uuid) group_id!: string;
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @Schema(t.description) description?: string | null;
}

export class CreateGroupSnapshotBody {
  @IsDefined({ message: "'group_snapshot' is a required property" }) @Nested(() => GroupSnapshotCreate) group_snapshot!: GroupSnapshotCreate;
}

export class GroupSnapshotResetStatus {
  @IsDefined({ message: "'status' is a required property" }) @Schema({ type: 'string' }) status!: string;
}

export class ResetGroupSnapshotStatusBody {
  @IsDefined({ message: "'reset_status' is a required property" }) @Nested(() => GroupSnapshotResetStatus) reset_status!: GroupSnapshotResetStatus;
}

/** enable_replication, disable_replication, list_replication_targets: an object under the action's key. */
export class EnableReplicationBody {
  @IsDefined({ message: "'enable_replication' is a required property" }) @Schema({ type: 'object' }) enable_replication!: object;
}
export class DisableReplicationBody {
  @IsDefined({ message: "'disable_replication' is a required property" }) @Schema({ type: 'object' }) disable_replication!: object;
}
export class ListReplicationTargetsBody {
  @IsDefined({ message: "'list_replication_targets' is a required property" }) @Schema({ type: 'object' }) list_replication_targets!: object;
}

export class FailoverReplication {
  @Schema(t.boolean) allow_attached_volume?: boolean | string;
  @Schema(t.nullableString) secondary_backend_id?: string | null;
}

export class FailoverReplicationBody {
  @IsDefined({ message: "'failover_replication' is a required property" }) @Nested(() => FailoverReplication) failover_replication!: FailoverReplication;
}
