// The volume manager's generic group snapshots (cinder/volume/manager.py create_group_snapshot
// and delete_group_snapshot with their *_generic fallbacks): each snapshot made or deleted as a
// create_snapshot or delete_snapshot of it would be (under its volume's lock), then the group
// snapshot's row. Each step can run again; the reconciler runs them for a group snapshot left
// 'creating' or 'deleting' (docs/groups.md).
import { pausePoint } from '../common/fault/pause';
import { getLogger } from '../common/log';
import type { ContextDict } from '../common/context';
import type { CinderDB } from '../cinder-common/db-api';
import type { GroupSnapshot } from '../cinder-common/entities';
import { GroupSnapshotDB } from '../cinder-common/group-snapshot-db';
import { objectData } from '../cinder-common/objects';

const LOG = getLogger('cinder-volume.group-snapshots');

export interface GroupSnapshotWorkDeps {
  db: CinderDB;
  /** The manager's create_snapshot and delete_snapshot of one snapshot (under its volume's lock). */
  createSnapshot: (ctxt: ContextDict, snapshotId: string) => Promise<void>;
  deleteSnapshot: (ctxt: ContextDict, snapshotId: string) => Promise<void>;
}

export class GroupSnapshotWork {
  readonly groupSnapshots: GroupSnapshotDB;

  constructor(private readonly d: GroupSnapshotWorkDeps) {
    this.groupSnapshots = new GroupSnapshotDB(d.db.ds);
  }

  private async load(obj: unknown): Promise<GroupSnapshot | null> {
    const id = typeof obj === 'string' ? obj : String(objectData(obj).id ?? '');
    return id ? this.groupSnapshots.get(id) : null;
  }

  /** create_group_snapshot: each snapshot still 'creating' made, then available if all are, else error. */
  async create(ctxt: ContextDict, obj: unknown): Promise<boolean> {
    const gs = await this.load(obj);
    if (!gs || gs.status !== 'creating') return false;
    for (const s of await this.groupSnapshots.snapshotsOf(gs.id)) if (s.status === 'creating') await this.d.createSnapshot(ctxt, s.id);
    const bad = (await this.groupSnapshots.snapshotsOf(gs.id)).filter((s) => s.status !== 'available');
    const status = bad.length ? 'error' : 'available';
    if (bad.length) LOG.error(`Group snapshot ${gs.id}: ${bad.length} snapshot(s) not made; it goes to error`);
    return await this.groupSnapshots.conditionalUpdate(gs.id, { status: 'creating' }, { status }) && status === 'available';
  }

  /** delete_group_snapshot: each snapshot deleted, then the row; a snapshot that will not go leaves it in error. */
  async delete(ctxt: ContextDict, obj: unknown): Promise<boolean> {
    const gs = await this.load(obj);
    if (!gs || gs.status !== 'deleting') return false;
    for (const s of await this.groupSnapshots.snapshotsOf(gs.id)) if (s.status === 'deleting') await this.d.deleteSnapshot(ctxt, s.id);
    const left = await this.groupSnapshots.snapshotsOf(gs.id);
    if (left.length) {
      LOG.error(`Group snapshot ${gs.id}: ${left.length} snapshot(s) could not be deleted; it goes to error`);
      await this.groupSnapshots.conditionalUpdate(gs.id, { status: 'deleting' }, { status: 'error' });
      return false;
    }
    await pausePoint('cinder-volume.delete_group_snapshot.after-snapshots');
    await this.groupSnapshots.destroy(gs.id);
    LOG.info(`Group snapshot ${gs.id}: deleted successfully`);
    return true;
  }
}
