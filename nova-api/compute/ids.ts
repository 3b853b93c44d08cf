// How Nova reads an id in a path: a uuid (oslo's is_uuid_like, dashes optional), or whatever
// Python's int() takes (sign, digits, underscores between digits, spaces around).
export const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const PY_INT = /^\s*[+-]?\d+(_\d+)*\s*$/;

/** int(text), or null where Python's int() refuses it. */
export function pyInt(text: string): number | null {
  return PY_INT.test(text) ? Number(text.trim().replace(/_/g, '')) : null;
}
