// /os-simple-tenant-usage[/{tenant_id}]: the period from ?start= and ?end= (Python strptime's
// three formats, no zone: UTC; either absent: now), ?detailed=1 for each server (the list), and
// from 2.40 limit/marker with a next link, keys outside the schema refused from 2.75.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../common/api';
import type { UsageAPI, UsageQuery } from '../compute/usage';
import { checkQuery, lastQueryValue, nextLink, nonNegativeInteger, type QueryParam } from '../query';
import { projectInPath } from '../request';

const MULTI: QueryParam = { schema: { type: 'string' } };
const SHOW: Record<string, QueryParam> = { start: MULTI, end: MULTI };
const INDEX: Record<string, QueryParam> = { ...SHOW, detailed: MULTI };
const PAGING: Record<string, QueryParam> = { limit: { schema: nonNegativeInteger, single: true }, marker: { schema: { type: 'string' }, single: true } };

// %Y-%m-%dT%H:%M:%S, %Y-%m-%dT%H:%M:%S.%f, %Y-%m-%d %H:%M:%S.%f (strptime takes 1–2 digit fields).
const FORMATS = [/^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})()$/, /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/];

/** _parse_datetime: absent or empty is now; otherwise one of the formats, or 400. */
export function parseUsageTime(raw: string | undefined, now: Date): Date {
  if (!raw) return now;
  for (const re of FORMATS) {
    const m = re.exec(raw);
    if (!m) continue;
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    // setUTCFullYear: Date.UTC would read years 0–99 as 1900–1999; Python's datetime starts at year 1.
    const t = new Date(Date.UTC(2000, 0, 1, h, mi, s, ms));
    t.setUTCFullYear(y, mo - 1, d);
    if (y >= 1 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60) return t;
  }
  throw badRequest('Invalid datetime string: Datetime is in invalid format');
}

export function usageRoutes(app: FastifyInstance, base: string, usage: UsageAPI, maxLimit: number): void {
  /** _get_datetime_range and the paging, after the query schema of the version. */
  const query = (req: FastifyRequest, params: Record<string, QueryParam>): UsageQuery => {
    const v = req.novaVersion;
    const paged = v.atLeast('2.40');
    const q = req.query as Record<string, unknown>;
    checkQuery(q, paged ? { ...params, ...PAGING } : params, v.atLeast('2.75'));
    // parse_qs: a key's first value; a blank one counts as absent.
    const first = (k: string): string | undefined => (Array.isArray(q[k]) ? String((q[k] as unknown[])[0]) : q[k] === undefined ? undefined : String(q[k]));
    // Each absent time is its own utcnow(), the end's read after the start's.
    const now = new Date();
    const start = parseUsageTime(first('start'), now);
    const stop = parseUsageTime(first('end'), new Date(now.getTime() + 1));
    if (!(start < stop)) throw badRequest('Invalid start time. The start time cannot occur after the end time.');
    const asked = paged ? lastQueryValue(q.limit) : undefined;
    return {
      start, stop, detailed: first('detailed') === '1', limit: Math.min(maxLimit, asked === undefined ? maxLimit : Number(asked)),
      ...(paged && q.marker !== undefined ? { marker: lastQueryValue(q.marker) } : {}),
    };
  };
  const links = (req: FastifyRequest, q: UsageQuery, servers: Array<Record<string, unknown>>) =>
    (req.novaVersion.atLeast('2.40') && q.limit && servers.length === q.limit ? nextLink(req, servers[servers.length - 1].instance_id) : null);

  app.get(`${base}/os-simple-tenant-usage`, async (req) => {
    projectInPath(req);
    // A show of an empty id (…/os-simple-tenant-usage/) is no route of Nova's: 404, not the list.
    if (req.url.split('?')[0].endsWith('/')) throw notFound();
    const { usages, servers, q } = await usage.list(req.ctx, () => query(req, INDEX));
    const next = links(req, q, servers);
    return { tenant_usages: usages, ...(next ? { tenant_usages_links: next } : {}) };
  });

  app.get<{ Params: { id: string } }>(`${base}/os-simple-tenant-usage/:id`, async (req) => {
    projectInPath(req);
    const { usage: u, servers, q } = await usage.show(req.ctx, req.params.id, () => query(req, SHOW));
    const next = links(req, q, servers);
    return { tenant_usage: u, ...(next ? { tenant_usage_links: next } : {}) };
  });
}
