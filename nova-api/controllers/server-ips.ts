// /servers/{id}/ips[/{network}]: the server's addresses by network (nova ips.py). Servers here
// have no networks, so the index is empty and any network label is 404 — tempest's compute
// base lists the addresses of every server it creates.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../common/api';
import type { ComputeAPI } from '../compute/api';
import { projectInPath, type ServerParams } from '../request';

export function serverIpRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  app.get<{ Params: ServerParams }>(`${base}/servers/:server_id/ips`, async (req) => {
    projectInPath(req);
    compute.can(req.ctx, 'os_compute_api:ips:index', await compute.get(req.ctx, req.params.server_id));
    return { addresses: {} };
  });
  app.get<{ Params: ServerParams }>(`${base}/servers/:server_id/ips/:network`, async (req) => {
    projectInPath(req);
    compute.can(req.ctx, 'os_compute_api:ips:show', await compute.get(req.ctx, req.params.server_id));
    throw notFound('Instance is not a member of specified network');
  });
}
