// os:scheduler_hints / OS-SCH-HNT:scheduler_hints of POST /servers (schemas/servers.py _hints:
// the hints Nova's filters know are typed, any other key is free), and the form Nova keeps them
// in (RequestSpec.scheduler_hints, a dict of lists of strings), which 2.100 shows.
import { badRequest, type JsonSchema } from '../../common/api';
import { putOwn } from '../../common/api/own-keys';
import * as t from './parameter-types';

export type SchedulerHints = Record<string, string[]>;

const uuidOrList: JsonSchema = { oneOf: [t.uuid, { type: 'array', items: t.uuid }] };

/** _hints; group takes a list too, as newer Nova's schema has it. */
export const hints: JsonSchema = {
  type: 'object',
  properties: {
    group: uuidOrList,
    different_host: uuidOrList,
    same_host: { type: ['string', 'array'], items: t.uuid },
    query: { type: ['string', 'object'] },
    target_cell: t.name,
    different_cell: { type: ['string', 'array'], items: { type: 'string' } },
    build_near_host_ip: t.ipAddress,
    cidr: { type: 'string', pattern: '^/[0-9a-f.:]+$' },
  },
};

/** A value as oslo's String field stores it (str() of a string or number); null for what it refuses. */
function asString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  return null;
}

/**
 * Validated hints as Nova stores them: internal '_nova*' keys dropped, each value a list of
 * strings. Nova fails with a 500 on a value it cannot store as strings (null, an object such as
 * a 'query' object, a nested list): here a 400 with oslo's reason.
 */
export function storedHints(h: Record<string, unknown> | undefined): SchedulerHints {
  const out: SchedulerHints = {};
  for (const [name, v] of Object.entries(h ?? {})) {
    if (name.startsWith('_nova')) continue;
    const list: string[] = [];
    for (const [i, x] of (Array.isArray(v) ? (v as unknown[]) : [v]).entries()) {
      const str = asString(x);
      if (str === null) throw badRequest(`A string is required in field scheduler_hints["${name}"][${i}], not a ${x === null ? 'NoneType' : Array.isArray(x) ? 'list' : 'dict'}`);
      list.push(str);
    }
    putOwn(out, name, list);
  }
  return out;
}
