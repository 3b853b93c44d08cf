// Request-body validation with class-validator DTOs, reported the way Nova/Cinder's
// JSON-schema validation words it: "Invalid input for field/attribute <f>. Value: <v>. <why>".
// Unknown properties are rejected (the schemas are additionalProperties: false).
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { badRequest } from './faults';
import { invalidInput, pyRepr } from './python-text';


const TYPE_CHECKS = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isObject', 'isArray']);

function firstError(errors: ValidationError[]): { field: string; value: unknown; why: string } | null {
  for (const e of errors) {
    if (e.children && e.children.length) {
      const inner = firstError(e.children);
      if (inner) return inner;
    }
    if (e.constraints) {
      // jsonschema reports a missing or mistyped value, not the pattern/length checks that only
      // apply to the right type; class-validator lists its constraints in the opposite order.
      const entries = Object.entries(e.constraints);
      const [key, why] = entries.find(([k]) => k === 'isDefined') ?? entries.find(([k]) => TYPE_CHECKS.has(k)) ?? entries[0];
      if (key === 'whitelistValidation') {
        return { field: e.property, value: e.value, why: `Additional properties are not allowed ('${e.property}' was unexpected)` };
      }
      return { field: e.property, value: e.value, why };
    }
  }
  return null;
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
  if (key !== null) {
    const extra = Object.keys(root).filter((k) => k !== key);
    if (!(key in root)) throw badRequest(`'${key}' is a required property`);
    if (extra.length) throw badRequest(`Additional properties are not allowed ('${extra[0]}' was unexpected)`);
  }
  const payload = key === null ? root : root[key];
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw invalidInput(String(key), payload, `${pyRepr(payload)} is not of type 'object'`);
  }
  const inst = plainToInstance(cls, payload, { enableImplicitConversion: false });
  const errors = validateSync(inst, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const err = firstError(errors);
  if (err) throw invalidInput(err.field, err.value, err.why);
  return inst;
}
