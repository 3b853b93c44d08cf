// The manage bodies: a volume's (cinder/api/schemas/volume_manage.py: `ref` required, as an
// object or a string; `cluster` from 3.16, VOLUME_MIGRATE_CLUSTER) and a snapshot's
// (snapshot_manage.py: `volume_id` and `ref`, which may also be null).
import { IsDefined } from '../../common/api/class-validator';
import { Nested, ObjectSchema, Schema } from '../../common/api';
import * as t from './parameter-types';

const required = (key: string): PropertyDecorator => IsDefined({ message: `'${key}' is a required property` });

@ObjectSchema({ additionalProperties: false })
class VolumeManage {
  @Schema(t.description) description?: string | null;
  @Schema(t.nameAllowZeroMinLength) availability_zone?: string | null;
  @Schema(t.boolean) bootable?: boolean | string;
  @Schema(t.nameAllowZeroMinLength) volume_type?: string | null;
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @Schema(t.cinderHost) host?: string | null;
  @required('ref') @Schema({ type: ['object', 'string'] }) ref!: Record<string, unknown> | string;
  @Schema(t.metadataAllowsNull) metadata?: Record<string, string> | null;
}

@ObjectSchema({ additionalProperties: false })
class VolumeManageV316 extends VolumeManage {
  @Schema({ type: ['string', 'null'], minLength: 0, maxLength: 255 }) cluster?: string | null;
}

@ObjectSchema({ additionalProperties: false })
export class VolumeManageBody {
  @required('volume') @Nested(() => VolumeManage) volume!: VolumeManage;
}

@ObjectSchema({ additionalProperties: false })
export class VolumeManageBodyV316 {
  @required('volume') @Nested(() => VolumeManageV316) volume!: VolumeManageV316;
}

export type ManageRequestBody = VolumeManageV316;

@ObjectSchema({ additionalProperties: false })
class SnapshotManage {
  @Schema(t.description) description?: string | null;
  @Schema(t.metadataAllowsNull) metadata?: Record<string, string> | null;
  @Schema(t.nameAllowZeroMinLength) name?: string | null;
  @required('volume_id') @Schema(t.uuid) volume_id!: string;
  @required('ref') @Schema({ type: ['object', 'null', 'string'] }) ref!: Record<string, unknown> | string | null;
}

@ObjectSchema({ additionalProperties: false })
export class SnapshotManageBody {
  @required('snapshot') @Nested(() => SnapshotManage) snapshot!: SnapshotManage;
}
