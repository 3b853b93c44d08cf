// /servers: create (202), list, detail, show, delete (204). Thin: schema → compute/api → view.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, forbidden } from '../../common/api';
import type { ComputeAPI } from '../compute/api';
import type { Instance } from '../../nova-common/entities';
import { baseUrl, projectInPath, viewCtx, type Params } from '../request';
import { findFlavor } from '../flavors';
import { parseCreateServer, parseUpdateServer } from '../schemas/servers';
import { serverDetail, serverStatus, serverSummary, serverUpdated } from '../views/servers';

function nameFilter(q: Record<string, unknown>): (i: Instance) => boolean {
  const name = typeof q.name === 'string' ? q.name : null;
  if (!name) return () => true;
  let re: RegExp | null = null;
  try { re = new RegExp(name); } catch { re = null; }
  // Nova treats name as a regular expression; an invalid one falls back to a substring match.
  return (i) => (re ? re.test(i.displayName ?? '') : (i.displayName ?? '').includes(name));
}

// jsonschema's 'date-time' format (ISO 8601 date, optional time and offset), as Nova checks it.
const ISO8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const badQuery = (name: string, v: string, why: string): never => {
  throw badRequest(`Invalid input for query parameters ${name}. Value: ${v}. ${why}`);
};

/** Nova's query schema checks (schemas/servers.py query_params_v21) for the keys we filter on. */
function checkQuery(q: Record<string, unknown>): void {
  for (const k of ['limit']) {
    const v = q[k];
    if (v !== undefined && !/^[0-9]+$/.test(String(v))) badQuery(k, String(v), `'${String(v)}' does not match '^[0-9]*$'`);
  }
  for (const k of ['changes-since', 'changes-before']) {
    const v = q[k];
    if (v !== undefined && (!ISO8601.test(String(v)) || Number.isNaN(Date.parse(String(v))))) badQuery(k, String(v), `'${String(v)}' is not a 'date-time'`);
  }
}

function filterAndPage(req: FastifyRequest, rows: Instance[], maxLimit: number): Instance[] {
  const q = req.query as Record<string, unknown>;
  checkQuery(q);
  let out = rows.filter(nameFilter(q));
  if (typeof q.status === 'string') out = out.filter((i) => serverStatus(i) === String(q.status).toUpperCase());
  if (typeof q.flavor === 'string') out = out.filter((i) => i.flavorId === q.flavor);
  if (typeof q.image === 'string') out = out.filter((i) => i.imageRef === q.image);
  if (typeof q['changes-since'] === 'string') {
    const since = Date.parse(q['changes-since']);
    out = out.filter((i) => (i.updatedAt ?? i.createdAt ?? new Date(0)).getTime() >= since);
  }
  if (typeof q.marker === 'string') {
    const at = out.findIndex((i) => i.uuid === q.marker);
    out = at >= 0 ? out.slice(at + 1) : out;
  }
  const limit = typeof q.limit === 'string' ? Math.min(Number(q.limit), maxLimit) : maxLimit;
  return out.slice(0, limit);
}

/** Nova's default [quota] instances (GET /limits maxTotalInstances). */
const INSTANCES_QUOTA = 10;

export function serverRoutes(app: FastifyInstance, base: string, compute: ComputeAPI, maxLimit: number): void {
  const allTenants = (req: FastifyRequest): boolean => {
    const v = (req.query as Record<string, unknown>).all_tenants;
    return v !== undefined && !['0', 'false', 'False', 'off', 'no'].includes(String(v));
  };

  app.get(`${base}/servers`, async (req) => {
    const c = viewCtx(req);
    const rows = filterAndPage(req, await compute.list(req.ctx, { allTenants: allTenants(req) }), maxLimit);
    return { servers: rows.map((i) => serverSummary(i, c)) };
  });

  app.get(`${base}/servers/detail`, async (req) => {
    const c = viewCtx(req);
    const rows = filterAndPage(req, await compute.list(req.ctx, { allTenants: allTenants(req) }), maxLimit);
    const out = [];
    for (const i of rows) out.push(serverDetail(i, await compute.db.bdmsByInstance(i.uuid), c));
    return { servers: out };
  });

  app.get(`${base}/servers/:server_id`, async (req) => {
    const c = viewCtx(req);
    const i = await compute.get(req.ctx, (req.params as Params).server_id as string);
    return { server: serverDetail(i, await compute.db.bdmsByInstance(i.uuid), c) };
  });

  app.post(`${base}/servers`, async (req, reply) => {
    projectInPath(req);
    const body = parseCreateServer(req.body);
    // flavorRef may be an id or a link to one (common.get_id_from_href); unknown → 400, not 404.
    const flavor = findFlavor(body.flavorRef.split('/').pop() ?? '');
    if (!flavor) throw badRequest(`Flavor ${body.flavorRef} could not be found.`);
    body.flavorRef = flavor.id;
    // Multiple create: up to max_count servers within the instances quota (at least min_count, else
    // 403), named by Nova's multi_instance_display_name_template ('%(name)s-%(count)d'); the
    // response describes the first (or gives the reservation id). Single creates are not counted.
    let n = 1;
    if ((body.maxCount ?? 1) > 1) {
      const used = (await compute.list(req.ctx, { allTenants: false })).length;
      n = Math.min(body.maxCount ?? 1, Math.max(0, INSTANCES_QUOTA - used));
      if (n < (body.minCount ?? 1)) {
        throw forbidden(`Quota exceeded for instances: Requested ${body.minCount ?? 1}, but already used ${used} of ${INSTANCES_QUOTA} instances`);
      }
    }
    const created = [];
    for (let k = 1; k <= n; k++) created.push(await compute.create(req.ctx, n > 1 ? { ...body, name: `${body.name}-${k}` } : body));
    const inst = created[0];
    const c = viewCtx(req);
    if (body.returnReservationId) return reply.code(202).send({ reservation_id: `r-${randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 8)}` });
    const adminPass = body.adminPass ?? randomBytes(9).toString('base64url').slice(0, 12);
    void reply.code(202).header('Location', `${baseUrl(req)}/v2.1/${c.projectInUrl ? `${c.projectInUrl}/` : ''}servers/${inst.uuid}`);
    return { server: { id: inst.uuid, links: serverSummary(inst, c).links, 'OS-DCF:diskConfig': 'MANUAL', security_groups: [{ name: 'default' }], adminPass } };
  });

  app.put(`${base}/servers/:server_id`, async (req) => {
    projectInPath(req);
    const u = parseUpdateServer(req.body);
    const i = await compute.update(req.ctx, (req.params as Params).server_id as string, u);
    return { server: serverUpdated(i, await compute.db.bdmsByInstance(i.uuid), viewCtx(req)) };
  });

  app.delete(`${base}/servers/:server_id`, async (req, reply) => {
    projectInPath(req);
    await compute.delete(req.ctx, (req.params as Params).server_id as string);
    return reply.code(204).send();
  });
}
