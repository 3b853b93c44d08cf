// Volume transfers: /os-volume-transfer (the contrib controller) and /volume-transfers (the v3
// one: no_snapshots from 3.55, list paging and sorting from 3.59); Cinder routes both at every
// version. Create 202
// with the auth key (shown once), accept 202 with the summary, delete 202 bare; views add
// no_snapshots from 3.55 and the history (source, destination, accepted) from 3.57.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validateBody } from '../../common/api';
import type { Transfer } from '../../cinder-common/entities';
import { TRANSFER_FILTERS } from '../../cinder-common/transfer-db';
import { pageParams } from '../pagination';
import { apiVersionOf, bareResponse, projectInPath, type Params } from '../request';
import { TransferAcceptBody, TransferCreateBody, TransferCreateV355Body } from '../schemas/transfers';
import { toBoolean } from '../schemas/parameter-types';
import type { TransferAPI } from '../volume/transfers';
import { isoTime } from '../views/volumes';

type Dict = Record<string, unknown>;

export const MV_TRANSFER_WITH_SNAPSHOTS = '3.55';
const MV_TRANSFER_WITH_HISTORY = '3.57';
const MV_TRANSFER_PAGINATION = '3.59';

/** Query keys the list takes itself rather than as filters. */
const PAGING = ['marker', 'limit', 'offset', 'sort', 'sort_key', 'sort_dir'];

export function transferRoutes(app: FastifyInstance, base: string, api: TransferAPI, maxLimit = 1000): void {
  const links = (req: FastifyRequest, id: string): Dict[] => {
    const root = `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${req.cinderPrefix ?? ''}`;
    const project = projectInPath(req) ?? req.ctx.projectId ?? '';
    return [{ href: `${root}/${apiVersionOf(req)}/${project}/os-volume-transfer/${id}`, rel: 'self' },
      { href: `${root}/${project}/os-volume-transfer/${id}`, rel: 'bookmark' }];
  };
  const summary = (req: FastifyRequest, t: Transfer): Dict => ({ id: t.id, volume_id: t.volumeId, name: t.displayName, links: links(req, t.id) });
  const detail = (req: FastifyRequest, t: Transfer, authKey?: string): Dict => ({
    id: t.id, created_at: isoTime(t.createdAt), name: t.displayName, volume_id: t.volumeId,
    ...(authKey !== undefined ? { auth_key: authKey } : {}), links: links(req, t.id),
    ...(req.cinderVersion.atLeast(MV_TRANSFER_WITH_SNAPSHOTS) ? { no_snapshots: !!t.noSnapshots } : {}),
    ...(req.cinderVersion.atLeast(MV_TRANSFER_WITH_HISTORY)
      ? { destination_project_id: t.destinationProjectId, source_project_id: t.sourceProjectId, accepted: !!t.accepted } : {}),
  });

  for (const [path, v3] of [['os-volume-transfer', false], ['volume-transfers', true]] as const) {
    const at = `${base}/${path}`;
    const gate = (req: FastifyRequest): void => { projectInPath(req); };
    const config = {};

    app.post(at, { config }, async (req, reply) => {
      gate(req);
      const withSnapshots = v3 && req.cinderVersion.atLeast(MV_TRANSFER_WITH_SNAPSHOTS);
      const body = withSnapshots ? validateBody(TransferCreateV355Body, req.body, null) : validateBody(TransferCreateBody, req.body, null);
      const t = body.transfer as { volume_id: string; name?: string | null; no_snapshots?: boolean | string };
      const made = await api.create(req.ctx, t.volume_id, t.name?.trim() ?? null, t.no_snapshots !== undefined && toBoolean(t.no_snapshots));
      return reply.code(202).send({ transfer: detail(req, made.transfer, made.authKey) });
    });

    const listed = async (req: FastifyRequest, view: (req: FastifyRequest, t: Transfer) => Dict): Promise<Dict> => {
      gate(req);
      const q = { ...(req.query ?? {}) as Record<string, string> };
      const paged = v3 && req.cinderVersion.atLeast(MV_TRANSFER_PAGINATION);
      const allTenants = q.all_tenants !== undefined && toBoolean(q.all_tenants);
      delete q.all_tenants;
      if ('name' in q) { q.display_name = q.name; delete q.name; }
      const filters: Partial<Record<keyof Transfer, unknown>> = {};
      for (const [k, v] of Object.entries(q)) {
        if (paged && PAGING.includes(k)) continue;
        // Cinder lists nothing for a filter that names no column (the paging keys below 3.59 too).
        const field = TRANSFER_FILTERS[k];
        if (!field) return { transfers: [] };
        filters[field] = field === 'noSnapshots' || field === 'accepted' ? toBoolean(v) : v;
      }
      const desc = paged && (q.sort_dir === 'desc' || (q.sort ?? '').endsWith(':desc') || (q.sort === undefined && q.sort_dir === undefined));
      let rows = await api.list(req.ctx, allTenants, filters, [['createdAt', desc ? 'DESC' : 'ASC'], ['id', desc ? 'DESC' : 'ASC']]);
      if (paged && q.marker !== undefined) {
        const i = rows.findIndex((t) => t.id === q.marker);
        // Cinder reads the marker as the caller could read it: unknown is TransferNotFound (404).
        if (i < 0) await api.get(req.ctx, q.marker);
        rows = rows.slice(i + 1);
      }
      const { limit, offset } = pageParams(q, maxLimit);
      return { transfers: rows.slice(offset, offset + limit).map((t) => view(req, t)) };
    };
    app.get(at, { config }, (req) => listed(req, summary));
    app.get(`${at}/detail`, { config }, (req) => listed(req, (r, t) => detail(r, t)));
    app.get(`${at}/:id`, { config }, async (req) => {
      gate(req);
      return { transfer: detail(req, await api.get(req.ctx, (req.params as Params).id ?? '')) };
    });
    app.delete(`${at}/:id`, { config }, async (req, reply) => {
      gate(req);
      await api.delete(req.ctx, (req.params as Params).id ?? '');
      return bareResponse(reply).code(202).send();
    });
    app.post(`${at}/:id/accept`, { config }, async (req, reply) => {
      gate(req);
      const { auth_key: key } = validateBody(TransferAcceptBody, req.body, null).accept;
      const t = await api.accept(req.ctx, (req.params as Params).id ?? '', String(key));
      return reply.code(202).send({ transfer: summary(req, t) });
    });
  }
}
