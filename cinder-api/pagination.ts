// Sorting and pages of a list as cinder/api/common.py reads them (get_sort_params,
// get_pagination_params) and the DB's paginate query orders them: shared by the volume and the
// attachment lists.
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../common/api';
import { collationKey } from './collation';

/** Sort key → the row's value. */
export type SortKeys<T> = Record<string, (row: T) => string | number | null>;

/** Every column of a table as a sort key (its name → the row's value; times and flags as numbers). */
export function columnSortKeys<T>(columns: Map<string, keyof T>): SortKeys<T> {
  return Object.fromEntries([...columns].map(([column, field]) => [column, (row: T) => {
    const v = row[field];
    return v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : (v as string | number | null);
  }]));
}

/**
 * sort=key[:dir],… or sort_key/sort_dir (api/common.py get_sort_params: a key without a
 * direction is desc), then created_at and id in the first key's direction, as Cinder's
 * process_sort_params adds them: ties never fall back to the id alone.
 */
export function sortRows<T>(rows: T[], q: Record<string, string>, sortKeys: SortKeys<T>): T[] {
  if (q.sort !== undefined && (q.sort_key !== undefined || q.sort_dir !== undefined)) {
    throw badRequest("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
  }
  const spec = q.sort !== undefined
    ? q.sort.trim().split(',').map((p) => {
      // str.partition(':'): the direction is all after the first colon ("name:asc:x" is a bad one).
      const at = p.indexOf(':');
      const d = at < 0 ? '' : p.slice(at + 1);
      return [(at < 0 ? p : p.slice(0, at)).trim(), d ? d.trim() : 'desc'];
    })
    : [[q.sort_key ?? 'created_at', q.sort_dir ?? 'desc']];
  for (const [, d] of spec) if (d !== 'asc' && d !== 'desc') throw badRequest("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.");
  for (const key of ['created_at', 'id']) if (!spec.some(([k]) => k === key)) spec.push([key, spec[0][1]]);
  const keys = spec.map(([k, d]) => {
    if (!Object.hasOwn(sortKeys, k)) throw badRequest('Invalid input received: Invalid sort key');
    return { get: sortKeys[k], sign: d === 'asc' ? 1 : -1 };
  });
  // Text orders by the tables' collation (case and accents aside); NULL before any value, as
  // MySQL orders it (a null name before an empty one).
  const weight = (v: string | number | null | undefined): string | number | null => (typeof v === 'string' ? collationKey(v) : v ?? null);
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const x = weight(k.get(a));
      const y = weight(k.get(b));
      if (x === y) continue;
      if (x === null || (y !== null && x < y)) return -k.sign;
      if (y === null || x > y) return k.sign;
    }
    return 0;
  });
}

/** api/common.py's limit and offset checks (Python's int(): sign and spaces allowed). */
export function pageParams(q: Record<string, string>, maxLimit: number): { limit: number; offset: number } {
  const int = (raw: string): number | null => (/^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : null);
  let limit = maxLimit;
  if (q.limit !== undefined) {
    const n = int(q.limit);
    if (n === null) throw badRequest('limit param must be an integer');
    if (n < 0) throw badRequest('limit param must be positive');
    limit = Math.min(n, maxLimit);
  }
  let offset = 0;
  if (q.offset !== undefined) {
    const n = int(q.offset);
    if (n === null) throw badRequest('offset must be an integer');
    if (n < 0) throw badRequest('offset must be >= 0');
    if (n > 2147483647) throw badRequest('offset must be <= 2147483647');
    offset = n;
  }
  return { limit, offset };
}

/** _get_next_link: this list's URL with the query as given and the page's last id as marker. */
export function nextLinks(req: FastifyRequest, q: Record<string, string>, lastId: string): Array<{ rel: string; href: string }> {
  const params = new URLSearchParams(Object.entries(q).filter(([k]) => k !== 'marker'));
  params.set('marker', lastId);
  return [{ rel: 'next', href: `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${req.url.split('?')[0]}?${params.toString()}` }];
}
