// /v3/{project_id}/attachments (3.27+; os-complete 3.44+, mode 3.54+): create (200), update
// (200, flat connection_info), os-complete (204), delete (200 with what is left), list/show.
// Below 3.27 the resource does not exist (404, as Cinder's versioned router).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound, validateBody } from '../../common/api';
import type { VolumeAttachment } from '../../cinder-common/entities';
import type { AttachmentAPI } from '../volume/attachments';
import { VolumeAttachmentNotFound } from '../../cinder-common/exception';
import { attachmentColumns, attachmentFilters, poppedKeys } from '../list-filters';
import { columnSortKeys, pageParams, sortRows, type SortKeys } from '../pagination';
import { actionOf, projectInPath, type Params } from '../request';
import { createAttachmentSchema, UpdateAttachmentBody } from '../schemas/attachments';
import { isoTime } from '../views/volumes';

type Dict = Record<string, unknown>;

export const MV_NEW_ATTACH = '3.27';
export const MV_ATTACH_COMPLETION = '3.44';

const iso = (d: Date | null): string => isoTime(d) ?? '';

function summary(a: VolumeAttachment): Dict {
  return { id: a.id, status: a.attachStatus, instance: a.instanceUuid, volume_id: a.volumeId };
}

function detail(a: VolumeAttachment): Dict {
  let info: unknown;
  // Cinder saves {} with a reservation of the attachments API and nothing with a legacy
  // os-attach, whose row it then shows with null.
  try { info = a.connectionInfo ? JSON.parse(a.connectionInfo) : a.attachStatus === 'reserved' ? {} : null; } catch { info = {}; }
  return { ...summary(a), attached_at: iso(a.attachTime), detached_at: iso(a.detachTime), attach_mode: a.attachMode, connection_info: info };
}

let attachmentSortKeys: SortKeys<VolumeAttachment> | undefined;
/** Any volume_attachment column sorts the list. */
function sortKeys(): SortKeys<VolumeAttachment> {
  return (attachmentSortKeys ??= columnSortKeys(attachmentColumns()));
}

export function attachmentRoutes(app: FastifyInstance, base: string, api: AttachmentAPI, maxLimit = 1000): void {
  const gate = (req: FastifyRequest, min = MV_NEW_ATTACH): void => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast(min)) throw notFound();
  };
  app.post(`${base}/attachments`, { config: { minVersion: MV_NEW_ATTACH } }, async (req) => {
    gate(req);
    const a = validateBody(createAttachmentSchema(req.cinderVersion), req.body, null).attachment;
    const att = await api.create(req.ctx, a.volume_uuid, a.instance_uuid ?? null, a.connector ?? null, a.mode ?? null);
    return { attachment: detail(att) };
  });

  app.put(`${base}/attachments/:id`, { config: { minVersion: MV_NEW_ATTACH } }, async (req) => {
    gate(req);
    const { connector } = validateBody(UpdateAttachmentBody, req.body, null).attachment;
    const att = await api.update(req.ctx, (req.params as Params).id ?? '', connector);
    return { attachment: detail(att) };
  });

  app.post(`${base}/attachments/:id/action`, { config: { minVersion: MV_ATTACH_COMPLETION } }, async (req, reply) => {
    projectInPath(req);
    // The body names the action first (at any version); os-complete itself is 3.44+.
    actionOf(req.body, ['os-complete']);
    gate(req, MV_ATTACH_COMPLETION);
    await api.complete(req.ctx, (req.params as Params).id ?? '');
    return reply.code(204).send();
  });

  app.delete(`${base}/attachments/:id`, { config: { minVersion: MV_NEW_ATTACH } }, async (req) => {
    gate(req);
    const left = await api.delete(req.ctx, (req.params as Params).id ?? '');
    return { attachments: left.map(summary) };
  });

  /** _items: the page's and the sort's parameters, the filters, then the rows sorted and paged (no links). */
  const listed = async (req: FastifyRequest, view: (a: VolumeAttachment) => Dict) => {
    gate(req);
    // A paging or sorting key given twice: its first value is read, the later ones are filters.
    const at = req.url.indexOf('?');
    const { first, leftover } = poppedKeys(at < 0 ? '' : req.url.slice(at + 1));
    const q = { ...(req.query ?? {}) as Record<string, string>, ...first };
    const { limit, offset } = pageParams(q, maxLimit);
    const filters = attachmentFilters(q, req.cinderVersion, req.ctx.isAdmin, leftover);
    // A filter naming no column returns nothing before the sort keys or the marker are looked at.
    if (!filters.valid) return { attachments: [] };
    let atts = sortRows(await api.list(req.ctx, filters), q, sortKeys());
    if (q.marker !== undefined) {
      let i = atts.findIndex((a) => a.id === q.marker);
      if (i < 0) {
        // As Cinder's _attachment_get, a marker the filters leave out still says where the
        // page starts, by its sort values (a user's from its own project only).
        const m = await api.marker(req.ctx, q.marker);
        if (!m) throw new VolumeAttachmentNotFound({ filter: `attachment_id = ${q.marker}` });
        atts = sortRows([...atts, m], q, sortKeys());
        i = atts.indexOf(m);
      }
      atts = atts.slice(i + 1);
    }
    return { attachments: atts.slice(offset, offset + limit).map(view) };
  };
  app.get(`${base}/attachments`, { config: { minVersion: MV_NEW_ATTACH } }, (req) => listed(req, summary));
  app.get(`${base}/attachments/detail`, { config: { minVersion: MV_NEW_ATTACH } }, (req) => listed(req, detail));
  app.get(`${base}/attachments/:id`, { config: { minVersion: MV_NEW_ATTACH } }, async (req) => {
    gate(req);
    return { attachment: detail((await api.get(req.ctx, (req.params as Params).id ?? '')).att) };
  });
}
