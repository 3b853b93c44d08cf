// A DTO property's JSON schema, declared once with @Schema({...}) and checked keyword by keyword
// in the order the literal lists them, as jsonschema walks a schema dict: the first failing
// keyword is the error, worded as jsonschema (Draft 4 as jsonschema 4.10 words it, with Cinder's
// numeric-string minimum and maximum). An object's `properties` and an array's `items` descend,
// the path naming where (a key, or an item's index). Patterns are compiled once per pattern text.
import { ValidateBy } from './class-validator';
import { pyRepr } from './python-text';

export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/**
 * A named `format`: `check` says whether the value is well-formed ("<v> is not a '<name>'"
 * otherwise); it may instead throw the exception that is the whole answer, as Cinder's format
 * checkers raise theirs (InvalidName, InvalidParameterValue).
 */
export interface Format {
  name: string;
  check(v: unknown): boolean;
}

export interface JsonSchema {
  type?: JsonType | readonly JsonType[];
  enum?: readonly unknown[];
  format?: Format;
  /** Python's spelling (the message quotes it); tested as re.search does, `$` also before a final newline. */
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  /** Every item of an array (Draft 4's single-schema form). */
  items?: JsonSchema;
  /** The values of these keys, when present, in this order. */
  properties?: Readonly<Record<string, JsonSchema>>;
  minProperties?: number;
  maxProperties?: number;
  /** Values of the keys matching a pattern; with additionalProperties false, keys neither here nor in properties are refused. */
  patternProperties?: Readonly<Record<string, JsonSchema>>;
  additionalProperties?: false;
  required?: readonly string[];
  oneOf?: readonly JsonSchema[];
  anyOf?: readonly JsonSchema[];
}

/** A failure: where below the property (empty: the property itself), the value there, and jsonschema's message. */
export interface Violation {
  path: string[];
  value: unknown;
  message: string;
}

const IS: Record<JsonType, (v: unknown) => boolean> = {
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
};

const regexes = new Map<string, RegExp>();

/** The JS RegExp of a Python pattern, compiled once per pattern text. */
function regex(pattern: string): RegExp {
  let re = regexes.get(pattern);
  if (!re) {
    // Python's '$' also matches before a trailing newline.
    re = new RegExp(/(^|[^\\])\$$/.test(pattern) ? `${pattern.slice(0, -1)}\\n?$` : pattern);
    regexes.set(pattern, re);
  }
  return re;
}

/** Cinder's _number_from_str: int(), then float(), else no number (the keyword is skipped). */
function numberOf(v: unknown): { n: number; repr: string } | null {
  if (typeof v === 'number') return { n: v, repr: String(v) };
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^[+-]?\d+$/.test(s)) return { n: Number(s), repr: BigInt(s).toString() };
  if (s && !Number.isNaN(Number(s))) return { n: Number(s), repr: Number.isInteger(Number(s)) ? `${Number(s)}.0` : String(Number(s)) };
  return null;
}

/** What uniqueItems compares: a scalar by type and value, a container by its (bounded) repr, never walking a deep value. */
const itemKey = (x: unknown): string => (x !== null && typeof x === 'object' ? pyRepr(x) : `${typeof x}:${String(x)}`);

const length = (s: string): number => [...s].length; // code points, as Python's len()

type Check = (schema: JsonSchema, v: unknown) => Violation | null | Iterable<Violation>;

const at = (value: unknown, message: string): Violation => ({ path: [], value, message });

const CHECKS: Record<keyof JsonSchema, Check> = {
  type: (s, v) => {
    const types = typeof s.type === 'string' ? [s.type] : s.type ?? [];
    return types.some((t) => IS[t](v)) ? null : at(v, `${pyRepr(v)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
  },
  enum: (s, v) => (s.enum?.includes(v) ? null : at(v, `${pyRepr(v)} is not one of ${pyRepr(s.enum)}`)),
  format: (s, v) => (s.format?.check(v) !== false ? null : at(v, `${pyRepr(v)} is not a '${s.format.name}'`)),
  pattern: (s, v) => (typeof v !== 'string' || regex(s.pattern ?? '').test(v) ? null : at(v, `${pyRepr(v)} does not match ${pyRepr(s.pattern)}`)),
  minLength: (s, v) => (typeof v === 'string' && length(v) < (s.minLength ?? 0) ? at(v, `${pyRepr(v)} is too short`) : null),
  maxLength: (s, v) => (typeof v === 'string' && length(v) > (s.maxLength ?? Infinity) ? at(v, `${pyRepr(v)} is too long`) : null),
  minimum: (s, v) => {
    const x = numberOf(v);
    return x && x.n < (s.minimum ?? -Infinity) ? at(v, `${x.repr} is less than the minimum of ${s.minimum}`) : null;
  },
  maximum: (s, v) => {
    const x = numberOf(v);
    return x && x.n > (s.maximum ?? Infinity) ? at(v, `${x.repr} is greater than the maximum of ${s.maximum}`) : null;
  },
  minItems: (s, v) => (Array.isArray(v) && v.length < (s.minItems ?? 0) ? at(v, `${pyRepr(v)} is too short`) : null),
  maxItems: (s, v) => (Array.isArray(v) && v.length > (s.maxItems ?? Infinity) ? at(v, `${pyRepr(v)} is too long`) : null),
  uniqueItems: (s, v) => (s.uniqueItems && Array.isArray(v) && new Set(v.map(itemKey)).size < v.length ? at(v, `${pyRepr(v)} has non-unique elements`) : null),
  items: (s, v) => (Array.isArray(v) && s.items ? itemValues(s.items, v) : null),
  properties: (s, v) => (IS.object(v) ? propertyValues(s, v as Record<string, unknown>) : null),
  minProperties: (s, v) => (IS.object(v) && Object.keys(v as object).length < (s.minProperties ?? 0) ? at(v, `${pyRepr(v)} does not have enough properties`) : null),
  maxProperties: (s, v) => (IS.object(v) && Object.keys(v as object).length > (s.maxProperties ?? Infinity) ? at(v, `${pyRepr(v)} has too many properties`) : null),
  patternProperties: (s, v) => (IS.object(v) ? patternValues(s, v as Record<string, unknown>) : null),
  additionalProperties: (s, v) => {
    if (!IS.object(v)) return null;
    const patterns = Object.keys(s.patternProperties ?? {});
    const known = s.properties ?? {};
    const extras = Object.keys(v as object).filter((k) => !Object.hasOwn(known, k) && !patterns.some((p) => regex(p).test(k)));
    if (!extras.length) return null;
    if (!patterns.length) return at(v, additionalPropertiesMessage(extras));
    // With patternProperties, jsonschema names the keys and the patterns, both sorted.
    const names = [...extras].sort(byCodePoint).map(pyRepr).join(', ');
    return at(v, `${names} ${extras.length > 1 ? 'do' : 'does'} not match any of the regexes: ${[...patterns].sort(byCodePoint).map(pyRepr).join(', ')}`);
  },
  required: (s, v) => {
    const missing = IS.object(v) ? (s.required ?? []).find((k) => !(k in (v as object))) : undefined;
    return missing === undefined ? null : at(v, `'${missing}' is a required property`);
  },
  oneOf: (s, v) => {
    const valid = (s.oneOf ?? []).filter((x) => violation(x, v) === null);
    if (!valid.length) return at(v, `${pyRepr(v)} is not valid under any of the given schemas`);
    // jsonschema names the later matches, then the first.
    return valid.length > 1 ? at(v, `${pyRepr(v)} is valid under each of ${[...valid.slice(1), valid[0]].map(pyRepr).join(', ')}`) : null;
  },
  anyOf: (s, v) => (s.anyOf?.some((x) => violation(x, v) === null) ? null : at(v, `${pyRepr(v)} is not valid under any of the given schemas`)),
};

function* patternValues(s: JsonSchema, obj: Record<string, unknown>): Iterable<Violation> {
  for (const [pattern, sub] of Object.entries(s.patternProperties ?? {})) {
    for (const [k, x] of Object.entries(obj)) {
      if (!regex(pattern).test(k)) continue;
      const e = violation(sub, x);
      if (e) yield { ...e, path: [k, ...e.path] };
    }
  }
}

function* itemValues(sub: JsonSchema, arr: unknown[]): Iterable<Violation> {
  for (const [i, x] of arr.entries()) {
    const e = violation(sub, x);
    if (e) yield { ...e, path: [String(i), ...e.path] };
  }
}

function* propertyValues(s: JsonSchema, obj: Record<string, unknown>): Iterable<Violation> {
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    if (!Object.hasOwn(obj, k)) continue;
    const e = violation(sub, obj[k]);
    if (e) yield { ...e, path: [k, ...e.path] };
  }
}

/** Python's order of str: by code point (a UTF-16 sort puts U+E000-U+FFFF after the astral planes). */
function byCodePoint(a: string, b: string): number {
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i].codePointAt(0) ?? 0) - (y[i].codePointAt(0) ?? 0);
    if (d) return d;
  }
  return x.length - y.length;
}

/** jsonschema's additionalProperties message: its extras_msg sorts the extra keys. */
export function additionalPropertiesMessage(extras: string[]): string {
  return `Additional properties are not allowed (${[...extras].sort(byCodePoint).map(pyRepr).join(', ')} ${extras.length > 1 ? 'were' : 'was'} unexpected)`;
}

/** The first failure of `value` against `schema` (keywords in declaration order), or null. May throw a format's own exception. */
export function violation(schema: JsonSchema, value: unknown): Violation | null {
  for (const key of Object.keys(schema) as Array<keyof JsonSchema>) {
    const out = CHECKS[key](schema, value);
    if (out === null) continue;
    if ('message' in out) return out;
    for (const e of out) return e;
  }
  return null;
}

/** The class-validator constraint name of @Schema, which the formatter (validation.ts) recognises. */
export const SCHEMA_CONSTRAINT = 'jsonSchema';

/**
 * A property's schema. An absent property is not checked here (required is the DTO's
 * @IsDefined); a present one, null included, goes through every keyword. The validation pass
 * only says pass/fail (a format's exception waits): the formatter asks violation() again for the
 * first failing property, so the errors come in jsonschema's order.
 */
export const Schema = (schema: JsonSchema): PropertyDecorator => ValidateBy({
  name: SCHEMA_CONSTRAINT,
  constraints: [schema],
  validator: {
    validate: (v: unknown) => {
      if (v === undefined) return true;
      try {
        return violation(schema, v) === null;
      } catch {
        return false;
      }
    },
    defaultMessage: () => SCHEMA_CONSTRAINT,
  },
});
