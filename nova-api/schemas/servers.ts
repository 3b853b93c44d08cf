// POST /servers body (schemas/servers.py, the part we act on). Keys Nova accepts but we do not
// model (networks, key_name, ...) are allowed and ignored; anything else is rejected.
import { isIPv4, isIPv6 } from 'node:net';
import { badRequest, invalidInput, pyRepr as repr, type APIVersion } from '../../common/api';
import type { CreateServerRequest, ServerUpdate } from '../compute/api';
import { MV } from '../microversions';
import { parseBlockDeviceMappingV2 } from './block-device-mapping';
import { parseSchedulerHints } from './scheduler-hints';
import { checkDiskConfig, checkKeyName, checkNetworks, checkPersonality } from './server-create-extras';

const ACCEPTED = new Set(['name', 'imageRef', 'flavorRef', 'metadata', 'networks', 'availability_zone', 'key_name',
  'security_groups', 'user_data', 'config_drive', 'adminPass', 'description', 'tags', 'block_device_mapping_v2',
  'block_device_mapping', 'min_count', 'max_count', 'return_reservation_id', 'accessIPv4', 'accessIPv6',
  'OS-DCF:diskConfig', 'personality', 'trusted_image_certificates']);
/** create_v274 adds the requested destination. */
const DESTINATION = ['host', 'hypervisor_hostname'];
/** parameter_types.fqdn. */
const FQDN = /^[a-zA-Z0-9-._]*$/;
const TOP = new Set(['server', 'os:scheduler_hints', 'OS-SCH-HNT:scheduler_hints']);

const invalid = (field: string, value: unknown, why: string): never => {
  throw invalidInput(field, value, why);
};

function checkName(name: unknown): string {
  if (typeof name !== 'string') invalid('name', name, `${repr(name)} is not of type 'string'`);
  const n = name as string;
  if (n.length < 1 || n.length > 255 || n.trim() !== n) invalid('name', n, `${repr(n)} does not match '^(?! )[\\x00-\\x7f]*(?<! )$'`);
  return n;
}

/**
 * parameter_types.hostname (2.90 create/update): 2-63 characters, letters, digits and inner '-'.
 * Python's '$' also matches before a final newline, so jsonschema lets 'ab\n' through.
 */
const HOSTNAME_PATTERN = '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$';
const HOSTNAME_RE = /^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+\n?$/;

function checkHostname(h: unknown): string {
  if (typeof h !== 'string') return invalid('hostname', h, `${repr(h)} is not of type 'string'`);
  const len = [...h].length; // code points, as Python's len()
  if (len < 2) invalid('hostname', h, `${repr(h)} is too short`);
  if (len > 63) invalid('hostname', h, `${repr(h)} is too long`);
  if (!HOSTNAME_RE.test(h)) invalid('hostname', h, `${repr(h)} does not match '${HOSTNAME_PATTERN}'`);
  return h;
}

/** parameter_types.fqdn (2.94 create/update): checked in the schema's order (type, pattern, lengths). */
function checkFqdnHostname(h: unknown): string {
  if (typeof h !== 'string') return invalid('hostname', h, `${repr(h)} is not of type 'string'`);
  if (!/^[a-zA-Z0-9-._]*\n?$/.test(h)) invalid('hostname', h, `${repr(h)} does not match '^[a-zA-Z0-9-._]*$'`);
  const len = [...h].length;
  if (len < 1) invalid('hostname', h, `${repr(h)} is too short`);
  if (len > 255) invalid('hostname', h, `${repr(h)} is too long`);
  return h;
}

const hostnameAt = (version: APIVersion): ((h: unknown) => string) => (version.atLeast(MV.FQDN_HOSTNAME) ? checkFqdnHostname : checkHostname);

/** What binascii.a2b_base64 (non-strict, as base64.decodebytes) accepts: the 'base64' format. */
function isBase64(s: string): boolean {
  let quad = 0;
  let pads = 0;
  for (const ch of s) {
    if (ch === '=') {
      if (quad >= 2 && quad + ++pads >= 4) return true;
      continue;
    }
    if (!/^[A-Za-z0-9+/]$/.test(ch)) continue;
    pads = 0;
    quad = (quad + 1) % 4;
  }
  return quad === 0;
}

/** user_data: base64 text of at most 65535 characters (jsonschema checks type, format, length). */
function checkUserData(u: unknown): string | null {
  if (u === undefined) return null;
  if (typeof u !== 'string') return invalid('user_data', u, `${repr(u)} is not of type 'string'`);
  if (!isBase64(u)) invalid('user_data', u, `${repr(u)} is not a 'base64'`);
  if ([...u].length > 65535) invalid('user_data', u, `${repr(u)} is too long`);
  return u;
}

/** accessIPv4/accessIPv6/description: shared by create and update (schemas/servers.py). */
function commonFields(server: Record<string, unknown>): Pick<CreateServerRequest, 'accessIpV4' | 'accessIpV6' | 'description'> {
  const v4 = server.accessIPv4;
  if (v4 !== undefined && (typeof v4 !== 'string' || !isIPv4(v4))) invalid('accessIPv4', v4, `${repr(v4)} is not a 'ipv4'`);
  let v6 = server.accessIPv6;
  if (v6 !== undefined && (typeof v6 !== 'string' || !isIPv6(v6))) invalid('accessIPv6', v6, `${repr(v6)} is not a 'ipv6'`);
  // Nova's IPAddress column stores the canonical (compressed, hex) form; the URL parser makes it.
  if (typeof v6 === 'string') v6 = new URL(`http://[${v6}]/`).hostname.slice(1, -1);
  const d = server.description;
  if (d !== undefined && d !== null && (typeof d !== 'string' || d.length > 255)) invalid('description', d, `${repr(d)} is not of type 'string', 'null'`);
  return { accessIpV4: v4 as string | undefined, accessIpV6: v6 as string | undefined, description: d as string | null | undefined };
}

/** PUT /servers/{id} body: name, description, accessIPv4/v6, hostname from 2.90 (an FQDN from 2.94). */
export function parseUpdateServer(body: unknown, version: APIVersion): ServerUpdate {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('server' in body)) throw badRequest("'server' is a required property");
  const root = body as Record<string, unknown>;
  const extraTop = Object.keys(root).find((k) => k !== 'server');
  if (extraTop) throw badRequest(`Additional properties are not allowed ('${extraTop}' was unexpected)`);
  const s = root.server;
  if (!s || typeof s !== 'object' || Array.isArray(s)) return invalid('server', s, `${repr(s)} is not of type 'object'`);
  const server = s as Record<string, unknown>;
  const keys = ['name', 'description', 'accessIPv4', 'accessIPv6', 'OS-DCF:diskConfig', ...(version.atLeast(MV.HOSTNAME) ? ['hostname'] : [])];
  const extra = Object.keys(server).find((k) => !keys.includes(k));
  if (extra) throw invalidInput('server', server, `Additional properties are not allowed ('${extra}' was unexpected)`);
  const autoDiskConfig = checkDiskConfig(server);
  return {
    ...(autoDiskConfig !== undefined ? { autoDiskConfig } : {}),
    ...(server.name !== undefined ? { name: checkName(server.name) } : {}), ...commonFields(server),
    ...(server.hostname !== undefined ? { hostname: hostnameAt(version)(server.hostname) } : {}),
  };
}

export function parseCreateServer(body: unknown, version: APIVersion): CreateServerRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest("'server' is a required property");
  const root = body as Record<string, unknown>;
  if (!('server' in root)) throw badRequest("'server' is a required property");
  const extraTop = Object.keys(root).find((k) => !TOP.has(k));
  if (extraTop) throw badRequest(`Additional properties are not allowed ('${extraTop}' was unexpected)`);
  const s = root.server;
  if (!s || typeof s !== 'object' || Array.isArray(s)) invalid('server', s, `${repr(s)} is not of type 'object'`);
  const server = s as Record<string, unknown>;
  const extra = Object.keys(server).find((k) => !ACCEPTED.has(k) && !(k === 'hostname' && version.atLeast(MV.HOSTNAME))
    && !(DESTINATION.includes(k) && version.atLeast(MV.REQUESTED_DESTINATION)));
  if (extra) throw invalidInput('server', server, `Additional properties are not allowed ('${extra}' was unexpected)`);
  for (const k of DESTINATION) {
    const h = server[k];
    if (h === undefined) continue;
    if (typeof h !== 'string') invalid(k, h, `${repr(h)} is not of type 'string'`);
    const len = (h as string).length;
    if (len < 1 || len > 255) invalid(k, h, `${repr(h)} is too ${len ? 'long' : 'short'}`);
    if (!FQDN.test(h as string)) invalid(k, h, `${repr(h)} does not match '^[a-zA-Z0-9-._]*$'`);
  }
  const name = server.name;
  if (name === undefined) invalid('server', server, "'name' is a required property");
  const n = checkName(name);
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
  // parameter_types.name: 1..255 characters (also the instances column's width).
  if (typeof az === 'string' && (az.length < 1 || az.length > 255)) invalid('availability_zone', az, `${repr(az)} is too ${az.length ? 'long' : 'short'}`);
  const pass = server.adminPass;
  if (pass !== undefined && typeof pass !== 'string') invalid('adminPass', pass, `${repr(pass)} is not of type 'string'`);
  const count = (field: string, dflt: number): number => {
    const v = server[field];
    if (v === undefined) return dflt;
    if ((typeof v !== 'number' && typeof v !== 'string') || !/^[0-9]+$/.test(String(v))) {
      return invalid(field, v, typeof v === 'string' ? `${repr(v)} does not match '^[0-9]*$'` : `${repr(v)} is not of type 'integer', 'string'`);
    }
    if (Number(v) < 1) invalid(field, v, `${repr(v)} is less than the minimum of 1`);
    return Number(v);
  };
  const minCount = count('min_count', 1);
  const maxCount = count('max_count', minCount);
  if (minCount > maxCount) throw badRequest('min_count must be <= max_count');
  const rri = server.return_reservation_id;
  if (rri !== undefined && typeof rri !== 'boolean') invalid('return_reservation_id', rri, `${repr(rri)} is not of type 'boolean'`);
  const userData = checkUserData(server.user_data);
  // hostname is the schema's last property (create_v290), so jsonschema reports it last.
  const hostname = server.hostname === undefined ? null : hostnameAt(version)(server.hostname);
  // The schema checks both hint keys; Nova takes os:scheduler_hints when both are given.
  const hints = parseSchedulerHints('os:scheduler_hints', root['os:scheduler_hints']);
  const legacyHints = parseSchedulerHints('OS-SCH-HNT:scheduler_hints', root['OS-SCH-HNT:scheduler_hints']);
  const bootVolumes = parseBlockDeviceMappingV2(server.block_device_mapping_v2);
  // What Nova judges after the schema (networks, injected files, disk config, the keypair lookup).
  checkPersonality(server, version);
  const autoDiskConfig = checkDiskConfig(server) ?? false;
  checkNetworks(server.networks);
  checkKeyName(server);
  return {
    hostname, userData, autoDiskConfig,
    bootVolumes,
    requestedHost: (server.host as string | undefined) ?? null, requestedNode: (server.hypervisor_hostname as string | undefined) ?? null,
    ...commonFields(server), adminPass: pass as string | undefined, minCount, maxCount, returnReservationId: rri === true,
    name: n, imageRef: typeof imageRef === 'string' && imageRef ? imageRef : null,
    flavorRef: flavorRef === undefined ? '1' : String(flavorRef), metadata: (md ?? {}) as Record<string, string>,
    availabilityZone: (az as string | undefined) ?? null,
    schedulerHints: 'os:scheduler_hints' in root ? hints : legacyHints,
  };
}
