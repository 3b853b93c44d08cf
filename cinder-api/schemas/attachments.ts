// Attachment bodies (cinder/api/schemas/attachments.py): create (mode from 3.54) and update.
import { IsDefined } from '../../common/api/class-validator';
import { Nested, Schema, type APIVersion } from '../../common/api';
import * as t from './parameter-types';

type Dict = Record<string, unknown>;

export class AttachmentCreate {
  @Schema(t.uuid) instance_uuid?: string;
  @Schema({ type: ['object', 'null'] }) connector?: Dict | null;
  @IsDefined({ message: "'volume_uuid' is a required property" }) @Schema(t.uuid) volume_uuid!: string;
}

export class AttachmentCreateV354 extends AttachmentCreate {
  @Schema({ type: 'string', enum: ['rw', 'ro'] }) mode?: 'rw' | 'ro';
}

export class CreateAttachmentBody {
  @IsDefined({ message: "'attachment' is a required property" }) @Nested(() => AttachmentCreate) attachment!: AttachmentCreate;
}

export class CreateAttachmentBodyV354 {
  @IsDefined({ message: "'attachment' is a required property" }) @Nested(() => AttachmentCreateV354) attachment!: AttachmentCreateV354;
}

export const createAttachmentSchema = (version: APIVersion): typeof CreateAttachmentBodyV354 =>
  (version.atLeast('3.54') ? CreateAttachmentBodyV354 : CreateAttachmentBody);

class AttachmentUpdate {
  @IsDefined({ message: "'connector' is a required property" }) @Schema({ type: 'object', minProperties: 1 }) connector!: Dict;
}

export class UpdateAttachmentBody {
  @IsDefined({ message: "'attachment' is a required property" }) @Nested(() => AttachmentUpdate) attachment!: AttachmentUpdate;
}
