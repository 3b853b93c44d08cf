// /os-hypervisors: thin — the query checked at the request's microversion, the hypervisor API's
// answer back. Paging arrives at 2.33; at 2.53 ids become uuids, the hostname pattern and
// with_servers become query parameters (the search and servers routes stop), and unknown query
// keys are refused; 2.88 drops the resource fields, statistics and uptime for uptime in the view.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../common/api';
import type { HypervisorAPI, HypervisorShape } from '../compute/hypervisors';
import { checkQuery, lastQueryValue, nextLink, nonNegativeInteger, type QueryParam } from '../query';
import { projectInPath } from '../request';
import * as t from '../schemas/parameter-types';

const PAGING = '2.33';
const UUID_IDS = '2.53';
const NO_RESOURCES = '2.88';

const PAGING_QUERY: Record<string, QueryParam> = { limit: { schema: nonNegativeInteger }, marker: { schema: { type: 'string' } } };
const LIST_QUERY_V253: Record<string, QueryParam> = {
  limit: { schema: nonNegativeInteger, single: true }, marker: { schema: { type: 'string' }, single: true },
  hypervisor_hostname_pattern: { schema: t.fqdn, single: true }, with_servers: { schema: t.boolean, single: true },
};
const SHOW_QUERY_V253: Record<string, QueryParam> = { with_servers: { schema: t.boolean, single: true } };

type IdParams = { tenant_id?: string; hypervisor_id: string };

function shape(req: FastifyRequest, detail: boolean): HypervisorShape {
  const v = req.novaVersion;
  return {
    uuidIds: v.atLeast(UUID_IDS), detail, resources: detail && !v.atLeast(NO_RESOURCES), cpuInfoText: !v.atLeast('2.28'),
    uptime: detail && v.atLeast(NO_RESOURCES), serversAlways: v.atLeast('2.75'),
  };
}

export function hypervisorRoutes(app: FastifyInstance, base: string, hypervisors: HypervisorAPI, maxLimit: number): void {
  const list = async (req: FastifyRequest, detail: boolean): Promise<Record<string, unknown>> => {
    projectInPath(req);
    const v = req.novaVersion;
    const q = req.query as Record<string, unknown>;
    if (!v.atLeast(PAGING)) return { hypervisors: await hypervisors.list(req.ctx, { withServers: false }, shape(req, detail)) };
    checkQuery(q, v.atLeast(UUID_IDS) ? LIST_QUERY_V253 : PAGING_QUERY, v.atLeast(UUID_IDS));
    const asked = lastQueryValue(q.limit);
    const limit = Math.min(maxLimit, asked === undefined ? maxLimit : Number(asked));
    const marker = lastQueryValue(q.marker);
    const pattern = v.atLeast(UUID_IDS) ? lastQueryValue(q.hypervisor_hostname_pattern) : undefined;
    const withServers = v.atLeast(UUID_IDS) && t.toBoolean(lastQueryValue(q.with_servers) ?? false);
    if (pattern !== undefined && (asked !== undefined || marker)) {
      throw badRequest('Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
    }
    const rows = await hypervisors.list(req.ctx, pattern !== undefined ? { pattern, withServers } : { limit, marker, withServers }, shape(req, detail));
    // A full page (limit, else max_limit) links to the next; a pattern's answer is never paged.
    return { hypervisors: rows, ...(pattern === undefined && limit > 0 && rows.length === limit ? { hypervisors_links: nextLink(req, rows[rows.length - 1].id) } : {}) };
  };

  app.get(`${base}/os-hypervisors`, async (req) => list(req, false));
  app.get(`${base}/os-hypervisors/detail`, async (req) => list(req, true));

  app.get(`${base}/os-hypervisors/statistics`, async (req) => {
    projectInPath(req);
    if (req.novaVersion.atLeast(NO_RESOURCES)) throw notFound();
    return { hypervisor_statistics: await hypervisors.statistics(req.ctx) };
  });

  app.get<{ Params: IdParams }>(`${base}/os-hypervisors/:hypervisor_id`, async (req) => {
    projectInPath(req);
    const q = req.query as Record<string, unknown>;
    let withServers = false;
    if (req.novaVersion.atLeast(UUID_IDS)) {
      checkQuery(q, SHOW_QUERY_V253, true);
      withServers = t.toBoolean(lastQueryValue(q.with_servers) ?? false);
    }
    return { hypervisor: await hypervisors.show(req.ctx, req.params.hypervisor_id, withServers, shape(req, true)) };
  });

  app.get<{ Params: IdParams }>(`${base}/os-hypervisors/:hypervisor_id/uptime`, async (req) => {
    projectInPath(req);
    if (req.novaVersion.atLeast(NO_RESOURCES)) throw notFound();
    return { hypervisor: await hypervisors.uptime(req.ctx, req.params.hypervisor_id, shape(req, false)) };
  });

  // Before 2.53 only: the hostname pattern in the path.
  for (const [route, withServers] of [['search', false], ['servers', true]] as const) {
    app.get<{ Params: IdParams }>(`${base}/os-hypervisors/:hypervisor_id/${route}`, async (req) => {
      projectInPath(req);
      if (req.novaVersion.atLeast(UUID_IDS)) throw notFound();
      return { hypervisors: await hypervisors.searchRoute(req.ctx, req.params.hypervisor_id, withServers, shape(req, false)) };
    });
  }
}
