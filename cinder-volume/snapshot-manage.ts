// The volume manager's manage_existing_snapshot (cinder/volume/flows/manager/
// manage_existing_snapshot.py), under the snapshot's volume's lock. cinder-api wrote the row
// 'creating' and counted it as a snapshot of its volume's size; here:
//   1. the object's size from the driver (a bad reference: error);
//   2. the quota asked for the difference from that count (over: error, the object untouched);
//   3. the driver renames the object to the snapshot's;
//   4. one transaction moves the gigabytes by the difference and sets the snapshot available
//      with its size (its progress stays as created, as Cinder's flow leaves it).
// A kill or a lost cast before 4 leaves 'creating', which the reconciler ends in error as for
// any snapshot create (Cinder's init_host does the same).
import type { ContextDict } from '../common/context';
import { pausePoint } from '../common/fault/pause';
import { getLogger, type LogContext } from '../common/log';
import type { CinderDB } from '../cinder-common/db-api';
import type { Snapshot } from '../cinder-common/entities';
import { QuotaDB, snapshotDeltas } from '../cinder-common/quota-db';
import type { QuotaEngine } from '../cinder-common/quota';
import type { SnapshotDB } from '../cinder-common/snapshot-db';
import type { VolumeDriver } from './drivers/driver';

const LOG = getLogger('cinder-volume.snapshot-manage');

export interface SnapshotManageDeps {
  db: CinderDB;
  snapshots: SnapshotDB;
  driver: VolumeDriver;
  quota: QuotaEngine;
  notify: (ctxt: ContextDict, s: Snapshot, suffix: string) => Promise<void>;
}

export class SnapshotManageWork {
  constructor(private readonly d: SnapshotManageDeps) {}

  async manage(ctxt: ContextDict, snapshotId: string, ref: unknown, log: { context: LogContext }): Promise<void> {
    const s = await this.d.snapshots.get(snapshotId);
    if (!s || s.status !== 'creating') {
      LOG.warning(`Snapshot ${snapshotId} is ${s ? `'${s.status}'` : 'gone'}, no longer creating; nothing managed`, log);
      return;
    }
    await this.d.notify(ctxt, s, 'manage_existing_snapshot.start');
    const typeName = s.volumeTypeId ? (await this.d.db.typeGet(s.volumeTypeId))?.name ?? null : null;
    let size: number;
    try {
      size = await this.d.driver.manageExistingSnapshotGetSize(s, ref);
      await this.count(s, size, typeName, async () => { throw new Fits(); });
    } catch (e) {
      if (!(e instanceof Fits)) return this.failed(s, e, log);
    }
    try {
      await this.d.driver.manageExistingSnapshot(s, ref);
    } catch (e) {
      return this.failed(s, e, log);
    }
    await pausePoint('cinder-volume.manage_existing_snapshot.after-backend');
    const done = await this.count(s, size!, typeName, (m) => this.d.snapshots.conditionalUpdate(s.id, { status: 'creating' }, { status: 'available', volumeSize: size }, m), true)
      .catch((e: unknown) => (e instanceof Moved ? false : Promise.reject(e)));
    if (!done) {
      LOG.warning(`Snapshot ${s.id} left 'creating' while it was being managed`, log);
      return;
    }
    await this.d.notify(ctxt, { ...s, status: 'available', volumeSize: size! }, 'manage_existing_snapshot.end');
    LOG.info(`Manage existing snapshot ${s.id} completed successfully`, log);
  }

  /**
   * `write` in one transaction with the gigabytes moved by size - volume_size (and the type's
   * twin): a growth within the limits (any limit, `force`), a shrink released. A write that
   * finds the snapshot moved rolls the count back (Moved).
   */
  private async count(s: Snapshot, size: number, typeName: string | null, write: (m: Parameters<Parameters<QuotaDB['tx']>[0]>[0]) => Promise<boolean>, force = false): Promise<boolean> {
    const projectId = s.projectId ?? '';
    const delta = size - (s.volumeSize ?? 0);
    const checked = async (m: Parameters<typeof write>[0]): Promise<boolean> => {
      if (!await write(m)) throw new Moved();
      return true;
    };
    if (delta > 0) {
      const limits = force ? await this.d.quota.unlimited(projectId) : await this.d.quota.projectQuotas(projectId);
      return this.d.quota.growVolume(projectId, delta, typeName, limits, checked);
    }
    const quota = new QuotaDB(this.d.db.ds);
    return quota.tx(async (m) => {
      const ok = await checked(m);
      if (delta < 0 && s.useQuota !== false) await quota.releaseDeltasIn(m, projectId, snapshotDeltas(-delta, typeName, 0));
      return ok;
    }, `managed snapshot ${s.id}`);
  }

  /** flow_common.error_out: the snapshot error (from 'creating' only). */
  private async failed(s: Snapshot, e: unknown, log: { context: LogContext }): Promise<void> {
    LOG.exception(`Manage existing snapshot ${s.id} failed`, e, log);
    await this.d.snapshots.conditionalUpdate(s.id, { status: 'creating' }, { status: 'error' });
  }
}

/** Rolls back the quota check's transaction: the growth fits, nothing is counted yet. */
class Fits extends Error {}
/** Rolls back the count: the snapshot is no longer 'creating'. */
class Moved extends Error {}
