// POST /servers/{id}/action bodies that carry arguments: reboot (schemas/servers.py reboot), lock
// from 2.73 (schemas/lock_server.py lock_v2_73), os-getConsoleOutput (schemas/console_output.py) and
// os-resetState (schemas/reset_server_state.py).
import { IsDefined } from '../../common/api/class-validator';
import { Schema } from '../../common/api';

export class RebootBody {
  @IsDefined()
  @Schema({
    type: 'object',
    properties: { type: { type: 'string', enum: ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'] } },
    required: ['type'],
    additionalProperties: false,
  })
  reboot!: { type: 'HARD' | 'Hard' | 'hard' | 'SOFT' | 'Soft' | 'soft' };
}

export class LockBodyV273 {
  @IsDefined()
  @Schema({ type: ['object', 'null'], properties: { locked_reason: { type: 'string', minLength: 1, maxLength: 255 } }, additionalProperties: false })
  lock!: { locked_reason?: string } | null;
}

export class ConsoleOutputBody {
  @IsDefined()
  @Schema({
    type: 'object',
    // -1 is "unlimited" by the schema's note, yet the compute reads it as Python's [1:] (all but the first line).
    properties: { length: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$', minimum: -1 } },
    additionalProperties: false,
  })
  'os-getConsoleOutput'!: { length?: number | string | null };
}

export class ResetStateBody {
  @IsDefined()
  @Schema({
    type: 'object',
    properties: { state: { type: 'string', enum: ['active', 'error'] } },
    required: ['state'],
    additionalProperties: false,
  })
  'os-resetState'!: { state: 'active' | 'error' };
}
