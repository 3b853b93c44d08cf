// Server tags bodies (nova schemas/server_tags.py): {"tags": [tag…]} (at most 50) replaces them
// all; the PUT of one tag takes no body.
import { IsDefined } from '../../common/api/class-validator';
import { Schema } from '../../common/api';
import { MAX_TAG_COUNT } from '../compute/server-tags';
import * as t from './parameter-types';

export class TagsBody {
  @IsDefined() @Schema({ type: 'array', items: t.tag, maxItems: MAX_TAG_COUNT }) tags!: string[];
}
