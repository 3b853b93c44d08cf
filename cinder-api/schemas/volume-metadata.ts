// Volume metadata bodies (cinder/api/schemas/volume_metadata.py): {"metadata": {...}} for create
// and update-all, {"meta": {<one key>: <value>}} for the per-key update.
import { IsDefined } from '../../common/api/class-validator';
import { Schema } from '../../common/api';
import * as t from './parameter-types';

export class MetadataBody {
  @IsDefined({ message: "'metadata' is a required property" }) @Schema(t.extraSpecs) metadata!: Record<string, string>;
}

export class MetaBody {
  @IsDefined({ message: "'meta' is a required property" }) @Schema({ ...t.extraSpecs, minProperties: 1, maxProperties: 1 }) meta!: Record<string, string>;
}
