// The volume manager's snapshot work (cinder/volume/manager.py create_snapshot, delete_snapshot),
// each under the snapshot's volume's lock, which the reconciler's repairs of the same snapshots
// take too. Each is safe to redo: a create acts only on a snapshot still 'creating', a delete
// finds the backend's copy gone and the row already deleted, and each status change is a
// compare-and-swap on the status it read.
import type { ContextDict } from '../common/context';
import { pausePoint } from '../common/fault/pause';
import { getLogger, type LogContext } from '../common/log';
import type { Notifier } from '../common/rpc';
import type { CinderDB } from '../cinder-common/db-api';
import type { Snapshot } from '../cinder-common/entities';
import { Action, Detail, Resource } from '../cinder-common/message-field';
import { SnapshotDB } from '../cinder-common/snapshot-db';
import { transactionWithRetry } from '../common/db/retry';
import type { MessageOwner, UserMessages } from '../cinder-common/user-messages';
import { notifySnapshotUsage } from '../cinder-common/volume-usage';
import type { VolumeDriver } from './drivers/driver';

const LOG = getLogger('cinder-volume.snapshots');

export interface SnapshotWorkDeps {
  db: CinderDB;
  driver: VolumeDriver;
  notifier: Notifier | null;
  messages: UserMessages;
}

export class SnapshotWork {
  readonly snapshots: SnapshotDB;

  constructor(private readonly d: SnapshotWorkDeps) {
    this.snapshots = new SnapshotDB(d.db.ds);
  }

  async notify(ctxt: ContextDict, s: Snapshot, suffix: string): Promise<void> {
    await notifySnapshotUsage(this.d.notifier, ctxt, s, suffix, async () => ({
      availabilityZone: (await this.d.db.volumes.findOneBy({ id: s.volumeId }))?.availabilityZone ?? null,
      metadata: (await this.snapshots.metadataOf([s.id])).get(s.id) ?? {},
    }));
  }

  /** create_snapshot: the backend's copy, a bootable volume's image metadata, then available at 100%. */
  async create(ctxt: ContextDict, snapshotId: string, owner: MessageOwner, log: { context: LogContext }): Promise<void> {
    const s = await this.snapshots.get(snapshotId);
    if (!s || s.status !== 'creating') {
      LOG.warning(`Snapshot ${snapshotId} is ${s ? `'${s.status}'` : 'gone'}, no longer creating; nothing done`, log);
      return;
    }
    await this.notify(ctxt, s, 'create.start');
    const v = await this.d.db.volumeGet(s.volumeId);
    try {
      if (!v) throw new Error(`volume ${s.volumeId} is gone`);
      await this.d.driver.createSnapshot(s, v);
      await pausePoint('cinder-volume.create_snapshot.after-backend');
      if (v.bootable) await this.snapshots.imageMetadataCopy(s.id, v.id);
    } catch (e) {
      LOG.exception(`Failed to create snapshot ${s.id}`, e, log);
      // The user message with the status it explains: a redo that finds the snapshot moved writes none.
      await transactionWithRetry(this.d.db.ds, async (m) => {
        if (!await this.snapshots.conditionalUpdate(s.id, { status: 'creating' }, { status: 'error' }, m)) return;
        await this.d.messages.createIn(m, owner, Action.SNAPSHOT_CREATE, {
          resourceType: Resource.VOLUME_SNAPSHOT, resourceUuid: s.id, exception: e, detail: Detail.SNAPSHOT_CREATE_ERROR,
        });
      }, { what: `failed create of snapshot ${s.id}` });
      return;
    }
    const done = await this.snapshots.conditionalUpdate(s.id, { status: 'creating' },
      { status: 'available', progress: '100%', encryptionKeyId: v.encryptionKeyId });
    if (!done) {
      LOG.warning(`Snapshot ${s.id} left 'creating' while it was being created`, log);
      return;
    }
    await this.notify(ctxt, { ...s, status: 'available', progress: '100%' }, 'create.end');
    LOG.info(`Create snapshot ${s.id} completed successfully`, log);
  }

  /**
   * delete_snapshot: the backend's copy, then in one transaction the row (while 'deleting'), its
   * metadata and its quota. A snapshot 'unmanaging' keeps its copy (driver.unmanageSnapshot).
   * A backend that refuses leaves error_deleting with a user message. Returns whether the
   * snapshot is gone.
   */
  async delete(ctxt: ContextDict, s: Snapshot, owner: MessageOwner, log: { context: LogContext }): Promise<boolean> {
    const status = s.status === 'unmanaging' ? 'unmanaging' : 'deleting';
    await this.notify(ctxt, s, 'delete.start');
    try {
      if (status === 'unmanaging') await this.d.driver.unmanageSnapshot(s);
      else await this.d.driver.deleteSnapshot(s);
      await pausePoint('cinder-volume.delete_snapshot.after-backend');
    } catch (e) {
      LOG.exception(`Failed to delete snapshot ${s.id}`, e, log);
      await transactionWithRetry(this.d.db.ds, async (m) => {
        if (!await this.snapshots.conditionalUpdate(s.id, { status }, { status: 'error_deleting' }, m)) return;
        await this.d.messages.createIn(m, owner, Action.SNAPSHOT_DELETE, {
          resourceType: Resource.VOLUME_SNAPSHOT, resourceUuid: s.id, exception: e, detail: Detail.SNAPSHOT_DELETE_ERROR,
        });
      }, { what: `failed delete of snapshot ${s.id}` });
      return false;
    }
    if (!await this.snapshots.destroy(s, { status })) {
      LOG.warning(`Snapshot ${s.id} left '${status}' while it was being deleted`, log);
      return false;
    }
    await this.notify(ctxt, { ...s, status: 'deleted', deleted: true }, 'delete.end');
    LOG.info(`Delete snapshot ${s.id} completed successfully`, log);
    return true;
  }

  /** delete_snapshot by id: only a snapshot still 'deleting' or 'unmanaging' (a redo finds it gone). */
  async deleteById(ctxt: ContextDict, snapshotId: string, owner: MessageOwner, log: { context: LogContext }): Promise<void> {
    const s = await this.snapshots.get(snapshotId);
    if (!s || (s.status !== 'deleting' && s.status !== 'unmanaging')) {
      LOG.warning(`Snapshot ${snapshotId} is ${s ? `'${s.status}'` : 'gone'}, not deleting; nothing done`, log);
      return;
    }
    await this.delete(ctxt, s, owner, log);
  }

  /**
   * A cascade delete's snapshots (delete_volume's): each one 'deleting' is deleted; any other
   * stops the volume's delete (Cinder's InvalidSnapshot, the volume to error_deleting). Returns
   * whether none is left.
   */
  async deleteAllOf(ctxt: ContextDict, volumeId: string, owner: MessageOwner, log: { context: LogContext }): Promise<boolean> {
    for (const s of await this.snapshots.ofVolume(volumeId)) {
      if (s.status !== 'deleting') {
        LOG.error(`Snapshot ${s.id} was found in state ${s.status} rather than 'deleting' during cascade delete.`, log);
        return false;
      }
      if (!await this.delete(ctxt, s, owner, log)) return false;
    }
    return true;
  }
}
