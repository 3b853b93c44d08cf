// Server-create fields we store nothing for but must still judge as Nova does (servers.py,
// schemas/servers.py, compute/api.py _check_injected_file_quota), so a request Nova refuses is
// not accepted and ignored here: network uuids, personality files (before 2.57, within
// [quota] injected_files* defaults), key_name (no keypairs are served, so none exists) and
// OS-DCF:diskConfig (every server here is MANUAL: AUTO cannot be honoured).
import { badRequest, forbidden, invalidInput, pyRepr as repr, type APIVersion } from '../../common/api';

/** Nova's [quota] defaults: injected_files, injected_file_path_length, injected_file_content_bytes. */
const INJECTED_FILES = 5;
const INJECTED_FILE_PATH = 255;
const INJECTED_FILE_CONTENT = 10 * 1024;
/** 2.57 removes personality from the create body. */
const PERSONALITY_REMOVED = '2.57';

const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** oslo's is_uuid_like: a uuid once braces, hyphens and "urn:uuid:" are set aside. */
function isUuidLike(v: string): boolean {
  const s = v.toLowerCase().replace(/^urn:uuid:/, '').replace(/[{}]/g, '');
  return UUID_LIKE.test(s) && s.replace(/-/g, '').length === 32;
}

/** _validate_network_id: each requested network's uuid must look like one. */
export function checkNetworks(networks: unknown): void {
  if (!Array.isArray(networks)) return;
  for (const n of networks) {
    const uuid = n && typeof n === 'object' ? (n as Record<string, unknown>).uuid : undefined;
    if (typeof uuid === 'string' && !isUuidLike(uuid)) throw badRequest(`Bad networks format: network uuid is not in proper format (${uuid})`);
  }
}

/** base64.decodebytes' leniency: characters outside the alphabet are skipped, the rest must fill whole quads. */
function isBase64(s: string): boolean {
  const body = s.replace(/[^A-Za-z0-9+/=]/g, '');
  const data = body.replace(/=+$/, '');
  if (/=/.test(data)) return false;
  const rem = data.length % 4;
  return rem === 0 || (rem >= 2 && body.length - data.length >= 4 - rem);
}

/** parameter_types.personality, then the injected-file quotas (403, OnsetFile*LimitExceeded). */
export function checkPersonality(server: Record<string, unknown>, version: APIVersion): void {
  if (!('personality' in server)) return;
  if (version.atLeast(PERSONALITY_REMOVED)) throw invalidInput('server', server, "Additional properties are not allowed ('personality' was unexpected)");
  const p = server.personality;
  if (!Array.isArray(p)) throw invalidInput('personality', p, `${repr(p)} is not of type 'array'`);
  for (const f of p) {
    if (!f || typeof f !== 'object' || Array.isArray(f)) throw invalidInput('personality', f, `${repr(f)} is not of type 'object'`);
    const file = f as Record<string, unknown>;
    const extra = Object.keys(file).find((k) => k !== 'path' && k !== 'contents');
    if (extra) throw invalidInput('personality', file, `Additional properties are not allowed ('${extra}' was unexpected)`);
    if (file.path !== undefined && typeof file.path !== 'string') throw invalidInput('path', file.path, `${repr(file.path)} is not of type 'string'`);
    if (file.contents !== undefined) {
      if (typeof file.contents !== 'string') throw invalidInput('contents', file.contents, `${repr(file.contents)} is not of type 'string'`);
      if (!isBase64(file.contents)) throw invalidInput('contents', file.contents, `${repr(file.contents)} is not a 'base64'`);
    }
  }
  if (p.length > INJECTED_FILES) throw forbidden('Personality file limit exceeded');
  const files = p as Array<{ path?: string; contents?: string }>;
  if (files.some((f) => (f.path ?? '').length > INJECTED_FILE_PATH)) throw forbidden(`Personality file path exceeds maximum ${INJECTED_FILE_PATH}`);
  if (files.some((f) => Buffer.from(f.contents ?? '', 'base64').length > INJECTED_FILE_CONTENT)) {
    throw forbidden(`Personality file content exceeds maximum ${INJECTED_FILE_CONTENT}`);
  }
}

/** parameter_types.disk_config: AUTO is true, MANUAL false, undefined when not given (kept as Nova keeps it). */
export function checkDiskConfig(server: Record<string, unknown>): boolean | undefined {
  const dc = server['OS-DCF:diskConfig'];
  if (dc === undefined) return undefined;
  if (typeof dc !== 'string') throw invalidInput('OS-DCF:diskConfig', dc, `${repr(dc)} is not of type 'string'`);
  if (dc !== 'AUTO' && dc !== 'MANUAL') throw invalidInput('OS-DCF:diskConfig', dc, `${repr(dc)} is not one of ['AUTO', 'MANUAL']`);
  return dc === 'AUTO';
}

/** key_name (parameter_types.name), then the lookup: no keypair exists here. */
export function checkKeyName(server: Record<string, unknown>): void {
  const k = server.key_name;
  if (k === undefined) return;
  if (typeof k !== 'string') throw invalidInput('key_name', k, `${repr(k)} is not of type 'string'`);
  throw badRequest('Invalid key_name provided.');
}
