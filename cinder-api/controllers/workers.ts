// POST /v3/{project_id}/workers/cleanup (3.24+; below, no such method: 404). Thin: the body
// checked, the worker API's answer back with 202.
import type { FastifyInstance } from 'fastify';
import { notFound, validateBody } from '../../common/api';
import { projectInPath } from '../request';
import { CleanupBody } from '../schemas/workers';
import type { WorkerAPI } from '../volume/workers';

const WORKERS_CLEANUP = '3.24';

export function workerRoutes(app: FastifyInstance, base: string, api: WorkerAPI): void {
  app.post(`${base}/workers/cleanup`, { config: { minVersion: WORKERS_CLEANUP } }, async (req, reply) => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast(WORKERS_CLEANUP)) throw notFound();
    // No body at all is an empty one (the controller's body=None).
    const body = validateBody(CleanupBody, req.body ?? {}, null);
    return reply.code(202).send(await api.cleanup(req.ctx, body));
  });
}
