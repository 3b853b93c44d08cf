// /servers/{id}/os-instance-actions: who did what to a server, by request id, and how each
// compute step ended (nova instance_actions.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InstanceActionNotFound, InstanceNotFound } from '../../nova-common/exception';
import { Instance, InstanceAction, InstanceActionEvent } from '../../nova-common/entities';
import type { ComputeAPI } from '../compute/api';
import { projectInPath, type ServerParams } from '../request';

const ts = (d: Date | null): string | null => (d ? d.toISOString().replace('Z', '').padEnd(26, '0') : null);

function actionView(a: InstanceAction, withUpdated: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    action: a.action, instance_uuid: a.instanceUuid, message: a.message, project_id: a.projectId, request_id: a.requestId,
    start_time: ts(a.startTime), user_id: a.userId,
  };
  if (withUpdated) out.updated_at = ts(a.updatedAt ?? a.startTime);
  return out;
}

export function instanceActionRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  // From 2.21 Nova reads the instance with read_deleted='yes': a deleted server's actions stay listable.
  const server = async (req: FastifyRequest, sid: string, action: 'list' | 'show'): Promise<void> => {
    let inst: Instance;
    if (!req.novaVersion.atLeast('2.21')) inst = await compute.get(req.ctx, sid);
    else {
      const rows = await compute.db.ds.getRepository(Instance).find({ where: { uuid: sid }, order: { id: 'DESC' }, take: 1 });
      if (!rows[0] || (!req.ctx.isAdmin && rows[0].projectId !== req.ctx.projectId)) throw new InstanceNotFound({ instance_id: sid });
      inst = rows[0];
    }
    compute.can(req.ctx, `os_compute_api:os-instance-actions:${action}`, inst);
  };
  const coll = `${base}/servers/:server_id/os-instance-actions`;
  app.get<{ Params: ServerParams }>(coll, async (req) => {
    projectInPath(req);
    const sid = req.params.server_id;
    await server(req, sid, 'list');
    const rows = await compute.db.ds.getRepository(InstanceAction).find({ where: { instanceUuid: sid, deleted: 0 }, order: { id: 'DESC' } });
    return { instanceActions: rows.map((a) => actionView(a, req.novaVersion.atLeast('2.58'))) };
  });
  app.get<{ Params: ServerParams & { request_id: string } }>(`${coll}/:request_id`, async (req) => {
    projectInPath(req);
    const { server_id: sid, request_id: rid } = req.params;
    await server(req, sid, 'show');
    const a = await compute.db.actionGet(sid, rid);
    if (!a) throw new InstanceActionNotFound({ request_id: rid, instance_uuid: sid });
    const out = actionView(a, req.novaVersion.atLeast('2.58'));
    // events: everyone from 2.51, before that the events policy; traceback and host: events:details.
    const target = { project_id: a.projectId };
    const details = compute.policy.allows(req.ctx, 'os_compute_api:os-instance-actions:events:details', target);
    if (req.novaVersion.atLeast('2.51') || compute.policy.allows(req.ctx, 'os_compute_api:os-instance-actions:events', target)) {
      const events = await compute.db.ds.getRepository(InstanceActionEvent).find({ where: { actionId: a.id, deleted: 0 }, order: { id: 'ASC' } });
      out.events = events.map((e) => ({
        event: e.event, start_time: ts(e.startTime), finish_time: ts(e.finishTime), result: e.result,
        ...(details ? { traceback: e.traceback } : {}), ...(req.novaVersion.atLeast('2.62') && details ? { host: e.host } : {}),
      }));
    }
    return { instanceAction: out };
  });
}
