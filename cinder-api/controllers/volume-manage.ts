// POST /os-volume-manage (all versions) and POST /manageable_volumes (3.8+): bring a backend
// object under Cinder's management (cinder/api/contrib/volume_manage.py, v3/volume_manage.py).
// Thin: the body's schema (with `cluster` from 3.16), policy, host or cluster, then
// volume/manage.ts. The answer is 202 with the v2 detail view of the new volume ('creating').
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound, validateBody } from '../../common/api';
import { APIVersion } from '../../common/api/microversion';
import { InvalidInput } from '../../cinder-common/exception';
import { projectInPath, viewCtx } from '../request';
import { toBoolean } from '../schemas/parameter-types';
import { VolumeManageBody, VolumeManageBodyV316, type ManageRequestBody } from '../schemas/volume-manage';
import type { VolumeAPI } from '../volume/api';
import { MANAGE_POLICY, manageExisting } from '../volume/manage';
import { volumeDetail } from '../views/volumes';

const BASE_VERSION = APIVersion.parse('3.0');
/** Python's `x.strip()` when x is truthy, else None. */
const stripped = (s: string | null | undefined): string | null => (s ? s.trim() : null);

export function volumeManageRoutes(app: FastifyInstance, base: string, api: VolumeAPI): void {
  const create = async (req: FastifyRequest, minVersion: string | null): Promise<unknown> => {
    projectInPath(req);
    if (minVersion && !req.cinderVersion.atLeast(minVersion)) throw notFound();
    const withCluster = req.cinderVersion.atLeast('3.16');
    const body: ManageRequestBody = validateBody(withCluster ? VolumeManageBodyV316 : VolumeManageBody, req.body, null).volume;
    api.authorize(req.ctx, MANAGE_POLICY);
    // common.get_cluster_host: one of the two (before 3.16, host alone), by truthiness.
    const cluster = withCluster ? body.cluster || null : null;
    const host = body.host || null;
    if (Boolean(cluster) === Boolean(host)) {
      throw new InvalidInput({ reason: withCluster ? 'One and only one of cluster and host must be set.' : 'Host field is missing.' });
    }
    const made = await manageExisting(api, req.ctx, {
      host, cluster, ref: body.ref, name: stripped(body.name), description: stripped(body.description), volumeType: body.volume_type || null,
      metadata: body.metadata ?? null, availabilityZone: body.availability_zone ?? null, bootable: toBoolean(body.bootable ?? false),
    });
    // The v2 view builder's detail, without the extensions' keys.
    const c = { ...viewCtx(req, api), version: BASE_VERSION };
    return { volume: volumeDetail(c, made.volume, { metadata: { ...(body.metadata ?? {}) }, attachments: [], volumeType: made.typeName }, false) };
  };
  app.post(`${base}/os-volume-manage`, async (req, reply) => reply.code(202).send(await create(req, null)));
  app.post(`${base}/manageable_volumes`, async (req, reply) => reply.code(202).send(await create(req, '3.8')));
}
