// /os-services: thin — the query or body checked at the request's microversion, the service API's
// answer back. The id in the path is the action before 2.53 and the service's uuid from 2.53.
import type { FastifyInstance } from 'fastify';
import { additionalPropertiesMessage, badRequest, validateBody } from '../../common/api';
import type { ServiceAPI } from '../compute/services';
import { MV } from '../microversions';
import { projectInPath } from '../request';
import { serviceUpdateBody, ServiceUpdateV253, toBoolean } from '../schemas/services';

const UUID_IDS = '2.53';
const FORCED_DOWN = '2.11';

/** webob's GET[key]: the last value given; '' (or absent) filters nothing. */
const last = (v: unknown): string | undefined => {
  const x = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof x === 'string' && x !== '' ? x : undefined;
};

export function serviceRoutes(app: FastifyInstance, base: string, services: ServiceAPI): void {
  app.get(`${base}/os-services`, async (req) => {
    projectInPath(req);
    const q = (req.query ?? {}) as Record<string, unknown>;
    if (req.novaVersion.atLeast(MV.STRICT_QUERY)) {
      const extra = Object.keys(q).filter((k) => k !== 'host' && k !== 'binary');
      if (extra.length) throw badRequest(additionalPropertiesMessage(extra));
    }
    const v = req.novaVersion;
    return { services: await services.list(req.ctx, { host: last(q.host), binary: last(q.binary) }, v.atLeast(FORCED_DOWN), v.atLeast(UUID_IDS)) };
  });

  app.put<{ Params: { service_id: string } }>(`${base}/os-services/:service_id`, async (req) => {
    projectInPath(req);
    const id = req.params.service_id;
    if (!req.novaVersion.atLeast(UUID_IDS)) {
      const b = validateBody(serviceUpdateBody(req.novaVersion), req.body, null) as { host: string; binary: string; disabled_reason?: string; forced_down?: unknown };
      const forcedDown = b.forced_down === undefined ? undefined : toBoolean(b.forced_down);
      return services.updateByAction(req.ctx, id, { ...b, forced_down: forcedDown }, req.novaVersion.atLeast(FORCED_DOWN));
    }
    const b = validateBody(ServiceUpdateV253, req.body, null);
    return services.update(req.ctx, id, {
      status: b.status, disabled_reason: b.disabled_reason, forced_down: b.forced_down === undefined ? undefined : toBoolean(b.forced_down),
    });
  });

  app.delete<{ Params: { service_id: string } }>(`${base}/os-services/:service_id`, async (req, reply) => {
    projectInPath(req);
    await services.delete(req.ctx, req.params.service_id, req.novaVersion.atLeast(UUID_IDS));
    return reply.code(204).send();
  });
}
