// /volumes/{id}/metadata[/{key}] (cinder/api/v2/volume_metadata.py): show, create (merge),
// update all (replace), show/update/delete one key. Returns 200 with the metadata as stored.
// The volume is looked up first (volume:get, 404), then the metadata policy of the operation.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, pyJsonDumps, validateBody } from '../../common/api';
import { ETAGS } from '../microversions';
import type { Volume } from '../../cinder-common/entities';
import { InvalidVolumeMetadataSize, VolumeMetadataNotFound } from '../../cinder-common/exception';
import { bareResponse, projectInPath, type Params } from '../request';
import { MetaBody, MetadataBody } from '../schemas/volume-metadata';
import type { VolumeAPI } from '../volume/api';

type KeyParams = Params & { key?: string };

/** The metadata's ETag: the md5 of {"metadata": …} as Cinder's jsonutils.dumps writes it. */
export function metadataEtag(meta: Record<string, string>): string {
  return createHash('md5').update(pyJsonDumps({ metadata: meta })).digest('hex');
}

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
  /**
   * 3.15 (v3 volume_metadata.py): an update with If-Match naming none of the metadata's ETags is
   * 412 (a bare answer), after the body's schema and the metadata's lookup.
   */
  const preconditionFailed = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const ifMatch = req.headers['if-match'];
    if (!req.cinderVersion.atLeast(ETAGS) || !ifMatch) return false;
    const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
    if (tags.includes(metadataEtag((await current(req)).meta))) return false;
    await bareResponse(reply).code(412).type('text/html; charset=UTF-8').send();
    return true;
  };

  // From 3.15 the list carries its ETag, in a bare answer.
  app.get(`${base}/volumes/:id/metadata`, async (req, reply) => {
    const { meta } = await current(req);
    if (req.cinderVersion.atLeast(ETAGS)) void bareResponse(reply).header('etag', metadataEtag(meta));
    return { metadata: meta };
  });

  app.post(`${base}/volumes/:id/metadata`, async (req) => {
    const add = validateBody(MetadataBody, req.body, null).metadata;
    return { metadata: await api.createVolumeMetadata(req.ctx, await volume(req), add) };
  });

  app.put(`${base}/volumes/:id/metadata`, async (req, reply) => {
    const all = validateBody(MetadataBody, req.body, null).metadata;
    if (await preconditionFailed(req, reply)) return reply;
    return { metadata: await api.updateVolumeMetadata(req.ctx, await volume(req), all, true) };
  });

  app.get(`${base}/volumes/:id/metadata/:key`, async (req) => {
    const { v, meta } = await current(req);
    const key = (req.params as KeyParams).key ?? '';
    if (!Object.hasOwn(meta, key)) throw new VolumeMetadataNotFound({ volume_id: v.id, metadata_key: key });
    return { meta: { [key]: meta[key] } };
  });

  app.put(`${base}/volumes/:id/metadata/:key`, async (req, reply) => {
    const one = validateBody(MetaBody, req.body, null).meta;
    if (await preconditionFailed(req, reply)) return reply;
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
