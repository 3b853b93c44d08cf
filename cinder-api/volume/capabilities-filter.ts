// Cinder's CapabilitiesFilter (scheduler/filters/capabilities_filter.py with extra_specs_ops.py):
// a backend takes a volume type when each of the type's extra specs that is unscoped or scoped
// `capabilities:` matches what the backend reports (its driver's stats). Other scopes
// (vendor ones, `RESKEY:`…) are ignored. So a type with `volume_backend_name` lands on that
// backend, and a type asking for a capability no backend has leaves the volume in error.
import { boolFromString } from '../list-filters';

const num = (x: unknown): number => {
  const n = typeof x === 'number' ? x : Number(String(x).trim());
  if (Number.isNaN(n) || String(x).trim() === '') throw new RangeError('not a float');
  return n;
};

/** A string comparison as Python's on two str; anything else is refused (Python's TypeError). */
const strOp = (f: (a: string, b: string) => boolean) => (x: unknown, y: string): boolean => {
  if (typeof x !== 'string') throw new RangeError('not a string');
  return f(x, y);
};

const OPS: Record<string, (x: unknown, y: string) => boolean> = {
  '=': (x, y) => num(x) >= num(y),
  '<in>': (x, y) => {
    if (typeof x === 'string') return x.includes(y);
    if (Array.isArray(x)) return x.includes(y);
    throw new RangeError('not a container');
  },
  '<is>': (x, y) => boolFromString(x) === boolFromString(y),
  '==': (x, y) => num(x) === num(y),
  '!=': (x, y) => num(x) !== num(y),
  '>=': (x, y) => num(x) >= num(y),
  '<=': (x, y) => num(x) <= num(y),
  's==': (x, y) => x === y,
  's!=': (x, y) => x !== y,
  's<': strOp((a, b) => a < b),
  's<=': strOp((a, b) => a <= b),
  's>': strOp((a, b) => a > b),
  's>=': strOp((a, b) => a >= b),
};

/** extra_specs_ops.match: `req` ("<op> value", "<or> a <or> b", or a plain value) against one reported value. */
export function specMatches(value: unknown, req: string | null): boolean {
  if (req === null) return value === null || value === undefined;
  const words = req.split(/\s+/).filter((w) => w !== '');
  const op = words.shift();
  const method = op === undefined ? undefined : OPS[op];
  // A plain value is compared as it is (a reported number or boolean never equals the text).
  if (op !== '<or>' && !method) return value === req;
  if (value === null || value === undefined) return false;
  if (op === '<or>') {
    for (let i = 0; i < words.length; i += 2) if (words[i] === value) return true;
    return false;
  }
  try {
    return words.length > 0 && (method as (x: unknown, y: string) => boolean)(value, words[0]);
  } catch {
    return false;
  }
}

/** A protocol's spellings (cinder/common/constants.py): the scheduler matches any of them. */
const PROTOCOL_VARIANTS = [['iSCSI', 'iscsi'], ['FC', 'fibre_channel', 'fc'], ['NFS', 'nfs'], ['NVMe-oF', 'NVMeOF', 'nvmeof']];

/** Whether a backend reporting `capabilities` passes a type with `specs` (no specs: any backend). */
export function satisfiesExtraSpecs(reported: Record<string, unknown>, specs: Record<string, string | null>): boolean {
  const protocol = PROTOCOL_VARIANTS.find((vs) => vs.includes(String(reported.storage_protocol)));
  const capabilities = protocol ? { ...reported, storage_protocol: protocol } : reported;
  for (const [key, req] of Object.entries(specs)) {
    const scope = key.split(':');
    if (scope.length > 1 && scope[0] !== 'capabilities') continue;
    if (scope[0] === 'capabilities') scope.shift();
    let cap: unknown = capabilities;
    for (const part of scope) {
      if (cap === null || typeof cap !== 'object' || !Object.prototype.hasOwnProperty.call(cap, part)) return false;
      cap = (cap as Record<string, unknown>)[part];
    }
    const values = Array.isArray(cap) ? cap : [cap];
    if (!values.some((c) => specMatches(c, req))) return false;
  }
  return true;
}

/** A backend's capabilities as its service row holds them (the driver's last stats); {} if unreadable. */
export function capabilitiesOf(service: { capabilities: string | null }): Record<string, unknown> {
  try {
    const caps = JSON.parse(service.capabilities ?? '{}') as unknown;
    return caps && typeof caps === 'object' && !Array.isArray(caps) ? (caps as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
