// /snapshots (cinder/api/v3/snapshots.py over v2's, the extended attributes, the snapshot actions
// and admin actions): thin, parse → the snapshot API → the view. The metadata routes are
// snapshot-metadata.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, notFound, validateBody } from '../../common/api';
import { In } from 'typeorm';
import { Snapshot, type Volume } from '../../cinder-common/entities';
import { SnapshotNotFound, VolumeNotFound } from '../../cinder-common/exception';
import { boolParam, columnsOf, pyLiteral, rejectInvalidFilters, sqlEquals } from '../list-filters';
import { collationEquals, collationKey } from '../collation';
import { SUPPORT_COUNT_INFO, RESOURCE_FILTER, USE_QUOTA } from '../microversions';
import { columnSortKeys, nextLinks, pageParams, sortRows } from '../pagination';
import { RESOURCE_FILTERS } from '../resource-filters';
import { actionOf, bareResponse, projectInPath, type Params } from '../request';
import { SnapshotCreateBody, SnapshotResetStatusBody, SnapshotUpdateBody, UpdateSnapshotStatusBody } from '../schemas/snapshots';
import { toBoolean } from '../schemas/parameter-types';
import { SNAPSHOT_POLICY, type SnapshotAPI } from '../volume/snapshots';
import { manageExistingSnapshot } from '../volume/manage';
import { SnapshotManageBody } from '../schemas/volume-manage';
import { isoTime } from '../views/volumes';

type Dict = Record<string, unknown>;

const GROUP_SNAPSHOTS = '3.14';
const SNAPSHOT_LIST_METADATA_FILTER = '3.22';
const SNAPSHOT_SORT = '3.30';
const LIKE_FILTER = '3.34';
const SNAPSHOT_LIST_USER_ID = '3.41';
const SNAPSHOT_IN_USE = '3.66';
const SNAPSHOT_IN_USE_FLAG_MSG = "Since microversion 3.66 the 'force' flag is invalid for this request.  For backward compatability, however, when "
  + "the 'force' flag is passed with a value evaluating to True, it is silently ignored.";

/** Query keys that are no filters (paging, sorting, the count). */
const NOT_FILTERS = ['marker', 'limit', 'offset', 'sort', 'sort_key', 'sort_dir', 'with_count'];
/** What a user may filter on below 3.31 (_get_snapshot_filter_options); the rest is dropped. */
const USER_FILTERS = ['status', 'volume_id', 'name', 'metadata'];
/** Filters on the snapshot's volume (the DB joins it). */
const VOLUME_FILTERS = ['host', 'cluster_name', 'availability_zone'];

let columns: Map<string, keyof Snapshot> | undefined;
const snapshotColumns = (): Map<string, keyof Snapshot> => (columns ??= columnsOf(Snapshot));

export function snapshotRoutes(app: FastifyInstance, base: string, api: SnapshotAPI, maxLimit = 1000): void {
  const strip = (x: string | null | undefined): string | null => (typeof x === 'string' ? x.trim() : x ?? null);

  /** ViewBuilder.detail (v3: group_snapshot_id 3.14, user_id 3.41, consumes_quota 3.65); `extended` adds the os-extended-snapshot-attributes. */
  const view = (req: FastifyRequest, s: Snapshot, meta: Record<string, string>, o: { v3Keys?: boolean; extended?: boolean } = {}): Dict => {
    const out: Dict = {
      id: s.id, created_at: isoTime(s.createdAt), updated_at: isoTime(s.updatedAt), name: s.displayName, description: s.displayDescription,
      volume_id: s.volumeId, status: s.status, size: s.volumeSize, metadata: meta,
    };
    if (o.v3Keys !== false) {
      if (req.cinderVersion.atLeast(GROUP_SNAPSHOTS)) out.group_snapshot_id = s.groupSnapshotId;
      if (req.cinderVersion.atLeast(SNAPSHOT_LIST_USER_ID)) out.user_id = s.userId;
      if (req.cinderVersion.atLeast(USE_QUOTA)) out.consumes_quota = s.useQuota;
    }
    if (o.extended && api.volumes.allows(req.ctx, SNAPSHOT_POLICY.extendAttribute)) {
      out['os-extended-snapshot-attributes:project_id'] = s.projectId;
      out['os-extended-snapshot-attributes:progress'] = s.progress;
    }
    return out;
  };
  const one = async (req: FastifyRequest): Promise<Snapshot> => {
    projectInPath(req);
    return api.get(req.ctx, (req.params as Params).id ?? '');
  };
  const metaOf = async (s: Snapshot): Promise<Record<string, string>> => (await api.db.metadataOf([s.id])).get(s.id) ?? {};

  app.post(`${base}/snapshots`, async (req, reply) => {
    projectInPath(req);
    const body = validateBody(SnapshotCreateBody, req.body, null).snapshot;
    const v = await api.volumes.get(req.ctx, body.volume_id ?? 'None').catch((e: unknown) => {
      throw e instanceof VolumeNotFound && body.volume_id === null ? new VolumeNotFound({ volume_id: 'None' }) : e;
    });
    let force = false;
    if (body.force !== undefined) {
      force = toBoolean(body.force);
      if (req.cinderVersion.atLeast(SNAPSHOT_IN_USE) && !force) throw badRequest(SNAPSHOT_IN_USE_FLAG_MSG);
    }
    const name = body.name !== undefined ? strip(body.name) : strip(body.display_name);
    const s = await api.create(req.ctx, v, {
      name, description: strip(body.description), metadata: body.metadata ?? {}, inUse: force || req.cinderVersion.atLeast(SNAPSHOT_IN_USE),
    });
    return reply.code(202).send({ snapshot: view(req, s, body.metadata ?? {}) });
  });

  /** _items: the filters as Cinder processes them, then sort, marker, offset and limit. */
  const listed = async (req: FastifyRequest): Promise<{ rows: Snapshot[]; links?: Dict[]; count?: number }> => {
    projectInPath(req);
    const q = { ...(req.query ?? {}) as Record<string, string> };
    const v = req.cinderVersion;
    const { limit, offset } = pageParams(q, maxLimit);
    const withCount = v.atLeast(SUPPORT_COUNT_INFO) && q.with_count !== undefined && boolParam('with_count', q.with_count);
    const filters: Record<string, string> = {};
    for (const [k, val] of Object.entries(q)) if (!NOT_FILTERS.includes(k)) filters[k] = val;
    const allTenants = filters.all_tenants !== undefined && req.ctx.isAdmin && boolParam('all_tenants', filters.all_tenants);
    if (v.atLeast(RESOURCE_FILTER)) {
      rejectInvalidFilters(Object.keys(filters), req.ctx.isAdmin, RESOURCE_FILTERS.snapshot);
      if ('consumes_quota' in filters) { filters.use_quota = filters.consumes_quota; delete filters.consumes_quota; }
    } else {
      if (!v.atLeast(SNAPSHOT_LIST_METADATA_FILTER)) delete filters.metadata;
      if (!v.atLeast(USE_QUOTA)) delete filters.use_quota;
      if (!req.ctx.isAdmin) for (const k of Object.keys(filters)) if (!USER_FILTERS.includes(k)) delete filters[k];
    }
    delete filters.all_tenants;
    if ('name' in filters) { filters.display_name = filters.name; delete filters.name; }
    for (const k of Object.keys(filters)) {
      if (k.endsWith('~') && v.atLeast(LIKE_FILTER) && ['name~', 'description~'].includes(k)) { filters[`display_${k}`] = filters[k]; delete filters[k]; }
    }
    let rows = await api.list(req.ctx, allTenants);
    const match = await snapshotFilter(api, rows, filters, v.atLeast(LIKE_FILTER));
    rows = match ? rows.filter(match) : [];
    if (v.atLeast(SNAPSHOT_SORT)) {
      for (const key of ['sort', 'sort_key'] as const) if (q[key] !== undefined) q[key] = q[key].split(',').map((p) => p.replace(/^\s*name(?=\s*(:|$))/, 'display_name')).join(',');
    }
    rows = sortRows(rows, q, columnSortKeys(snapshotColumns()));
    const count = withCount ? { count: rows.length } : {};
    if (q.marker !== undefined) {
      let i = rows.findIndex((s) => s.id === q.marker);
      if (i < 0) {
        const m = await api.db.get(q.marker, req.ctx.isAdmin ? null : req.ctx.projectId);
        if (!m) throw new SnapshotNotFound({ snapshot_id: q.marker });
        rows = sortRows([...rows, m], q, columnSortKeys(snapshotColumns()));
        i = rows.indexOf(m);
      }
      rows = rows.slice(i + 1);
    }
    rows = rows.slice(offset);
    const page = rows.slice(0, limit);
    if (!page.length || page.length < limit || (page.length === rows.length && q.limit === undefined)) return { rows: page, ...count };
    return { rows: page, links: nextLinks(req, q, page[page.length - 1].id), ...count };
  };
  const list = (detail: boolean) => async (req: FastifyRequest): Promise<Dict> => {
    const { rows, links, count } = await listed(req);
    const meta = await api.db.metadataOf(rows.map((s) => s.id));
    return {
      snapshots: rows.map((s) => view(req, s, meta.get(s.id) ?? {}, { v3Keys: detail, extended: detail })),
      ...(links ? { snapshots_links: links } : {}), ...(count !== undefined ? { count } : {}),
    };
  };
  app.get(`${base}/snapshots`, list(false));
  app.get(`${base}/snapshots/detail`, list(true));

  app.get(`${base}/snapshots/:id`, async (req) => {
    const s = await one(req);
    return { snapshot: view(req, s, await metaOf(s), { extended: true }) };
  });

  app.put(`${base}/snapshots/:id`, async (req) => {
    projectInPath(req);
    const body = validateBody(SnapshotUpdateBody, req.body, null).snapshot;
    const s = await one(req);
    const values: { displayName?: string | null; displayDescription?: string | null } = {};
    if (body.display_name !== undefined) values.displayName = strip(body.display_name);
    if (body.display_description !== undefined) values.displayDescription = strip(body.display_description);
    if (body.name !== undefined) values.displayName = strip(body.name);
    if (body.description !== undefined) values.displayDescription = strip(body.description);
    const updated = await api.update(req.ctx, s, values);
    return { snapshot: view(req, updated, await metaOf(updated)) };
  });

  app.delete(`${base}/snapshots/:id`, async (req, reply) => {
    await api.delete(req.ctx, await one(req));
    return bareResponse(reply).code(202).send();
  });

  // Snapshot manage (snapshot_manage.py; manageable_snapshots from 3.8, 404 below): the volume
  // (404, volume:get), the policy on it, then volume/manage.ts. 202 with the v2 view.
  const manage = async (req: FastifyRequest, reply: FastifyReply, minVersion: string | null): Promise<FastifyReply> => {
    projectInPath(req);
    if (minVersion && !req.cinderVersion.atLeast(minVersion)) throw notFound();
    const body = validateBody(SnapshotManageBody, req.body, null).snapshot;
    const v = await api.volumes.get(req.ctx, body.volume_id);
    api.volumes.authorize(req.ctx, SNAPSHOT_POLICY.manage, v);
    const s = await manageExistingSnapshot(api, req.ctx, v, body.ref, { name: body.name ?? null, description: body.description ?? null, metadata: body.metadata ?? {} });
    return reply.code(202).send({ snapshot: view(req, s, body.metadata ?? {}, { v3Keys: false }) });
  };
  app.post(`${base}/os-snapshot-manage`, (req, reply) => manage(req, reply, null));
  app.post(`${base}/manageable_snapshots`, (req, reply) => manage(req, reply, '3.8'));

  // The snapshot actions (snapshot_actions.py) and admin actions (admin_actions.py), each 202.
  const actions: Record<string, (req: FastifyRequest) => (s: Snapshot) => Promise<void>> = {
    'os-reset_status': (req) => {
      const status = validateBody(SnapshotResetStatusBody, req.body, null)['os-reset_status'].status.toLowerCase();
      return (s) => api.resetStatus(req.ctx, s, status as Snapshot['status'] & string);
    },
    'os-force_delete': (req) => async (s) => {
      api.volumes.authorize(req.ctx, SNAPSHOT_POLICY.forceDelete, s as never);
      await api.delete(req.ctx, s, true);
    },
    // snapshot_unmanage.py: a delete whose backend keeps the object.
    'os-unmanage': (req) => async (s) => {
      api.volumes.authorize(req.ctx, SNAPSHOT_POLICY.unmanage, s as never);
      await api.delete(req.ctx, s, false, true);
    },
    'os-update_snapshot_status': (req) => {
      const a = validateBody(UpdateSnapshotStatusBody, req.body, null)['os-update_snapshot_status'];
      return (s) => api.updateStatus(req.ctx, s, a.status, typeof a.progress === 'string' && a.progress ? a.progress : null);
    },
  };
  app.post(`${base}/snapshots/:id/action`, async (req, reply) => {
    projectInPath(req);
    const name = actionOf(req.body, Object.keys(actions));
    const work = actions[name](req);
    // The admin actions look the snapshot up as get_by_id (no policy); the others with theirs.
    const id = (req.params as Params).id ?? '';
    await work(name === 'os-force_delete' || name === 'os-unmanage' ? await api.get(req.ctx, id) : await api.find(req.ctx, id));
    // os-update_snapshot_status and os-unmanage answer a webob.Response of their own: no request id header, webob's type.
    if (name === 'os-update_snapshot_status' || name === 'os-unmanage') return bareResponse(reply).code(202).type('text/html; charset=UTF-8').send();
    return reply.code(202).send();
  });
}

/**
 * _process_snaps_filters: every key a snapshots column (exact, as SQL compares), `metadata` a
 * dict of key/values the snapshot must carry, host/cluster_name/availability_zone its volume's,
 * `key~` a LIKE from 3.34. A key naming no column, or a metadata that is no dict, lists nothing
 * (null here). The metadata and volumes the filters need are read once for all `rows`.
 */
async function snapshotFilter(api: SnapshotAPI, rows: Snapshot[], filters: Record<string, string>, like: boolean): Promise<((s: Snapshot) => boolean) | null> {
  const cols = snapshotColumns();
  const tests: Array<(s: Snapshot) => boolean> = [];
  const metas = 'metadata' in filters ? await api.db.metadataOf(rows.map((s) => s.id)) : new Map<string, Record<string, string>>();
  const volumes = Object.keys(filters).some((k) => VOLUME_FILTERS.includes(k))
    ? new Map((await api.volumes.d.db.volumes.findBy({ id: In([...new Set(rows.map((s) => s.volumeId))]) })).map((v) => [v.id, v]))
    : new Map<string, Volume>();
  for (const [k, raw] of Object.entries(filters)) {
    if (k === 'metadata') {
      const want = pyLiteral(raw);
      if (!want || typeof want !== 'object' || Array.isArray(want)) return null;
      tests.push((s) => {
        const meta = metas.get(s.id) ?? {};
        return Object.entries(want as Dict).every(([mk, mv]) => Object.entries(meta).some(([hk, hv]) => collationEquals(hk, mk) && sqlEquals(hv, mv)));
      });
    } else if (VOLUME_FILTERS.includes(k)) {
      tests.push((s) => {
        const v = volumes.get(s.volumeId);
        const have = k === 'host' ? v?.host : k === 'cluster_name' ? v?.clusterName : v?.availabilityZone;
        return have !== undefined && have !== null && (k === 'availability_zone' ? have === raw : have === raw || have.startsWith(`${raw}@`) || have.startsWith(`${raw}#`));
      });
    } else if (like && k.endsWith('~') && cols.has(k.slice(0, -1))) {
      const field = cols.get(k.slice(0, -1))!;
      tests.push((s) => typeof s[field] === 'string' && collationKey(s[field] as string).includes(collationKey(raw)));
    } else if (cols.has(k)) {
      const field = cols.get(k)!;
      const want = field === 'useQuota' || field === 'deleted' ? toBoolean(raw) : raw;
      tests.push((s) => sqlEquals(s[field], want));
    } else {
      return null;
    }
  }
  return (s) => tests.every((t) => t(s));
}
