// /os-hosts (up to 2.42; gone from 2.43): thin — the body checked, the host API's answer back.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound, validateBody } from '../../common/api';
import type { HostAPI } from '../compute/hosts';
import { lastQueryValue } from '../query';
import { projectInPath } from '../request';
import { HostUpdate } from '../schemas/hosts';

const REMOVED = '2.43';

type HostParams = { tenant_id?: string; host_name: string };

function served(req: FastifyRequest): void {
  projectInPath(req);
  if (req.novaVersion.atLeast(REMOVED)) throw notFound();
}

export function hostRoutes(app: FastifyInstance, base: string, hosts: HostAPI): void {
  app.get(`${base}/os-hosts`, async (req) => {
    served(req);
    return { hosts: await hosts.list(req.ctx, lastQueryValue((req.query as Record<string, unknown>).zone)) };
  });
  app.get<{ Params: HostParams }>(`${base}/os-hosts/:host_name`, async (req) => {
    served(req);
    return { host: await hosts.show(req.ctx, req.params.host_name) };
  });
  app.put<{ Params: HostParams }>(`${base}/os-hosts/:host_name`, async (req) => {
    served(req);
    // The schema before the policy, as Nova's decorator runs before its context.can.
    return hosts.update(req.ctx, req.params.host_name, validateBody(HostUpdate, req.body, null));
  });
  for (const action of ['startup', 'shutdown', 'reboot'] as const) {
    app.get<{ Params: HostParams }>(`${base}/os-hosts/:host_name/${action}`, async (req) => {
      served(req);
      return hosts.powerAction(req.ctx, req.params.host_name, action);
    });
  }
}
