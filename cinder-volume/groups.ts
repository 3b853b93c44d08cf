// The volume manager's generic groups (cinder/volume/manager.py create_group, delete_group,
// update_group with the *_generic fallbacks: no backend here groups volumes itself). Each step
// can run again: the reconciler runs the same methods for a group left 'creating', 'deleting'
// or 'updating' by a kill or a lost cast (docs/groups.md).
//   - create: 'creating' → 'available' (nothing on the backend).
//   - delete: each of its volumes deleted as a delete_volume would (backend object, row, quota),
//     then the group's row with its `groups` usage; a volume that will not go stops it in 'error'.
//   - update: the membership cinder-api recorded is applied again (a peer's cinder-api leaves it
//     to us), then 'updating' → 'available'.
import { pausePoint } from '../common/fault/pause';
import { getLogger } from '../common/log';
import type { ContextDict } from '../common/context';
import type { Notifier } from '../common/rpc';
import type { CinderDB } from '../cinder-common/db-api';
import type { Group } from '../cinder-common/entities';
import { GroupDB } from '../cinder-common/group-db';
import { objectData } from '../cinder-common/objects';
import { notifyGroupUsage } from '../cinder-common/volume-usage';

const LOG = getLogger('cinder-volume.groups');

const ids = (v: unknown): string[] => (typeof v === 'string' && v ? v.split(',').filter(Boolean) : []);

export interface GroupWorkDeps {
  db: CinderDB;
  host: string;
  notifier?: Notifier | null;
  /** The manager's delete_volume of one volume (under its lock); resolves when it is done or failed. */
  deleteVolume: (ctxt: ContextDict, volumeId: string) => Promise<void>;
  /** The manager's create_volume of one volume 'creating' (a clone of its source_volid); done or failed. */
  createVolume: (ctxt: ContextDict, volumeId: string) => Promise<void>;
}

export class GroupWork {
  readonly groups: GroupDB;

  constructor(private readonly d: GroupWorkDeps) {
    this.groups = new GroupDB(d.db.ds);
  }

  private async load(obj: unknown): Promise<Group | null> {
    const id = typeof obj === 'string' ? obj : String(objectData(obj).id ?? '');
    return id ? (await this.groups.get(id))?.group ?? null : null;
  }

  private notify(ctxt: ContextDict, g: Group, suffix: string): Promise<void> {
    return notifyGroupUsage(this.d.notifier ?? null, ctxt, g, suffix, this.d.host);
  }

  /**
   * create_group and create_group_from_src: a group no longer 'creating' is left alone. One made
   * from a source group has its clones made (each a create_volume of its row, which a redo
   * repeats), then is available if they all are, else in error. Returns whether it became available.
   */
  async create(ctxt: ContextDict, obj: unknown): Promise<boolean> {
    const g = await this.load(obj);
    if (!g || g.status !== 'creating') return false;
    await this.notify(ctxt, g, 'create.start');
    if (g.sourceGroupId || g.groupSnapshotId) {
      for (const v of await this.groups.volumesOf(g.id)) if (v.status === 'creating') await this.d.createVolume(ctxt, v.id);
      const bad = (await this.groups.volumesOf(g.id)).filter((v) => v.status !== 'available');
      if (bad.length) {
        LOG.error(`Group ${g.id}: ${bad.length} volume(s) could not be created from the source; the group goes to error`);
        await this.groups.conditionalUpdate(g.id, { status: 'creating' }, { status: 'error' });
        return false;
      }
    }
    if (!await this.groups.conditionalUpdate(g.id, { status: 'creating' }, { status: 'available' })) return false;
    await this.notify(ctxt, { ...g, status: 'available' }, 'create.end');
    LOG.info(`Group ${g.id}: created successfully`);
    return true;
  }

  /** delete_group: a group no longer 'deleting' is left alone. Returns whether the group is gone. */
  async delete(ctxt: ContextDict, obj: unknown): Promise<boolean> {
    const g = await this.load(obj);
    if (!g || g.status !== 'deleting') return false;
    await this.notify(ctxt, g, 'delete.start');
    const volumes = await this.groups.volumesOf(g.id);
    if (volumes.some((v) => v.attachStatus === 'attached')) {
      // Cinder raises VolumeAttached and leaves the group 'deleting' for good; it goes to error here.
      LOG.error(`Group ${g.id}: a volume is still attached, not deleted`);
      await this.groups.conditionalUpdate(g.id, { status: 'deleting' }, { status: 'error' });
      return false;
    }
    for (const v of volumes) await this.d.deleteVolume(ctxt, v.id);
    const left = await this.groups.volumesOf(g.id);
    if (left.length) {
      LOG.error(`Group ${g.id}: ${left.length} volume(s) could not be deleted; the group goes to error`);
      await this.groups.conditionalUpdate(g.id, { status: 'deleting' }, { status: 'error' });
      return false;
    }
    await pausePoint('cinder-volume.delete_group.after-volumes');
    await this.groups.destroy(g);
    await this.notify(ctxt, { ...g, status: 'deleted' }, 'delete.end');
    LOG.info(`Group ${g.id}: deleted successfully`);
    return true;
  }

  /** update_group: the membership again (idempotent), then 'available'. A group no longer 'updating' is left alone. */
  async update(ctxt: ContextDict, obj: unknown, addVolumes: unknown, removeVolumes: unknown): Promise<boolean> {
    const g = await this.load(obj);
    if (!g || g.status !== 'updating') return false;
    await this.notify(ctxt, g, 'update.start');
    const add = ids(addVolumes);
    const remove = ids(removeVolumes);
    const mine = new Set((await this.groups.volumesOf(g.id)).map((v) => v.id));
    await this.groups.setVolumesGroup(add.filter((id) => !mine.has(id)), g.id, undefined, null);
    await this.groups.setVolumesGroup(remove.filter((id) => mine.has(id)), null, undefined, g.id);
    if (!await this.groups.conditionalUpdate(g.id, { status: 'updating' }, { status: 'available' })) return false;
    await this.notify(ctxt, { ...g, status: 'available' }, 'update.end');
    LOG.info('Update group completed successfully.', { context: { requestId: undefined } });
    return true;
  }
}
