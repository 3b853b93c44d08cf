// Server metadata bodies (nova schemas/server_metadata.py): {"metadata": {k: v}} for create and
// update_all, {"meta": {k: v}} with exactly one item for the per-key update. A key outside
// [a-zA-Z0-9-_:. ]{1,255} is jsonschema's "does not match any of the regexes".
import { IsDefined } from '../../common/api/class-validator';
import { Schema } from '../../common/api';
import * as t from './parameter-types';

export class MetadataBody {
  @IsDefined() @Schema(t.metadata) metadata!: Record<string, string>;
}

export class MetaBody {
  @IsDefined() @Schema({ ...t.metadata, minProperties: 1, maxProperties: 1 }) meta!: Record<string, string>;
}
