// /types (cinder/api/v3/types.py, contrib/types_manage.py, types_extra_specs.py and
// volume_type_access.py): thin — validate the body, call the types API, render. Creates and
// updates answer 200, deletes and access changes 202.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, validateBody } from '../../common/api';
import { VolumeTypeNotFound } from '../../cinder-common/exception';
import { collationEquals } from '../collation';
import { nextLinks, pageParams, sortRows, type SortKeys } from '../pagination';
import { actionOf, bareResponse, projectInPath, type Params } from '../request';
import type { TypeAPI, TypeWithSpecs } from '../volume/types';
import { toBoolean } from '../schemas/parameter-types';
import { AddProjectAccessBody, CreateSpecsBody, CreateTypeBody, RemoveProjectAccessBody, UpdateSpecBody, UpdateTypeBody } from '../schemas/types';
import { typeManageView, typeView } from '../views/types';

type Dict = Record<string, unknown>;
type KeyParams = Params & { key?: string };

/** From here (3.52) the list takes the generalized filters: a non-admin only is_public. */
const SUPPORT_VOLUME_TYPE_FILTER = '3.52';
const NOT_FILTERS = ['marker', 'limit', 'offset', 'sort', 'sort_key', 'sort_dir'];
/** Filters an admin may use: columns of volume_types, and extra_specs. Anything else matches nothing. */
const ADMIN_FILTERS = ['is_public', 'extra_specs', 'name', 'description', 'id'];

/** volume_types columns sort the list (get_sort_params and process_sort_params, as for volumes). */
const SORT_KEYS: SortKeys<TypeWithSpecs> = {
  id: (t) => t.type.id, name: (t) => t.type.name ?? '', description: (t) => t.type.description ?? '',
  is_public: (t) => Number(t.type.isPublic), created_at: (t) => t.type.createdAt?.getTime() ?? 0,
  updated_at: (t) => t.type.updatedAt?.getTime() ?? 0,
};

/** The extra_specs filter as clients send it: a Python or JSON dict literal. */
function parseSpecsFilter(raw: string): Record<string, string> {
  for (const text of [raw, raw.replace(/'/g, '"')]) {
    try {
      const v = JSON.parse(text) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
    } catch {
      // try the next spelling
    }
  }
  throw badRequest(`Invalid input received: Invalid filter extra_specs: ${raw}`);
}

export function typeRoutes(app: FastifyInstance, base: string, api: TypeAPI, maxLimit = 1000): void {
  const id = (req: FastifyRequest): string => {
    projectInPath(req);
    return (req.params as Params).id ?? '';
  };
  const accepted = (reply: FastifyReply) => reply.code(202).send();

  app.get(`${base}/types`, async (req) => {
    projectInPath(req);
    const q = { ...(req.query ?? {}) } as Record<string, string>;
    const { limit, offset } = pageParams(q, maxLimit);
    const filters = Object.keys(q).filter((k) => !NOT_FILTERS.includes(k));
    if (!req.ctx.isAdmin && req.cinderVersion.atLeast(SUPPORT_VOLUME_TYPE_FILTER)) {
      const invalid = filters.filter((k) => k !== 'is_public');
      if (invalid.length) throw badRequest(`Invalid filters ${invalid.join(',')} are found in query options.`);
    }
    if (req.ctx.isAdmin && filters.some((k) => !ADMIN_FILTERS.includes(k))) return { volume_types: [] };
    let types = await api.list(req.ctx, {
      isPublic: q.is_public, extraSpecs: req.ctx.isAdmin && q.extra_specs !== undefined ? parseSpecsFilter(q.extra_specs) : undefined,
    });
    if (req.ctx.isAdmin) {
      // Column filters compare under the tables' collation.
      for (const k of ['name', 'description', 'id'] as const) if (q[k] !== undefined) types = types.filter((t) => t.type[k] !== null && collationEquals(t.type[k], q[k]));
    }
    types = sortRows(types, q, SORT_KEYS);
    if (q.marker !== undefined) {
      // Cinder reads the marker as the caller may see it; one it cannot see is no marker at all.
      const m = types.find((t) => t.type.id === q.marker) ?? await api.get(req.ctx, q.marker).catch((e: unknown) => {
        if (e instanceof VolumeTypeNotFound) return null;
        throw e;
      });
      if (m) {
        if (!types.includes(m)) types = sortRows([...types, m], q, SORT_KEYS);
        types = types.slice(types.indexOf(m) + 1);
      }
    }
    types = types.slice(offset, offset + limit);
    const out: Dict = {};
    if (types.length && limit <= types.length) out.volume_type_links = nextLinks(req, q, types[types.length - 1].type.id);
    return { volume_types: types.map((t) => typeView(req.ctx, api, t, true)), ...out };
  });

  // The access extension finds the type it extends by the URL's id, so /types/default has no
  // os-volume-type-access:is_public (volume_type_access.py's cached_resource_by_id).
  app.get(`${base}/types/:id`, async (req) => {
    const t = await api.show(req.ctx, id(req));
    return { volume_type: typeView(req.ctx, api, t, t.type.id === id(req)) };
  });

  app.post(`${base}/types`, async (req) => {
    projectInPath(req);
    const b = validateBody(CreateTypeBody, req.body, null).volume_type;
    const pub = b['os-volume-type-access:is_public'];
    const t = await api.create(req.ctx, {
      name: b.name, description: b.description ?? null, extraSpecs: b.extra_specs ?? {}, isPublic: pub === undefined || toBoolean(pub),
    });
    return { volume_type: typeManageView(req.ctx, api, t, true) };
  });

  app.put(`${base}/types/:id`, async (req) => {
    const typeId = id(req);
    const b = validateBody(UpdateTypeBody, req.body, null).volume_type;
    const t = await api.update(req.ctx, typeId, { name: b.name ?? null, description: b.description ?? null, isPublic: b.is_public === undefined ? null : toBoolean(b.is_public) });
    return { volume_type: typeManageView(req.ctx, api, t, false) };
  });

  app.delete(`${base}/types/:id`, async (req, reply) => {
    await api.delete(req.ctx, id(req));
    return accepted(bareResponse(reply));
  });

  // -- extra specs -----------------------------------------------------------------------
  app.get(`${base}/types/:id/extra_specs`, async (req) => ({ extra_specs: await api.listSpecs(req.ctx, id(req)) }));

  app.post(`${base}/types/:id/extra_specs`, async (req) => {
    const typeId = id(req);
    const specs = validateBody(CreateSpecsBody, req.body, null).extra_specs;
    await api.createSpecs(req.ctx, typeId, specs);
    return req.body;
  });

  app.get(`${base}/types/:id/extra_specs/:key`, async (req) => api.showSpec(req.ctx, id(req), (req.params as KeyParams).key ?? ''));

  app.put(`${base}/types/:id/extra_specs/:key`, async (req) => {
    const typeId = id(req);
    const body = validateBody(UpdateSpecBody, req.body, null);
    await api.updateSpec(req.ctx, typeId, (req.params as KeyParams).key ?? '', body);
    return body;
  });

  app.delete(`${base}/types/:id/extra_specs/:key`, async (req, reply) => {
    await api.deleteSpec(req.ctx, id(req), (req.params as KeyParams).key ?? '');
    return accepted(reply);
  });

  // -- access ----------------------------------------------------------------------------
  app.get(`${base}/types/:id/os-volume-type-access`, async (req) => {
    const typeId = id(req);
    const projects = await api.listAccess(req.ctx, typeId);
    return { volume_type_access: projects.map((p) => ({ volume_type_id: typeId, project_id: p })) };
  });

  app.post(`${base}/types/:id/action`, async (req, reply) => {
    const typeId = id(req);
    const body = req.body;
    const action = actionOf(body, ['addProjectAccess', 'removeProjectAccess']);
    if (action === 'addProjectAccess') await api.addAccess(req.ctx, typeId, validateBody(AddProjectAccessBody, body, null).addProjectAccess.project);
    else await api.removeAccess(req.ctx, typeId, validateBody(RemoveProjectAccessBody, body, null).removeProjectAccess.project);
    return accepted(bareResponse(reply));
  });
}
