// Group snapshots (cinder/group/api.py create_group_snapshot, delete_group_snapshot and their
// controller, 3.14+): one snapshot of each volume of a group, made and deleted together. Each
// step that spans services records its intent first (docs/groups.md); checks and texts are
// Cinder's.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../common/context';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import { transactionWithRetry } from '../../common/db/retry';
import { Snapshot, type GroupSnapshot, type GroupSnapshotStatus } from '../../cinder-common/entities';
import { GroupSnapshotDB } from '../../cinder-common/group-snapshot-db';
import type { GroupRead } from '../../cinder-common/group-db';
import { GroupSnapshotNotFound, InvalidGroup, InvalidGroupSnapshot, InvalidVolume } from '../../cinder-common/exception';
import type { GroupAPI } from './groups';

const LOG = getLogger('cinder-api.group-snapshots');
type Ctx = RequestContext;

export const GROUP_SNAPSHOT_POLICY = {
  create: 'group:create_group_snapshot',
  delete: 'group:delete_group_snapshot',
  get: 'group:get_group_snapshot',
  getAll: 'group:get_all_group_snapshots',
  projectAttribute: 'group:group_snapshot_project_attribute',
  resetStatus: 'group:reset_group_snapshot_status',
} as const;

/** What reset_status takes (GroupSnapshotStatus.ALL). */
export const GROUP_SNAPSHOT_STATUSES: GroupSnapshotStatus[] = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting'];

export class GroupSnapshotAPI {
  readonly db: GroupSnapshotDB;

  constructor(readonly groups: GroupAPI) {
    this.db = new GroupSnapshotDB(groups.db.ds);
  }

  private target(gs: { id: string; projectId: string | null; userId: string | null }) {
    return { id: gs.id, project_id: gs.projectId, user_id: gs.userId };
  }

  allows(ctx: Ctx, action: string): boolean {
    return this.groups.api.allows(ctx, action, null);
  }

  /** get_group_snapshot: others' are not found for non-admins, then the policy. */
  async get(ctx: Ctx, id: string): Promise<GroupSnapshot> {
    const gs = await this.db.get(id, ctx.isAdmin ? null : ctx.projectId);
    if (!gs) throw new GroupSnapshotNotFound({ group_snapshot_id: id });
    this.groups.api.authorize(ctx, GROUP_SNAPSHOT_POLICY.get, this.target(gs));
    return gs;
  }

  async list(ctx: Ctx, allTenants: boolean): Promise<GroupSnapshot[]> {
    this.groups.api.authorize(ctx, GROUP_SNAPSHOT_POLICY.getAll, null);
    return this.db.list(ctx.isAdmin && allTenants ? null : ctx.projectId);
  }

  /**
   * create_group_snapshot: each volume checked as create_snapshots_in_db does, then in one
   * transaction the group snapshot, a snapshot per volume ('creating') and their quota; then
   * the cast to the group's backend.
   */
  async create(ctx: Ctx, gr: GroupRead, name: string | null, description: string | null): Promise<GroupSnapshot> {
    const g = gr.group;
    this.groups.api.authorize(ctx, GROUP_SNAPSHOT_POLICY.create, { id: g.id, project_id: g.projectId, user_id: g.userId });
    // A group never scheduled has no backend to make the snapshots on (Cinder's cast has no server for it).
    if (!g.host) throw new InvalidGroup({ reason: `Group ${g.id} has no valid host: it was never scheduled.` });
    const volumes = await this.groups.db.volumesOf(g.id);
    for (const v of volumes) {
      this.groups.api.authorize(ctx, 'volume:create_snapshot', { id: v.id, project_id: v.projectId, user_id: v.userId });
      if (!v.host) throw new InvalidVolume({ reason: 'The snapshot cannot be created because volume has not been scheduled to any host.' });
      if (v.status === 'maintenance') throw new InvalidVolume({ reason: 'The snapshot cannot be created when the volume is in maintenance mode.' });
      if (v.migrationStatus && !['success', 'error'].includes(v.migrationStatus)) throw new InvalidVolume({ reason: 'Snapshot cannot be created while volume is migrating.' });
      if (v.status === 'error') throw new InvalidVolume({ reason: 'The snapshot cannot be created when the volume is in error status.' });
    }
    const t = new Date();
    const gs = Object.assign({} as GroupSnapshot, {
      id: randomUUID(), groupId: g.id, userId: ctx.userId, projectId: ctx.projectId, name, description, status: 'creating' as GroupSnapshotStatus,
      groupTypeId: g.groupTypeId, createdAt: t, updatedAt: null, deletedAt: null, deleted: false,
    });
    const snapshots = volumes.map((v) => Object.assign(new Snapshot(), {
      id: randomUUID(), volumeId: v.id, userId: ctx.userId ?? null, projectId: ctx.projectId ?? null, status: 'creating', progress: '0%',
      volumeSize: v.size, scheduledAt: null, displayName: name, displayDescription: description, providerLocation: null,
      encryptionKeyId: v.encryptionKeyId, volumeTypeId: v.volumeTypeId, cgsnapshotId: null, groupSnapshotId: gs.id, providerId: null,
      providerAuth: null, useQuota: true, createdAt: t, updatedAt: null, deletedAt: null, deleted: false,
    } satisfies Snapshot));
    const write = (m: EntityManager): Promise<void> => this.db.createIn(m, gs, snapshots);
    const quota = this.groups.api.d.quota;
    if (quota) {
      const names = await this.groups.api.d.db.typeNames([...new Set(volumes.map((v) => v.volumeTypeId))]);
      await quota.createSnapshots(ctx.projectId ?? '', volumes.map((v) => ({ size: v.size ?? 0, typeName: names.get(v.volumeTypeId) ?? null })), write);
    } else {
      await transactionWithRetry(this.db.ds, write, { what: `create of group snapshot ${gs.id}` });
    }
    await pausePoint('cinder-api.group_snapshot_create.after-rows');
    try {
      await this.groups.api.d.rpc.createGroupSnapshot(ctx, gs, g);
    } catch (e) {
      // Never sent: the reconciler ends the snapshots in error once lost_cast_timeout has passed, and then the group snapshot.
      LOG.exception(`Could not cast create_group_snapshot for ${gs.id}`, e, { context: ctx });
    }
    return gs;
  }

  /** delete_group_snapshot: it and its snapshots 'deleting' together (available or error), then the cast. */
  async delete(ctx: Ctx, gs: GroupSnapshot): Promise<void> {
    this.groups.api.authorize(ctx, GROUP_SNAPSHOT_POLICY.delete, this.target(gs));
    const creatingFrom = (await this.groups.db.list(null)).some((g) => g.group.groupSnapshotId === gs.id && g.group.status === 'creating');
    if (creatingFrom || !await this.db.markDeleting(gs.id)) {
      throw new InvalidGroupSnapshot({ reason: 'GroupSnapshot status must be available or error, and no Group can be currently using it as source for its creation.' });
    }
    await pausePoint('cinder-api.group_snapshot_delete.after-mark');
    const g = await this.groups.db.get(gs.groupId);
    // A group never scheduled has no volumes, so no snapshots: nothing on a backend to delete.
    if (!g?.group.host) {
      await this.db.destroy(gs.id);
      return;
    }
    await this.groups.api.d.rpc.deleteGroupSnapshot(ctx, { ...gs, status: 'deleting' }, g.group);
  }

  /** reset_group_snapshot_status (admin): the status as given. */
  async resetStatus(ctx: Ctx, gs: GroupSnapshot, status: GroupSnapshotStatus): Promise<void> {
    this.groups.api.authorize(ctx, GROUP_SNAPSHOT_POLICY.resetStatus, this.target(gs));
    await this.db.conditionalUpdate(gs.id, {}, { status });
  }
}
