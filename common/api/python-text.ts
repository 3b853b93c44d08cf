// How Nova's and Cinder's JSON-schema validators print values: "Value: %(value)s" is Python's
// str() of the instance (a string bare, anything else as repr) and jsonschema's own messages
// quote with repr() ('x' is not of type 'integer'; {'a': 1} ...).
import { badRequest, type HTTPFault } from './faults';

/** Python's repr() of a JSON value. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') {
    const s = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

/** Python's str() of a JSON value. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** The 400 of a schema failure at `field` (the last element of the error's path). */
export function invalidInput(field: string, value: unknown, why: string): HTTPFault {
  return badRequest(`Invalid input for field/attribute ${field}. Value: ${pyStr(value)}. ${why}`);
}
