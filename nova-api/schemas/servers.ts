// POST /servers body (schemas/servers.py, the part we act on). Keys Nova accepts but we do not
// model (networks, key_name, ...) are allowed and ignored; anything else is rejected.
import { badRequest } from '../../common/api';
import type { CreateServerRequest } from '../compute/api';

const ACCEPTED = new Set(['name', 'imageRef', 'flavorRef', 'metadata', 'networks', 'availability_zone', 'key_name',
  'security_groups', 'user_data', 'config_drive', 'adminPass', 'description', 'tags', 'block_device_mapping_v2',
  'block_device_mapping', 'min_count', 'max_count', 'return_reservation_id', 'accessIPv4', 'accessIPv6',
  'OS-DCF:diskConfig', 'personality', 'hostname', 'host', 'hypervisor_hostname', 'trusted_image_certificates']);
const TOP = new Set(['server', 'os:scheduler_hints', 'OS-SCH-HNT:scheduler_hints']);

const repr = (v: unknown): string => (v === null || v === undefined ? 'None' : typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
const invalid = (field: string, value: unknown, why: string): never => {
  throw badRequest(`Invalid input for field/attribute ${field}. Value: ${repr(value)}. ${why}`);
};

export function parseCreateServer(body: unknown): CreateServerRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest("'server' is a required property");
  const root = body as Record<string, unknown>;
  if (!('server' in root)) throw badRequest("'server' is a required property");
  const extraTop = Object.keys(root).find((k) => !TOP.has(k));
  if (extraTop) throw badRequest(`Additional properties are not allowed ('${extraTop}' was unexpected)`);
  const s = root.server;
  if (!s || typeof s !== 'object' || Array.isArray(s)) invalid('server', s, `${repr(s)} is not of type 'object'`);
  const server = s as Record<string, unknown>;
  const extra = Object.keys(server).find((k) => !ACCEPTED.has(k));
  if (extra) throw badRequest(`Invalid input for field/attribute server. Value: ${repr(server)}. Additional properties are not allowed ('${extra}' was unexpected)`);
  const name = server.name;
  if (name === undefined) invalid('server', server, "'name' is a required property");
  if (typeof name !== 'string') invalid('name', name, `${repr(name)} is not of type 'string'`);
  const n = name as string;
  if (n.length < 1 || n.length > 255 || n.trim() !== n) invalid('name', n, `${repr(n)} does not match '^(?! )[\\x00-\\x7f]*(?<! )$'`);
  const imageRef = server.imageRef;
  if (imageRef !== undefined && imageRef !== null && typeof imageRef !== 'string') invalid('imageRef', imageRef, `${repr(imageRef)} is not of type 'string'`);
  const flavorRef = server.flavorRef;
  if (flavorRef !== undefined && typeof flavorRef !== 'string' && typeof flavorRef !== 'number') {
    invalid('flavorRef', flavorRef, `${repr(flavorRef)} is not of type 'string', 'integer'`);
  }
  const md = server.metadata;
  if (md !== undefined) {
    if (!md || typeof md !== 'object' || Array.isArray(md)) invalid('metadata', md, `${repr(md)} is not of type 'object'`);
    for (const [k, v] of Object.entries(md as Record<string, unknown>)) {
      if (k.length < 1 || k.length > 255) invalid('metadata', md, `'${k}' does not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'`);
      if (typeof v !== 'string' || v.length > 255) invalid(k, v, `${repr(v)} is not of type 'string'`);
    }
  }
  const az = server.availability_zone;
  if (az !== undefined && typeof az !== 'string') invalid('availability_zone', az, `${repr(az)} is not of type 'string'`);
  return {
    name: n, imageRef: typeof imageRef === 'string' && imageRef ? imageRef : null,
    flavorRef: flavorRef === undefined ? '1' : String(flavorRef), metadata: (md ?? {}) as Record<string, string>,
    availabilityZone: (az as string | undefined) ?? null,
  };
}
