// /volumes/{id}/metadata[/{key}] (cinder/api/v2/volume_metadata.py): show, create (merge),
// update all (replace), show/update/delete one key. Returns 200 with the metadata as stored.
// The volume is looked up first (volume:get, 404), then the metadata policy of the operation.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, validateBody } from '../../common/api';
import type { Volume } from '../../cinder-common/entities';
import { InvalidVolumeMetadataSize, VolumeMetadataNotFound } from '../../cinder-common/exception';
import { bareResponse, projectInPath, type Params } from '../request';
import { MetaBody, MetadataBody } from '../schemas/volume-metadata';
import type { VolumeAPI } from '../volume/api';

type KeyParams = Params & { key?: string };

export function volumeMetadataRoutes(app: FastifyInstance, base: string, api: VolumeAPI): void {
  /** The volume (volume:get, 404 when refused) as the URL names it. */
  const volume = async (req: FastifyRequest): Promise<Volume> => {
    projectInPath(req);
    return api.get(req.ctx, (req.params as Params).id ?? '');
  };
  /** _get_volume_and_metadata: the volume, then its metadata (volume:get_volume_metadata). */
  const current = async (req: FastifyRequest): Promise<{ v: Volume; meta: Record<string, string> }> => {
    const v = await volume(req);
    return { v, meta: await api.getVolumeMetadata(req.ctx, v) };
  };
  app.get(`${base}/volumes/:id/metadata`, async (req) => ({ metadata: (await current(req)).meta }));

  app.post(`${base}/volumes/:id/metadata`, async (req) => {
    const add = validateBody(MetadataBody, req.body, null).metadata;
    return { metadata: await api.createVolumeMetadata(req.ctx, await volume(req), add) };
  });

  app.put(`${base}/volumes/:id/metadata`, async (req) => {
    const all = validateBody(MetadataBody, req.body, null).metadata;
    return { metadata: await api.updateVolumeMetadata(req.ctx, await volume(req), all, true) };
  });

  app.get(`${base}/volumes/:id/metadata/:key`, async (req) => {
    const { v, meta } = await current(req);
    const key = (req.params as KeyParams).key ?? '';
    if (!Object.hasOwn(meta, key)) throw new VolumeMetadataNotFound({ volume_id: v.id, metadata_key: key });
    return { meta: { [key]: meta[key] } };
  });

  app.put(`${base}/volumes/:id/metadata/:key`, async (req) => {
    const one = validateBody(MetaBody, req.body, null).meta;
    const key = (req.params as KeyParams).key ?? '';
    if (!Object.hasOwn(one, key)) throw badRequest('Request body and URI mismatch');
    if (!key) throw new InvalidVolumeMetadataSize({ reason: 'key is empty' });
    await api.updateVolumeMetadata(req.ctx, await volume(req), { [key]: one[key] }, false);
    return { meta: { [key]: one[key] } };
  });

  // Cinder reads the metadata (with its policy) to 404 an absent key before the delete policy.
  app.delete(`${base}/volumes/:id/metadata/:key`, async (req, reply) => {
    const { v, meta } = await current(req);
    const key = (req.params as KeyParams).key ?? '';
    if (!Object.hasOwn(meta, key)) throw new VolumeMetadataNotFound({ volume_id: v.id, metadata_key: key });
    await api.deleteVolumeMetadata(req.ctx, v, key);
    return bareResponse(reply).code(200).send();
  });
}
