// The snapshots and snapshot_metadata tables (cinder/db/sqlalchemy/api.py snapshot_*). A create
// writes the row, its metadata and its quota usage in one transaction, and re-reads its volume's
// status inside it (Cinder's create_snapshot_in_db checks it again after the insert): a volume
// that moved meanwhile rolls the whole create back. A status change is a compare-and-swap; a
// delete soft-deletes the row, its metadata and its image metadata and releases its quota in one
// transaction, only when the UPDATE that deleted the row matched.
import type { DataSource, EntityManager } from 'typeorm';
import { putOwn } from '../common/api/own-keys';
import { fastSelect, SqlValue } from '../common/db/fast-select';
import { transactionWithRetry } from '../common/db/retry';
import type { OneOrMany } from '../common/db/cas';
import { Snapshot, SnapshotMetadata, Volume, VolumeGlanceMetadata, type SnapshotStatus } from './entities';
import { InvalidVolume } from './exception';
import { QuotaDB } from './quota-db';

const now = (): Date => new Date();

/** What a snapshot's compare-and-swap expects of its row. */
export interface SnapshotExpected {
  status?: OneOrMany<SnapshotStatus | null>;
  groupSnapshotId?: null;
  cgsnapshotId?: null;
}

/** The snapshot columns an update may name besides its status (names, progress, the driver's location). */
export type SnapshotValues = Partial<Pick<Snapshot, 'status' | 'progress' | 'displayName' | 'displayDescription' | 'providerLocation' | 'providerId'
  | 'providerAuth' | 'encryptionKeyId' | 'userId' | 'projectId' | 'volumeSize'>>;

/**
 * A condition on a volume's snapshots for its compare-and-swap (Cinder's filters of a delete):
 * `none` (volume_has_snapshots_filter, negated), `deletable` (no snapshot but available or error
 * ones: volume_has_undeletable_snapshots_filter, negated) or `own` (none of another project:
 * volume_has_other_project_snp_filter, negated).
 */
export function volumeSnapshotFilter(ds: DataSource, kind: 'none' | 'deletable' | 'own'): Record<string, SqlValue> {
  const e = (n: string): string => ds.driver.escape(n);
  const live = ds.driver.preparePersistentValue(false, ds.getMetadata(Snapshot).findColumnWithPropertyName('deleted')!);
  const base = `SELECT 1 FROM ${e('snapshots')} s WHERE s.${e('volume_id')} = ${e('volumes')}.${e('id')} AND s.${e('deleted')} = ?`;
  if (kind === 'none') return { $snapshots: new SqlValue('no-snapshots', `NOT EXISTS (${base})`, [live]) };
  if (kind === 'own') return { $otherSnapshots: new SqlValue('own-snapshots', `NOT EXISTS (${base} AND s.${e('project_id')} <> ${e('volumes')}.${e('project_id')})`, [live]) };
  const stuck = `(s.${e('status')} IS NULL OR s.${e('status')} NOT IN (?, ?) OR s.${e('cgsnapshot_id')} IS NOT NULL OR s.${e('group_snapshot_id')} IS NOT NULL)`;
  return { $undeletable: new SqlValue('deletable-snapshots', `NOT EXISTS (${base} AND ${stuck})`, [live, 'available', 'error']) };
}

export class SnapshotDB {
  constructor(readonly ds: DataSource) {}

  private get rows() { return fastSelect(this.ds, Snapshot); }
  private get meta() { return fastSelect(this.ds, SnapshotMetadata); }

  private tx<T>(fn: (m: EntityManager) => Promise<T>, what: string): Promise<T> {
    return transactionWithRetry(this.ds, fn, { retryOnDisconnect: true, what });
  }

  /**
   * The row and its metadata inside `m` (the caller's quota transaction). The volume's status
   * is read again after the insert: one that left `validStatus` meanwhile refuses (and rolls
   * back), as Cinder's second check does.
   */
  async createIn(m: EntityManager, s: Snapshot, metadata: Record<string, string>, validStatus: string[]): Promise<Snapshot> {
    const made = await this.rows.insert(s, m);
    const t = s.createdAt ?? now();
    for (const [key, value] of Object.entries(metadata)) {
      await this.meta.insert(Object.assign(new SnapshotMetadata(), { snapshotId: s.id, key, value, createdAt: t, updatedAt: null, deletedAt: null, deleted: false }), m);
    }
    const v = await fastSelect(this.ds, Volume).findOne({ id: s.volumeId, deleted: false }, [], m);
    if (!v || !validStatus.includes(v.status ?? '')) {
      throw new InvalidVolume({ reason: `Volume ${s.volumeId} status must be ${validStatus.join(', ')} , but current status is: ${v?.status ?? 'deleted'}.` });
    }
    return made;
  }

  /** A live snapshot; with `projectId`, only that project's. */
  async get(id: string, projectId?: string | null): Promise<Snapshot | null> {
    const s = await this.rows.findOne({ id, deleted: false });
    if (!s || (projectId !== undefined && projectId !== null && s.projectId !== projectId)) return null;
    return s;
  }

  /** Live snapshots of a project (null: all), newest first; `volumeIds` narrows them to those volumes'. */
  async list(projectId: string | null, volumeIds?: string[]): Promise<Snapshot[]> {
    const where: Record<string, unknown> = { deleted: false };
    if (projectId !== null) where.projectId = projectId;
    if (volumeIds) where.volumeId = volumeIds;
    return this.rows.find(where, [['createdAt', 'DESC'], ['id', 'DESC']]);
  }

  /** Live snapshots of one volume. */
  async ofVolume(volumeId: string, m?: EntityManager): Promise<Snapshot[]> {
    return this.rows.find({ volumeId, deleted: false }, [['createdAt', 'ASC'], ['id', 'ASC']], undefined, m);
  }

  /** UPDATE snapshots SET values WHERE id AND expected; true when the row matched. */
  async conditionalUpdate(id: string, expected: SnapshotExpected, values: SnapshotValues, m?: EntityManager): Promise<boolean> {
    return (await this.rows.update({ id, deleted: false, ...expected }, { ...values, updatedAt: now() }, m)) > 0;
  }

  /** The user metadata of each snapshot (id → key → value), in insertion order. */
  async metadataOf(ids: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>(ids.map((id) => [id, {}]));
    if (!ids.length) return out;
    for (const r of await this.meta.find({ snapshotId: ids, deleted: false }, [['id', 'ASC']])) {
      if (r.key !== null) putOwn(out.get(r.snapshotId) ?? {}, r.key, r.value ?? '');
    }
    return out;
  }

  /**
   * snapshot_metadata_update: `merge` keeps the keys not given (delete=False), else they go. One
   * transaction, re-run whole on a deadlock (a second run ends in the same rows).
   */
  async metadataReplace(snapshotId: string, meta: Record<string, string>, merge: boolean): Promise<void> {
    const t = now();
    await this.tx(async (m) => {
      const rows = await this.meta.find({ snapshotId, deleted: false }, [['id', 'ASC']], undefined, m);
      const left = new Map(Object.entries(meta));
      for (const row of rows) {
        if (row.key !== null && left.has(row.key)) {
          const value = left.get(row.key) as string;
          left.delete(row.key);
          if (row.value !== value) await this.meta.update({ id: row.id }, { value, updatedAt: t }, m);
        } else if (!merge) {
          await this.meta.update({ id: row.id }, { deleted: true, deletedAt: t }, m);
        }
      }
      for (const [key, value] of left) {
        await this.meta.insert(Object.assign(new SnapshotMetadata(), { snapshotId, key, value, createdAt: t, updatedAt: null, deletedAt: null, deleted: false }), m);
      }
    }, `metadata of snapshot ${snapshotId}`);
  }

  /** snapshot_metadata_delete: one key, compared in SQL (the collation's equality). */
  async metadataDeleteKey(snapshotId: string, key: string): Promise<void> {
    await this.meta.update({ snapshotId, key, deleted: false }, { deleted: true, deletedAt: now() });
  }

  /**
   * snapshot_destroy with its quota: the row (while it is `expected`), its metadata and image
   * metadata soft-deleted, and its usage released, in one transaction. False: the row was not
   * there as expected (a redo, or a reset meanwhile), and nothing changed.
   */
  async destroy(s: Snapshot, expected: SnapshotExpected = {}): Promise<boolean> {
    const t = now();
    return this.tx(async (m) => {
      if (!await this.rows.update({ id: s.id, deleted: false, ...expected }, { deleted: true, deletedAt: t, updatedAt: t, status: 'deleted' }, m)) return false;
      await new QuotaDB(this.ds).releaseSnapshotIn(m, s);
      await this.meta.update({ snapshotId: s.id, deleted: false }, { deleted: true, deletedAt: t }, m);
      await fastSelect(this.ds, VolumeGlanceMetadata).update({ snapshotId: s.id, deleted: false }, { deleted: true, deletedAt: t }, m);
      return true;
    }, `soft delete of snapshot ${s.id}`);
  }

  /** A volume's image metadata copied to its snapshot (volume_glance_metadata_copy_to_snapshot); redone, the copy is replaced. */
  async imageMetadataCopy(snapshotId: string, volumeId: string): Promise<void> {
    const table = fastSelect(this.ds, VolumeGlanceMetadata);
    const t = now();
    await this.tx(async (m) => {
      await table.update({ snapshotId, deleted: false }, { deleted: true, deletedAt: t }, m);
      for (const r of await table.find({ volumeId, snapshotId: null, deleted: false }, [['id', 'ASC']], undefined, m)) {
        await table.insert(Object.assign(new VolumeGlanceMetadata(), {
          volumeId: null, snapshotId, key: r.key, value: r.value, createdAt: t, updatedAt: null, deletedAt: null, deleted: false,
        }), m);
      }
    }, `image metadata of snapshot ${snapshotId}`);
  }

  /** A snapshot's image metadata (volume_glance_metadata rows naming it): copied to a volume made from it. */
  async imageMetadataOf(snapshotId: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const r of await fastSelect(this.ds, VolumeGlanceMetadata).find({ snapshotId, deleted: false }, [['id', 'ASC']])) {
      if (r.key !== null) putOwn(out, r.key, r.value ?? '');
    }
    return out;
  }
}
