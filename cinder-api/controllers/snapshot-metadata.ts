// /snapshots/{id}/metadata[/{key}] (cinder/api/v3/snapshot_metadata.py). Unlike a volume's, these
// bodies have no schema: only the entity's presence (assert_valid_body) is checked before the
// snapshot is looked up (404), then the metadata as check_metadata_properties checks it (400, or
// 413 for a key or value over 255 characters).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, HTTPFault } from '../../common/api';
import type { Snapshot } from '../../cinder-common/entities';
import { SnapshotMetadataNotFound } from '../../cinder-common/exception';
import { bareResponse, projectInPath, type Params } from '../request';
import type { SnapshotAPI } from '../volume/snapshots';

type Dict = Record<string, unknown>;
type KeyParams = Params & { key?: string };

/** assert_valid_body: a non-empty body naming `entity`, which is a dict. */
function entityOf(body: unknown, entity: string): Dict {
  const named = body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length ? (body as Dict)[entity] : undefined;
  if (named === null || typeof named !== 'object' || Array.isArray(named)) throw badRequest(`Missing required element '${entity}' in request body.`);
  return named as Dict;
}

/** check_metadata_properties, worded as Cinder's (oslo's check_string_length inside InvalidVolumeMetadata). */
export function checkMetadataProperties(meta: Dict): Record<string, string> {
  const len = (x: string): number => [...x].length;
  for (const [k, v] of Object.entries(meta)) {
    const invalid = (why: string): HTTPFault => badRequest(`Invalid metadata: Invalid input received: ${why}`);
    if (len(k) < 1) throw invalid(`Metadata key: ${k} has 0 characters, less than 1.`);
    if (typeof v !== 'string') throw invalid(`Value for metadata key: ${k} is not a string or unicode`);
    if (len(k) > 255) throw new HTTPFault(413, `Invalid metadata size: Metadata property key ${k} greater than 255 characters.`);
    if (len(v) > 255) throw new HTTPFault(413, `Invalid metadata size: Metadata property key ${k} value greater than 255 characters.`);
  }
  return meta as Record<string, string>;
}

export function snapshotMetadataRoutes(app: FastifyInstance, base: string, api: SnapshotAPI): void {
  const at = `${base}/snapshots/:id/metadata`;
  const one = async (req: FastifyRequest): Promise<Snapshot> => {
    projectInPath(req);
    return api.get(req.ctx, (req.params as Params).id ?? '');
  };
  const keyOf = (req: FastifyRequest): string => (req.params as KeyParams).key ?? '';

  app.get(at, async (req) => ({ metadata: await api.getMetadata(req.ctx, await one(req)) }));
  // create merges (delete=False), update_all replaces; both answer all of it.
  for (const [method, replace] of [['POST', false], ['PUT', true]] as const) {
    app.route({
      method, url: at, handler: async (req) => {
        const meta = entityOf(req.body, 'metadata');
        const s = await one(req);
        const merged = replace ? meta : { ...await api.getMetadata(req.ctx, s), ...meta };
        checkMetadataProperties(merged);
        return { metadata: await api.updateMetadata(req.ctx, s, checkMetadataProperties(meta), replace) };
      },
    });
  }
  app.get(`${at}/:key`, async (req) => {
    const s = await one(req);
    const meta = await api.getMetadata(req.ctx, s);
    const key = keyOf(req);
    if (!Object.hasOwn(meta, key)) throw new SnapshotMetadataNotFound({ snapshot_id: s.id, metadata_key: key });
    return { meta: { [key]: meta[key] } };
  });
  app.put(`${at}/:key`, async (req) => {
    const item = entityOf(req.body, 'meta');
    const key = keyOf(req);
    if (!Object.hasOwn(item, key)) throw badRequest('Request body and URI mismatch');
    if (Object.keys(item).length > 1) throw badRequest('Request body contains too many items');
    const s = await one(req);
    checkMetadataProperties({ ...await api.getMetadata(req.ctx, s), ...item });
    await api.updateMetadata(req.ctx, s, checkMetadataProperties(item), false);
    return { meta: { [key]: item[key] } };
  });
  app.delete(`${at}/:key`, async (req, reply) => {
    const s = await one(req);
    const meta = await api.getMetadata(req.ctx, s);
    const key = keyOf(req);
    if (!Object.hasOwn(meta, key)) throw new SnapshotMetadataNotFound({ snapshot_id: s.id, metadata_key: key });
    await api.deleteMetadata(req.ctx, s, key);
    return bareResponse(reply).code(200).send();
  });
}
