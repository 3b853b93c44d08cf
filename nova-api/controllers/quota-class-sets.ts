// /os-quota-class-sets/{class}: thin — a quota class's limits, and an admin's update of them
// (the "default" class is every project's defaults), resources by microversion.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validateBody } from '../../common/api';
import { classResources, type QuotaAPI, type QuotaLimits } from '../compute/quotas';
import { projectInPath } from '../request';
import { quotaClassSetBody } from '../schemas/quota-sets';

type Params = { class_name: string };

function classSet(req: FastifyRequest, values: QuotaLimits, id: string | null): { quota_class_set: Record<string, unknown> } {
  const out: Record<string, unknown> = id === null ? {} : { id };
  for (const r of classResources((v) => req.novaVersion.atLeast(v))) out[r] = values[r];
  return { quota_class_set: out };
}

export function quotaClassSetRoutes(app: FastifyInstance, base: string, quotas: QuotaAPI): void {
  const one = `${base}/os-quota-class-sets/:class_name`;
  app.get<{ Params: Params }>(one, async (req) => {
    projectInPath(req);
    return classSet(req, await quotas.showClass(req.ctx, req.params.class_name), req.params.class_name);
  });

  app.put<{ Params: Params }>(one, async (req) => {
    projectInPath(req);
    const { quota_class_set: values } = validateBody(quotaClassSetBody(req.novaVersion), req.body, null);
    return classSet(req, await quotas.updateClass(req.ctx, req.params.class_name, values), null);
  });
}
