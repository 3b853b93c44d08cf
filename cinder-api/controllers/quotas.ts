// os-quota-sets, os-quota-class-sets and limits (cinder/api/contrib/quotas.py, quota_classes.py,
// api/v3/limits.py): thin — the body checked as Cinder's schemas do (before the policy, as its
// @validation.schema), then the quota API.
//   GET    {base}/os-quota-sets/{id}[?usage=True]   {"quota_set": {<resource>: limit | {limit, in_use, reserved}, …, "id"}}
//   GET    {base}/os-quota-sets/{id}/defaults       {"quota_set": {<resource>: limit, …, "id"}}
//   PUT    {base}/os-quota-sets/{id}                {"quota_set": {<resource>: limit}} → 200 {"quota_set": {…}} (admin)
//   DELETE {base}/os-quota-sets/{id}                200, empty (admin): the project's limits back to the defaults
//   GET    {base}/os-quota-class-sets/{class}       {"quota_class_set": {…, "id"}} (admin)
//   PUT    {base}/os-quota-class-sets/{class}       {"quota_class_set": {<resource>: limit}} → 200 (admin)
//   GET    {base}/limits                            {"limits": {"rate": [], "absolute": {maxTotalVolumes, …, totalVolumesUsed, …}}}
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rejectExtraKeys, validateBody } from '../../common/api';
import { InvalidInput } from '../../cinder-common/exception';
import { LIMITS_ADMIN_FILTER, type QuotaAPI, type QuotaSetValues } from '../volume/quotas';
import { projectInPath, type Params } from '../request';
import { QuotaClassSetBody, QuotaClassSetTypeBody, QuotaSetBody } from '../schemas/quotas';

type Dict = Record<string, unknown>;

/** update_quota: the DTO up to its format, the format (validators._validate_quota_set), then the body's other keys. */
async function quotaSetBody(api: QuotaAPI, body: unknown): Promise<QuotaSetValues> {
  const values = await api.checkQuotaSet(validateBody(QuotaSetBody, body, null).quota_set);
  rejectExtraKeys(body, ['quota_set']);
  return values;
}

/** update_quota_class: its type, the format (unknown resource names), then the values and the body's other keys. */
async function quotaClassSetBody(api: QuotaAPI, body: unknown): Promise<Record<string, number>> {
  const set = validateBody(QuotaClassSetTypeBody, body, null).quota_class_set;
  const known = await api.classResourceNames();
  const bad = Object.keys(set).filter((k) => !known.has(k));
  if (bad.length) throw new InvalidInput({ reason: `Bad key(s) in quota class set: ${bad.join(', ')}` });
  const values = validateBody(QuotaClassSetBody, body, null).quota_class_set;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number(v)]));
}

export function quotaRoutes(app: FastifyInstance, base: string, api: QuotaAPI): void {
  const id = (req: FastifyRequest): string => {
    projectInPath(req);
    return (req.params as Params).id ?? '';
  };
  const query = (req: FastifyRequest): Dict => (req.query ?? {}) as Dict;

  app.get(`${base}/os-quota-sets/:id`, async (req) => {
    const usage = query(req).usage;
    return api.show(req.ctx, id(req), typeof usage === 'string' ? usage : Array.isArray(usage) ? String(usage.at(-1)) : undefined);
  });
  app.get(`${base}/os-quota-sets/:id/defaults`, async (req) => api.defaults(req.ctx, id(req)));
  app.put(`${base}/os-quota-sets/:id`, async (req) => {
    const target = id(req);
    return api.update(req.ctx, target, await quotaSetBody(api, req.body));
  });
  app.delete(`${base}/os-quota-sets/:id`, async (req, reply: FastifyReply) => {
    await api.delete(req.ctx, id(req));
    return reply.code(200).send();
  });
  app.get(`${base}/os-quota-class-sets/:id`, async (req) => api.classShow(req.ctx, id(req)));
  app.put(`${base}/os-quota-class-sets/:id`, async (req) => {
    const target = id(req);
    return api.classUpdate(req.ctx, target, await quotaClassSetBody(api, req.body));
  });
  app.get(`${base}/limits`, async (req) => {
    projectInPath(req);
    return api.limits(req.ctx, query(req), req.cinderVersion.atLeast(LIMITS_ADMIN_FILTER));
  });
}
