// /qos-specs (cinder/api/contrib/qos_specs_manage.py): thin — check the body or query, call the
// QoS specs API, render. Create, show and update answer 200; delete, delete_keys and the
// association actions webob's bare 202. The list pages and sorts as Cinder's paginate query
// over the table's columns; a filter that is no column lists nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, validateBody } from '../../common/api';
import type { QualityOfServiceSpecs } from '../../cinder-common/entities';
import { QoSSpecsInUse } from '../../cinder-common/exception';
import { QOS_COLUMNS, type QosSpec } from '../../cinder-common/qos-db';
import { collationEquals } from '../collation';
import { boolParam } from '../list-filters';
import { columnSortKeys, nextLinks, pageParams, sortRows, type SortKeys } from '../pagination';
import { apiVersionOf, bareResponse, projectInPath, type Params } from '../request';
import { QosCreateBody, QosSetBody, QosUnsetBody } from '../schemas/qos-specs';
import type { QosSpecsAPI } from '../volume/qos-specs';

type Dict = Record<string, unknown>;
type Row = { root: QualityOfServiceSpecs; spec: QosSpec };

const PAGING = ['marker', 'limit', 'offset', 'sort', 'sort_key', 'sort_dir'];

let sortKeysOf: SortKeys<QualityOfServiceSpecs> | undefined;
const rootSortKeys = (): SortKeys<QualityOfServiceSpecs> => (sortKeysOf ??= columnSortKeys(new Map([...QOS_COLUMNS])));
const rowSortKeys = (): SortKeys<Row> => Object.fromEntries(Object.entries(rootSortKeys()).map(([k, get]) => [k, (r: Row) => get(r.root)]));

/** filter_by(column=value) on the root row, as the table compares (text under its collation). */
function matches(root: QualityOfServiceSpecs, column: keyof QualityOfServiceSpecs, want: string): boolean {
  const v = root[column];
  if (v === null || v === undefined) return false;
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace('T', ' ') === want.trim();
  if (typeof v === 'boolean') return Number(want) === Number(v) || (Number.isNaN(Number(want)) && !v);
  return collationEquals(v, want);
}

export function qosSpecsRoutes(app: FastifyInstance, base: string, api: QosSpecsAPI, maxLimit = 1000): void {
  const Q = `${base}/qos-specs`;
  const id = (req: FastifyRequest): string => {
    projectInPath(req);
    return (req.params as Params).id ?? '';
  };
  const accepted = (reply: FastifyReply): FastifyReply => bareResponse(reply).code(202).send();
  const view = (req: FastifyRequest, s: QosSpec): Dict => {
    const root = `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${req.cinderPrefix ?? ''}`;
    const project = projectInPath(req) ?? req.ctx.projectId ?? '';
    return {
      qos_specs: { id: s.id, name: s.name, consumer: s.consumer, specs: s.specs },
      links: [{ rel: 'self', href: `${root}/${apiVersionOf(req)}/${project}/qos-specs/${s.id}` }, { rel: 'bookmark', href: `${root}/${project}/qos-specs/${s.id}` }],
    };
  };
  const typeId = (req: FastifyRequest): string | undefined => (req.query as Record<string, string> | undefined)?.vol_type_id;

  app.get(Q, async (req) => {
    projectInPath(req);
    const all = await api.list(req.ctx);
    let rows = all;
    const q = { ...(req.query ?? {}) } as Record<string, string>;
    const { limit, offset } = pageParams(q, maxLimit);
    for (const [k, v] of Object.entries(q)) {
      if (PAGING.includes(k)) continue;
      const column = QOS_COLUMNS.get(k);
      if (!column) return { qos_specs: [] };
      rows = rows.filter((r) => matches(r.root, column, v));
    }
    rows = sortRows(rows, q, rowSortKeys());
    if (q.marker !== undefined) {
      let i = rows.findIndex((r) => r.root.id === q.marker);
      if (i < 0) {
        // The marker is read as a show would (404 if gone), and placed by its sort values.
        const m = all.find((r) => r.root.id === q.marker);
        if (!m) await api.get(req.ctx, q.marker);
        rows = sortRows([...rows, m as Row], q, rowSortKeys());
        i = rows.indexOf(m as Row);
      }
      rows = rows.slice(i + 1);
    }
    rows = rows.slice(offset, offset + limit);
    const links = rows.length && limit === rows.length ? nextLinks(req, q, rows[rows.length - 1].root.id) : null;
    return { qos_specs: rows.map((r) => view(req, r.spec).qos_specs), ...(links ? { qos_specs_links: links } : {}) };
  });

  app.post(Q, async (req) => {
    projectInPath(req);
    validateBody(QosCreateBody, req.body, null);
    // The schema passed: every other key of the body's qos_specs is the spec's, in its order.
    const { name, ...fields } = (req.body as { qos_specs: Dict }).qos_specs;
    return view(req, await api.create(req.ctx, (name as string).trim(), fields));
  });

  app.get(`${Q}/:id`, async (req) => view(req, await api.get(req.ctx, id(req))));

  app.put(`${Q}/:id`, async (req) => {
    const specId = id(req);
    const body = validateBody(QosSetBody, req.body, null);
    await api.update(req.ctx, specId, body.qos_specs);
    return req.body;
  });

  app.delete(`${Q}/:id`, async (req, reply) => {
    const specId = id(req);
    const raw = (req.query as Record<string, string> | undefined)?.force;
    const force = raw === undefined ? false : boolParam('force', raw);
    try {
      await api.delete(req.ctx, specId, force);
    } catch (e) {
      if (e instanceof QoSSpecsInUse) throw badRequest('Qos specs still in use.');
      throw e;
    }
    return accepted(reply);
  });

  app.put(`${Q}/:id/delete_keys`, async (req, reply) => {
    const specId = id(req);
    await api.deleteKeys(req.ctx, specId, validateBody(QosUnsetBody, req.body, null).keys);
    return accepted(reply);
  });

  app.get(`${Q}/:id/associations`, async (req) => ({ qos_associations: await api.associations(req.ctx, id(req)) }));

  app.get(`${Q}/:id/associate`, async (req, reply) => {
    const specId = id(req);
    await api.associate(req.ctx, specId, typeId(req));
    return accepted(reply);
  });

  app.get(`${Q}/:id/disassociate`, async (req, reply) => {
    const specId = id(req);
    await api.disassociate(req.ctx, specId, typeId(req));
    return accepted(reply);
  });

  app.get(`${Q}/:id/disassociate_all`, async (req, reply) => {
    await api.disassociateAll(req.ctx, id(req));
    return accepted(reply);
  });
}
