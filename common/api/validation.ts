// Request-body validation with class-validator DTOs, reported the way Nova/Cinder's
// JSON-schema validation words it: "Invalid input for field/attribute <f>. Value: <v>. <why>",
// or jsonschema's message alone for an error of the body itself. A DTO declares each property's
// schema (@Schema of json-schema.ts, or class-validator's own decorators), its nested objects
// (@Nested) and, with @ObjectSchema, the object's own keywords; unknown properties are refused
// unless the class allows them. The first error is the one jsonschema meets first: the
// object's `before` keywords, its properties in declaration order, `required`, its `after`
// keywords, then additionalProperties.
import { getMetadataStorage, ValidateNested, validateSync, type ValidationError } from './class-validator';
import { badRequest, type HTTPFault } from './faults';
import { additionalPropertiesMessage, Schema, SCHEMA_CONSTRAINT, violation, type JsonSchema, type Violation } from './json-schema';
import { putOwn } from './own-keys';
import { invalidInput, pyRepr } from './python-text';

/**
 * jsonschema reports a mistyped value before the keyword checks that only apply to the right
 * type (length, pattern, enum); class-validator lists its constraints in the opposite order.
 */
const KEYWORD_ORDER = ['isString', 'isInt', 'isNumber', 'isBoolean', 'isObject', 'isArray', 'isLength', 'matches', 'isIn'];
/** Constraints that are not a message of their own (handled as required, nesting or by @Schema). */
const NOT_REPORTED = new Set(['isDefined', 'nestedValidation', 'whitelistValidation', SCHEMA_CONSTRAINT]);

/** A DTO class. */
export type ClassConstructor<T> = new () => T;

const rank = (k: string): number => {
  const i = KEYWORD_ORDER.indexOf(k);
  return i < 0 ? KEYWORD_ORDER.length : i;
};

/**
 * An object's own keywords, where its schema dict has them: before its properties, after them
 * and `required`, or after additionalProperties (final); and whether extra keys pass.
 */
export interface ObjectRules {
  before?: JsonSchema;
  after?: JsonSchema;
  additionalProperties?: boolean;
  final?: JsonSchema;
}

/**
 * class-validator finds a class's rules by testing `instanceof` against every class it knows, on
 * every validation: the cost of a body grew with the number of DTOs (hundreds, one per
 * microversion range). Rules are fixed once their classes are declared, so the lookup is
 * memoised per class and options; declaring another rule empties the memo.
 */
function memoiseRuleLookup(): void {
  type Lookup = (target: unknown, schema: unknown, always: unknown, strictGroups: unknown, groups?: string[]) => unknown;
  const storage = getMetadataStorage() as unknown as { getTargetValidationMetadatas: Lookup; addValidationMetadata(m: unknown): void; memoised?: true };
  if (storage.memoised) return;
  storage.memoised = true;
  const memo = new Map<unknown, Map<string, unknown>>();
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${String(schema)}|${String(always)}|${String(strictGroups)}|${(groups ?? []).join(',')}`;
    let byKey = memo.get(target);
    if (!byKey) memo.set(target, byKey = new Map());
    if (!byKey.has(key)) byKey.set(key, lookup(target, schema, always, strictGroups, groups));
    return byKey.get(key);
  };
  const add = storage.addValidationMetadata.bind(storage);
  storage.addValidationMetadata = (m) => {
    memo.clear();
    add(m);
  };
}
memoiseRuleLookup();

const RULES = new WeakMap<object, ObjectRules>();

/** The class's own rules or else its nearest parent's. */
function rulesOf(cls: object): ObjectRules {
  for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const r = RULES.get(c);
    if (r) return r;
  }
  return {};
}

/** How many classes `cls` extends (a parent's properties come first, as in the schema it was copied from). */
function depth(cls: object): number {
  let n = 0;
  for (let c = Object.getPrototypeOf(cls) as object | null; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) n++;
  return n;
}
const NESTED = new WeakMap<object, Map<string, () => ClassConstructor<object>>>();

export const ObjectSchema = (rules: ObjectRules): ClassDecorator => (target) => {
  RULES.set(target, rules);
};

/** A property holding an object of its own DTO; `schema` is the property's keywords before the object's (its type). */
export const Nested = (cls: () => ClassConstructor<object>, schema: JsonSchema = { type: 'object' }): PropertyDecorator => (target, prop) => {
  Schema(schema)(target, prop);
  ValidateNested()(target, prop);
  const own = NESTED.get(target.constructor) ?? new Map<string, () => ClassConstructor<object>>();
  own.set(String(prop), cls);
  NESTED.set(target.constructor, own);
};

/** A DTO's properties in the order class-validator lists them, their @Schema and the required ones: read once per class. */
interface Shape {
  props: string[];
  schemas: Map<string, JsonSchema>;
  required: string[];
  nested: Map<string, () => ClassConstructor<object>>;
  rules: ObjectRules;
}

const shapes = new WeakMap<object, Shape>();

function shapeOf(cls: ClassConstructor<object>): Shape {
  let s = shapes.get(cls);
  if (s) return s;
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)
    .map((m, i) => ({ m, i, d: depth(m.target as object) })).sort((a, b) => a.d - b.d || a.i - b.i).map((x) => x.m);
  const props = [...new Set(metas.map((m) => m.propertyName))];
  const schemas = new Map(metas.filter((m) => m.name === SCHEMA_CONSTRAINT).map((m) => [m.propertyName, m.constraints[0] as JsonSchema]));
  const required = props.filter((p) => metas.some((m) => m.propertyName === p && m.type === 'isDefined'));
  const nested = new Map<string, () => ClassConstructor<object>>();
  for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const [k, v] of NESTED.get(c) ?? []) if (!nested.has(k)) nested.set(k, v);
  }
  s = { props, schemas, required, nested, rules: rulesOf(cls) };
  shapes.set(cls, s);
  return s;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The 400 of a violation found at `field` (null: the body itself, whose errors print jsonschema's message alone). */
function fault(field: string | null, v: Violation): HTTPFault {
  const at = v.path.length ? v.path[v.path.length - 1] : field;
  return at === null ? badRequest(v.message) : invalidInput(at, v.value, v.message);
}

/** The first failure of `obj` (validated as `cls`, class-validator's `errors`), in jsonschema's order. */
function firstError(cls: ClassConstructor<object>, obj: Record<string, unknown>, errors: ValidationError[], field: string | null): HTTPFault | null {
  const shape = shapeOf(cls);
  const own = (schema: JsonSchema | undefined): HTTPFault | null => {
    const v = schema ? violation(schema, obj) : null;
    return v ? fault(field, v) : null;
  };
  const before = own(shape.rules.before);
  if (before) return before;
  for (const p of shape.props) {
    if (!(p in obj)) continue;
    const e = errors.find((x) => x.property === p);
    const schema = shape.schemas.get(p);
    const v = schema && e?.constraints?.[SCHEMA_CONSTRAINT] ? violation(schema, obj[p]) : null;
    if (v) return fault(p, v);
    const nested = shape.nested.get(p);
    if (nested && isObject(obj[p])) {
      const inner = firstError(nested(), obj[p], e?.children ?? [], p);
      if (inner) return inner;
    }
    // A present null is a type error ("None is not of type 'string'"), not a missing property.
    const entries = Object.entries(e?.constraints ?? {}).filter(([k]) => !NOT_REPORTED.has(k)).sort(([a], [b]) => rank(a) - rank(b));
    if (entries.length) return invalidInput(p, obj[p], entries[0][1]);
  }
  const missing = shape.required.find((p) => !(p in obj));
  if (missing) return fault(field, { path: [], value: obj, message: `'${missing}' is a required property` });
  const after = own(shape.rules.after);
  if (after) return after;
  const extras = shape.rules.additionalProperties ? [] : Object.keys(obj).filter((k) => !shape.props.includes(k));
  if (extras.length) return fault(field, { path: [], value: obj, message: additionalPropertiesMessage(extras) });
  return own(shape.rules.final);
}

/** No schema here nests deeper than this; a deeper value is cut (and fails) instead of overflowing the stack. */
const MAX_DEPTH = 32;

/** `v` with whatever lies below `depth` levels replaced by null (walks at most `depth` levels). */
function shallow(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth <= 0) return null;
  if (Array.isArray(v)) return v.map((x) => shallow(x, depth - 1));
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shallow(x, depth - 1)]));
}

/**
 * The DTO instance of a payload, @Nested objects as their own DTOs. It replaces class-transformer's
 * plainToInstance, which had trouble with user keys: it assigned every key, so `constructor` anywhere in a body threw a TypeError (a
 * 500), `__proto__` set the prototype and names on Object.prototype (`toString`) were dropped
 * from metadata dicts. Here a DTO's keys become own properties and its @Nested ones instances,
 * except names its prototype answers (constructor, methods): those are never declared fields, so
 * at most extra properties, which firstError reports from the payload. Other values are the
 * payload's own copies (shallow), every key kept.
 */
function toInstance<T extends object>(cls: ClassConstructor<T>, plain: Record<string, unknown>): T {
  const inst = new cls() as Record<string, unknown>;
  const { nested } = shapeOf(cls);
  for (const [k, v] of Object.entries(plain)) {
    if (k in inst && !Object.hasOwn(inst, k)) continue;
    const inner = nested.get(k);
    putOwn(inst, k, inner && isObject(v) ? toInstance(inner(), v) : v);
  }
  return inst as T;
}

function validateObject<T extends object>(cls: ClassConstructor<T>, payload: Record<string, unknown>, field: string | null): T {
  const inst = toInstance(cls, shallow(payload, MAX_DEPTH) as Record<string, unknown>);
  const errors = validateSync(inst, { forbidUnknownValues: true });
  const err = firstError(cls, payload, errors, field);
  if (err) throw err;
  return inst;
}

/** A body's top level may hold only these keys: jsonschema's additionalProperties message alone (for a body validateBody took). */
export function rejectExtraKeys(body: unknown, allowed: readonly string[]): void {
  const extra = isObject(body) ? Object.keys(body).filter((k) => !allowed.includes(k)) : [];
  if (extra.length) throw badRequest(additionalPropertiesMessage(extra));
}

/**
 * Validate a request body against a DTO; returns the typed instance or throws a 400 fault.
 * With `key` (Nova's style), the DTO is `body[key]` and the body may hold nothing else; a
 * missing/non-object body is "'<key>' is a required property". With key null (Cinder's
 * style), the DTO is the whole body, its wrapper objects @Nested in it.
 */
export function validateBody<T extends object>(cls: ClassConstructor<T>, body: unknown, key: string | null): T {
  if (key === null) {
    if (!isObject(body)) throw badRequest(`${pyRepr(body)} is not of type 'object'`);
    return validateObject(cls, body, null);
  }
  if (!isObject(body)) throw invalidInput(key, body, `'${key}' is a required property`);
  if (!(key in body)) throw badRequest(`'${key}' is a required property`);
  const payload = body[key];
  if (!isObject(payload)) throw invalidInput(key, payload, `${pyRepr(payload)} is not of type 'object'`);
  const inst = validateObject(cls, payload, key);
  // The body's own additionalProperties comes after its properties (the payload) were checked.
  rejectExtraKeys(body, [key]);
  return inst;
}
