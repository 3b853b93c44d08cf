// How Nova's and Cinder's JSON-schema validators print values: "Value: %(value)s" is Python's
// str() of the instance (a string bare, anything else as repr) and jsonschema's own messages
// quote with repr() ('x' is not of type 'integer'; {'a': 1} ...).
import { badRequest, type HTTPFault } from './faults';

/** How deep and how long an echoed value may get: a hostile body must not blow the stack or the answer. */
const MAX_DEPTH = 64;
const MAX_LENGTH = 1024;

/** What str.isprintable() refuses (other than \t \n \r, escaped by name): control, format, surrogate, private-use, unassigned, separators but the space. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/gu;

/** repr()'s escape of an unprintable character: \xhh, \uhhhh or \Uhhhhhhhh. */
function escape(c: string): string {
  if (c === ' ') return c;
  const n = c.codePointAt(0) as number;
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : n < 0x10000 ? `\\u${n.toString(16).padStart(4, '0')}` : `\\U${n.toString(16).padStart(8, '0')}`;
}

/** Python's repr() of a JSON value; past MAX_DEPTH levels or MAX_LENGTH characters, "..." (as reprlib). */
export function pyRepr(v: unknown): string {
  const out = reprAt(v, 0, { left: MAX_LENGTH });
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH)}...` : out;
}

function reprAt(v: unknown, depth: number, budget: { left: number }): string {
  if (budget.left <= 0) return '...';
  let s: string;
  if (v === null || v === undefined) s = 'None';
  else if (v === true) s = 'True';
  else if (v === false) s = 'False';
  else if (typeof v === 'string') {
    const e = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(UNPRINTABLE, escape);
    s = e.includes("'") && !e.includes('"') ? `"${e}"` : `'${e.replace(/'/g, "\\'")}'`;
  } else if (typeof v === 'object' && depth >= MAX_DEPTH) s = Array.isArray(v) ? '[...]' : '{...}';
  else if (Array.isArray(v)) s = `[${items(v, (x) => reprAt(x, depth + 1, budget), budget)}]`;
  else if (typeof v === 'object') s = `{${items(Object.entries(v as object), ([k, x]) => `${reprAt(k, depth + 1, budget)}: ${reprAt(x, depth + 1, budget)}`, budget)}}`;
  else if (typeof v === 'number') s = pyFloatRepr(v);
  else s = String(v);
  // Containers are charged through their items; only scalars (and capped containers) use the budget.
  if (typeof v !== 'object' || v === null || depth >= MAX_DEPTH) budget.left -= s.length;
  return s;
}

/**
 * A number as Python shows it: nan and inf, and a fraction in exponent form below 1e-4 or from
 * 1e16 with a sign and two digits (1e-09, 1.5e+20); whole numbers as JSON wrote them (ints).
 */
function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n)) return String(n);
  const [digits, exp] = n.toExponential().split('e');
  const e = Number(exp);
  return e < -4 || e >= 16 ? `${digits}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}` : String(n);
}

function items<T>(xs: T[], f: (x: T) => string, budget: { left: number }): string {
  const parts: string[] = [];
  for (const x of xs) {
    if (budget.left <= 0) {
      parts.push('...');
      break;
    }
    parts.push(f(x));
  }
  return parts.join(', ');
}

/** Python's str() of a JSON value. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** The 400 of a schema failure at `field` (the last element of the error's path). */
export function invalidInput(field: string, value: unknown, why: string): HTTPFault {
  return badRequest(`Invalid input for field/attribute ${field}. Value: ${pyStr(value)}. ${why}`);
}

/** Python's json.dumps (oslo jsonutils.dumps) of JSON data: ", " and ": " separators, non-ASCII escaped (ensure_ascii). */
export function pyJsonDumps(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJsonDumps).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${pyJsonDumps(k)}: ${pyJsonDumps(x)}`).join(', ')}}`;
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(v ?? null);
}

/** Python's truth value of a JSON value: an empty list or dict is false, unlike in JavaScript. */
export function pyTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}

/** Python's re.escape (3.7+) of one character: only these are escaped. */
const PY_SPECIAL = new Set([...'()[]{}?*+-|^$\\.&~# \t\n\r\v\f']);
const pyEscape = (c: string): string => (PY_SPECIAL.has(c) ? `\\${c}` : c);

/** Not printable for the description's _is_printable: Unicode's C categories (Cs: a lone surrogate), Z but Zs. */
const NOT_DESCRIPTION_CHAR = /[\p{C}\p{Zl}\p{Zp}]/u;

let descriptionRegex: string | undefined;

/**
 * Nova's and Cinder's valid_description_regex: '^[…]*$', a class of ranges over the printable
 * characters from U+0000 to U+FFFE (no character past the BMP matches), each end escaped as
 * re.escape does. Built from this runtime's Unicode tables, as theirs is from their Python's
 * (docs/differences.md). A failure quotes the text (jsonschema's "does not match"). Without the
 * u flag, a JS class tests UTF-16 units: a surrogate pair fails on its halves, as the code point
 * fails in Python.
 */
export function validDescriptionRegex(): string {
  if (descriptionRegex) return descriptionRegex;
  let out = '';
  let start = -1;
  const close = (end: number): void => {
    out += pyEscape(String.fromCharCode(start)) + (end > start ? `-${pyEscape(String.fromCharCode(end))}` : '');
  };
  for (let i = 0; i < 0xffff; i++) {
    const ok = !NOT_DESCRIPTION_CHAR.test(String.fromCharCode(i));
    if (ok && start < 0) start = i;
    if (!ok && start >= 0) {
      close(i - 1);
      start = -1;
    }
  }
  if (start >= 0) close(0xfffe);
  descriptionRegex = `^[${out}]*$`;
  return descriptionRegex;
}

/** A naive UTC datetime as Nova's and Cinder's JSON write it (isoformat with microseconds, no zone): 2026-12-04T10:00:00.123000. */
export function pyDateTime(d: Date | null): string | null {
  return d ? d.toISOString().replace('Z', '').padEnd(26, '0') : null;
}
