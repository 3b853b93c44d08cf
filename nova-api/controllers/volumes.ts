// /os-volumes and /os-snapshots (Nova's volume proxy, up to 2.35; 404 from 2.36): thin — the
// version and query checked, the proxy API's volumes and snapshots in its views.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound, validateBody } from '../../common/api';
import type { VolumesProxyAPI } from '../compute/volumes-proxy';
import { checkQuery, lastQueryValue, nonNegativeInteger } from '../query';
import { projectInPath } from '../request';
import { SnapshotCreateBody, VolumeCreateBody } from '../schemas/volumes';
import { toBoolean } from '../schemas/parameter-types';
import { proxySnapshotView, proxyVolumeView } from '../views/volumes';

const REMOVED = '2.36';
const PAGING = { limit: { schema: nonNegativeInteger }, offset: { schema: nonNegativeInteger } };

type VolumeParams = { tenant_id?: string; volume_id: string };

function served(req: FastifyRequest): void {
  projectInPath(req);
  if (req.novaVersion.atLeast(REMOVED)) throw notFound();
  // Nova's routes match exactly: os-volumes/ names no volume.
  if (req.url.split('?')[0].endsWith('/')) throw notFound();
}

/** common.limited: `offset` on, at most `limit` (0 or none: max_limit). */
function limited<T>(req: FastifyRequest, items: T[], maxLimit: number): T[] {
  const q = req.query as Record<string, unknown>;
  checkQuery(q, PAGING, false);
  const offset = Number(lastQueryValue(q.offset) ?? 0);
  const limit = Math.min(maxLimit, Number(lastQueryValue(q.limit) ?? 0) || maxLimit);
  return items.slice(offset, offset + limit);
}

export function volumeProxyRoutes(app: FastifyInstance, base: string, volumes: VolumesProxyAPI, maxLimit: number): void {
  for (const kind of ['list', 'detail'] as const) {
    app.get(`${base}/os-volumes${kind === 'detail' ? '/detail' : ''}`, async (req) => {
      served(req);
      return { volumes: limited(req, await volumes.list(req.ctx, kind), maxLimit).map(proxyVolumeView) };
    });
  }
  app.get<{ Params: VolumeParams }>(`${base}/os-volumes/:volume_id`, async (req) => {
    served(req);
    return { volume: proxyVolumeView(await volumes.show(req.ctx, req.params.volume_id)) };
  });
  app.post(`${base}/os-volumes`, async (req, reply) => {
    served(req);
    const body = validateBody(VolumeCreateBody, req.body, null);
    const v = await volumes.create(req.ctx, { ...body.volume, size: Number(body.volume.size) });
    void reply.header('Location', `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${req.url.split('?')[0]}/${v.id}`);
    return { volume: proxyVolumeView(v) };
  });
  app.delete<{ Params: VolumeParams }>(`${base}/os-volumes/:volume_id`, async (req, reply) => {
    served(req);
    await volumes.delete(req.ctx, req.params.volume_id);
    return reply.code(202).send();
  });

  for (const kind of ['list', 'detail'] as const) {
    app.get(`${base}/os-snapshots${kind === 'detail' ? '/detail' : ''}`, async (req) => {
      served(req);
      return { snapshots: limited(req, await volumes.listSnapshots(req.ctx, kind), maxLimit).map(proxySnapshotView) };
    });
  }
  app.get<{ Params: { snapshot_id: string } }>(`${base}/os-snapshots/:snapshot_id`, async (req) => {
    served(req);
    return { snapshot: proxySnapshotView(await volumes.showSnapshot(req.ctx, req.params.snapshot_id)) };
  });
  app.post(`${base}/os-snapshots`, async (req) => {
    served(req);
    const { snapshot } = validateBody(SnapshotCreateBody, req.body, null);
    return { snapshot: proxySnapshotView(await volumes.createSnapshot(req.ctx, snapshot, snapshot.force !== undefined && toBoolean(snapshot.force))) };
  });
  app.delete<{ Params: { snapshot_id: string } }>(`${base}/os-snapshots/:snapshot_id`, async (req, reply) => {
    served(req);
    await volumes.deleteSnapshot(req.ctx, req.params.snapshot_id);
    return reply.code(202).send();
  });
}
