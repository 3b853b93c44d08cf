// POST /os-volumes (nova schemas/volumes.py create): size required, a positive integer or its
// digits; the other keys strings (metadata an object); nothing else.
import { IsDefined } from '../../common/api/class-validator';
import { Schema, type JsonSchema } from '../../common/api';
import type { VolumeCreate } from '../compute/volumes-proxy';
import * as t from './parameter-types';

const CREATE: JsonSchema = {
  type: 'object',
  properties: {
    volume_type: { type: 'string' }, metadata: { type: 'object' }, snapshot_id: { type: 'string' },
    size: { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1 },
    availability_zone: { type: 'string' }, display_name: { type: 'string' }, display_description: { type: 'string' },
  },
  required: ['size'],
  additionalProperties: false,
};

export class VolumeCreateBody {
  @IsDefined() @Schema(CREATE) volume!: VolumeCreate;
}

/** POST /os-snapshots (schemas/volumes.py snapshot_create): volume_id required, force a boolean word, the names strings. */
const SNAPSHOT_CREATE: JsonSchema = {
  type: 'object',
  properties: { volume_id: { type: 'string' }, force: t.boolean, display_name: { type: 'string' }, display_description: { type: 'string' } },
  required: ['volume_id'],
  additionalProperties: false,
};

export class SnapshotCreateBody {
  @IsDefined() @Schema(SNAPSHOT_CREATE) snapshot!: { volume_id: string; force?: boolean | string; display_name?: string; display_description?: string };
}
