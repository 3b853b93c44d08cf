// The transfers table (cinder/db/sqlalchemy/api.py transfer_*): each change of an offer and of
// its volume's status is one transaction, so a kill or a lost database leaves either both or
// neither: no volume 'awaiting-transfer' without its offer, no offer accepted without its volume
// moved (and, in accept, the quota moved too).
import type { DataSource, EntityManager } from 'typeorm';
import { fastSelect } from '../common/db/fast-select';
import { transactionWithRetry } from '../common/db/retry';
import type { CinderDB } from './db-api';
import { Snapshot, Transfer, type Volume } from './entities';
import { InvalidVolume, TransferNotFound } from './exception';

const now = (): Date => new Date();

/** The columns a list may filter on (Cinder: any column of the model; anything else lists nothing). */
export const TRANSFER_FILTERS: Record<string, keyof Transfer> = {
  id: 'id', volume_id: 'volumeId', display_name: 'displayName', source_project_id: 'sourceProjectId',
  destination_project_id: 'destinationProjectId', no_snapshots: 'noSnapshots', accepted: 'accepted', created_at: 'createdAt',
};

export class TransferDB {
  constructor(private readonly db: CinderDB) {}

  private get ds(): DataSource { return this.db.ds; }

  private tx<T>(fn: (m: EntityManager) => Promise<T>, what: string): Promise<T> {
    return transactionWithRetry(this.ds, fn, { what });
  }

  /** transfer_create: the volume from available to awaiting-transfer and the offer, together. */
  async create(t: Transfer): Promise<Transfer> {
    return this.tx(async (m) => {
      if (!await this.db.volumeConditionalUpdate(t.volumeId, { status: 'available' }, { status: 'awaiting-transfer' }, m)) {
        throw new InvalidVolume({ reason: `Transfer ${t.id}: Volume id ${t.volumeId} expected in available state.` });
      }
      return fastSelect(this.ds, Transfer).insert(t, m);
    }, `transfer create for ${t.volumeId}`);
  }

  /** _transfer_get: a live offer; `projectId` (non-admins) limits it to offers of that project's volumes. */
  async get(id: string, projectId: string | null): Promise<Transfer> {
    const t = await fastSelect(this.ds, Transfer).findOne({ id, deleted: false });
    const v = t && projectId !== null ? await this.db.volumeGet(t.volumeId) : null;
    if (!t || (projectId !== null && v?.projectId !== projectId)) throw new TransferNotFound({ transfer_id: id });
    return t;
  }

  /** Live offers, of `projectId`'s volumes (null: all), matching `filters` (column → value), oldest first. */
  async list(projectId: string | null, filters: Partial<Record<keyof Transfer, unknown>>, order: Array<[keyof Transfer, 'ASC' | 'DESC']>): Promise<Transfer[]> {
    const rows = await fastSelect(this.ds, Transfer).find({ deleted: false, ...filters }, order.map(([k, d]) => [k as string, d]));
    if (projectId === null) return rows;
    const mine = new Set((await this.db.volumeList({ projectId })).map((v) => v.id));
    return rows.filter((t) => mine.has(t.volumeId));
  }

  /** transfer_destroy: the offer gone and its volume back to available (when it still waits). */
  async destroy(t: Transfer): Promise<boolean> {
    return this.tx(async (m) => {
      const back = await this.db.volumeConditionalUpdate(t.volumeId, { status: 'awaiting-transfer' }, { status: 'available' }, m);
      await fastSelect(this.ds, Transfer).update({ id: t.id, deleted: false }, { deleted: true, deletedAt: now() }, m);
      return back;
    }, `transfer delete ${t.id}`);
  }

  /**
   * transfer_accept inside `m` (the recipient's quota transaction): the volume to its new owner
   * and available, the offer deleted as accepted. A volume no longer awaiting-transfer refuses.
   */
  async acceptIn(m: EntityManager, t: Transfer, v: Volume, userId: string | null, projectId: string | null, snapshotIds: string[] = []): Promise<void> {
    if (!await this.db.volumeConditionalUpdate(v.id, { status: 'awaiting-transfer' }, { status: 'available', userId, projectId }, m)) {
      throw new InvalidVolume({ reason: `Transfer ${t.id}: Volume id ${v.id} expected in awaiting-transfer state.` });
    }
    // The snapshots that move with it (all of them, unless no_snapshots).
    if (snapshotIds.length) await fastSelect(this.ds, Snapshot).update({ id: snapshotIds, deleted: false }, { userId, projectId, updatedAt: now() }, m);
    const n = await fastSelect(this.ds, Transfer).update({ id: t.id, deleted: false },
      { deleted: true, deletedAt: now(), destinationProjectId: projectId, accepted: true }, m);
    if (!n) throw new TransferNotFound({ transfer_id: t.id });
  }
}
