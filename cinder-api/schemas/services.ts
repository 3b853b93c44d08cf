// os-services bodies (cinder/api/schemas/services.py): enable/disable (binary or service),
// disable-log-reason (+disabled_reason), freeze/thaw, set-log and get-log. The body itself is the object.
import { badRequest, ObjectSchema, Schema, type Format } from '../../common/api';
import { logLevelName } from '../../common/log';
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

/** The 'level' format (validators.py): Cinder's get_log_method, whose InvalidInput is the answer. */
const LEVEL: Format = {
  name: 'level',
  check: (v) => {
    if (typeof v === 'string' && !logLevelName(v)) throw badRequest(`Invalid input received: ${v} is not a valid log level.`);
    return true;
  },
};

/** parameter_types.binary: constants.LOG_BINARIES, '' and '*'. */
const logBinary = { type: 'string', enum: ['cinder-scheduler', 'cinder-volume', 'cinder-backup', 'cinder-api', '', '*'] } as const;

/** get-log (3.32): which services (binary, server) and which loggers (prefix). */
export class GetLogBody {
  @Schema(logBinary) binary?: string;
  @Schema(t.nullableString) server?: string | null;
  @Schema(t.nullableString) prefix?: string | null;
}

/** set-log (3.32): get-log's keys and the level to set. */
export class SetLogBody extends GetLogBody {
  @Schema({ type: ['string', 'null'], format: LEVEL }) level?: string | null;
}
