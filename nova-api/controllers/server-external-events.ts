// POST /os-server-external-events: thin — the body checked at the request's microversion, the
// events handed to the external-events API, its per-event codes and overall status back.
import type { FastifyInstance } from 'fastify';
import { validateBody } from '../../common/api';
import type { ComputeAPI } from '../compute/api';
import { projectInPath } from '../request';
import { externalEventsBody } from '../schemas/server-external-events';

export function serverExternalEventRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  app.post(`${base}/os-server-external-events`, async (req, reply) => {
    projectInPath(req);
    const { events } = validateBody(externalEventsBody(req.novaVersion), req.body, null);
    const res = await compute.events.create(req.ctx, events);
    return reply.code(res.code).send({ events: res.events });
  });
}
