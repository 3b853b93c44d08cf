// os-services and os-hosts: thin — query and body to the service API, its answer back.
import type { FastifyInstance } from 'fastify';
import { bareResponse, projectInPath } from '../request';
import { ACCEPTED, type ServiceAPI } from '../volume/services';

export function serviceRoutes(app: FastifyInstance, base: string, api: ServiceAPI): void {
  app.get(`${base}/os-services`, async (req) => {
    projectInPath(req);
    const q = (req.query ?? {}) as { host?: string; binary?: string };
    return { services: await api.list(req.ctx, { host: q.host, binary: q.binary }, req.cinderVersion) };
  });

  app.put(`${base}/os-services/:action`, async (req, reply) => {
    projectInPath(req);
    const out = await api.update(req.ctx, (req.params as { action: string }).action, req.body ?? {}, req.cinderVersion);
    // freeze and a clean thaw answer 200 with no body, as Cinder's None.
    if (out === null) return reply.code(200).send();
    if (out === ACCEPTED) return bareResponse(reply).code(202).type('text/html; charset=UTF-8').send();
    return out;
  });

  app.get(`${base}/scheduler-stats/get_pools`, async (req) => {
    projectInPath(req);
    return api.pools(req.ctx, (req.query ?? {}) as Record<string, unknown>, req.cinderVersion);
  });

  app.get(`${base}/capabilities/:host`, async (req) => {
    projectInPath(req);
    return api.capabilities(req.ctx, (req.params as { host: string }).host);
  });

  app.get(`${base}/os-hosts`, async (req) => {
    projectInPath(req);
    return { hosts: await api.hosts(req.ctx, (req.query as { zone?: string } | undefined)?.zone) };
  });

  app.get(`${base}/os-hosts/:host`, async (req) => {
    projectInPath(req);
    return { host: await api.showHost(req.ctx, (req.params as { host: string }).host) };
  });
}
