// POST /servers/{id}/action: the power actions os-stop and os-start (202, empty body), as Nova's
// servers controller. Other actions this compute service does not have answer like an unknown
// action in Nova (400 "There is no such action: …").
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../common/api';
import type { ComputeAPI } from '../compute/api';
import { projectInPath, type Params } from '../request';

const ACTIONS: Record<string, 'stop' | 'start'> = { 'os-stop': 'stop', 'os-start': 'start' };

export function serverActionRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  app.post(`${base}/servers/:server_id/action`, async (req, reply) => {
    projectInPath(req);
    const body = req.body;
    // Nova's deserializer: exactly one key names the action.
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw badRequest('Malformed request body');
    const key = Object.keys(body)[0];
    const action = ACTIONS[key];
    if (!action) throw badRequest(`There is no such action: ${key}`);
    await compute.powerAction(req.ctx, (req.params as Params).server_id as string, action);
    return reply.code(202).send();
  });
}
