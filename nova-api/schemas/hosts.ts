// PUT /os-hosts/{host} body (nova schemas/hosts.py): status and maintenance_mode, each one of
// six spellings of enable/disable; nothing else. (Nova's anyOf sits inside its properties, so a
// body with neither passes; the answer is then the host alone.)
import { Schema, type JsonSchema } from '../../common/api';

const toggle: JsonSchema = { type: 'string', enum: ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'] };

export class HostUpdate {
  @Schema(toggle) status?: string;
  @Schema(toggle) maintenance_mode?: string;
}
