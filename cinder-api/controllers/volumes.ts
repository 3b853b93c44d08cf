// /volumes: create (202), list, detail, show, update (200), delete (202) — thin: parse, call
// the volume API, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound, pyStr, validateBody } from '../../common/api';
import type { Volume } from '../../cinder-common/entities';
import { BackupNotFound, InvalidInput, VolumeNotFound } from '../../cinder-common/exception';
import type { GroupRead } from '../../cinder-common/group-db';
import { imageUnreachable, sourceSnapshot, sourceVolume } from '../volume/create-sources';
import { boolParam, columnFilters, poppedKeys, versionedListQuery } from '../list-filters';
import { collationEquals } from '../collation';
import { nextLinks, pageParams, sortRows, type SortKeys } from '../pagination';
import { SUPPORT_COUNT_INFO } from '../microversions';
import { bareResponse, projectInPath, viewCtx, type Params } from '../request';
import { createVolumeSchema, nameAndDescription, updateVolumeSchema } from '../schemas/volumes';
import { POLICY, type VolumeAPI, type VolumeExtrasOf } from '../volume/api';
import { volumeDetail, volumeSummary } from '../views/volumes';

type Dict = Record<string, unknown>;

const MULTIATTACH_REMOVED = 'multiattach parameter has been removed. The default behavior is to use multiattach enabled volume types. ' +
  'Contact your administrator to create a multiattach enabled volume type and use it to create multiattach volumes.';

function query(req: FastifyRequest): Record<string, string> {
  return (req.query ?? {}) as Record<string, string>;
}

function isTrue(v: string | undefined): boolean {
  return !!v && ['1', 'true', 'yes', 'on', 't', 'y'].includes(v.toLowerCase());
}

/**
 * An admin's all_tenants is read by volume_api's get_bool_param (strict: 400 naming a value that
 * is no boolean); a user's is one of the filters Cinder drops before.
 */
function allTenants(req: FastifyRequest): boolean {
  const v = query(req).all_tenants;
  return v !== undefined && req.ctx.isAdmin ? boolParam('all_tenants', v) : isTrue(v);
}

/** Query keys the list reads before the column filters: the scope, the name and status (volume_api.get_all). */
const HANDLED_QUERY = ['all_tenants', 'name', 'display_name', 'status'];

const SORT_KEYS: SortKeys<Volume> = {
  id: (v) => v.id, name: (v) => v.displayName, display_name: (v) => v.displayName, size: (v) => v.size, status: (v) => v.status,
  created_at: (v) => v.createdAt?.getTime() ?? 0, updated_at: (v) => v.updatedAt?.getTime() ?? 0,
  availability_zone: (v) => v.availabilityZone, bootable: (v) => Number(v.bootable),
};

export function volumeRoutes(app: FastifyInstance, base: string, api: VolumeAPI, maxLimit = 1000): void {
  // extended: show and list-detail carry the os-vol-* extension keys; create and update do not.
  const render = async (req: FastifyRequest, vols: Awaited<ReturnType<VolumeAPI['get']>>[], extended = true, known?: VolumeExtrasOf): Promise<Dict[]> => {
    const c = viewCtx(req, api);
    const extras = known && vols.length === 1 ? new Map([[vols[0].id, known]]) : await api.extras(vols);
    return vols.map((v) => volumeDetail(c, v, extras.get(v.id) ?? { metadata: {}, attachments: [], volumeType: null }, extended));
  };
  /** GET /volumes[/detail]: filters, sort, marker/limit pages with a `next` link (common.py). */
  const listed = async (req: FastifyRequest): Promise<{ vols: Volume[]; links?: Dict[]; count?: number }> => {
    projectInPath(req);
    // A key Cinder pops given twice: its first value is read, the later ones are filters. with_count
    // (popped from 3.45) is read before its pop, by its last value.
    const at = req.url.indexOf('?');
    const popped = poppedKeys(at < 0 ? '' : req.url.slice(at + 1), [...(req.cinderVersion.atLeast(SUPPORT_COUNT_INFO) ? ['with_count'] : []), 'name']);
    const { with_count: _withCount, ...first } = popped.first;
    const leftover = popped.leftover;
    const q = { ...query(req), ...first };
    // Paging is read first, as Cinder's get_pagination_params: a bad limit wins over any filter's error.
    const { limit, offset } = pageParams(q, maxLimit);
    const versioned = versionedListQuery(q, req.cinderVersion, req.ctx.isAdmin, leftover);
    let vols = await api.list(req.ctx, {
      allTenants: allTenants(req), name: q.name ?? q.display_name, status: q.status,
    });
    // Every other key is a volumes column to match (a user's unknown one is 400 from 3.31, above).
    const columns = columnFilters(q, req.cinderVersion, new Set([...HANDLED_QUERY, ...versioned.known]), req.ctx.isAdmin, leftover);
    vols = vols.filter((v) => versioned.matches(v) && columns.matches(v));
    // Keys and values match under the tables' collation (case and accents aside).
    const has = (meta: Record<string, string>, k: string, val: string): boolean => Object.entries(meta).some(([mk, mv]) => collationEquals(mk, k) && collationEquals(mv, val));
    const want = columns.metadata;
    if (want) {
      const extras = await api.extras(vols);
      vols = vols.filter((v) => Object.entries(want).every(([k, val]) => has(extras.get(v.id)?.metadata ?? {}, k, String(val))));
    }
    const image = columns.glanceMetadata;
    if (image && Object.keys(image).length) {
      const meta = await api.db.metadataGet(vols.map((v) => v.id), 'image');
      vols = vols.filter((v) => Object.entries(image).every(([k, val]) => has(meta.get(v.id) ?? {}, k, String(val))));
    }
    vols = sortRows(vols, q, SORT_KEYS);
    // 3.45 with_count: how many match the filters, whatever page is shown.
    const count = versioned.withCount ? { count: vols.length } : {};
    // An unknown marker (an empty one too) is the volume Cinder's pagination could not find,
    // looked up only once the filters made a query (_generate_paginate_query).
    if (q.marker !== undefined && columns.valid) {
      let i = vols.findIndex((v) => v.id === q.marker);
      if (i < 0) {
        // The marker is looked up by id alone (project_only), the filters aside: one they leave
        // out still says where the page starts, by its sort values.
        const m = await api.db.volumeGet(q.marker, req.ctx.isAdmin ? null : req.ctx.projectId);
        if (!m) throw new VolumeNotFound({ volume_id: q.marker });
        vols = sortRows([...vols, m], q, SORT_KEYS);
        i = vols.indexOf(m);
      }
      vols = vols.slice(i + 1);
    }
    vols = vols.slice(offset);
    const page = vols.slice(0, limit);
    if (!page.length || page.length < limit || page.length === vols.length && q.limit === undefined) return { vols: page, ...count };
    return { vols: page, links: nextLinks(req, q, page[page.length - 1].id), ...count };
  };

  app.get(`${base}/volumes`, async (req) => {
    const { vols, links, count } = await listed(req);
    const c = viewCtx(req, api);
    return { volumes: vols.map((v) => volumeSummary(c, v)), ...(links ? { volumes_links: links } : {}), ...(count !== undefined ? { count } : {}) };
  });

  app.get(`${base}/volumes/detail`, async (req) => {
    const { vols, links, count } = await listed(req);
    return { volumes: await render(req, vols), ...(links ? { volumes_links: links } : {}), ...(count !== undefined ? { count } : {}) };
  });

  // 3.12: totals of the caller's volumes (below that, "summary" is just an unknown id); 3.36
  // adds every distinct metadata value by key.
  app.get(`${base}/volumes/summary`, { config: { minVersion: '3.12' } }, async (req) => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast('3.12')) throw notFound();
    const vols = await api.list(req.ctx, { allTenants: allTenants(req) });
    const summary: Dict = { total_count: vols.length, total_size: vols.reduce((n, v) => n + (v.size ?? 0), 0) };
    if (req.cinderVersion.atLeast('3.36')) {
      const values: Record<string, string[]> = {};
      for (const meta of (await api.db.metadataGet(vols.map((v) => v.id))).values()) {
        for (const [k, val] of Object.entries(meta)) if (!(values[k] ??= []).includes(val)) values[k].push(val);
      }
      summary.metadata = values;
    }
    return { 'volume-summary': summary };
  });

  app.get(`${base}/volumes/:id`, async (req) => {
    projectInPath(req);
    const v = await api.get(req.ctx, (req.params as Params).id ?? '');
    return { volume: (await render(req, [v]))[0] };
  });

  app.post(`${base}/volumes`, async (req, reply) => {
    projectInPath(req);
    const body = validateBody(createVolumeSchema(req.cinderVersion), req.body, null).volume;
    const { name = null, description = null } = nameAndDescription(body);
    const size = body.size === undefined || body.size === null ? null : Number(body.size);
    // The schema's pattern lets "2\n" through (Python's '$'); volume_api.create's is_int_like does not.
    const notIntLike = typeof body.size === 'string' && !/^[0-9]+$/.test(body.size) ? body.size : null;
    // The lookups in Cinder's order (v3 volumes.py create), each 404 when the thing is absent.
    const volumeType = body.volume_type ? await api.types.getByNameOrId(req.ctx, body.volume_type) : null;
    // A snapshot or source volume is looked up and checked (create-sources.ts); the volume is made on its backend.
    let sizeAsked = size;
    let snapshot: Awaited<ReturnType<typeof sourceSnapshot>> | null = null;
    if (body.snapshot_id) {
      snapshot = await sourceSnapshot(api, req.ctx, body.snapshot_id, size);
      sizeAsked = snapshot.size;
    }
    let source: Volume | null = null;
    if (body.source_volid) {
      const found = await sourceVolume(api, req.ctx, body.source_volid, size);
      [source, sizeAsked] = [found.source, found.size];
    }
    // consistencygroup_id and group_id both name a generic group (group_id wins), each looked up.
    let group: GroupRead | null = null;
    for (const id of [body.consistencygroup_id, 'group_id' in body ? body.group_id : undefined]) {
      if (id !== undefined && id !== null) group = await api.getGroup(req.ctx, pyStr(id));
    }
    const image = body.imageRef ?? body.image_id;
    if (image !== undefined && image !== null) throw imageUnreachable();
    if ('backup_id' in body && body.backup_id) throw new BackupNotFound({ backup_id: pyStr(body.backup_id) });
    if (body.multiattach !== undefined && boolParam('multiattach', pyStr(body.multiattach))) throw badRequest(MULTIATTACH_REMOVED);
    // volume:create, then the size and the zone (volume_api.create).
    if (notIntLike !== null) {
      api.authorize(req.ctx, POLICY.create);
      throw new InvalidInput({ reason: `Invalid volume size provided for create request: ${notIntLike} (size argument must be an integer (or string representation of an integer) and greater than zero).` });
    }
    const made = await api.create(req.ctx, {
      size: sizeAsked, name, description, metadata: body.metadata ?? {}, availabilityZone: body.availability_zone ?? null, volumeType, source, snapshot, group,
    });
    return reply.code(202).send({ volume: (await render(req, [made.volume], false, made.extras))[0] });
  });

  app.put(`${base}/volumes/:id`, async (req) => {
    projectInPath(req);
    // The schema is checked before the volume is looked up.
    const { volume } = validateBody(updateVolumeSchema(req.cinderVersion), req.body, null);
    const changes = { ...nameAndDescription(volume), ...(volume.metadata !== undefined ? { metadata: volume.metadata } : {}) };
    const v = await api.get(req.ctx, (req.params as Params).id ?? '');
    const updated = await api.update(req.ctx, v, changes);
    if (changes.metadata === undefined) return { volume: (await render(req, [updated], false))[0] };
    // Cinder answers the metadata as given (its object's), whatever the rows now hold (a key
    // differing only in case kept under MariaDB's collation), with the visible admin metadata
    // (readonly, attached_mode) over it, as add_visible_admin_metadata writes it.
    const extras = (await api.extras([updated])).get(updated.id) ?? { attachments: [], volumeType: null };
    const admin = (await api.db.metadataGet([updated.id], true)).get(updated.id) ?? {};
    const visible = Object.fromEntries(Object.entries(admin).filter(([k]) => k === 'readonly' || k === 'attached_mode'));
    return { volume: (await render(req, [updated], false, { ...extras, metadata: { ...(changes.metadata ?? {}), ...visible } }))[0] };
  });

  app.delete(`${base}/volumes/:id`, async (req, reply) => {
    projectInPath(req);
    const q = query(req);
    // utils.get_bool_param, before the lookup: cascade (the volume's snapshots go with it), and
    // from 3.23 force (v3 only); anything but a boolean word is 400.
    const cascade = q.cascade !== undefined && boolParam('cascade', q.cascade);
    const force = req.cinderVersion.atLeast('3.23') && q.force !== undefined && boolParam('force', q.force);
    const v = await api.get(req.ctx, (req.params as Params).id ?? '');
    if (force) api.authorize(req.ctx, POLICY.forceDelete, v);
    await api.delete(req.ctx, v, force, cascade);
    return bareResponse(reply).code(202).send();
  });
}
