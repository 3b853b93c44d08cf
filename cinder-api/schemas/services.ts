// os-services bodies (cinder/api/schemas/services.py): enable/disable (binary or service),
// disable-log-reason (+disabled_reason), freeze/thaw. The body itself is the object.
import { ObjectSchema, Schema } from '../../common/api';
import * as t from './parameter-types';

const binaryOrService = { type: 'string', minLength: 1, maxLength: 255 } as const;

@ObjectSchema({ after: t.anyOfRequired('binary', 'service') })
export class EnableBody {
  @Schema(binaryOrService) binary?: string;
  @Schema(t.cinderHost) host?: string | null;
  @Schema(t.nullableString) cluster?: string | null;
  @Schema(binaryOrService) service?: string;
}

export class DisableLogReasonBody extends EnableBody {
  @Schema({ type: 'string', minLength: 1, maxLength: 255, format: t.DISABLED_REASON }) disabled_reason?: string;
}

export class FreezeBody {
  @Schema(t.nullableString) cluster?: string | null;
  @Schema(t.cinderHost) host?: string | null;
}
