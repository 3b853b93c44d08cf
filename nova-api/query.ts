// Query strings checked as Nova's query_schema does: each parameter is the list of its values
// (webob's dict_of_lists), every value is checked against the parameter's schema, a
// single_param allows one value, and unknown keys are refused where the schema says so. The
// messages are jsonschema's, in the order it finds them (properties, then additional ones).
import type { FastifyRequest } from 'fastify';
import { additionalPropertiesMessage, badRequest, pyRepr, violation, type JsonSchema } from '../common/api';

export interface QueryParam {
  schema: JsonSchema;
  /** single_param: at most one value. */
  single?: boolean;
}

const valuesOf = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String);

const invalid = (name: string, value: string, message: string): never => {
  throw badRequest(`Invalid input for query parameters ${name}. Value: ${value}. ${message}`);
};

/** Checks `query` against `params`; with `strict`, keys outside them are refused. */
export function checkQuery(query: Record<string, unknown>, params: Record<string, QueryParam>, strict: boolean): void {
  for (const [name, p] of Object.entries(params)) {
    if (!(name in query)) continue;
    const values = valuesOf(query[name]);
    for (const v of values) {
      const bad = violation(p.schema, v);
      if (bad) invalid(name, v, bad.message);
    }
    if (p.single && values.length > 1) invalid(name, pyRepr(values), `${pyRepr(values)} is too long`);
  }
  if (!strict) return;
  const extra = Object.keys(query).filter((k) => !(k in params));
  if (extra.length) throw badRequest(additionalPropertiesMessage(extra));
}

/** webob's GET[key]: the last value given. */
export function lastQueryValue(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const values = valuesOf(v);
  return values[values.length - 1];
}

/** jsonschema's 'date-time' format as Nova checks it: an ISO 8601 date, optional time and offset. */
export function isDateTime(v: string): boolean {
  return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v));
}

/** {'type': 'string', 'format': 'date-time'}. */
export const dateTime: JsonSchema = { type: 'string', format: { name: 'date-time', check: (v) => typeof v !== 'string' || isDateTime(v) } };

/** parameter_types.non_negative_integer. */
export const nonNegativeInteger: JsonSchema = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 0, minLength: 1 };

/** Where the next page starts (Nova's _get_next_link): the request's own URL, its parameters sorted, the marker replaced. */
export function nextLink(req: FastifyRequest, lastId: unknown): Array<{ rel: string; href: string }> {
  const q = req.query as Record<string, unknown>;
  const params = new URLSearchParams(Object.keys(q).sort().map((k): [string, string] => [k, lastQueryValue(q[k]) ?? '']));
  params.set('marker', String(lastId));
  return [{ rel: 'next', href: `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${req.url.split('?')[0]}?${params.toString()}` }];
}
