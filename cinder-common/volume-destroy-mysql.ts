// Cinder's volume_destroy on MySQL/MariaDB in one statement. A multi-table UPDATE soft-deletes
// the volume's row, releases its quota usage and soft-deletes the rows that hang off it, each
// table LEFT JOINed to the volume so an empty one changes nothing. One statement is atomic
// without BEGIN and COMMIT, so a delete costs one round trip where a transaction of three
// statements cost five. SQLite has no multi-table UPDATE and keeps the transaction (db-api.ts).
import type { DataSource, ObjectLiteral, EntityTarget } from 'typeorm';
import { prepared } from '../common/db/prepared';
import { writeRows } from '../common/db/fast-select';
import { Transfer, Volume, VolumeAdminMetadata, VolumeAttachment, VolumeGlanceMetadata, VolumeMetadata } from './entities';
import { QuotaUsage } from './entities/quota';

/** Every table whose live rows go when their volume does (its metadata, attachments, offers). */
export const VOLUME_CHILDREN: Array<EntityTarget<ObjectLiteral>> = [VolumeMetadata, VolumeAdminMetadata, VolumeGlanceMetadata, VolumeAttachment, Transfer];

interface Statement { sql: string; params: (...a: never[]) => unknown[] }
const built = new WeakMap<DataSource, Map<string, Statement>>();

function once(ds: DataSource, key: string, make: () => Statement): Statement {
  let m = built.get(ds);
  if (!m) built.set(ds, (m = new Map()));
  let s = m.get(key);
  if (!s) m.set(key, (s = make()));
  return s;
}

/** The children's LEFT JOINs (live rows of volume `v`) and SET parts, with their parameters. */
function childParts(ds: DataSource): { joins: string; sets: string; joinParams: unknown[]; setParams: (t: Date) => unknown[] } {
  const e = (n: string): string => ds.driver.escape(n);
  const d = ds.driver;
  const parts = VOLUME_CHILDREN.map((entity, i) => {
    const meta = ds.getMetadata(entity);
    const [vid, del, at] = ['volumeId', 'deleted', 'deletedAt'].map((p) => meta.findColumnWithPropertyName(p)!);
    return {
      join: `LEFT JOIN ${e(meta.tableName)} c${i} ON c${i}.${e(vid.databaseName)} = v.${e('id')} AND c${i}.${e(del.databaseName)} = ?`,
      set: `c${i}.${e(del.databaseName)} = ?, c${i}.${e(at.databaseName)} = ?`,
      live: d.preparePersistentValue(false, del), gone: d.preparePersistentValue(true, del), at,
    };
  });
  return {
    joins: parts.map((p) => p.join).join(' '),
    sets: parts.map((p) => p.set).join(', '),
    joinParams: parts.map((p) => p.live),
    setParams: (t) => parts.flatMap((p) => [p.gone, d.preparePersistentValue(t, p.at)]),
  };
}

/** The live rows hanging off volume `id`, soft-deleted (whatever the volume row's state). */
export async function mysqlChildrenSoftDelete(ds: DataSource, id: string, t: Date, m?: Parameters<typeof writeRows>[3]): Promise<void> {
  const s = once(ds, 'children', () => {
    const c = childParts(ds);
    return {
      sql: prepared(`UPDATE ${ds.driver.escape('volumes')} v ${c.joins} SET ${c.sets} WHERE v.${ds.driver.escape('id')} = ?`),
      params: (stamp: Date, volumeId: string) => [...c.joinParams, ...c.setParams(stamp), volumeId],
    };
  });
  await writeRows(ds, s.sql, (s.params as (t: Date, id: string) => unknown[])(t, id), m);
}

/**
 * Soft-deletes live volume `id` with its children, and releases what it counted against its
 * project's quota (volumes and gigabytes, and their `_{typeName}` twins when it has a type),
 * as the real release does: from the row's own size, never below 0, and only when its
 * use_quota is not false. True when this statement deleted the row; false (nothing changed)
 * when it was already gone.
 */
export async function mysqlVolumeDestroy(ds: DataSource, id: string, t: Date, typeName: string | null): Promise<boolean> {
  const typed = typeName !== null;
  const s = once(ds, typed ? 'destroy-typed' : 'destroy', () => {
    const e = (n: string): string => ds.driver.escape(n);
    const d = ds.driver;
    const vm = ds.getMetadata(Volume);
    const col = (p: string) => vm.findColumnWithPropertyName(p)!;
    const v = (p: string): string => `v.${e(col(p).databaseName)}`;
    const qm = ds.getMetadata(QuotaUsage);
    const qc = (p: string): string => `q.${e(qm.findColumnWithPropertyName(p)!.databaseName)}`;
    const c = childParts(ds);
    const resources = typed ? 4 : 2;
    // Each resource's release: 1 for a count, the row's size for gigabytes.
    const by = `CASE ${qc('resource')} WHEN ? THEN 1 WHEN ? THEN ${v('size')} ${typed ? `WHEN ? THEN 1 WHEN ? THEN ${v('size')} ` : ''}END`;
    const sql = `UPDATE ${e(vm.tableName)} v `
      + `LEFT JOIN ${e(qm.tableName)} q ON ${qc('projectId')} = ${v('projectId')} AND ${qc('resource')} IN (${Array(resources).fill('?').join(', ')}) `
      + `AND ${qc('deleted')} = ? AND (${v('useQuota')} IS NULL OR ${v('useQuota')} = ?) ${c.joins} `
      + `SET ${v('deleted')} = ?, ${v('deletedAt')} = ?, ${v('updatedAt')} = ?, ${v('status')} = ?, ${v('terminatedAt')} = ?, `
      + `${qc('inUse')} = CASE WHEN ${qc('inUse')} >= ${by} THEN ${qc('inUse')} - ${by} ELSE 0 END, ${qc('updatedAt')} = ?, ${c.sets} `
      + `WHERE ${v('id')} = ? AND ${v('deleted')} = ?`;
    const bool = (b: boolean, p: string): unknown => d.preparePersistentValue(b, col(p));
    const at = (stamp: Date, p: string): unknown => d.preparePersistentValue(stamp, col(p));
    return {
      sql: prepared(sql),
      params: (stamp: Date, volumeId: string, type: string | null) => {
        const names = type === null ? ['volumes', 'gigabytes'] : ['volumes', 'gigabytes', `volumes_${type}`, `gigabytes_${type}`];
        const qStamp = d.preparePersistentValue(stamp, qm.findColumnWithPropertyName('updatedAt')!);
        return [
          ...names, d.preparePersistentValue(false, qm.findColumnWithPropertyName('deleted')!), bool(true, 'useQuota'), ...c.joinParams,
          bool(true, 'deleted'), at(stamp, 'deletedAt'), at(stamp, 'updatedAt'), 'deleted', at(stamp, 'terminatedAt'),
          ...names, ...names, qStamp, ...c.setParams(stamp),
          volumeId, bool(false, 'deleted'),
        ];
      },
    };
  });
  const { affected } = await writeRows(ds, s.sql, (s.params as (t: Date, id: string, type: string | null) => unknown[])(t, id, typeName));
  return affected > 0;
}
