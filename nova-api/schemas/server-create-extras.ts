// What Nova judges after the server create/update schema (servers.py, compute/api.py
// _check_injected_file_quota), so a request Nova refuses is not accepted and ignored here:
// min_count <= max_count, network uuids (before 2.37 any string), personality files within
// [quota] injected_files* defaults and the
// block devices this cloud can boot with; then the validated body as the compute API takes it.
import { badRequest, forbidden } from '../../common/api';
import type { CreateServerRequest, ServerUpdate } from '../compute/api';
import { bootVolumes } from './block-device-mapping';
import { isUuidLike, toBoolean } from './parameter-types';
import { storedHints } from './scheduler-hints';
import type { CreateServerBody, ServerCreate, ServerUpdateBody } from './servers';

/** Nova's [quota] defaults: injected_files, injected_file_path_length, injected_file_content_bytes. */
const INJECTED_FILES = 5;
const INJECTED_FILE_PATH = 255;
const INJECTED_FILE_CONTENT = 10 * 1024;

/** _validate_network_id: each requested network's uuid must look like one. */
function checkNetworks(networks: ServerCreate['networks']): void {
  if (!Array.isArray(networks)) return;
  for (const { uuid } of networks) {
    if (uuid !== undefined && !isUuidLike(uuid)) throw badRequest(`Bad networks format: network uuid is not in proper format (${uuid})`);
  }
}

/** The injected-file quotas (403, OnsetFile*LimitExceeded) of a personality the schema let through. */
export function checkPersonality(files: ServerCreate['personality']): void {
  if (!files) return;
  if (files.length > INJECTED_FILES) throw forbidden('Personality file limit exceeded');
  if (files.some((f) => (f.path ?? '').length > INJECTED_FILE_PATH)) throw forbidden(`Personality file path exceeds maximum ${INJECTED_FILE_PATH}`);
  if (files.some((f) => Buffer.from(f.contents ?? '', 'base64').length > INJECTED_FILE_CONTENT)) {
    throw forbidden(`Personality file content exceeds maximum ${INJECTED_FILE_CONTENT}`);
  }
}

/** Nova's IPAddress column keeps the canonical (compressed, hex) form; the URL parser makes it. */
export const canonicalIPv6 = (v6: string | undefined): string | undefined => (v6 === undefined ? v6 : new URL(`http://[${v6}]/`).hostname.slice(1, -1));

/** OS-DCF:diskConfig: AUTO is true, MANUAL false, undefined when not given (kept as Nova keeps it). */
export const autoDiskConfig = (dc: 'AUTO' | 'MANUAL' | undefined): boolean | undefined => (dc === undefined ? undefined : dc === 'AUTO');

/** A validated create body as the compute API takes it. */
export function createServerRequest(body: CreateServerBody): CreateServerRequest {
  const s = body.server;
  const minCount = s.min_count === undefined ? 1 : Number(s.min_count);
  const maxCount = s.max_count === undefined ? minCount : Number(s.max_count);
  if (minCount > maxCount) throw badRequest('min_count must be <= max_count');
  // The schema checks both hint keys; Nova takes os:scheduler_hints when both are given.
  const hints = storedHints(body['os:scheduler_hints']);
  const legacyHints = storedHints(body['OS-SCH-HNT:scheduler_hints']);
  const boot = bootVolumes(s.block_device_mapping_v2);
  checkPersonality(s.personality);
  checkNetworks(s.networks);
  return {
    name: s.name, tags: s.tags, imageRef: s.imageRef || null, flavorRef: String(s.flavorRef), metadata: s.metadata ?? {},
    availabilityZone: s.availability_zone ?? null, accessIpV4: s.accessIPv4, accessIpV6: canonicalIPv6(s.accessIPv6),
    description: s.description, adminPass: s.adminPass, minCount, maxCount, returnReservationId: s.return_reservation_id !== undefined && toBoolean(s.return_reservation_id),
    hostname: s.hostname ?? null, userData: s.user_data ?? null, bootVolumes: boot,
    requestedHost: s.host ?? null, requestedNode: s.hypervisor_hostname ?? null,
    schedulerHints: body['os:scheduler_hints'] !== undefined ? hints : legacyHints,
    autoDiskConfig: autoDiskConfig(s['OS-DCF:diskConfig']) ?? false, keyName: s.key_name ?? null,
    securityGroups: [...new Set((s.security_groups ?? []).map((g) => g.name).filter((n): n is string => !!n))],
  };
}

/** A validated update body as the compute API takes it (only what was sent). */
export function serverUpdate(s: ServerUpdateBody): ServerUpdate {
  const out: ServerUpdate = {
    name: s.name, description: s.description, accessIpV4: s.accessIPv4, accessIpV6: canonicalIPv6(s.accessIPv6),
    hostname: s.hostname, autoDiskConfig: autoDiskConfig(s['OS-DCF:diskConfig']),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as ServerUpdate;
}
