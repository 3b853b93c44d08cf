// The volume manager's manage_existing (cinder/volume/flows/manager/manage_existing.py): a
// backend object becomes the 'managing' volume cinder-api wrote (size 0, counted as one volume).
// Steps, each safe to redo, under the volume's lock:
//   1. the object's size from the driver (a bad reference: error_managing);
//   2. the project's quota asked for its gigabytes (over: error_managing, the object left as
//      it was; the volume itself was counted with its row by cinder-api, as Cinder's API flow);
//   3. the driver renames the object to the volume's (from here it is the volume's data);
//   4. one transaction counts the gigabytes and sets the volume available with its size.
// A kill between 3 and 4 leaves 'managing' with the object renamed: the reconciler finishes it
// (finishManage), as nothing but step 4 is left. Killed before 3, the object is still under its
// own name and the reconciler sets error_managing: deleting that volume deletes nothing (and
// releases the one volume it counted).
import type { ContextDict } from '../common/context';
import { pausePoint } from '../common/fault/pause';
import { getLogger, type LogContext } from '../common/log';
import type { CinderDB } from '../cinder-common/db-api';
import type { Volume } from '../cinder-common/entities';
import { QuotaEngine } from '../cinder-common/quota';
import type { VolumeDriver } from './drivers/driver';

const LOG = getLogger('cinder-volume.manage');

export interface ManageWorkDeps {
  db: CinderDB;
  driver: VolumeDriver;
  quota: QuotaEngine;
  notify: (ctxt: ContextDict, v: Volume | (() => Promise<Volume>), suffix: string) => Promise<void>;
  /** Values every volume this backend makes available carries (shared_targets, service_uuid). */
  availableValues: () => Promise<Partial<Volume>>;
}

export class ManageWork {
  constructor(private readonly d: ManageWorkDeps) {}

  /** manage_existing on a volume read under its lock; anything but 'managing' is left alone (a redo). */
  async manage(ctxt: ContextDict, v: Volume, ref: unknown, log: { context: LogContext }): Promise<void> {
    if (v.status !== 'managing') return;
    await this.d.notify(ctxt, v, 'manage_existing.start');
    let size: number;
    try {
      size = await this.d.driver.manageExistingGetSize(v, ref);
      // QuotaReserveTask's check, before the object is touched: its refusal leaves it as it was.
      await this.d.quota.growVolume(v.projectId ?? '', size, await this.typeName(v), await this.d.quota.checkVolumeCreate(v.projectId ?? '', size),
        async () => { throw new QuotaFits(); });
    } catch (e) {
      if (!(e instanceof QuotaFits)) return this.failed(v, e, log);
    }
    try {
      await this.d.driver.manageExisting(v, ref);
    } catch (e) {
      return this.failed(v, e, log);
    }
    await pausePoint('cinder-volume.manage_existing.after-backend');
    if (!await this.finish(v, size!)) LOG.warning(`Volume ${v.id} left 'managing' while it was being managed`, log);
    await this.d.notify(ctxt, async () => (await this.d.db.volumeGet(v.id)) ?? v, 'manage_existing.end');
    LOG.info(`Manage existing volume ${v.id} completed successfully`, log);
  }

  /**
   * The object is the volume's (step 3 done): its gigabytes counted and the volume available with
   * its size, in one transaction. Counted whatever the limits say now: step 2 asked them, as
   * Cinder's reservation would have held them, and the object cannot go back (the reconciler
   * calls this too). False when the volume left 'managing' meanwhile (nothing counted).
   */
  async finish(v: Volume, size: number): Promise<boolean> {
    const projectId = v.projectId ?? '';
    const all = await this.d.quota.unlimited(projectId);
    const values = { status: 'available' as const, size, launchedAt: new Date(), ...await this.d.availableValues() };
    try {
      return await this.d.quota.growVolume(projectId, size, await this.typeName(v), all, async (m) => {
        if (!await this.d.db.volumeConditionalUpdate(v.id, { status: 'managing' }, values, m)) throw new Moved();
        return true;
      });
    } catch (e) {
      if (e instanceof Moved) return false;
      throw e;
    }
  }

  private async typeName(v: Volume): Promise<string | null> {
    return v.volumeTypeId ? (await this.d.db.typeGet(v.volumeTypeId))?.name ?? null : null;
  }

  /** flow_common.error_out: the volume error_managing (from 'managing' only). */
  private async failed(v: Volume, e: unknown, log: { context: LogContext }): Promise<void> {
    LOG.exception(`Manage existing volume ${v.id} failed`, e, log);
    await this.d.db.volumeConditionalUpdate(v.id, { status: 'managing' }, { status: 'error_managing' });
  }
}

/** Rolls back the quota check's transaction: the usage fits, nothing is counted yet. */
class QuotaFits extends Error {}
/** Rolls back the count: the volume is no longer 'managing'. */
class Moved extends Error {}
