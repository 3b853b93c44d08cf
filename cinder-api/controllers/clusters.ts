// /v3/{project_id}/clusters (3.7+): list, list-detail, show, enable/disable; below 3.7 the
// resource does not exist (404). Thin: query and body to the cluster API.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../common/api';
import { projectInPath, type Params } from '../request';
import type { ClusterAPI } from '../volume/clusters';

const MV_CLUSTER_SUPPORT = '3.7';

export function clusterRoutes(app: FastifyInstance, base: string, api: ClusterAPI): void {
  const gate = (req: FastifyRequest): void => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast(MV_CLUSTER_SUPPORT)) throw notFound();
  };
  const config = { minVersion: MV_CLUSTER_SUPPORT };
  for (const path of ['clusters', 'clusters/detail']) {
    app.get(`${base}/${path}`, { config }, async (req) => {
      gate(req);
      return { clusters: api.list(req.ctx, { ...(req.query ?? {}) as Record<string, string> }, req.cinderVersion) };
    });
  }
  app.get(`${base}/clusters/:id`, { config }, async (req) => {
    gate(req);
    api.show(req.ctx, (req.params as Params).id ?? '');
  });
  app.put(`${base}/clusters/:id`, { config }, async (req) => {
    gate(req);
    api.update(req.ctx, (req.params as Params).id ?? '', req.body);
  });
}
