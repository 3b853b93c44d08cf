// The rebuild action's body (nova schemas/servers.py rebuild, rebuild_v219, v254, v257, v263,
// v290, v294), one DTO per microversion range, and what the compute API takes from it.
import { IsDefined } from '../../common/api/class-validator';
import { Schema, type APIVersion, type JsonSchema } from '../../common/api';
import { MV } from '../microversions';
import type { RebuildRequest } from '../compute/rebuild';
import { autoDiskConfig, canonicalIPv6, checkPersonality } from './server-create-extras';
import * as t from './parameter-types';

type Properties = Record<string, JsonSchema>;

export interface RebuildBody {
  imageRef: string;
  name?: string;
  adminPass?: string;
  metadata?: Record<string, string>;
  preserve_ephemeral?: boolean | string;
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  accessIPv4?: string;
  accessIPv6?: string;
  personality?: Array<{ path?: string; contents?: string }>;
  description?: string | null;
  key_name?: string | null;
  user_data?: string | null;
  trusted_image_certificates?: string[] | null;
  hostname?: string;
}

const REBUILD: Properties = {
  name: t.name, imageRef: t.uuid, adminPass: t.adminPassword, metadata: t.metadata, preserve_ephemeral: t.boolean,
  'OS-DCF:diskConfig': t.diskConfig, accessIPv4: t.accessIPv4, accessIPv6: t.accessIPv6, personality: t.personality,
};
const V219: Properties = { ...REBUILD, description: t.description };
const V254: Properties = { ...V219, key_name: { oneOf: [t.name, { type: 'null' }] } };
const { personality: _personality, ...V254_NO_FILES } = V254;
const V257: Properties = { ...V254_NO_FILES, user_data: { oneOf: [{ type: 'string', format: t.base64.format, maxLength: 65535 }, { type: 'null' }] } };
const V263: Properties = { ...V257, trusted_image_certificates: t.trustedCerts };
const V290: Properties = { ...V263, hostname: t.hostname };
const V294: Properties = { ...V290, hostname: t.fqdn };

function body(props: Properties): new () => { rebuild: RebuildBody } {
  const schema: JsonSchema = { type: 'object', properties: props, required: ['imageRef'], additionalProperties: false };
  class Body {
    @IsDefined() @Schema(schema) rebuild!: RebuildBody;
  }
  return Body;
}

const BODIES = ([
  [MV.FQDN_HOSTNAME, V294], [MV.HOSTNAME, V290], [MV.TRUSTED_CERTS, V263], ['2.57', V257], ['2.54', V254], [MV.DESCRIPTION, V219], ['2.1', REBUILD],
] as const).map(([mv, props]) => [mv, body(props)] as const);

/** The rebuild body's DTO at a microversion. */
export const rebuildBody = (version: APIVersion): new () => { rebuild: RebuildBody } =>
  (BODIES.find(([mv]) => version.atLeast(mv)) ?? BODIES[BODIES.length - 1])[1];

/** A validated rebuild body as the compute API takes it (what was sent; key_name from 2.54 on). */
export function rebuildRequest(b: RebuildBody): RebuildRequest {
  checkPersonality(b.personality);
  return {
    imageRef: b.imageRef, adminPass: b.adminPass, name: b.name, metadata: b.metadata, description: b.description,
    keyName: b.key_name, userData: b.user_data, hostname: b.hostname, accessIpV4: b.accessIPv4, accessIpV6: canonicalIPv6(b.accessIPv6),
    autoDiskConfig: autoDiskConfig(b['OS-DCF:diskConfig']), trustedCerts: !!b.trusted_image_certificates?.length,
  };
}
