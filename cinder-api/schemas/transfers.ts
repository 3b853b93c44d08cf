// Bodies of the volume transfer API (cinder/api/schemas/volume_transfer.py): create, create_v355
// (+no_snapshots), accept.
import { IsDefined } from '../../common/api/class-validator';
import { Nested, ObjectSchema, Schema } from '../../common/api';
import * as t from './parameter-types';

const required = (key: string): PropertyDecorator => IsDefined({ message: `'${key}' is a required property` });

@ObjectSchema({ additionalProperties: false })
class TransferCreate {
  @required('volume_id') @Schema(t.uuid) volume_id!: string;
  @Schema(t.nameSkipSpaces) name?: string | null;
}

@ObjectSchema({ additionalProperties: false })
class TransferCreateV355 extends TransferCreate {
  @Schema(t.boolean) no_snapshots?: boolean | string;
}

@ObjectSchema({ additionalProperties: false })
export class TransferCreateBody {
  @required('transfer') @Nested(() => TransferCreate) transfer!: TransferCreate;
}

@ObjectSchema({ additionalProperties: false })
export class TransferCreateV355Body {
  @required('transfer') @Nested(() => TransferCreateV355) transfer!: TransferCreateV355;
}

@ObjectSchema({ additionalProperties: false })
class Accept {
  @required('auth_key') @Schema({ type: ['string', 'integer'] }) auth_key!: string | number;
}

@ObjectSchema({ additionalProperties: false })
export class TransferAcceptBody {
  @required('accept') @Nested(() => Accept) accept!: Accept;
}
