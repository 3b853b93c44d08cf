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
import { badRequest } from '../../../common/api';
import { InvalidInput } from '../../../cinder-common/exception';
import { LIMITS_ADMIN_FILTER, type QuotaAPI } from '../quota-api';
import { projectInPath, type Params } from '../request';
import { checkType, invalid, pyRepr } from '../schemas';

type Dict = Record<string, unknown>;

/** additionalProperties at the top: jsonschema's message alone (no field path). */
function rootExtra(root: Dict, key: string): void {
  const extra = Object.keys(root).filter((k) => k !== key);
  if (extra.length) throw badRequest(`Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
}
const CLASS_KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;

/** update_quota: {"quota_set": {non-empty object, format quota_set}}, nothing else. */
async function quotaSetBody(api: QuotaAPI, body: unknown): Promise<Record<string, number>> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${pyRepr(body)} is not of type 'object'`);
  const root = body as Dict;
  if ('quota_set' in root) {
    const set = root.quota_set;
    checkType('quota_set', set, ['object']);
    if (!Object.keys(set as Dict).length) throw invalid('quota_set', set, `${pyRepr(set)} does not have enough properties`);
    const values = await api.checkQuotaSet(set as Dict);
    rootExtra(root, 'quota_set');
    return values;
  }
  throw badRequest("'quota_set' is a required property");
}

/** update_quota_class: {"quota_class_set": {<key>: integer or digit string >= -1}}: keys first, then each value. */
async function quotaClassSetBody(api: QuotaAPI, body: unknown): Promise<Record<string, number>> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${pyRepr(body)} is not of type 'object'`);
  const root = body as Dict;
  if (!('quota_class_set' in root)) throw badRequest("'quota_class_set' is a required property");
  const set = root.quota_class_set;
  checkType('quota_class_set', set, ['object']);
  const known = await api.classResourceNames();
  const bad = Object.keys(set as Dict).filter((k) => !known.has(k));
  if (bad.length) throw new InvalidInput({ reason: `Bad key(s) in quota class set: ${bad.join(', ')}` });
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(set as Dict)) {
    if (!CLASS_KEY.test(k)) throw invalid('quota_class_set', set, `Additional properties are not allowed (${pyRepr(k)} was unexpected)`);
    checkType(k, v, ['integer', 'string']);
    if (typeof v === 'string') {
      if (!/^[0-9]*$/.test(v)) throw invalid(k, v, `${pyRepr(v)} does not match '^[0-9]*$'`);
      if (!v.length) throw invalid(k, v, `${pyRepr(v)} is too short`);
    }
    const n = Number(v);
    if (n < -1) throw invalid(k, v, `${pyRepr(v)} is less than the minimum of -1`);
    if (n > 2147483647) throw invalid(k, v, `${pyRepr(v)} is greater than the maximum of 2147483647`);
    out[k] = n;
  }
  rootExtra(root, 'quota_class_set');
  return out;
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
