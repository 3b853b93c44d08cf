// The groups and group_volume_type_mapping tables, and volumes.group_id (cinder/db/sqlalchemy/api.py
// group_* and volume_get_all_by_generic_group). A create writes the row, its types and its
// `groups` usage in one transaction (QuotaEngine.createGroup); a delete soft-deletes the row and
// its types and releases that usage in one, only when its UPDATE deleted the row. A status change
// is a compare-and-swap. Membership changes are single UPDATEs that may be redone.
import type { DataSource, EntityManager } from 'typeorm';
import { fastSelect, SqlValue } from '../common/db/fast-select';
import { transactionWithRetry, withDbRetry } from '../common/db/retry';
import type { OneOrMany } from '../common/db/cas';
import { Group, GroupVolumeTypeMapping, Volume, type GroupStatus } from './entities';
import { QuotaDB } from './quota-db';

const now = (): Date => new Date();

/** Thrown inside a transaction to roll it back when a compare-and-swap found the row moved. */
class Unchanged extends Error {
  constructor() { super('unchanged'); }
}

/** A group with the ids of the volume types it takes. */
export interface GroupRead {
  group: Group;
  volumeTypeIds: string[];
}

export class GroupDB {
  constructor(readonly ds: DataSource) {}

  private get rows() { return fastSelect(this.ds, Group); }
  private get maps() { return fastSelect(this.ds, GroupVolumeTypeMapping); }
  private get volumes() { return fastSelect(this.ds, Volume); }

  private read<T>(fn: () => Promise<T>, what: string): Promise<T> {
    return withDbRetry(fn, { retryOnDisconnect: true, what });
  }

  /** The row and its type mappings inside `m` (the quota transaction of QuotaEngine.createGroup). */
  async createIn(m: EntityManager, g: Group, volumeTypeIds: string[]): Promise<Group> {
    await this.rows.insert(g, m);
    const t = g.createdAt ?? now();
    for (const volumeTypeId of volumeTypeIds) {
      await m.insert(GroupVolumeTypeMapping, { volumeTypeId, groupId: g.id, createdAt: t, deleted: false });
    }
    return g;
  }

  /** A live group; `projectId` set: only that project's (objects.Group.get_by_id for a non-admin). */
  async get(id: string, projectId: string | null = null): Promise<GroupRead | null> {
    const where = projectId === null ? { id, deleted: false } : { id, deleted: false, projectId };
    const g = await this.read(() => this.rows.findOne(where), 'group read');
    return g ? { group: g, volumeTypeIds: (await this.typesOf([g.id])).get(g.id) ?? [] } : null;
  }

  /** Live groups, of one project or of all (null). */
  async list(projectId: string | null): Promise<GroupRead[]> {
    const where = projectId === null ? { deleted: false } : { deleted: false, projectId };
    const groups = await this.read(() => this.rows.find(where, [['createdAt', 'DESC'], ['id', 'DESC']]), 'group list');
    const types = await this.typesOf(groups.map((g) => g.id));
    return groups.map((group) => ({ group, volumeTypeIds: types.get(group.id) ?? [] }));
  }

  /** Groups in these statuses, any project (the reconciler's). */
  async inStatus(status: GroupStatus[]): Promise<Group[]> {
    return this.read(() => this.rows.find({ status, deleted: false }, [['createdAt', 'ASC']]), 'group list');
  }

  async typesOf(groupIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(groupIds.map((id) => [id, []]));
    if (!groupIds.length) return out;
    // By type id: Cinder's join has no order, which on MariaDB is the ids'.
    const rows = await this.read(() => this.maps.find({ groupId: groupIds, deleted: false }, [['volumeTypeId', 'ASC']]), 'group types read');
    for (const r of rows) out.get(r.groupId)?.push(r.volumeTypeId);
    return out;
  }

  /** Compare-and-swap: `values` only while the live row matches `expected`; false otherwise. */
  async conditionalUpdate(id: string, expected: { status?: OneOrMany<GroupStatus | null> }, values: Partial<Group>, m?: EntityManager): Promise<boolean> {
    return (await this.rows.update({ id, deleted: false, ...expected }, { ...values, updatedAt: now() }, m)) > 0;
  }

  /** The live volumes in a group (volume_get_all_by_generic_group), by id: MariaDB's order for it (the index on group_id). */
  async volumesOf(groupId: string, m?: EntityManager): Promise<Volume[]> {
    return this.volumes.find({ groupId, deleted: false }, [['id', 'ASC']], undefined, m);
  }

  /** Sets the group of live volumes now in `from` (null: in none); redoing it changes nothing more. */
  async setVolumesGroup(volumeIds: string[], groupId: string | null, m: EntityManager | undefined, from: string | null): Promise<void> {
    if (!volumeIds.length) return;
    await this.volumes.update({ id: volumeIds, deleted: false, groupId: from }, { groupId, updatedAt: now() }, m);
  }

  /** Whether live volumes of the group are attached or have live snapshots (group_has_volumes_filter with that flag). */
  async hasBusyVolumes(groupId: string): Promise<boolean> {
    const e = (n: string): string => this.ds.driver.escape(n);
    const busy = new SqlValue('busy', `(${e('attach_status')} = ? OR EXISTS (SELECT 1 FROM ${e('snapshots')} s WHERE s.${e('volume_id')} = ${e('volumes')}.${e('id')} AND s.${e('deleted')} = ?))`,
      ['attached', false]);
    return (await this.read(() => this.volumes.find({ groupId, deleted: false, $busy: busy }, [], 1), 'group volumes read')).length > 0;
  }

  /**
   * A group delete's first step, in one transaction: its volumes 'deleting' (none attached or
   * with live snapshots), then the group 'deleting' by compare-and-swap (`expected`: its status,
   * when not deleting its volumes; and no volume left that blocks it). Either both or neither:
   * Cinder marks the volumes first and may leave them 'deleting' when the group's swap fails.
   */
  async markDeleting(groupId: string, volumeIds: string[], expected: GroupStatus[] | null, withVolumes: boolean): Promise<boolean> {
    const t = now();
    const e = (n: string): string => this.ds.driver.escape(n);
    const vols = `SELECT 1 FROM ${e('volumes')} v WHERE v.${e('group_id')} = ${e('groups')}.${e('id')} AND v.${e('deleted')} = ?`;
    const blocking = withVolumes
      ? `${vols} AND (v.${e('attach_status')} = ? OR EXISTS (SELECT 1 FROM ${e('snapshots')} s WHERE s.${e('volume_id')} = v.${e('id')} AND s.${e('deleted')} = ?))`
      : vols;
    const snaps = `SELECT 1 FROM ${e('group_snapshots')} gs WHERE gs.${e('group_id')} = ${e('groups')}.${e('id')} AND gs.${e('deleted')} = ?`;
    const free = new SqlValue(withVolumes ? 'no-busy-volumes' : 'no-volumes', `NOT EXISTS (${blocking}) AND NOT EXISTS (${snaps})`,
      withVolumes ? [false, 'attached', false, false] : [false, false]);
    return transactionWithRetry(this.ds, async (m) => {
      if (volumeIds.length) await this.volumes.update({ id: volumeIds, groupId, deleted: false }, { status: 'deleting', terminatedAt: t, updatedAt: t }, m);
      const ok = await this.rows.update({ id: groupId, deleted: false, ...(expected ? { status: expected } : {}), $free: free }, { status: 'deleting', updatedAt: t }, m);
      if (!ok) throw new Unchanged();
      return true;
    }, { retryOnDisconnect: true, what: `delete of group ${groupId}` }).catch((err: unknown) => {
      if (err instanceof Unchanged) return false;
      throw err;
    });
  }

  /**
   * A group update that adds or removes volumes, recorded first, in one transaction: the group
   * 'available' → 'updating', each added volume (of the group's project, in no group, available
   * or in-use) joins it and each removed one (in it, in `removable`) leaves it. Any of them that
   * changed meanwhile rolls it all back (false). The manager then only ends the update.
   */
  async markUpdating(g: Pick<Group, 'id' | 'projectId'>, add: string[], remove: string[], values: Partial<Group>, removable: string[]): Promise<boolean> {
    const t = now();
    return transactionWithRetry(this.ds, async (m) => {
      if (!await this.rows.update({ id: g.id, deleted: false, status: 'available' }, { ...values, status: 'updating', updatedAt: t }, m)) throw new Unchanged();
      if (add.length && await this.volumes.update({ id: add, deleted: false, groupId: null, projectId: g.projectId, status: ['available', 'in-use'] }, { groupId: g.id, updatedAt: t }, m) !== add.length) {
        throw new Unchanged();
      }
      if (remove.length && await this.volumes.update({ id: remove, deleted: false, groupId: g.id, status: removable as Volume['status'][] }, { groupId: null, updatedAt: t }, m) !== remove.length) {
        throw new Unchanged();
      }
      return true;
    }, { retryOnDisconnect: false, what: `update of group ${g.id}` }).catch((err: unknown) => {
      if (err instanceof Unchanged) return false;
      throw err;
    });
  }

  /**
   * group_destroy with the GROUP_QUOTAS release: the row and its type mappings soft-deleted and
   * `groups` given back, in one transaction, only when this UPDATE deleted the row (a redo
   * releases nothing twice). Returns whether it did.
   */
  async destroy(g: Pick<Group, 'id' | 'projectId'>): Promise<boolean> {
    const t = now();
    return transactionWithRetry(this.ds, async (m) => {
      if (!await this.rows.update({ id: g.id, deleted: false }, { deleted: true, deletedAt: t, status: 'deleted', updatedAt: t }, m)) return false;
      await this.maps.update({ groupId: g.id, deleted: false }, { deleted: true, deletedAt: t }, m);
      // A group never scheduled goes without its manager: volumes made in it (in error, no host)
      // leave it, or no delete could take them (a volume in a group is deleted only with it).
      await this.volumes.update({ groupId: g.id, deleted: false }, { groupId: null, updatedAt: t }, m);
      if (g.projectId) await new QuotaDB(this.ds).releaseDeltasIn(m, g.projectId, { groups: 1 });
      return true;
    }, { retryOnDisconnect: true, what: `delete of group ${g.id}` });
  }
}
