// POST /os-server-external-events: thin — the body checked at the request's microversion, the
// events handed to the external-events API, its per-event codes and overall status back.
import type { FastifyInstance } from 'fastify';
import type { ComputeAPI } from '../compute/api';
import { projectInPath } from '../request';
import { parseExternalEvents } from '../schemas/server-external-events';

export function serverExternalEventRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  app.post(`${base}/os-server-external-events`, async (req, reply) => {
    projectInPath(req);
    const events = parseExternalEvents(req.body, req.novaVersion);
    const res = await compute.events.create(req.ctx, events);
    return reply.code(res.code).send({ events: res.events });
  });
}
