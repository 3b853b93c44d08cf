// os:scheduler_hints / OS-SCH-HNT:scheduler_hints of POST /servers (schemas/servers.py _hints:
// the hints Nova's filters know are typed, any other key is free), and the form Nova keeps them
// in (RequestSpec.scheduler_hints, a dict of lists of strings), which 2.100 shows.
import { isIPv4, isIPv6 } from 'node:net';
import { invalidInput, pyRepr as repr, badRequest } from '../../common/api';

export type SchedulerHints = Record<string, string[]>;

const invalid = (field: string | number, value: unknown, why: string): never => {
  throw invalidInput(String(field), value, why);
};

/** oslo uuidutils.is_uuid_like: 32 hex digits once 'urn:'/'uuid:', outer braces and dashes go. */
export function isUuidLike(s: string): boolean {
  const hex = s.replace(/urn:/g, '').replace(/uuid:/g, '').replace(/^[{}]+|[{}]+$/g, '').replace(/-/g, '');
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

const isUuid = (v: unknown): boolean => typeof v === 'string' && isUuidLike(v);
const isUuidList = (v: unknown): boolean => Array.isArray(v) && v.every(isUuid);

/** Nova's 'name' format (parameter_types.name): printable, no outer whitespace; Python's '$' passes a final newline. */
const NAME = /^(?![\p{C}\p{Z}])[^\p{C}\p{Zl}\p{Zp}]*(?<![\p{C}\p{Z}])\n?$/u;

/** {'type': [string, array], 'items': item}: items are checked one by one (field: the index). */
function stringOrArray(field: string, v: unknown, item: (x: unknown, i: number) => void): void {
  if (typeof v !== 'string' && !Array.isArray(v)) invalid(field, v, `${repr(v)} is not of type 'string', 'array'`);
  if (Array.isArray(v)) v.forEach(item);
}

const stringItem = (x: unknown, i: number): void => {
  if (typeof x !== 'string') invalid(i, x, `${repr(x)} is not of type 'string'`);
};

/** The typed hints, in the schema's order (jsonschema reports the first failure). */
const CHECKS: Array<[string, (v: unknown) => void]> = [
  ['group', (v) => {
    if (!isUuid(v) && !isUuidList(v)) invalid('group', v, `${repr(v)} is not valid under any of the given schemas`);
  }],
  ['different_host', (v) => {
    if (!isUuid(v) && !isUuidList(v)) invalid('different_host', v, `${repr(v)} is not valid under any of the given schemas`);
  }],
  ['same_host', (v) => stringOrArray('same_host', v, (x, i) => {
    stringItem(x, i);
    if (!isUuid(x)) invalid(i, x, `${repr(x)} is not a 'uuid'`);
  })],
  ['query', (v) => {
    if (typeof v !== 'string' && (!v || typeof v !== 'object' || Array.isArray(v))) invalid('query', v, `${repr(v)} is not of type 'string', 'object'`);
  }],
  ['target_cell', (v) => {
    if (typeof v !== 'string') return invalid('target_cell', v, `${repr(v)} is not of type 'string'`);
    if (!NAME.test(v)) throw badRequest("An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
    const len = [...v].length;
    if (len < 1 || len > 255) invalid('target_cell', v, `${repr(v)} is too ${len ? 'long' : 'short'}`);
  }],
  ['different_cell', (v) => stringOrArray('different_cell', v, stringItem)],
  ['build_near_host_ip', (v) => {
    if (typeof v !== 'string') return invalid('build_near_host_ip', v, `${repr(v)} is not of type 'string'`);
    if (!isIPv4(v) && !isIPv6(v)) invalid('build_near_host_ip', v, `${repr(v)} is not valid under any of the given schemas`);
  }],
  ['cidr', (v) => {
    if (typeof v !== 'string') return invalid('cidr', v, `${repr(v)} is not of type 'string'`);
    if (!/^\/[0-9a-f.:]+\n?$/.test(v)) invalid('cidr', v, `${repr(v)} does not match '^/[0-9a-f.:]+$'`);
  }],
];

/** A value as oslo's String field stores it (str() of a string or number); null for what it refuses. */
function asString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  return null;
}

/**
 * Validate the hints under `key` and return them as Nova stores them: internal '_nova*' keys
 * dropped, each value a list of strings. Nova fails with a 500 on a value it cannot store as
 * strings (null, an object such as a 'query' object, a nested list): here a 400 with oslo's reason.
 */
export function parseSchedulerHints(key: string, hints: unknown): SchedulerHints {
  if (hints === undefined) return {};
  if (!hints || typeof hints !== 'object' || Array.isArray(hints)) return invalid(key, hints, `${repr(hints)} is not of type 'object'`);
  const h = hints as Record<string, unknown>;
  for (const [name, check] of CHECKS) if (name in h) check(h[name]);
  const out: SchedulerHints = {};
  for (const [name, v] of Object.entries(h)) {
    if (name.startsWith('_nova')) continue;
    const list = (Array.isArray(v) ? v : [v]).map(asString);
    const bad = list.findIndex((s) => s === null);
    if (bad >= 0) {
      const item = (Array.isArray(v) ? v : [v])[bad];
      const type = item === null ? 'NoneType' : Array.isArray(item) ? 'list' : 'dict';
      throw badRequest(`A string is required in field scheduler_hints["${name}"][${bad}], not a ${type}`);
    }
    out[name] = list as string[];
  }
  return out;
}
