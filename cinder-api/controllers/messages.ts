// /v3/{project_id}/messages (3.3+): list, show, delete (204). From 3.5 the list pages and sorts
// and filters (cinder/api/v3/messages.py); below 3.3 the resource does not exist (404).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../common/api';
import type { Message } from '../../cinder-common/entities';
import { userMessage } from '../../cinder-common/message-field';
import { poppedKeys } from '../list-filters';
import { messageColumns, messageFilters } from '../message-filters';
import { columnSortKeys, nextLinks, pageParams, sortRows, type SortKeys } from '../pagination';
import { apiVersionOf, bareResponse, projectInPath, type Params } from '../request';
import type { MessageAPI } from '../volume/messages';
import { isoTime } from '../views/volumes';

type Dict = Record<string, unknown>;

const MV_MESSAGES = '3.3';
const MV_MESSAGES_PAGINATION = '3.5';

let sortKeysOf: SortKeys<Message> | undefined;
/** Any messages column sorts the list. */
function sortKeys(): SortKeys<Message> {
  return (sortKeysOf ??= columnSortKeys(messageColumns()));
}

export function messageRoutes(app: FastifyInstance, base: string, api: MessageAPI, maxLimit = 1000): void {
  const gate = (req: FastifyRequest): void => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast(MV_MESSAGES)) throw notFound();
  };
  const view = (req: FastifyRequest, m: Message): Dict => {
    const root = `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${req.cinderPrefix ?? ''}`;
    const project = projectInPath(req) ?? req.ctx.projectId ?? '';
    return {
      id: m.id, event_id: m.eventId, user_message: userMessage(m.actionId, m.detailId), message_level: m.messageLevel,
      created_at: isoTime(m.createdAt), guaranteed_until: isoTime(m.expiresAt), request_id: m.requestId,
      links: [{ href: `${root}/${apiVersionOf(req)}/${project}/messages/${m.id}`, rel: 'self' }, { href: `${root}/${project}/messages/${m.id}`, rel: 'bookmark' }],
      ...(m.resourceType ? { resource_type: m.resourceType } : {}), ...(m.resourceUuid ? { resource_uuid: m.resourceUuid } : {}),
    };
  };
  const config = { minVersion: MV_MESSAGES };

  app.get(`${base}/messages`, { config }, async (req) => {
    gate(req);
    const raw = { ...(req.query ?? {}) as Record<string, string> };
    // The policy first, as Cinder's index, then the query's checks.
    let rows = await api.list(req.ctx);
    if (req.cinderVersion.atLeast(MV_MESSAGES_PAGINATION)) {
      // Paging, then sorting, are taken off first (a key given twice: its first value, the rest filters).
      const at = req.url.indexOf('?');
      const { first, leftover } = poppedKeys(at < 0 ? '' : req.url.slice(at + 1));
      const q = { ...raw, ...first };
      const { limit, offset } = pageParams(q, maxLimit);
      const { marker, limit: _l, offset: _o, sort: _s, sort_key: _k, sort_dir: _d, ...rest } = q;
      const filters = messageFilters(rest, req.cinderVersion, req.ctx.isAdmin, leftover);
      if (!filters.valid) return { messages: [] };
      rows = sortRows(rows.filter(filters.matches), q, sortKeys());
      if (marker !== undefined) {
        let i = rows.findIndex((m) => m.id === marker);
        if (i < 0) {
          // The marker is read as a show would (404 if unseen), and placed by its sort values.
          const m = await api.get(req.ctx, marker);
          rows = sortRows([...rows, m], q, sortKeys());
          i = rows.indexOf(m);
        }
        rows = rows.slice(i + 1);
      }
      rows = rows.slice(offset, offset + limit);
    } else {
      rows = sortRows(rows, {}, sortKeys());
    }
    // The view reads limit from the query at any version (a next link when the page is full).
    const { limit } = pageParams({ ...(raw.limit !== undefined ? { limit: raw.limit } : {}) }, maxLimit);
    const links = rows.length && limit <= rows.length ? nextLinks(req, raw, rows[rows.length - 1].id) : null;
    return { messages: rows.map((m) => view(req, m)), ...(links ? { messages_links: links } : {}) };
  });

  app.get(`${base}/messages/:id`, { config }, async (req) => {
    gate(req);
    return { message: view(req, await api.get(req.ctx, (req.params as Params).id ?? '')) };
  });

  app.delete(`${base}/messages/:id`, { config }, async (req, reply) => {
    gate(req);
    await api.delete(req.ctx, (req.params as Params).id ?? '');
    return bareResponse(reply).code(204).send();
  });
}
