// /group_snapshots (cinder/api/v3/group_snapshots.py and views/group_snapshots.py), from 3.14;
// below it the methods do not exist (404). Thin: check the body or query, call the group
// snapshot API, render. Create answers 202 with the summary view; delete and reset_status
// (3.19) webob's bare 202. The list pages, sorts and filters (on the table's columns) from 3.29,
// as Cinder's; an unknown marker is the group snapshot's 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound, validateBody } from '../../common/api';
import type { GroupSnapshot, GroupSnapshotStatus } from '../../cinder-common/entities';
import { InvalidGroupSnapshotStatus } from '../../cinder-common/exception';
import { collationEquals } from '../collation';
import { rejectInvalidFilters } from '../list-filters';
import { RESOURCE_FILTER } from '../microversions';
import { columnSortKeys, nextLinks, pageParams, sortRows, type SortKeys } from '../pagination';
import { actionOf, bareResponse, projectInPath, type Params } from '../request';
import { RESOURCE_FILTERS } from '../resource-filters';
import { CreateGroupSnapshotBody, ResetGroupSnapshotStatusBody } from '../schemas/groups';
import { isoTime } from '../views/volumes';
import { GROUP_SNAPSHOT_POLICY, GROUP_SNAPSHOT_STATUSES, type GroupSnapshotAPI } from '../volume/group-snapshots';

const MV = { GROUP_SNAPSHOTS: '3.14', RESET_STATUS: '3.19', PAGINATION: '3.29', PROJECT_ID: '3.58' };
const PAGING = ['marker', 'limit', 'offset', 'sort', 'sort_key', 'sort_dir'];

type Dict = Record<string, unknown>;

const COLUMNS = new Map<string, keyof GroupSnapshot>([
  ['id', 'id'], ['group_id', 'groupId'], ['user_id', 'userId'], ['project_id', 'projectId'], ['name', 'name'], ['description', 'description'],
  ['status', 'status'], ['group_type_id', 'groupTypeId'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'], ['deleted_at', 'deletedAt'], ['deleted', 'deleted'],
]);
let sortKeysOf: SortKeys<GroupSnapshot> | undefined;
const sortKeys = (): SortKeys<GroupSnapshot> => (sortKeysOf ??= columnSortKeys<GroupSnapshot>(COLUMNS));

export function groupSnapshotRoutes(app: FastifyInstance, base: string, api: GroupSnapshotAPI, maxLimit = 1000): void {
  const S = `${base}/group_snapshots`;
  const config = { minVersion: MV.GROUP_SNAPSHOTS };
  const gate = (req: FastifyRequest): string => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast(MV.GROUP_SNAPSHOTS)) throw notFound();
    return (req.params as Params).id ?? '';
  };
  const accepted = (reply: FastifyReply): FastifyReply => bareResponse(reply).code(202).send();
  const detail = (req: FastifyRequest, gs: GroupSnapshot): Dict => ({
    id: gs.id, group_id: gs.groupId, group_type_id: gs.groupTypeId, status: gs.status, created_at: isoTime(gs.createdAt), name: gs.name,
    description: gs.description,
    ...(req.cinderVersion.atLeast(MV.PROJECT_ID) && api.allows(req.ctx, GROUP_SNAPSHOT_POLICY.projectAttribute) ? { project_id: gs.projectId } : {}),
  });
  const found = async (req: FastifyRequest, id: string): Promise<GroupSnapshot> => {
    const gs = await api.get(req.ctx, id);
    await api.groups.checkNotCgsnapshotType(gs.groupTypeId, 'Migrated group snapshots can only be operated by CG snapshot APIs.');
    return gs;
  };

  const list = async (req: FastifyRequest, isDetail: boolean): Promise<Dict> => {
    gate(req);
    const paged = req.cinderVersion.atLeast(MV.PAGINATION);
    const q = paged ? { ...(req.query ?? {}) } as Record<string, string> : {};
    const { limit, offset } = pageParams(q, maxLimit);
    const filters = Object.keys(q).filter((k) => !PAGING.includes(k));
    if (req.cinderVersion.atLeast(RESOURCE_FILTER)) rejectInvalidFilters(filters, req.ctx.isAdmin, RESOURCE_FILTERS.group_snapshot);
    const allTenants = req.ctx.isAdmin && filters.includes('all_tenants');
    let rows = sortRows(await api.list(req.ctx, allTenants), q, sortKeys());
    for (const k of filters) {
      if (k === 'all_tenants' && allTenants) continue;
      const column = COLUMNS.get(k);
      if (!column) return { group_snapshots: [] };
      rows = rows.filter((gs) => gs[column] !== null && gs[column] !== undefined && collationEquals(String(gs[column]), String(q[k])));
    }
    if (q.marker !== undefined) {
      const m = rows.find((gs) => gs.id === q.marker) ?? await api.get(req.ctx, q.marker);
      if (!rows.includes(m)) rows = sortRows([...rows, m], q, sortKeys());
      rows = rows.slice(rows.indexOf(m) + 1);
    }
    rows = rows.slice(offset, offset + limit);
    const links = rows.length && limit <= rows.length ? nextLinks(req, q, rows[rows.length - 1].id) : null;
    const shown: GroupSnapshot[] = [];
    for (const gs of rows) if (!await api.groups.isCgsnapshotType(gs.groupTypeId)) shown.push(gs);
    return {
      group_snapshots: shown.map((gs) => (isDetail ? detail(req, gs) : { id: gs.id, name: gs.name })),
      ...(links ? { group_snapshot_links: links } : {}),
    };
  };
  app.get(S, { config }, (req) => list(req, false));
  app.get(`${S}/detail`, { config }, (req) => list(req, true));
  app.get(`${S}/:id`, { config }, async (req) => ({ group_snapshot: detail(req, await found(req, gate(req))) }));

  app.post(S, { config }, async (req, reply) => {
    gate(req);
    const b = validateBody(CreateGroupSnapshotBody, req.body, null).group_snapshot;
    const group = await api.groups.get(req.ctx, b.group_id);
    await api.groups.checkNotCgsnapshotType(group.group.groupTypeId, 'Migrated group snapshots can only be operated by CG snapshot APIs.');
    const gs = await api.create(req.ctx, group, b.name ?? null, b.description ?? null);
    return reply.code(202).send({ group_snapshot: { id: gs.id, name: gs.name, group_type_id: gs.groupTypeId } });
  });

  app.delete(`${S}/:id`, { config }, async (req, reply) => {
    const gs = await found(req, gate(req));
    await api.delete(req.ctx, gs);
    return accepted(reply);
  });

  app.post(`${S}/:id/action`, { config }, async (req, reply) => {
    const id = gate(req);
    actionOf(req.body, ['reset_status']);
    if (!req.cinderVersion.atLeast(MV.RESET_STATUS)) throw notFound();
    const raw = validateBody(ResetGroupSnapshotStatusBody, req.body, null).reset_status.status;
    if (!raw.trim()) throw new InvalidGroupSnapshotStatus({ reason: "The 'status' can not be empty." });
    const status = raw.toLowerCase() as GroupSnapshotStatus;
    if (!GROUP_SNAPSHOT_STATUSES.includes(status)) {
      throw new InvalidGroupSnapshotStatus({ reason: `Group snapshot status: ${raw} is invalid, valid statuses are: (${GROUP_SNAPSHOT_STATUSES.map((x) => `'${x}'`).join(', ')}).` });
    }
    const gs = await api.get(req.ctx, id);
    await api.resetStatus(req.ctx, gs, status);
    return accepted(reply);
  });
}
