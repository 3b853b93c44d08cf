// Volume-list query parameters that depend on the microversion (cinder/api/v3/volumes.py
// _get_volumes): `with_count` (3.45), the created_at/updated_at time comparisons (3.60) and
// `consumes_quota` (3.65). Cinder prunes the filters a version lacks only on its pre-3.31 path;
// from 3.31 (generalized filters) it hands them all on, so the time and quota filters work at
// any version from 3.31, and below it time filters are dropped while consumes_quota, naming no
// column, matches nothing. From 3.31 a non-admin may name only the configured filters (400
// otherwise). Parse errors are 400s with Cinder's messages.
import { badRequest, type APIVersion } from '../common/api';
import { parse as parseQuery } from 'node:querystring';
import { getMetadataArgsStorage } from 'typeorm';
import { Volume, VolumeAttachment } from '../cinder-common/entities';
import { collationEquals, collationKey } from './collation';
import { RESOURCE_FILTER, SUPPORT_COUNT_INFO } from './microversions';
import { RESOURCE_FILTERS } from './resource-filters';

const TRUE_STRINGS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_STRINGS = ['0', 'f', 'false', 'off', 'n', 'no'];

/** oslo's bool_from_string, not strict: a true word (any case, spaces trimmed) or a boolean; anything else is false. */
export function boolFromString(v: unknown): boolean {
  return typeof v === 'boolean' ? v : TRUE_STRINGS.includes(String(v).trim().toLowerCase());
}

/** utils.get_bool_param: oslo's strict bool_from_string. */
export function boolParam(name: string, raw: string): boolean {
  const s = raw.toLowerCase();
  if (TRUE_STRINGS.includes(s)) return true;
  if (FALSE_STRINGS.includes(s)) return false;
  throw badRequest(`Value '${raw}' for '${name}' is not a boolean.`);
}

const OPERATORS = ['gt', 'gte', 'eq', 'neq', 'lt', 'lte'] as const;
type Operator = (typeof OPERATORS)[number];

// What iso8601.parse_date (oslo's parse_isotime) accepts: YYYY[-MM[-DD[( |T)hh[:mm[:ss[.f]]][Z|±hh[:mm]]]]],
// separators optional. A time without a zone is UTC.
const ISO8601 = new RegExp('^(\\d{4})(?:(?:-(\\d{1,2})|(\\d{2})(?!$))(?:(?:-(\\d{1,2})|(\\d{2}))' +
  '(?:[ T](\\d{2})(?::?(\\d{2}))?(?::?(\\d{1,2})(?:[.,](\\d+))?)?(Z|([-+])(\\d{2}):?(\\d{2})?)?)?)?)?$');

/** Milliseconds since the epoch, or null where Python would raise ValueError. */
export function parseIsoTime(text: string): number | null {
  const m = ISO8601.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2] ?? m[3] ?? 1), Number(m[4] ?? m[5] ?? 1)];
  const [hour, minute, second] = [Number(m[6] ?? 0), Number(m[7] ?? 0), Number(m[8] ?? 0)];
  const ms = m[9] ? Math.floor(Number(`0.${m[9]}`) * 1000) : 0;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(t);
  // datetime() refuses what Date.UTC would roll over (month 13, Feb 30, 25:00…).
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const offset = m[10] && m[10] !== 'Z' ? (m[11] === '-' ? -1 : 1) * (Number(m[12]) * 60 + Number(m[13] ?? 0)) : 0;
  return t - offset * 60_000;
}

/** "op:time[,op:time…]" → operator → time; a later repeat of an operator wins, as in Cinder's dict. */
function parseComparison(raw: string): Map<Operator, number> {
  const out = new Map<Operator, number>();
  for (const unit of raw.split(',')) {
    const [op, ...rest] = unit.split(':');
    // Only the operator is split off; a bare word is both operator and time.
    const time = rest.length ? rest.join(':') : op;
    if (!(OPERATORS as readonly string[]).includes(op)) throw badRequest(`Invalid ${op} operator`);
    const t = parseIsoTime(time);
    if (t === null) throw badRequest(`Invalid ${time} value`);
    out.set(op as Operator, t);
  }
  return out;
}

const COMPARE: Record<Operator, (a: number, b: number) => boolean> = {
  gt: (a, b) => a > b, gte: (a, b) => a >= b, eq: (a, b) => a === b, neq: (a, b) => a !== b, lt: (a, b) => a < b, lte: (a, b) => a <= b,
};

export interface VersionedListQuery {
  /** with_count asked (3.45+): the list carries `count`. */
  withCount: boolean;
  /** Keeps a volume the filters below select. */
  matches(v: Volume): boolean;
  /** The versioned keys this version understands (any other unknown key matches nothing). */
  known: Set<string>;
}

function last(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** etc/cinder/resource_filters.json's "volume": the filters a non-admin may name from 3.31. */
const USER_VOLUME_FILTERS = RESOURCE_FILTERS.volume;
/** Taken off the query before the filters are looked at (pagination, sorting). */
const NOT_FILTERS = ['marker', 'limit', 'offset', 'sort', 'sort_key', 'sort_dir'];

/**
 * reject_invalid_filters (3.31+): a non-admin naming a filter outside the configured list is
 * refused (all_tenants, which cinderclient always sends, is let through); keys must be ASCII.
 */
export function rejectInvalidFilters(keys: string[], isAdmin: boolean, allowed: readonly string[] = USER_VOLUME_FILTERS): void {
  // eslint-disable-next-line no-control-regex
  if (keys.some((k) => !/^[\x00-\x7f]*$/.test(k))) throw badRequest('Filter keys can only contain ASCII characters.');
  if (isAdmin) return;
  const invalid = keys.filter((k) => !allowed.includes(k) && k !== 'all_tenants');
  if (invalid.length) throw badRequest(`Invalid filters ${invalid.join(',')} are found in query options.`);
}

/**
 * What Cinder's MultiDict keeps of the paging and sorting keys (and of `also`, keys a list pops
 * too) once they are popped: webob's pop takes a key's first occurrence only, so the first
 * values are read (`first`) and each later occurrence stays among the filters (`leftover`, in
 * the query's order).
 */
export function poppedKeys(search: string, also: readonly string[] = []): { first: Record<string, string>; leftover: string[] } {
  const popped = [...NOT_FILTERS, ...also];
  const first: Record<string, string> = {};
  const leftover: string[] = [];
  const seen = new Set<string>();
  for (const piece of search.split('&')) {
    const [key, value] = Object.entries(parseQuery(piece))[0] ?? [];
    if (key === undefined || !popped.includes(key)) continue;
    if (seen.has(key)) leftover.push(key);
    else first[key] = String(value);
    seen.add(key);
  }
  return { first, leftover };
}

/** Reads the versioned list parameters of `q` (400 on a malformed one). */
export function versionedListQuery(q: Record<string, string | string[] | undefined>, version: APIVersion, isAdmin: boolean, leftover: string[] = []):
  VersionedListQuery {
  const withCountRaw = last(q.with_count);
  const countable = version.atLeast(SUPPORT_COUNT_INFO);
  const withCount = countable && withCountRaw !== undefined && boolParam('with_count', withCountRaw);
  const general = version.atLeast(RESOURCE_FILTER);
  // Below 3.45 with_count is just another (unknown) filter.
  if (general) rejectInvalidFilters([...Object.keys(q).filter((k) => !NOT_FILTERS.includes(k) && !(countable && k === 'with_count')), ...leftover], isAdmin);
  const tests: Array<(v: Volume) => boolean> = [];
  const quota = last(q.consumes_quota) ?? last(q.use_quota);
  if (general && quota !== undefined) {
    // consumes_quota is the API's name of the use_quota column (an SQL equality: NULL matches neither).
    const want = boolParam('use_quota', quota);
    tests.push((v) => v.useQuota === want);
  } else if (!general && q.consumes_quota !== undefined) {
    tests.push(() => false);
  }
  if (general) {
    for (const [key, get] of [['created_at', (v: Volume) => v.createdAt], ['updated_at', (v: Volume) => v.updatedAt]] as const) {
      const raw = last(q[key]);
      if (raw === undefined) continue;
      const ops = parseComparison(raw);
      // Cinder ORs the comparisons; a NULL column compares false with everything (SQL).
      tests.push((v) => {
        const t = get(v)?.getTime();
        return t !== undefined && [...ops].some(([op, at]) => COMPARE[op](t, at));
      });
    }
  }
  // Below 3.31 the time filters are pruned (not applied), so they are known there too.
  const known = new Set<string>([...(countable ? ['with_count'] : []), 'created_at', 'updated_at', ...(general ? ['consumes_quota', 'use_quota'] : [])]);
  return { withCount, matches: (v) => tests.every((t) => t(v)), known };
}

/** Cinder's volumes columns this schema does not keep: NULL for every volume here. */
const NULL_COLUMNS = ['ec2_id', 'consistencygroup_id', 'group_id', 'replication_status', 'replication_extended_status', 'replication_driver_data'];
/** The Boolean columns (db.get_booleans_for_table): check_volume_filters reads their values as flags. */
const BOOLEAN_COLUMNS = ['deleted', 'bootable', 'multiattach', 'shared_targets', 'use_quota'];
/** Filters added by a microversion, dropped below it on the pre-3.31 path (v3 volumes.py MV_ADDED_FILTERS). */
const ADDED_FILTERS: Array<[string, string]> = [['glance_metadata', '3.4'], ['group_id', '3.10'], ['use_quota', '3.65']];
/** The REST names of columns from 3.31 (common.py ATTRIBUTE_CONVERTERS). */
const CONVERTERS: Record<string, string> = { 'name~': 'display_name~', 'description~': 'display_description~' };

/** Column name → entity field, from the entity's own column list. */
export function columnsOf<T>(entity: new () => T): Map<string, keyof T> {
  return new Map(getMetadataArgsStorage().columns.filter((c) => c.target === entity)
    .map((c) => [c.options.name ?? c.propertyName, c.propertyName as keyof T]));
}
let columnsOfVolume: Map<string, keyof Volume> | undefined;
const volumeColumns = (): Map<string, keyof Volume> => (columnsOfVolume ??= columnsOf(Volume));
let columnsOfAttachment: Map<string, keyof VolumeAttachment> | undefined;
/** The volume_attachment columns (their names are also the attachment list's sort keys). */
export const attachmentColumns = (): Map<string, keyof VolumeAttachment> => (columnsOfAttachment ??= columnsOf(VolumeAttachment));

/** ast.literal_eval of a filter value, as far as a query string uses it; a value it refuses stays the string. */
export function pyLiteral(raw: string): unknown {
  const s = raw.replace(/\s+$/, '');
  if (/^[+-]?\d+$/.test(s)) return Number(s);
  if (/^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (s === 'True' || s === 'False') return s === 'True';
  if (s === 'None') return null;
  const quoted = /^'([^'\\]*)'$|^"([^"\\]*)"$/.exec(s);
  if (quoted) return quoted[1] ?? quoted[2];
  if (/^[[({]/.test(s)) {
    for (const text of [s, s.replace(/'/g, '"')]) {
      try {
        return JSON.parse(text.replace(/^\((.*)\)$/s, '[$1]').replace(/\bNone\b/g, 'null').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false')) as unknown;
      } catch {
        // try the next spelling
      }
    }
  }
  return raw;
}

/** volume_api._check_boolean_filter_value: strict from 3.2 (400), before it any text but a false one is true. */
function booleanFilter(key: string, raw: string, strict: boolean): boolean {
  if (strict) {
    const s = raw.toLowerCase();
    if (TRUE_STRINGS.includes(s)) return true;
    if (FALSE_STRINGS.includes(s)) return false;
    throw badRequest(`Invalid input received: '${key} = ${raw}'`);
  }
  if (['False', 'false', 'FALSE'].includes(raw)) return false;
  return raw !== '';
}

/** An SQL equality of a column with a literal (MySQL compares a number with a string as numbers). */
export function sqlEquals(column: unknown, want: unknown): boolean {
  if (want === null) return column === null || column === undefined;
  if (column === null || column === undefined) return false;
  if (column instanceof Date) return false;
  if (typeof want === 'number' || typeof column === 'number' || typeof column === 'boolean' || typeof want === 'boolean') {
    const n = (x: unknown): number => (typeof x === 'boolean' ? Number(x) : typeof x === 'number' ? x : parseFloat(String(x)) || 0);
    return n(column) === n(want);
  }
  return collationEquals(String(column), String(want));
}

/** _filter_host: the host itself, or any backend or pool of it. */
function hostMatches(host: string | null, want: string): boolean {
  if (host === null) return false;
  if (host === want) return true;
  if (want.includes('#')) return false;
  return host.startsWith(`${want}#`) || (!want.includes('@') && host.startsWith(`${want}@`));
}

/**
 * The column filters of a volume list (v3 volumes.py _get_volumes → volume_api.check_volume_filters
 * → db _process_volume_filters): every query key left once pagination, sorting, the keys
 * `handled` elsewhere and (below 3.31) the filters a version lacks are taken off names a volumes
 * column, matched exactly on the value ast.literal_eval makes of it (a list is IN, None IS NULL);
 * the Boolean columns take flags; `key~` (3.31+) is a LIKE; host and cluster_name match their
 * backends and pools. A key naming no column, or a metadata that is not a dict, matches nothing;
 * a user's key outside the configured filters is dropped first.
 * Returns the test, the metadata and glance metadata dicts to match (null when none), and whether the
 * query is made at all (not when a key matches nothing: Cinder's filter step returns None).
 */
export function columnFilters(q: Record<string, string | string[] | undefined>, version: APIVersion, handled: Set<string>, isAdmin = true, leftover: string[] = []):
  { matches: (v: Volume) => boolean; metadata: Record<string, unknown> | null; glanceMetadata: Record<string, unknown> | null; valid: boolean } {
  const none = { matches: (): boolean => false, metadata: null, glanceMetadata: null, valid: false };
  const general = version.atLeast(RESOURCE_FILTER);
  const columns = volumeColumns();
  const tests: Array<(v: Volume) => boolean> = [];
  let metadata: Record<string, unknown> | null = null;
  let glanceMetadata: Record<string, unknown> | null = null;
  // A key that matches nothing is found by the database query, after check_volume_filters has
  // read every Boolean filter (strictly from 3.2): the loop goes on to those.
  // A popped key left over (poppedKeys) names no column; a user's is dropped (or refused from
  // 3.31), but for `name`, popped after the user's filters were pruned.
  let nothing = leftover.some((k) => isAdmin || k === 'name');
  for (const [rawKey, rawValue] of Object.entries(q)) {
    const raw = last(rawValue);
    if (raw === undefined || NOT_FILTERS.includes(rawKey) || handled.has(rawKey)) continue;
    if (!general && ADDED_FILTERS.some(([k, mv]) => k === rawKey && !version.atLeast(mv))) continue;
    // remove_invalid_filter_options: a user's keys beyond the configured filters are dropped (from
    // 3.31 they were refused before this).
    if (!isAdmin && !USER_VOLUME_FILTERS.includes(rawKey)) continue;
    const key = general ? CONVERTERS[rawKey] ?? rawKey : rawKey;
    if (key === 'metadata' || key === 'glance_metadata') {
      const dict = pyLiteral(raw);
      if (!dict || typeof dict !== 'object' || Array.isArray(dict)) { nothing = true; continue; }
      if (key === 'glance_metadata') glanceMetadata = dict as Record<string, unknown>;
      else metadata = dict as Record<string, unknown>;
      continue;
    }
    if (key === 'host' || key === 'cluster_name') {
      const field = key === 'host' ? 'host' : 'clusterName';
      if (raw) tests.push((v) => hostMatches(v[field], raw));
      continue;
    }
    const like = key.endsWith('~');
    const column = like ? key.slice(0, -1) : key;
    // The model's `name` property is no column: its LIKE is skipped (as a value neither str nor int is).
    if (like && column === 'name') continue;
    const field = columns.get(column);
    if (!field && !NULL_COLUMNS.includes(column)) { nothing = true; continue; }
    const get = (v: Volume): unknown => (field ? v[field] : null);
    if (BOOLEAN_COLUMNS.includes(column) && !like) {
      const want = booleanFilter(column, raw, version.atLeast('3.2'));
      tests.push((v) => sqlEquals(get(v), want));
      continue;
    }
    const want = column === 'display_name' ? raw : pyLiteral(raw);
    if (like) {
      if (typeof want !== 'string' && typeof want !== 'number' && typeof want !== 'boolean') continue;
      const text = collationKey(String(want));
      tests.push((v) => { const x = get(v); return x !== null && x !== undefined && collationKey(String(x)).includes(text); });
    } else if (Array.isArray(want)) {
      tests.push((v) => want.some((w) => sqlEquals(get(v), w)));
    } else {
      tests.push((v) => sqlEquals(get(v), want));
    }
  }
  if (nothing) return none;
  return { matches: (v) => tests.every((t) => t(v)), metadata, glanceMetadata, valid: true };
}

/** etc/cinder/resource_filters.json's "attachment" (and the controller's allowed_filters). */
const USER_ATTACHMENT_FILTERS = RESOURCE_FILTERS.attachment;

/**
 * The filters of an attachment list (v3 attachments.py _items → db _attachment_get_all): a
 * user's keys are checked (400 from 3.31) or pruned to the allowed ones (below); instance_id is
 * the instance_uuid column; an admin's all_tenants (any value) widens the scope, to the volumes
 * of project_id when given. Every other key
 * must name a volume_attachment column, matched exactly (`key~`: LIKE); one that names none
 * matches nothing (`status` among them: the column is attach_status).
 */
export function attachmentFilters(q: Record<string, string | string[] | undefined>, version: APIVersion, isAdmin: boolean, leftover: string[] = []):
  { allTenants: boolean; projectId?: string; valid: boolean; matches: (a: VolumeAttachment) => boolean } {
  // A popped key left over (poppedKeys) is one more filter, naming no column.
  let keys = [...Object.keys(q).filter((k) => !NOT_FILTERS.includes(k)), ...leftover];
  if (version.atLeast(RESOURCE_FILTER)) rejectInvalidFilters(keys, isAdmin, USER_ATTACHMENT_FILTERS);
  else if (!isAdmin) keys = keys.filter((k) => USER_ATTACHMENT_FILTERS.includes(k));
  const allTenants = isAdmin && keys.includes('all_tenants');
  // project_id is no column: the volume's project, joined (exclude_list=['project_id']).
  const projectId = keys.includes('project_id') ? last(q.project_id) : undefined;
  const columns = attachmentColumns();
  const tests: Array<(a: VolumeAttachment) => boolean> = [];
  for (const key of keys) {
    // all_tenants is taken off for everyone (a member's only does not widen the scope).
    if (key === 'all_tenants' || key === 'project_id') continue;
    const raw = last(q[key]) ?? '';
    const like = key.endsWith('~');
    const name = like ? key.slice(0, -1) : key;
    const field = columns.get(name === 'instance_id' ? 'instance_uuid' : name);
    if (!field) return { allTenants, projectId, valid: false, matches: () => false };
    const get = (a: VolumeAttachment): unknown => a[field];
    if (like) tests.push((a) => { const x = get(a); return x !== null && x !== undefined && collationKey(String(x)).includes(collationKey(raw)); });
    else tests.push((a) => sqlEquals(get(a), raw));
  }
  return { allTenants, projectId, valid: true, matches: (a) => tests.every((t) => t(a)) };
}
