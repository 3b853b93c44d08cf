// Generic volume groups (cinder/group/api.py with the rules of the groups controller, 3.13+):
// create (the scheduler's part done here: one backend that takes every volume type), show and
// list, update (name, description, volumes in and out), delete (with its volumes), reset_status.
// Every change that spans services records its intent first, in one transaction, so the
// reconciler can finish it (docs/groups.md). Checks come in Cinder's order, with its texts.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import { DEFAULT_CGSNAPSHOT_TYPE, type Group, type GroupSnapshot, type GroupStatus, type Volume } from '../../cinder-common/entities';
import { GroupDB, type GroupRead } from '../../cinder-common/group-db';
import {
  GroupTypeNotFound, GroupTypeNotFoundByName, Invalid, InvalidGroup, InvalidGroupType, InvalidInput, InvalidVolume, InvalidVolumeType, VolumeNotFound,
} from '../../cinder-common/exception';
import { serviceHostOf } from '../../cinder-common/objects';
import { SnapshotDB } from '../../cinder-common/snapshot-db';
import { GroupSnapshotDB } from '../../cinder-common/group-snapshot-db';
import { transactionWithRetry } from '../../common/db/retry';
import type { VolumeAPI } from './api';
import { isMultiattachSpec, type TypeWithSpecs } from './types';
import type { EntityManager } from 'typeorm';
import type { GroupTypeAPI } from './group-types';

const LOG = getLogger('cinder-api.groups');
type Ctx = RequestContext;

export const GROUP_POLICY = {
  create: 'group:create',
  update: 'group:update',
  get: 'group:get',
  getAll: 'group:get_all',
  projectAttribute: 'group:group_project_attribute',
  delete: 'group:delete',
  resetStatus: 'group:reset_status',
} as const;

export const VALID_REMOVE_VOL_FROM_GROUP_STATUS = ['available', 'in-use', 'error', 'error_deleting'];
export const VALID_ADD_VOL_TO_GROUP_STATUS = ['available', 'in-use'];
/** fields.GroupStatus.ALL, as Cinder prints it. */
const GROUP_STATUS_ALL = "('error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'in-use', 'error_deleting')";
/** The statuses no service is working from: a rename may set them available. */
const SETTLED: GroupStatus[] = ['available', 'error', 'in-use', 'error_deleting', 'deleted'];
/** What reset_status takes (Cinder checks against GroupSnapshotStatus.ALL: no 'in-use'). */
export const RESETTABLE: GroupStatus[] = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting'];

/** oslo's uuidutils.is_uuid_like. */
const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const pyList = (xs: string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
const pyTuple = (xs: string[]): string => `(${xs.map((x) => `'${x}'`).join(', ')})`;

export class GroupAPI {
  readonly db: GroupDB;

  constructor(readonly api: VolumeAPI, readonly groupTypes: GroupTypeAPI) {
    this.db = new GroupDB(api.d.db.ds);
  }

  authorize(ctx: Ctx, action: string, g?: Group): void {
    this.api.authorize(ctx, action, g ? { id: g.id, project_id: g.projectId, user_id: g.userId } : null);
  }

  allows(ctx: Ctx, action: string, g?: Group): boolean {
    return this.api.allows(ctx, action, g ? { id: g.id, project_id: g.projectId, user_id: g.userId } : null);
  }

  /** Whether this is the type migrated consistency groups have (default_cgsnapshot_type). */
  async isCgsnapshotType(groupTypeId: string | null): Promise<boolean> {
    if (!groupTypeId) return false;
    const cg = (await this.groupTypes.db.live()).find((t) => t.name === DEFAULT_CGSNAPSHOT_TYPE);
    return !!cg && cg.id === groupTypeId;
  }

  /** _check_default_cgsnapshot_type: that type is for the CG API only (`rest`: the controller's second sentence). */
  async checkNotCgsnapshotType(groupTypeId: string | null, rest = 'Migrated group can only be operated by CG APIs.'): Promise<void> {
    if (await this.isCgsnapshotType(groupTypeId)) throw new Invalid({}, `Group_type ${groupTypeId} is reserved for migrating CGs to groups. ${rest}`);
  }

  /** objects.Group.get_by_id then group:get: others' groups are not found for non-admins. */
  get(ctx: Ctx, id: string): Promise<GroupRead> {
    return this.api.getGroup(ctx, id);
  }

  /** Groups of the caller's project; an admin's all_tenants lists every project's. */
  async list(ctx: Ctx, allTenants: boolean): Promise<GroupRead[]> {
    this.authorize(ctx, GROUP_POLICY.getAll);
    return this.db.list(ctx.isAdmin && allTenants ? null : ctx.projectId);
  }

  /** The controller's group type lookup: a name (not uuid-like) must name a live type. */
  async groupTypeIdOf(ctx: Ctx, groupType: string): Promise<string> {
    if (UUID_LIKE.test(groupType)) return groupType;
    const t = await this.groupTypes.byNameOrNull(groupType);
    if (!t) throw new GroupTypeNotFoundByName({ group_type_name: groupType });
    return t.type.id;
  }

  /** group_api.create: the group row (creating, counted in `groups`), then the backend chosen and the cast. */
  async create(ctx: Ctx, r: { name: string | null; description: string | null; groupType: string; volumeTypes: string[]; availabilityZone: string | null }): Promise<Group> {
    this.authorize(ctx, GROUP_POLICY.create);
    const types = [];
    for (const t of r.volumeTypes) types.push(await this.api.types.getByNameOrId(ctx.elevated(), t));
    const groupType = await this.findGroupType(ctx, r.groupType);
    const az = r.availabilityZone ?? this.api.d.defaultAz;
    if (az !== this.api.d.defaultAz) throw new InvalidInput({ reason: `Availability zone '${az}' is invalid.` });
    // The scheduler's part: a backend every volume type's extra specs take, in the zone.
    let hosts: Array<{ host: string; az: string; free: number }> | null = null;
    for (const t of types) {
      const found = await this.api.backendsFor(0, az, t.specs);
      hosts = hosts === null ? found : hosts.filter((h) => found.some((f) => serviceHostOf(f.host) === serviceHostOf(h.host)));
    }
    const target = hosts?.[0] ?? null;
    const typeIds = types.map((t) => t.type.id);
    const g = Object.assign({} as Group, {
      id: randomUUID(), userId: ctx.userId, projectId: ctx.projectId, clusterName: null, host: target?.host ?? null, availabilityZone: az,
      name: r.name, description: r.description, groupTypeId: groupType, status: (target ? 'creating' : 'error') as GroupStatus, groupSnapshotId: null,
      sourceGroupId: null, replicationStatus: 'disabled', createdAt: new Date(), updatedAt: null, deletedAt: null, deleted: false,
    });
    const quota = this.api.d.quota;
    if (quota) await quota.createGroup(ctx.projectId ?? '', (m) => this.db.createIn(m, g, typeIds));
    else await transactionWithRetry(this.api.d.db.ds, (m) => this.db.createIn(m, g, typeIds), { what: `create of group ${g.id}` });
    if (!target) {
      LOG.error(`Could not find a backend for group ${g.id}.`, { context: ctx });
      return g;
    }
    await pausePoint('cinder-api.group_create.after-row');
    try {
      await this.api.d.rpc.createGroup(ctx, g, typeIds);
    } catch (e) {
      // Never sent: no backend will take it up; the row says so (the scheduler's error path).
      LOG.exception(`Could not cast create_group for ${g.id}`, e, { context: ctx });
      await this.db.conditionalUpdate(g.id, { status: 'creating' }, { status: 'error' });
    }
    return g;
  }

  /**
   * create_from_src of a source group or a group snapshot: the group (on the source group's
   * backend, of its type and zone) and one clone per source volume (or a volume per snapshot), all counted, in one transaction; then the cast, whose
   * manager clones them and makes the group available. Cinder writes the group and commits its
   * quota before it finds the source empty (then destroys the group, still counted) or its
   * backend full (then leaves the group creating); here nothing is written first.
   */
  async createFromSource(ctx: Ctx, r: { name: string | null; description: string | null; source: GroupRead; snapshot?: GroupSnapshot }): Promise<Group> {
    this.authorize(ctx, GROUP_POLICY.create);
    const src = r.source.group;
    // What each clone is made from: a volume of the source group, or a snapshot of the group snapshot.
    const origins: Array<{ size: number; volumeTypeId: string; sourceVolid: string | null; snapshotId: string | null }> = r.snapshot
      ? (await new GroupSnapshotDB(this.db.ds).snapshotsOf(r.snapshot.id)).map((s) => ({ size: s.volumeSize ?? 0, volumeTypeId: s.volumeTypeId ?? '', sourceVolid: null, snapshotId: s.id }))
      : (await this.db.volumesOf(src.id)).map((v) => ({ size: v.size ?? 0, volumeTypeId: v.volumeTypeId, sourceVolid: v.id, snapshotId: null }));
    if (!origins.length) throw new InvalidGroup({ reason: r.snapshot ? 'Group snapshot is empty. No group will be created.' : 'Source Group is empty. No group will be created.' });
    const id = randomUUID();
    const size = origins.reduce((n, o) => n + o.size, 0);
    if (!src.host || !(await this.api.backendsFor(size, null, {}, serviceHostOf(src.host))).length) throw new InvalidGroup({ reason: `No valid host to create group ${id}.` });
    const typeIds = [...r.source.volumeTypeIds];
    const types = new Map<string, TypeWithSpecs>();
    for (const o of origins) {
      if (!types.has(o.volumeTypeId)) types.set(o.volumeTypeId, await this.api.types.get(ctx.elevated(), o.volumeTypeId));
      if (!typeIds.includes(o.volumeTypeId)) typeIds.push(o.volumeTypeId);
    }
    const now = new Date();
    const g = Object.assign({} as Group, {
      id, userId: ctx.userId, projectId: ctx.projectId, clusterName: src.clusterName, host: src.host, availabilityZone: src.availabilityZone,
      name: r.name, description: r.description, groupTypeId: r.snapshot?.groupTypeId ?? src.groupTypeId, status: 'creating' as GroupStatus,
      groupSnapshotId: r.snapshot?.id ?? null, sourceGroupId: r.snapshot ? null : src.id, replicationStatus: 'disabled', createdAt: now, updatedAt: null,
      deletedAt: null, deleted: false,
    });
    const clones: Array<Partial<Volume>> = origins.map((o) => ({
      userId: ctx.userId, projectId: ctx.projectId, size: o.size, availabilityZone: g.availabilityZone, volumeTypeId: o.volumeTypeId,
      multiattach: isMultiattachSpec(types.get(o.volumeTypeId)!.specs), host: g.host, scheduledAt: now, sourceVolid: o.sourceVolid, snapshotId: o.snapshotId,
      groupId: g.id,
    }));
    const write = async (m: EntityManager): Promise<void> => {
      await this.db.createIn(m, g, typeIds);
      for (const values of clones) await this.api.d.db.volumeCreate(values, m);
    };
    const quota = this.api.d.quota;
    if (quota) await quota.createGroupWithVolumes(ctx.projectId ?? '', origins.map((o) => ({ size: o.size, typeName: types.get(o.volumeTypeId)!.type.name })), write);
    else await transactionWithRetry(this.api.d.db.ds, write, { what: `create of group ${g.id}` });
    await pausePoint('cinder-api.group_create_from_src.after-rows');
    try {
      await this.api.d.rpc.createGroupFromSrc(ctx, g, typeIds, r.snapshot ? null : src, r.source.volumeTypeIds, r.snapshot ?? null);
    } catch (e) {
      // Never sent: the reconciler ends the clones in error once lost_cast_timeout has passed, and then the group.
      LOG.exception(`Could not cast create_group_from_src for ${g.id}`, e, { context: ctx });
    }
    return g;
  }

  /** The group type by id (visible to the caller), else by a uuid-like name (GroupTypeNotFound). */
  private async findGroupType(ctx: Ctx, groupType: string): Promise<string> {
    if (!UUID_LIKE.test(groupType)) return this.groupTypeIdOf(ctx, groupType);
    try {
      return (await this.groupTypes.get(ctx, groupType)).type.id;
    } catch (e) {
      if (!(e instanceof GroupTypeNotFound)) throw e;
      const byName = await this.groupTypes.byNameOrNull(groupType);
      if (!byName) throw new GroupTypeNotFound({ group_type_id: groupType });
      return byName.type.id;
    }
  }

  /** group_api.delete: a group never scheduled goes at once; otherwise its volumes and it are marked, then cast. */
  async delete(ctx: Ctx, gr: GroupRead, deleteVolumes: boolean): Promise<void> {
    const g = gr.group;
    this.authorize(ctx, GROUP_POLICY.delete, g);
    if (!g.host) {
      await this.db.destroy(g);
      return;
    }
    if (!deleteVolumes && g.status !== 'available' && g.status !== 'error') {
      throw new InvalidGroup({ reason: `Group status must be available or error, but current status is: ${g.status}` });
    }
    if ((await new GroupSnapshotDB(this.db.ds).ofGroup(g.id)).length) throw new InvalidGroup({ reason: 'Group has existing snapshots.' });
    const volumes = await this.db.volumesOf(g.id);
    if (volumes.length && !deleteVolumes) {
      throw new InvalidGroup({ reason: `Group ${g.id} still contains volumes. The delete-volumes flag is required to delete it.` });
    }
    const snapshots = volumes.length ? new Set((await new SnapshotDB(this.db.ds).list(null, volumes.map((v) => v.id))).map((s) => s.volumeId)) : new Set<string>();
    for (const v of volumes) {
      if (v.attachStatus === 'attached') throw new InvalidGroup({ reason: `Volume in group ${g.id} is attached. Need to detach first.` });
      if (snapshots.has(v.id)) throw new InvalidGroup({ reason: 'Volume in group still has dependent snapshots.' });
    }
    if (!await this.db.markDeleting(g.id, volumes.map((v) => v.id), deleteVolumes ? null : ['available', 'error'], deleteVolumes)) {
      const reason = deleteVolumes ? 'Group status must be available or error and must not have dependent group snapshots'
        : 'Group must not have attached volumes, volumes with snapshots, or dependent group snapshots';
      throw new InvalidGroup({ reason: `Cannot delete group ${g.id}. ${reason}, and it cannot be the source for an ongoing group or group snapshot creation.` });
    }
    await pausePoint('cinder-api.group_delete.after-mark');
    await this.api.d.rpc.deleteGroup(ctx, { ...g, status: 'deleting' }, gr.volumeTypeIds);
  }

  /** group_api.update: name and description at once; volumes in or out recorded with 'updating', then cast. */
  async update(ctx: Ctx, gr: GroupRead, u: { name: string | null; description: string | null; addVolumes: string | null; removeVolumes: string | null }): Promise<void> {
    const g = gr.group;
    this.authorize(ctx, GROUP_POLICY.update, g);
    const name = u.name === g.name ? null : u.name;
    const description = u.description === g.description ? null : u.description;
    const split = (s: string | null): string[] => (s ? s.replace(/^,+|,+$/g, '').split(',') : []);
    const addList = split(u.addVolumes);
    const removeList = split(u.removeVolumes);
    const both = addList.filter((id) => removeList.includes(id));
    if (both.length) throw new InvalidVolume({ reason: `UUIDs ${pyList(both)} are in both add and remove volume list.` });
    const volumes = await this.db.volumesOf(g.id);
    const add = addList.length ? await this.validateAdd(ctx, gr, volumes, addList) : [];
    const remove = removeList.length ? this.validateRemove(g, volumes, removeList) : [];
    if (name === null && description === null && !add.length && !remove.length) {
      throw new InvalidGroup({ reason: `Cannot update group ${g.id} because no valid name, description, add_volumes, or remove_volumes were provided.` });
    }
    const values: Partial<Group> = {};
    if (name !== null) values.name = name;
    if (description !== null) values.description = description;
    if (!add.length && !remove.length) {
      // Only the name or description: Cinder sets the group available, whatever it was. One a
      // service is still working on keeps its status here, or its create, update or delete
      // would find it moved and stop half-way.
      if (!await this.db.conditionalUpdate(g.id, { status: SETTLED }, { ...values, status: 'available' })) await this.db.conditionalUpdate(g.id, {}, values);
      return;
    }
    if (!await this.db.markUpdating(g, add, remove, values, VALID_REMOVE_VOL_FROM_GROUP_STATUS)) {
      throw new InvalidGroup({ reason: 'Group status must be available.' });
    }
    await pausePoint('cinder-api.group_update.after-mark');
    await this.api.d.rpc.updateGroup(ctx, { ...g, ...values, status: 'updating' }, gr.volumeTypeIds, add.join(',') || null, remove.join(',') || null);
  }

  private validateRemove(g: Group, volumes: Volume[], removeList: string[]): string[] {
    const out: string[] = [];
    for (const v of volumes) {
      if (!removeList.includes(v.id)) continue;
      if (!VALID_REMOVE_VOL_FROM_GROUP_STATUS.includes(v.status ?? '')) {
        throw new InvalidVolume({ reason: `Cannot remove volume ${v.id} from group ${g.id} because volume is in an invalid state: ${v.status}. Valid states are: ${pyTuple(VALID_REMOVE_VOL_FROM_GROUP_STATUS)}.` });
      }
      out.push(v.id);
    }
    // Cinder looks each one up as a substring of the ids it kept.
    for (const id of removeList) {
      if (!out.join(',').includes(id)) throw new InvalidVolume({ reason: `Cannot remove volume ${id} from group ${g.id} because it is not in the group.` });
    }
    return out;
  }

  private async validateAdd(ctx: Ctx, gr: GroupRead, volumes: Volume[], addList: string[]): Promise<string[]> {
    const g = gr.group;
    const pending = addList.filter((id) => !volumes.some((v) => v.id === id));
    const out: string[] = [];
    for (const id of pending) {
      let v: Volume;
      try {
        v = await this.api.find(ctx, id);
      } catch (e) {
        if (e instanceof VolumeNotFound) throw new InvalidVolume({ reason: `Cannot add volume ${id} to group ${g.id} because volume cannot be found.` });
        throw e;
      }
      const cannot = `Cannot add volume ${v.id} to group ${g.id}`;
      if (v.groupId) throw new InvalidVolume({ reason: `${cannot} because it is already in group ${v.groupId}.` });
      if (v.projectId !== g.projectId) throw new InvalidVolume({ reason: `${cannot} as they belong to different projects.` });
      if (!v.volumeTypeId) throw new InvalidVolume({ reason: `${cannot} because it has no volume type.` });
      if (!gr.volumeTypeIds.includes(v.volumeTypeId)) throw new InvalidVolume({ reason: `${cannot} because volume type ${v.volumeTypeId} is not supported by the group.` });
      if (!VALID_ADD_VOL_TO_GROUP_STATUS.includes(v.status ?? '')) {
        throw new InvalidVolume({ reason: `${cannot} because volume is in an invalid state: ${v.status}. Valid states are: ${pyTuple(VALID_ADD_VOL_TO_GROUP_STATUS)}.` });
      }
      if (serviceHostOf(v.host ?? '') !== serviceHostOf(g.host ?? '')) throw new InvalidVolume({ reason: 'Volume is not local to this node.' });
      out.push(v.id);
    }
    return out;
  }

  /**
   * The replication actions (3.38): Cinder's checks, in its order and words. Our backends
   * replicate nothing, so a group that passes them all is refused as well (Cinder would cast to
   * a driver that replicates).
   */
  async replication(ctx: Ctx, gr: GroupRead, action: 'enable_replication' | 'disable_replication' | 'failover_replication' | 'list_replication_targets',
    allowAttached = false): Promise<never> {
    const g = gr.group;
    const policy = { enable_replication: 'group:enable_replication', disable_replication: 'group:disable_replication',
      failover_replication: 'group:failover_replication', list_replication_targets: 'group:list_replication_targets' }[action];
    this.authorize(ctx, policy, g);
    const specs = g.groupTypeId ? (await this.groupTypes.db.get(g.groupTypeId, null))?.specs ?? {} : {};
    if (specs.group_replication_enabled !== '<is> True') throw new InvalidGroupType({ reason: `Group ${g.id} is not a replication group type.` });
    for (const id of gr.volumeTypeIds) {
      const t = await this.api.types.get(ctx.elevated(), id);
      if (t.specs.replication_enabled !== '<is> True') throw new InvalidVolumeType({ reason: `Volume type ${id} does not have 'replication_enabled' spec key set to '<is> True'.` });
    }
    if (action === 'list_replication_targets') throw new InvalidGroup({ reason: `Group ${g.id} has no replication targets: its backend replicates nothing.` });
    const verb = { enable_replication: 'enable', disable_replication: 'disable', failover_replication: 'failover' }[action];
    const statuses = action === 'disable_replication' ? ['available', 'error'] : ['available'];
    if (!statuses.includes(g.status ?? '')) {
      throw new InvalidGroup({ reason: `Group ${g.id} status must be ${pyList(statuses)}, but current status is: ${g.status}. Cannot ${verb} replication.` });
    }
    const reps = { enable_replication: ['disabled', 'enabled'], disable_replication: ['enabled', 'error'], failover_replication: ['enabled', 'failed-over'] }[action];
    if (!reps.includes(g.replicationStatus ?? '')) {
      throw new InvalidGroup({ reason: `Group ${g.id} replication status must be ${pyList(reps)}, but current status is: ${g.replicationStatus}. Cannot ${verb} replication.` });
    }
    if (action === 'failover_replication' && !allowAttached) {
      const attached = (await this.db.volumesOf(g.id)).find((v) => v.status === 'in-use');
      if (attached) throw new InvalidVolume({ reason: `Volume ${attached.id} is attached but allow_attached_volume flag is False. Cannot failover replication.` });
    }
    throw new InvalidGroup({ reason: `Group ${g.id}: its backend replicates nothing. Cannot ${verb} replication.` });
  }

  /** reset_status (admin): any status Cinder's check takes, as is. */
  async resetStatus(ctx: Ctx, g: Group, status: string): Promise<void> {
    this.authorize(ctx, GROUP_POLICY.resetStatus, g);
    await this.db.conditionalUpdate(g.id, {}, { status: status as GroupStatus });
  }
}

/** The group_status format's check of reset_status's body (InvalidGroupStatus texts). */
export function checkGroupStatus(status: string): string | null {
  if (!status.trim()) return "The 'status' can not be empty.";
  if (!(RESETTABLE as string[]).includes(status.toLowerCase())) return `Group status: ${status} is invalid, valid status are: ${GROUP_STATUS_ALL}.`;
  return null;
}
