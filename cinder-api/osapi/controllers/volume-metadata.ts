// /volumes/{id}/metadata[/{key}] (cinder/api/v2/volume_metadata.py): show, create (merge),
// update all (replace), show/update/delete one key. Returns 200 with the metadata as stored.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../../common/api';
import { CinderException, NotFound } from '../../../cinder-common/exception';
import { projectInPath, type Params } from '../request';
import { checkMetadata, section } from '../schemas';
import type { VolumeAPI } from '../volume-api';

class VolumeMetadataNotFound extends NotFound {
  static override msgFmt = 'Volume %(volume_id)s has no metadata with key %(metadata_key)s.';
}
class InvalidVolumeMetadataSize extends CinderException {
  static override msgFmt = 'Invalid metadata size: %(reason)s';
  static override code = 400;
}

type KeyParams = Params & { key?: string };

export function volumeMetadataRoutes(app: FastifyInstance, base: string, api: VolumeAPI): void {
  const current = async (req: FastifyRequest): Promise<{ id: string; meta: Record<string, string> }> => {
    projectInPath(req);
    const v = await api.get(req.ctx, (req.params as Params).id ?? '');
    return { id: v.id, meta: (await api.db.metadataGet([v.id])).get(v.id) ?? {} };
  };
  const body = (req: FastifyRequest, key: 'metadata' | 'meta'): Record<string, string> => {
    const m = checkMetadata(key, section(req.body, key));
    if (!m) throw badRequest('Malformed request body');
    return m;
  };

  app.get(`${base}/volumes/:id/metadata`, async (req) => ({ metadata: (await current(req)).meta }));

  app.post(`${base}/volumes/:id/metadata`, async (req) => {
    const add = body(req, 'metadata');
    const { id, meta } = await current(req);
    const merged = { ...meta, ...add };
    await api.db.metadataReplace(id, merged);
    return { metadata: merged };
  });

  app.put(`${base}/volumes/:id/metadata`, async (req) => {
    const all = body(req, 'metadata');
    const { id } = await current(req);
    await api.db.metadataReplace(id, all);
    return { metadata: all };
  });

  app.get(`${base}/volumes/:id/metadata/:key`, async (req) => {
    const { id, meta } = await current(req);
    const key = (req.params as KeyParams).key ?? '';
    if (!(key in meta)) throw new VolumeMetadataNotFound({ volume_id: id, metadata_key: key });
    return { meta: { [key]: meta[key] } };
  });

  app.put(`${base}/volumes/:id/metadata/:key`, async (req) => {
    const one = body(req, 'meta');
    const key = (req.params as KeyParams).key ?? '';
    if (!(key in one)) throw badRequest('Request body and URI mismatch');
    if (Object.keys(one).length > 1) throw badRequest('Request body contains too many items');
    if (!key) throw new InvalidVolumeMetadataSize({ reason: 'key is empty' });
    const { id, meta } = await current(req);
    await api.db.metadataReplace(id, { ...meta, [key]: one[key] });
    return { meta: { [key]: one[key] } };
  });

  app.delete(`${base}/volumes/:id/metadata/:key`, async (req, reply) => {
    const { id, meta } = await current(req);
    const key = (req.params as KeyParams).key ?? '';
    if (!(key in meta)) throw new VolumeMetadataNotFound({ volume_id: id, metadata_key: key });
    const rest = { ...meta };
    delete rest[key];
    await api.db.metadataReplace(id, rest);
    return reply.code(200).send();
  });
}
