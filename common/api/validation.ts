// Request-body validation with class-validator DTOs, reported the way Nova/Cinder's
// JSON-schema validation words it: "Invalid input for field/attribute <f>. Value: <v>. <why>".
// Unknown properties are rejected (the schemas are additionalProperties: false).
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { badRequest, type HTTPFault } from './faults';
import { invalidInput, pyRepr } from './python-text';

/**
 * jsonschema reports a mistyped value before the keyword checks that only apply to the right
 * type (length, pattern, enum); class-validator lists its constraints in the opposite order.
 */
const KEYWORD_ORDER = ['isString', 'isInt', 'isNumber', 'isBoolean', 'isObject', 'isArray', 'isLength', 'matches', 'isIn'];

const rank = (k: string): number => {
  const i = KEYWORD_ORDER.indexOf(k);
  return i < 0 ? KEYWORD_ORDER.length : i;
};

/**
 * The first failure as jsonschema meets it in an object schema: the properties (in schema
 * order) first, then `required`, then `additionalProperties`. The last two are errors of the
 * object itself, so Nova names the object (`key`) and prints its value, not the property's.
 */
function firstError(errors: ValidationError[], key: string, payload: Record<string, unknown>): HTTPFault | null {
  for (const e of errors) {
    if (!(e.property in payload) || e.constraints?.whitelistValidation) continue;
    if (e.children?.length) {
      const inner = firstError(e.children, e.property, payload[e.property] as Record<string, unknown>);
      if (inner) return inner;
    }
    // A present null is a type error ("None is not of type 'string'"), not a missing property.
    const entries = Object.entries(e.constraints ?? {}).filter(([k]) => k !== 'isDefined').sort(([a], [b]) => rank(a) - rank(b));
    if (entries.length) return invalidInput(e.property, e.value, entries[0][1]);
  }
  const missing = errors.find((e) => !(e.property in payload) && e.constraints?.isDefined);
  if (missing) return invalidInput(key, payload, `'${missing.property}' is a required property`);
  const extras = Object.keys(payload).filter((k) => errors.some((e) => e.property === k && e.constraints?.whitelistValidation));
  if (extras.length) return invalidInput(key, payload, additionalProperties(extras));
  return null;
}

/** jsonschema's additionalProperties message, extras in the order the body has them. */
function additionalProperties(extras: string[]): string {
  return `Additional properties are not allowed (${extras.map(pyRepr).join(', ')} ${extras.length > 1 ? 'were' : 'was'} unexpected)`;
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
 * Validate `body[key]` (or the whole body when key is null) against a DTO; returns the typed
 * instance or throws a 400 fault. A missing/non-object body is "'<key>' is a required property".
 */
export function validateBody<T extends object>(cls: ClassConstructor<T>, body: unknown, key: string | null): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw key ? invalidInput(key, body, `'${key}' is a required property`) : badRequest('The request body is invalid.');
  }
  const root = body as Record<string, unknown>;
  if (key !== null && !(key in root)) throw badRequest(`'${key}' is a required property`);
  const payload = key === null ? root : root[key];
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw invalidInput(String(key), payload, `${pyRepr(payload)} is not of type 'object'`);
  }
  const inst = plainToInstance(cls, shallow(payload, MAX_DEPTH), { enableImplicitConversion: false });
  const errors = validateSync(inst, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const err = firstError(errors, String(key), payload as Record<string, unknown>);
  if (err) throw err;
  // The body's own additionalProperties comes after its properties (the payload) were checked.
  const extra = key === null ? [] : Object.keys(root).filter((k) => k !== key);
  if (extra.length) throw badRequest(additionalProperties(extra));
  return inst;
}
