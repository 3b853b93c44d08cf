// /servers/{id}/os-server-password: what a guest posted to the metadata service, encrypted with
// the server's key. There is no metadata service here, so no guest ever posts one: the password
// is '' and clearing it has nothing to clear (204), as Nova answers for a server that posted none.
import type { FastifyInstance } from 'fastify';
import type { ComputeAPI } from '../compute/api';
import { projectInPath, type ServerParams } from '../request';

export function serverPasswordRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  const path = `${base}/servers/:server_id/os-server-password`;
  app.get<{ Params: ServerParams }>(path, async (req) => {
    projectInPath(req);
    const inst = await compute.get(req.ctx, req.params.server_id);
    compute.can(req.ctx, 'os_compute_api:os-server-password:show', inst);
    return { password: '' };
  });
  app.delete<{ Params: ServerParams }>(path, async (req, reply) => {
    projectInPath(req);
    const inst = await compute.get(req.ctx, req.params.server_id);
    compute.can(req.ctx, 'os_compute_api:os-server-password:clear', inst);
    return reply.code(204).send();
  });
}
