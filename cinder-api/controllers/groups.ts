// /groups (cinder/api/v3/groups.py and views/groups.py), from 3.13; below it the methods do not
// exist (404). Thin: check the body or query, call the group API, render. Create answers 202 with
// the summary view; update, delete and reset_status webob's bare 202. The list filters on the
// groups table's columns (one naming none lists nothing), sorts and pages as Cinder's paginate
// query; an unknown marker is the group's 404. Groups of the type migrated CGs have are hidden.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound, validateBody } from '../../common/api';
import type { Group, GroupSnapshot } from '../../cinder-common/entities';
import type { GroupRead } from '../../cinder-common/group-db';
import { GroupSnapshotNotFound, InvalidGroupStatus } from '../../cinder-common/exception';
import { collationEquals } from '../collation';
import { boolParam, rejectInvalidFilters } from '../list-filters';
import { RESOURCE_FILTER } from '../microversions';
import { columnSortKeys, nextLinks, pageParams, sortRows, type SortKeys } from '../pagination';
import { actionOf, bareResponse, projectInPath, type Params } from '../request';
import { RESOURCE_FILTERS } from '../resource-filters';
import { toBoolean } from '../schemas/parameter-types';
import {
  CreateGroupBody, CreateGroupFromSrcBody, DeleteGroupBody, DisableReplicationBody, EnableReplicationBody, FailoverReplicationBody, ListReplicationTargetsBody,
  ResetGroupStatusBody, UpdateGroupBody,
} from '../schemas/groups';
import { isoTime } from '../views/volumes';
import { checkGroupStatus, GROUP_POLICY, type GroupAPI } from '../volume/groups';
import type { GroupSnapshotAPI } from '../volume/group-snapshots';

const MV = { GROUP_VOLUME: '3.13', GROUP_SNAPSHOTS: '3.14', GROUP_VOLUME_RESET_STATUS: '3.20', GROUP_VOLUME_LIST: '3.25', GROUP_REPLICATION: '3.38', PROJECT_ID: '3.58' };
const PAGING = ['marker', 'limit', 'offset', 'sort', 'sort_key', 'sort_dir'];
const REPLICATION_ACTIONS = ['enable_replication', 'disable_replication', 'failover_replication', 'list_replication_targets'] as const;

type Dict = Record<string, unknown>;

const COLUMNS = new Map<string, keyof Group>([
  ['id', 'id'], ['user_id', 'userId'], ['project_id', 'projectId'], ['cluster_name', 'clusterName'], ['host', 'host'],
  ['availability_zone', 'availabilityZone'], ['name', 'name'], ['description', 'description'], ['group_type_id', 'groupTypeId'],
  ['status', 'status'], ['group_snapshot_id', 'groupSnapshotId'], ['source_group_id', 'sourceGroupId'], ['replication_status', 'replicationStatus'],
  ['created_at', 'createdAt'], ['updated_at', 'updatedAt'], ['deleted_at', 'deletedAt'], ['deleted', 'deleted'],
]);
let sortKeysOf: SortKeys<GroupRead> | undefined;
const sortKeys = (): SortKeys<GroupRead> => (sortKeysOf ??= Object.fromEntries(
  Object.entries(columnSortKeys<Group>(COLUMNS)).map(([k, get]) => [k, (g: GroupRead) => get(g.group)])));

/** filter_by(column=value): text under the table's collation, a host by its backend. */
function matches(g: Group, column: keyof Group, want: string): boolean {
  const v = g[column];
  if (v === null || v === undefined) return false;
  if (column === 'host') return String(v).split('#')[0] === want.split('#')[0] || String(v) === want;
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace('T', ' ') === want.trim();
  if (typeof v === 'boolean') return Number(want) === Number(v);
  return collationEquals(String(v), want);
}

export function groupRoutes(app: FastifyInstance, base: string, api: GroupAPI, maxLimit = 1000, snapshots?: GroupSnapshotAPI): void {
  const G = `${base}/groups`;
  const config = { minVersion: MV.GROUP_VOLUME };
  const gate = (req: FastifyRequest, mv = MV.GROUP_VOLUME): string => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast(mv)) throw notFound();
    return (req.params as Params).id ?? '';
  };
  const accepted = (reply: FastifyReply): FastifyReply => bareResponse(reply).code(202).send();
  const listVolumes = async (req: FastifyRequest, gr: GroupRead): Promise<string[] | undefined> => {
    const raw = (req.query as Record<string, string> | undefined)?.list_volume;
    if (!req.cinderVersion.atLeast(MV.GROUP_VOLUME_LIST) || raw === undefined || !boolParam('list_volume', raw)) return undefined;
    return (await api.db.volumesOf(gr.group.id)).map((v) => v.id);
  };
  const detail = async (req: FastifyRequest, gr: GroupRead): Promise<Dict> => {
    const g = gr.group;
    const out: Dict = {
      id: g.id, status: g.status, availability_zone: g.availabilityZone, created_at: isoTime(g.createdAt), name: g.name,
      description: g.description, group_type: g.groupTypeId, volume_types: gr.volumeTypeIds,
    };
    const v = req.cinderVersion;
    if (v.atLeast(MV.GROUP_SNAPSHOTS)) Object.assign(out, { group_snapshot_id: g.groupSnapshotId, source_group_id: g.sourceGroupId });
    const volumes = await listVolumes(req, gr);
    if (volumes) out.volumes = volumes;
    if (v.atLeast(MV.GROUP_REPLICATION)) out.replication_status = g.replicationStatus;
    if (v.atLeast(MV.PROJECT_ID) && api.allows(req.ctx, GROUP_POLICY.projectAttribute)) out.project_id = g.projectId;
    return out;
  };
  /** groups.get, then the CG check (400 for a migrated CG). */
  const found = async (req: FastifyRequest, id: string): Promise<GroupRead> => {
    const gr = await api.get(req.ctx, id);
    await api.checkNotCgsnapshotType(gr.group.groupTypeId);
    return gr;
  };

  const list = async (req: FastifyRequest, isDetail: boolean): Promise<Dict> => {
    gate(req);
    const q = { ...(req.query ?? {}) } as Record<string, string>;
    const { limit, offset } = pageParams(q, maxLimit);
    const filters = Object.keys(q).filter((k) => !PAGING.includes(k) && k !== 'list_volume');
    if (req.cinderVersion.atLeast(RESOURCE_FILTER)) rejectInvalidFilters(filters, req.ctx.isAdmin, RESOURCE_FILTERS.group);
    const allTenants = req.ctx.isAdmin && filters.includes('all_tenants');
    let rows = sortRows(await api.list(req.ctx, allTenants), q, sortKeys());
    for (const k of filters) {
      if (k === 'all_tenants' && allTenants) continue;
      const column = COLUMNS.get(k);
      // A filter naming no column of the table: the query is never made.
      if (!column) return { groups: [] };
      rows = rows.filter((g) => matches(g.group, column, String(q[k])));
    }
    if (q.marker !== undefined) {
      const m = rows.find((g) => g.group.id === q.marker) ?? await api.get(req.ctx, q.marker);
      if (!rows.includes(m)) rows = sortRows([...rows, m], q, sortKeys());
      rows = rows.slice(rows.indexOf(m) + 1);
    }
    rows = rows.slice(offset, offset + limit);
    const cgType = new Set<string>();
    for (const g of rows) {
      try {
        await api.checkNotCgsnapshotType(g.group.groupTypeId);
      } catch {
        cgType.add(g.group.id);
      }
    }
    const shown = rows.filter((g) => !cgType.has(g.group.id));
    const items = isDetail ? await Promise.all(shown.map((g) => detail(req, g))) : shown.map((g) => ({ id: g.group.id, name: g.group.name }));
    const links = rows.length && limit <= rows.length ? nextLinks(req, q, rows[rows.length - 1].group.id) : null;
    return { groups: items, ...(links ? { group_links: links } : {}) };
  };
  app.get(G, { config }, (req) => list(req, false));
  app.get(`${G}/detail`, { config }, (req) => list(req, true));
  app.get(`${G}/:id`, { config }, async (req) => ({ group: await detail(req, await found(req, gate(req))) }));

  app.post(G, { config }, async (req, reply) => {
    gate(req);
    const b = validateBody(CreateGroupBody, req.body, null).group;
    const groupType = await api.groupTypeIdOf(req.ctx, b.group_type);
    await api.checkNotCgsnapshotType(groupType);
    const g = await api.create(req.ctx, {
      name: b.name ? b.name.trim() : b.name ?? null, description: b.description ? b.description.trim() : b.description ?? null,
      groupType, volumeTypes: b.volume_types, availabilityZone: b.availability_zone ?? null,
    });
    return reply.code(202).send({ group: { id: g.id, name: g.name } });
  });

  // create-from-src (3.14): a source group's volumes cloned, or a group snapshot's snapshots made volumes, in a new group.
  app.post(`${G}/action`, { config: { minVersion: MV.GROUP_SNAPSHOTS } }, async (req, reply) => {
    gate(req, MV.GROUP_SNAPSHOTS);
    actionOf(req.body, ['create-from-src']);
    const b = validateBody(CreateGroupFromSrcBody, req.body, null)['create-from-src'];
    let snapshot: GroupSnapshot | undefined;
    let source: GroupRead;
    if (b.group_snapshot_id) {
      if (!snapshots) throw new GroupSnapshotNotFound({ group_snapshot_id: b.group_snapshot_id });
      snapshot = await snapshots.get(req.ctx, b.group_snapshot_id);
      await api.checkNotCgsnapshotType(snapshot.groupTypeId);
      source = await api.get(req.ctx, snapshot.groupId);
    } else {
      source = await found(req, b.source_group_id ?? '');
    }
    const g = await api.createFromSource(req.ctx, {
      name: b.name ? b.name.trim() : b.name ?? null, description: b.description ? b.description.trim() : b.description ?? null, source, snapshot,
    });
    return reply.code(202).send({ group: { id: g.id, name: g.name } });
  });

  app.put(`${G}/:id`, { config }, async (req, reply) => {
    const id = gate(req);
    const b = validateBody(UpdateGroupBody, req.body, null).group;
    const gr = await found(req, id);
    await api.update(req.ctx, gr, {
      name: b.name ? b.name.trim() : b.name ?? null, description: b.description ? b.description.trim() : b.description ?? null,
      addVolumes: b.add_volumes ?? null, removeVolumes: b.remove_volumes ?? null,
    });
    return accepted(reply);
  });

  app.post(`${G}/:id/action`, { config }, async (req, reply) => {
    const id = gate(req);
    const action = actionOf(req.body, ['delete', 'reset_status', ...REPLICATION_ACTIONS]);
    if ((REPLICATION_ACTIONS as readonly string[]).includes(action)) {
      if (!req.cinderVersion.atLeast(MV.GROUP_REPLICATION)) throw notFound();
      const a = action as (typeof REPLICATION_ACTIONS)[number];
      const allow = a === 'failover_replication' ? validateBody(FailoverReplicationBody, req.body, null).failover_replication.allow_attached_volume : undefined;
      if (a === 'enable_replication') validateBody(EnableReplicationBody, req.body, null);
      if (a === 'disable_replication') validateBody(DisableReplicationBody, req.body, null);
      if (a === 'list_replication_targets') validateBody(ListReplicationTargetsBody, req.body, null);
      await api.replication(req.ctx, await api.get(req.ctx, id), a, allow !== undefined && toBoolean(allow));
    }
    if (action === 'reset_status') {
      if (!req.cinderVersion.atLeast(MV.GROUP_VOLUME_RESET_STATUS)) throw notFound();
      const status = validateBody(ResetGroupStatusBody, req.body, null).reset_status.status;
      const why = checkGroupStatus(status);
      if (why) throw new InvalidGroupStatus({ reason: why });
      const gr = await api.get(req.ctx, id);
      await api.resetStatus(req.ctx, gr.group, status.toLowerCase());
      return accepted(reply);
    }
    const raw = validateBody(DeleteGroupBody, req.body, null).delete['delete-volumes'];
    const gr = await found(req, id);
    await api.delete(req.ctx, gr, raw !== undefined && toBoolean(raw));
    return accepted(reply);
  });
}
