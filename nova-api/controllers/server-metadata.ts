// /servers/{id}/metadata[/{key}] (nova server_metadata.py): list, merge (POST), replace (PUT),
// show/set/delete one key. The body is validated before the server is looked up, as Nova's
// schema decorator does.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound, validateBody } from '../../common/api';
import type { ComputeAPI } from '../compute/api';
import { projectInPath, type ServerParams } from '../request';
import { MetaBody, MetadataBody } from '../schemas/server-metadata';

type KeyParams = ServerParams & { key: string };

export function serverMetadataRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  const coll = `${base}/servers/:server_id/metadata`;
  /** The server, then the action's policy on it (as Nova's controller). */
  const server = async (req: FastifyRequest<{ Params: ServerParams }>, action: string) => {
    projectInPath(req);
    const inst = await compute.get(req.ctx, req.params.server_id);
    compute.can(req.ctx, `os_compute_api:server-metadata:${action}`, inst);
    return inst;
  };
  const missing = (): never => { throw notFound('Metadata item was not found'); };

  app.get<{ Params: ServerParams }>(coll, async (req) => ({ metadata: compute.metadataOf(await server(req, 'index')) }));

  app.post<{ Params: ServerParams }>(coll, async (req) => {
    const md = validateBody(MetadataBody, req.body, null).metadata;
    const inst = await server(req, 'create');
    return { metadata: await compute.updateMetadata(req.ctx, inst, 'update metadata', (m) => ({ ...m, ...md })) };
  });

  app.put<{ Params: ServerParams }>(coll, async (req) => {
    const md = validateBody(MetadataBody, req.body, null).metadata;
    const inst = await server(req, 'update_all');
    return { metadata: await compute.updateMetadata(req.ctx, inst, 'update metadata', () => md) };
  });

  app.get<{ Params: KeyParams }>(`${coll}/:key`, async (req) => {
    const { key } = req.params;
    const m = compute.metadataOf(await server(req, 'show'));
    return Object.hasOwn(m, key) ? { meta: { [key]: m[key] } } : missing();
  });

  app.put<{ Params: KeyParams }>(`${coll}/:key`, async (req) => {
    const { meta } = validateBody(MetaBody, req.body, null);
    const { key } = req.params;
    const inst = await server(req, 'update');
    if (!Object.hasOwn(meta, key)) throw badRequest('Request body and URI mismatch');
    await compute.updateMetadata(req.ctx, inst, 'update metadata', (m) => ({ ...m, ...meta }));
    return { meta };
  });

  app.delete<{ Params: KeyParams }>(`${coll}/:key`, async (req, reply) => {
    const { key } = req.params;
    const inst = await server(req, 'delete');
    if (!Object.hasOwn(compute.metadataOf(inst), key)) missing();
    await compute.updateMetadata(req.ctx, inst, 'delete metadata', (m) => {
      delete m[key];
      return m;
    });
    return reply.code(204).send();
  });
}
