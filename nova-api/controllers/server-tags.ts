// /servers/{id}/tags[/{tag}] (nova server_tags.py, from 2.26; 404 below): list, replace all,
// delete all; check one (204), add one (201 with its Location, 204 when there), delete one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, notFound, validateBody } from '../../common/api';
import { pyRepr } from '../../common/api/python-text';
import type { ComputeAPI } from '../compute/api';
import { MV } from '../microversions';
import { baseUrl, projectInPath, type ServerParams } from '../request';
import { TagsBody } from '../schemas/server-tags';

type TagParams = ServerParams & { tag: string };

/** A Location header carries Latin-1 only: other characters of a tag go percent-encoded. */
const headerSafe = (s: string): string => s.replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));

export function serverTagRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  const coll = `${base}/servers/:server_id/tags`;
  const gate = (req: FastifyRequest): void => {
    projectInPath(req);
    if (!req.novaVersion.atLeast(MV.TAGS)) throw notFound();
  };

  app.get<{ Params: ServerParams }>(coll, async (req) => {
    gate(req);
    return { tags: await compute.tags.index(req.ctx, req.params.server_id) };
  });

  app.put<{ Params: ServerParams }>(coll, async (req) => {
    gate(req);
    const { tags } = validateBody(TagsBody, req.body, null);
    return { tags: await compute.tags.replace(req.ctx, req.params.server_id, tags) };
  });

  app.delete<{ Params: ServerParams }>(coll, async (req, reply) => {
    gate(req);
    await compute.tags.removeAll(req.ctx, req.params.server_id);
    return reply.code(204).send();
  });

  app.get<{ Params: TagParams }>(`${coll}/:tag`, async (req, reply) => {
    gate(req);
    await compute.tags.show(req.ctx, req.params.server_id, req.params.tag);
    return reply.code(204).send();
  });

  app.put<{ Params: TagParams }>(`${coll}/:tag`, async (req, reply: FastifyReply) => {
    gate(req);
    // schema.update: no body (JSON null), a refusal worded as jsonschema's at the root.
    if (req.body !== undefined && req.body !== null) throw badRequest(`${pyRepr(req.body)} is not of type 'null'`);
    const { server_id: id, tag } = req.params;
    if (!(await compute.tags.add(req.ctx, id, tag))) return reply.code(204).send();
    const project = projectInPath(req);
    void reply.header('Location', headerSafe(`${baseUrl(req)}/v2.1/${project ? `${project}/` : ''}servers/${id}/tags/${tag}`));
    return reply.code(201).send();
  });

  app.delete<{ Params: TagParams }>(`${coll}/:tag`, async (req, reply) => {
    gate(req);
    await compute.tags.remove(req.ctx, req.params.server_id, req.params.tag);
    return reply.code(204).send();
  });
}
