// The group_snapshots table and its snapshots (cinder/db/sqlalchemy/api.py group_snapshot_* and
// snapshot_get_all_for_group_snapshot). A create writes the group snapshot, a snapshot of each
// of the group's volumes and their quota in one transaction (QuotaEngine.createSnapshots); a
// delete marks the group snapshot and its snapshots 'deleting' in one. Each snapshot then goes
// as a snapshot delete goes (its row with its quota); the group snapshot's row last.
import type { DataSource, EntityManager } from 'typeorm';
import { fastSelect } from '../common/db/fast-select';
import { transactionWithRetry, withDbRetry } from '../common/db/retry';
import type { OneOrMany } from '../common/db/cas';
import { GroupSnapshot, Snapshot, type GroupSnapshotStatus } from './entities';

const now = (): Date => new Date();

class Unchanged extends Error {
  constructor() { super('unchanged'); }
}

export class GroupSnapshotDB {
  constructor(readonly ds: DataSource) {}

  private get rows() { return fastSelect(this.ds, GroupSnapshot); }
  private get snaps() { return fastSelect(this.ds, Snapshot); }

  private read<T>(fn: () => Promise<T>, what: string): Promise<T> {
    return withDbRetry(fn, { retryOnDisconnect: true, what });
  }

  /** The group snapshot and its snapshots inside `m` (the quota transaction). */
  async createIn(m: EntityManager, gs: GroupSnapshot, snapshots: Snapshot[]): Promise<void> {
    await this.rows.insert(gs, m);
    for (const s of snapshots) await this.snaps.insert(s, m);
  }

  /** A live group snapshot; `projectId` set: only that project's. */
  async get(id: string, projectId: string | null = null): Promise<GroupSnapshot | null> {
    return this.read(() => this.rows.findOne(projectId === null ? { id, deleted: false } : { id, deleted: false, projectId }), 'group snapshot read');
  }

  async list(projectId: string | null): Promise<GroupSnapshot[]> {
    return this.read(() => this.rows.find(projectId === null ? { deleted: false } : { deleted: false, projectId }, [['createdAt', 'DESC'], ['id', 'DESC']]), 'group snapshot list');
  }

  async inStatus(status: GroupSnapshotStatus[]): Promise<GroupSnapshot[]> {
    return this.read(() => this.rows.find({ status, deleted: false }, [['createdAt', 'ASC']]), 'group snapshot list');
  }

  /** Live group snapshots of a group. */
  async ofGroup(groupId: string): Promise<GroupSnapshot[]> {
    return this.read(() => this.rows.find({ groupId, deleted: false }), 'group snapshot list');
  }

  /** The live snapshots of a group snapshot, by id (MariaDB's order for Cinder's unordered read). */
  async snapshotsOf(id: string): Promise<Snapshot[]> {
    return this.read(() => this.snaps.find({ groupSnapshotId: id, deleted: false }, [['id', 'ASC']]), 'group snapshot snapshots read');
  }

  async conditionalUpdate(id: string, expected: { status?: OneOrMany<GroupSnapshotStatus | null> }, values: Partial<GroupSnapshot>, m?: EntityManager): Promise<boolean> {
    return (await this.rows.update({ id, deleted: false, ...expected }, { ...values, updatedAt: now() }, m)) > 0;
  }

  /** delete_group_snapshot's first step: the group snapshot (available or error) and its snapshots 'deleting', together. */
  async markDeleting(id: string): Promise<boolean> {
    const t = now();
    return transactionWithRetry(this.ds, async (m) => {
      if (!await this.rows.update({ id, deleted: false, status: ['available', 'error'] }, { status: 'deleting', updatedAt: t }, m)) throw new Unchanged();
      await this.snaps.update({ groupSnapshotId: id, deleted: false }, { status: 'deleting', updatedAt: t }, m);
      return true;
    }, { retryOnDisconnect: false, what: `delete of group snapshot ${id}` }).catch((e: unknown) => {
      if (e instanceof Unchanged) return false;
      throw e;
    });
  }

  /** The row soft-deleted (its snapshots are gone by then); false when it already was. */
  async destroy(id: string): Promise<boolean> {
    const t = now();
    return (await this.rows.update({ id, deleted: false }, { deleted: true, deletedAt: t, status: 'deleted', updatedAt: t })) > 0;
  }
}
