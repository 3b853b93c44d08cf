// /group_types and /group_types/{id}/group_specs (cinder/api/v3/group_types.py and
// group_specs.py), from 3.11; below it the methods do not exist (404). Thin: check the body or
// query, call the group types API, render. A type's create and a specs create answer 202 with
// their body, updates 200, deletes webob's bare 202. The list pages and sorts as Cinder's
// paginate query over the table's columns; its only filter is is_public.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound, validateBody } from '../../common/api';
import type { RequestContext } from '../../common/context';
import type { GroupType } from '../../cinder-common/entities';
import type { GroupTypeWithSpecs } from '../../cinder-common/group-type-db';
import { columnSortKeys, nextLinks, pageParams, sortRows, type SortKeys } from '../pagination';
import { bareResponse, projectInPath, type Params } from '../request';
import { toBoolean } from '../schemas/parameter-types';
import { CreateGroupSpecsBody, CreateGroupTypeBody, UpdateGroupSpecBody, UpdateGroupTypeBody } from '../schemas/group-types';
import { GROUP_TYPE_POLICY, type GroupTypeAPI } from '../volume/group-types';

const MV_GROUP_TYPE = '3.11';

type Dict = Record<string, unknown>;
type KeyParams = Params & { key?: string };

const COLUMNS = new Map<string, keyof GroupType>([
  ['id', 'id'], ['name', 'name'], ['description', 'description'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'],
  ['deleted_at', 'deletedAt'], ['deleted', 'deleted'], ['is_public', 'isPublic'],
]);
let sortKeysOf: SortKeys<GroupTypeWithSpecs> | undefined;
const sortKeys = (): SortKeys<GroupTypeWithSpecs> => (sortKeysOf ??= Object.fromEntries(
  Object.entries(columnSortKeys<GroupType>(COLUMNS)).map(([k, get]) => [k, (t: GroupTypeWithSpecs) => get(t.type)])));

/** views/group_types.py: group_specs where the policy shows them (only an admin's read carries them). */
function view(ctx: RequestContext, api: GroupTypeAPI, t: GroupTypeWithSpecs): Dict {
  const out: Dict = { id: t.type.id, name: t.type.name, description: t.type.description, is_public: t.type.isPublic };
  if (api.allows(ctx, GROUP_TYPE_POLICY.showSpecs)) out.group_specs = ctx.isAdmin ? t.specs : null;
  return out;
}

export function groupTypeRoutes(app: FastifyInstance, base: string, api: GroupTypeAPI, maxLimit = 1000): void {
  const G = `${base}/group_types`;
  const config = { minVersion: MV_GROUP_TYPE };
  const gate = (req: FastifyRequest): string => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast(MV_GROUP_TYPE)) throw notFound();
    return (req.params as Params).id ?? '';
  };
  const key = (req: FastifyRequest): string => (req.params as KeyParams).key ?? '';
  const accepted = (reply: FastifyReply): FastifyReply => bareResponse(reply).code(202).send();

  app.get(G, { config }, async (req) => {
    gate(req);
    const q = { ...(req.query ?? {}) } as Record<string, string>;
    const { limit, offset } = pageParams(q, maxLimit);
    let rows = sortRows(await api.list(req.ctx, q.is_public), q, sortKeys());
    if (q.marker !== undefined) {
      // Cinder reads the marker as the caller may see it; one it cannot see is no marker at all.
      const m = rows.find((t) => t.type.id === q.marker) ?? await api.db.get(q.marker, req.ctx.isAdmin ? null : { projectId: req.ctx.projectId });
      if (m) {
        if (!rows.includes(m)) rows = sortRows([...rows, m], q, sortKeys());
        rows = rows.slice(rows.indexOf(m) + 1);
      }
    }
    rows = rows.slice(offset, offset + limit);
    const links = rows.length && limit <= rows.length ? nextLinks(req, q, rows[rows.length - 1].type.id) : null;
    return { group_types: rows.map((t) => view(req.ctx, api, t)), ...(links ? { group_type_links: links } : {}) };
  });

  app.get(`${G}/:id`, { config }, async (req) => ({ group_type: view(req.ctx, api, await api.show(req.ctx, gate(req))) }));

  app.post(G, { config }, async (req, reply) => {
    gate(req);
    const b = validateBody(CreateGroupTypeBody, req.body, null).group_type;
    const t = await api.create(req.ctx, {
      name: b.name, description: b.description ?? null, isPublic: b.is_public === undefined || toBoolean(b.is_public), specs: b.group_specs ?? {},
    });
    return reply.code(202).send({ group_type: view(req.ctx, api, t) });
  });

  app.put(`${G}/:id`, { config }, async (req) => {
    const id = gate(req);
    const b = validateBody(UpdateGroupTypeBody, req.body, null).group_type;
    const t = await api.update(req.ctx, id, { name: b.name ?? null, description: b.description ?? null, isPublic: b.is_public === undefined ? null : toBoolean(b.is_public) });
    return { group_type: view(req.ctx, api, t) };
  });

  app.delete(`${G}/:id`, { config }, async (req, reply) => {
    await api.delete(req.ctx, gate(req));
    return accepted(reply);
  });

  // -- specs -----------------------------------------------------------------------------
  const S = `${G}/:id/group_specs`;
  app.get(S, { config }, async (req) => ({ group_specs: await api.listSpecs(req.ctx, gate(req)) }));

  app.post(S, { config }, async (req, reply) => {
    const id = gate(req);
    const specs = validateBody(CreateGroupSpecsBody, req.body, null).group_specs;
    await api.createSpecs(req.ctx, id, specs);
    return reply.code(202).send(req.body);
  });

  app.get(`${S}/:key`, { config }, async (req) => api.showSpec(req.ctx, gate(req), key(req)));

  app.put(`${S}/:key`, { config }, async (req) => {
    const id = gate(req);
    const body = validateBody(UpdateGroupSpecBody, req.body, null);
    await api.updateSpec(req.ctx, id, key(req), body);
    return body;
  });

  app.delete(`${S}/:key`, { config }, async (req, reply) => {
    await api.deleteSpec(req.ctx, gate(req), key(req));
    return accepted(reply);
  });
}
