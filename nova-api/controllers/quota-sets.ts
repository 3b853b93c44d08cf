// /os-quota-sets/{project_id}[/detail|/defaults]: thin — the query and body checked at the
// request's microversion, the quota API's answer, the resources the microversion shows.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { additionalPropertiesMessage, badRequest, validateBody } from '../../common/api';
import { shownResources, type QuotaAPI } from '../compute/quotas';
import { MV } from '../microversions';
import { projectInPath } from '../request';
import { quotaSetBody, toBoolean } from '../schemas/quota-sets';

type Params = { project_id: string };

/** The query's user_id (its first value, as parse_qs reads it); only it from 2.75 (before, others are ignored). */
function userOf(req: FastifyRequest): string | null {
  const q = (req.query ?? {}) as Record<string, unknown>;
  if (req.novaVersion.atLeast(MV.STRICT_QUERY)) {
    const extra = Object.keys(q).filter((k) => k !== 'user_id');
    if (extra.length) throw badRequest(additionalPropertiesMessage(extra));
  }
  const u = Array.isArray(q.user_id) ? q.user_id[0] : q.user_id;
  return typeof u === 'string' && u !== '' ? u : null;
}

/** {"quota_set": {"id"?, <resource>: value…}} with the resources the microversion shows. */
function quotaSet<T>(req: FastifyRequest, values: Record<string, T>, id: string | null): { quota_set: Record<string, unknown> } {
  const out: Record<string, unknown> = id === null ? {} : { id };
  for (const r of shownResources((v) => req.novaVersion.atLeast(v))) out[r] = values[r];
  return { quota_set: out };
}

export function quotaSetRoutes(app: FastifyInstance, base: string, quotas: QuotaAPI): void {
  const one = `${base}/os-quota-sets/:project_id`;
  app.get<{ Params: Params }>(one, async (req) => {
    projectInPath(req);
    return quotaSet(req, await quotas.show(req.ctx, req.params.project_id, userOf(req)), req.params.project_id);
  });

  app.get<{ Params: Params }>(`${one}/detail`, async (req) => {
    projectInPath(req);
    return quotaSet(req, await quotas.detail(req.ctx, req.params.project_id, userOf(req)), req.params.project_id);
  });

  app.get<{ Params: Params }>(`${one}/defaults`, async (req) => {
    projectInPath(req);
    return quotaSet(req, await quotas.showDefaults(req.ctx, req.params.project_id), req.params.project_id);
  });

  app.put<{ Params: Params }>(one, async (req) => {
    projectInPath(req);
    const { quota_set: values } = validateBody(quotaSetBody(req.novaVersion), req.body, null);
    const force = values.force !== undefined && toBoolean(values.force);
    return quotaSet(req, await quotas.update(req.ctx, req.params.project_id, values, force, userOf(req)), null);
  });

  app.delete<{ Params: Params }>(one, async (req, reply) => {
    projectInPath(req);
    await quotas.reset(req.ctx, req.params.project_id, userOf(req));
    return reply.code(202).send();
  });
}
