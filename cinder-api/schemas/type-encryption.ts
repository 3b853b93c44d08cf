// Volume type encryption bodies (cinder/api/schemas/volume_type_encryption.py): create needs a
// provider and a control location; update takes any of the four.
import { IsDefined } from '../../common/api/class-validator';
import { Nested, ObjectSchema, Schema } from '../../common/api';
import * as t from './parameter-types';

const required = (key: string): PropertyDecorator => IsDefined({ message: `'${key}' is a required property` });

const KEY_SIZE = t.keySize;
const PROVIDER = { type: 'string', minLength: 0, maxLength: 255 } as const;
const CONTROL_LOCATION = { enum: ['front-end', 'back-end'] } as const;
const CIPHER = { type: ['string', 'null'], minLength: 0, maxLength: 255 } as const;

@ObjectSchema({ additionalProperties: true })
class EncryptionCreate {
  @Schema(KEY_SIZE) key_size?: string | number | null;
  @required('provider') @Schema(PROVIDER) provider!: string;
  @required('control_location') @Schema(CONTROL_LOCATION) control_location!: string;
  @Schema(CIPHER) cipher?: string | null;
}

@ObjectSchema({ additionalProperties: true })
class EncryptionUpdate {
  @Schema(KEY_SIZE) key_size?: string | number | null;
  @Schema(PROVIDER) provider?: string;
  @Schema(CONTROL_LOCATION) control_location?: string;
  @Schema(CIPHER) cipher?: string | null;
}

@ObjectSchema({ additionalProperties: false })
export class EncryptionCreateBody {
  @required('encryption') @Nested(() => EncryptionCreate) encryption!: EncryptionCreate;
}

@ObjectSchema({ additionalProperties: false })
export class EncryptionUpdateBody {
  @required('encryption') @Nested(() => EncryptionUpdate) encryption!: EncryptionUpdate;
}
