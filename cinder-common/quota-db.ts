// The quota tables (cinder/db/sqlalchemy/api.py quota_* and reservation_*). A reservation
// raises quota_usages.reserved with a compare-and-swap UPDATE (`… WHERE in_use + reserved +
// delta <= limit`), so concurrent creates can never together pass a limit: on MariaDB the
// UPDATE takes the row lock and reads the latest committed row, on SQLite there is one writer.
// Each reservation row is removed by exactly one of commit, rollback or expiry (the DELETE that
// affects it applies its delta), so a crash between reserve and commit only leaves a row that
// expires. Commits run in the caller's transaction, with the write they account for (the new
// volume row, the new size), so in_use always matches the volumes table.
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { fastSelect, selectRows, writeRows } from '../common/db/fast-select';
import { prepared } from '../common/db/prepared';
import { transactionWithRetry, withDbRetry } from '../common/db/retry';
import { getLogger } from '../common/log';
import { Quota, QuotaClass, QuotaUsage, Reservation, Snapshot, Volume, VolumeType } from './entities';

const LOG = getLogger('cinder.quota.db');
const now = (): Date => new Date();

export interface UsageRow { in_use: number; reserved: number }

/** projectLimitRows' answer: resource → limit (own, class) or usage. */
export interface ProjectLimitRows { typeNames: string[]; own: Record<string, number>; cls: Record<string, number>; usages: Record<string, UsageRow> }

/** What stopped a reservation: the limits and the usages of every resource asked. */
export interface OverQuotaInfo { overs: string[]; quotas: Record<string, number>; usages: Record<string, UsageRow> }

/** The quota resources a volume counts against: volumes, gigabytes and their per-type twins. */
export function volumeDeltas(size: number, typeName: string | null, count = 1): Record<string, number> {
  const d: Record<string, number> = {};
  if (count) d.volumes = count;
  if (size) d.gigabytes = size;
  if (typeName !== null) for (const [k, v] of Object.entries({ ...d })) d[`${k}_${typeName}`] = v;
  return d;
}

/** The quota resources a snapshot counts against (add_volume_type_opts): snapshots, gigabytes and their per-type twins. */
export function snapshotDeltas(size: number, typeName: string | null, count = 1): Record<string, number> {
  const d: Record<string, number> = {};
  if (count) d.snapshots = count;
  if (size) d.gigabytes = size;
  if (typeName !== null) for (const [k, v] of Object.entries({ ...d })) d[`${k}_${typeName}`] = v;
  return d;
}

/** Usage resources derived from the volumes and snapshots tables (backups have nothing to count here). */
const countsVolumes = (r: string): boolean => ['volumes', 'gigabytes', 'snapshots'].some((p) => r === p || r.startsWith(`${p}_`));


export class QuotaDB {
  constructor(readonly ds: DataSource) {}

  private get isSqlite(): boolean { return this.ds.options.type !== 'mysql' && this.ds.options.type !== 'mariadb'; }

  /** A parameterised write in `m` (one prepared statement whatever the values); rows it matched. */
  private async write(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
    return (await writeRows(this.ds, prepared(sql), params, m)).affected;
  }

  /** A timestamp as the driver stores it (SQLite keeps text). */
  private stamp(): unknown {
    return this.ds.driver.preparePersistentValue(now(), this.ds.getMetadata(QuotaUsage).findColumnWithPropertyName('updatedAt')!);
  }

  /** One transaction, re-run whole on a deadlock (on SQLite one at a time: common/db/sqlite-serial.ts). */
  tx<T>(fn: (m: EntityManager) => Promise<T>, what: string): Promise<T> {
    return transactionWithRetry(this.ds, fn, { what });
  }

  // -- limits -------------------------------------------------------------------------------
  /**
   * What get_project_quotas reads, in one statement: the live volume types' names (oldest
   * first, for the per-type resources), the project's own limits, the `className` class's
   * limits (null: none read) and, with `usages`, the project's usage rows.
   */
  async projectLimitRows(projectId: string, className: string | null, usages: boolean): Promise<ProjectLimitRows> {
    const parts = [
      'SELECT 0 AS kind, name AS k, NULL AS n, NULL AS r, created_at AS c, id AS i FROM volume_types WHERE deleted = ?',
      'SELECT 1 AS kind, resource AS k, hard_limit AS n, NULL AS r, NULL AS c, NULL AS i FROM quotas WHERE project_id = ? AND deleted = ?',
    ];
    const params: unknown[] = [false, projectId, false];
    if (className !== null) {
      parts.push('SELECT 2 AS kind, resource AS k, hard_limit AS n, NULL AS r, NULL AS c, NULL AS i FROM quota_classes WHERE class_name = ? AND deleted = ?');
      params.push(className, false);
    }
    if (usages) {
      parts.push('SELECT 3 AS kind, resource AS k, in_use AS n, reserved AS r, NULL AS c, NULL AS i FROM quota_usages WHERE project_id = ? AND deleted = ?');
      params.push(projectId, false);
    }
    const rows = await selectRows(this.ds, prepared(`${parts.join(' UNION ALL ')} ORDER BY kind, c, i`), params) as unknown as
      Array<{ kind: number | string; k: string | null; n: number | string | null; r: number | string | null }>;
    const out: ProjectLimitRows = { typeNames: [], own: {}, cls: {}, usages: {} };
    const num = (x: number | string | null, dflt: number): number => (x === null ? dflt : Number(x));
    for (const row of rows) {
      const kind = Number(row.kind);
      if (kind === 0) out.typeNames.push(row.k ?? '');
      else if (kind === 1 && row.k !== null) out.own[row.k] = num(row.n, -1);
      else if (kind === 2 && row.k) out.cls[row.k] = num(row.n, -1);
      else if (kind === 3 && row.k) out.usages[row.k] = { in_use: num(row.n, 0), reserved: num(row.r, 0) };
    }
    return out;
  }

  async quotaSet(projectId: string, resource: string, limit: number): Promise<void> {
    const repo = this.ds.getRepository(Quota);
    const res = await repo.update({ projectId, resource, deleted: false }, { hardLimit: limit, updatedAt: now() });
    if (res.affected) return;
    await repo.createQueryBuilder().insert().into(Quota)
      .values({ projectId, resource, hardLimit: limit, allocated: 0, createdAt: now(), deleted: false }).orIgnore().updateEntity(false).execute();
    await repo.update({ projectId, resource, deleted: false }, { hardLimit: limit, updatedAt: now() });
  }

  /** quota_destroy_by_project: the project's own limits go; usages and reservations stay. */
  async quotaDestroyByProject(projectId: string): Promise<void> {
    await this.ds.getRepository(Quota).delete({ projectId });
  }

  async classGetAllByName(className: string): Promise<Record<string, number>> {
    const rows = await fastSelect(this.ds, QuotaClass).find({ className, deleted: false });
    return Object.fromEntries(rows.filter((r) => r.resource).map((r) => [r.resource!, r.hardLimit ?? -1]));
  }

  async classSet(className: string, resource: string, limit: number): Promise<void> {
    const repo = this.ds.getRepository(QuotaClass);
    const res = await repo.update({ className, resource, deleted: false }, { hardLimit: limit, updatedAt: now() });
    if (res.affected) return;
    await repo.createQueryBuilder().insert().into(QuotaClass)
      .values({ className, resource, hardLimit: limit, createdAt: now(), deleted: false }).orIgnore().updateEntity(false).execute();
    await repo.update({ className, resource, deleted: false }, { hardLimit: limit, updatedAt: now() });
  }

  async usageGetAllByProject(projectId: string): Promise<Record<string, UsageRow>> {
    const rows = await fastSelect(this.ds, QuotaUsage).find({ projectId, deleted: false });
    return Object.fromEntries(rows.filter((r) => r.resource).map((r) => [r.resource!, { in_use: r.inUse, reserved: r.reserved }]));
  }

  // -- reservations ---------------------------------------------------------------------------
  /** The usage row ids of `resources`, made first where missing (resource → id). */
  private async ensureUsageRows(projectId: string, resources: string[]): Promise<Map<string, number>> {
    const ids = async (): Promise<Map<string, number>> => new Map((await fastSelect(this.ds, QuotaUsage).find({ projectId, deleted: false }))
      .filter((r) => r.resource).map((r) => [r.resource!, r.id]));
    const have = await ids();
    const missing = resources.filter((r) => !have.has(r));
    if (!missing.length) return have;
    // A concurrent create's UPDATE over the same missing rows holds gap locks: InnoDB may pick
    // this INSERT as a deadlock's victim. INSERT IGNORE is idempotent, so it is run again.
    await withDbRetry(() => this.ds.createQueryBuilder().insert().into(QuotaUsage)
      .values(missing.map((resource) => ({ projectId, resource, inUse: 0, reserved: 0, racePreventer: true, createdAt: now(), deleted: false })))
      .orIgnore().updateEntity(false).execute(), { retryOnDisconnect: true, what: `usage rows of ${projectId}` });
    return ids();
  }

  /**
   * quota_reserve: one reservation row per resource (positive deltas only count in `reserved`),
   * all or none. Returns the reservation uuids (random unless `uuidOf` derives them), or what
   * went over (read after the refusal).
   */
  async reserve(projectId: string, deltas: Record<string, number>, limits: Record<string, number>, expire: Date,
    uuidOf: (resource: string) => string = () => randomUUID()): Promise<string[] | OverQuotaInfo> {
    return this.withinLimits(projectId, deltas, limits, 'reserved', async (m, usageIds) => {
      const uuids: string[] = [];
      for (const resource of Object.keys(deltas).sort()) {
        const uuid = uuidOf(resource);
        await fastSelect(this.ds, Reservation).insert(m.create(Reservation, {
          uuid, usageId: usageIds.get(resource) ?? null, projectId, resource, delta: deltas[resource], expire, createdAt: now(), deleted: false,
        }), m);
        uuids.push(uuid);
      }
      return uuids;
    }, `quota reservation for ${projectId}`);
  }

  /**
   * The write `fn` makes and the usage it adds, in one transaction and with no reservation rows
   * (a create's reserve and commit happen in the same request, so nothing needs to outlive it):
   * in_use grows only while every limit holds. Returns fn's result, or what went over.
   */
  async consumeWith<T>(projectId: string, deltas: Record<string, number>, limits: Record<string, number>, fn: (m: EntityManager) => Promise<T>,
    what: string): Promise<{ done: T } | OverQuotaInfo> {
    return this.withinLimits(projectId, deltas, limits, 'in_use', async (m) => ({ done: await fn(m) }), what);
  }

  /**
   * Raise `column` of each resource by its delta with a compare-and-swap UPDATE (`… in_use +
   * reserved + delta <= limit`), then run `then`, all in one transaction. When a limit refuses,
   * reads the usages: over for good → OverQuotaInfo; freed meanwhile → tries again (3 times).
   */
  private async withinLimits<T>(projectId: string, deltas: Record<string, number>, limits: Record<string, number>, column: 'reserved' | 'in_use',
    then: (m: EntityManager, usageIds: Map<string, number>) => Promise<T>, what: string): Promise<T | OverQuotaInfo> {
    const resources = Object.keys(deltas).sort();
    for (const r of resources) if (!Number.isInteger(deltas[r])) throw new Error(`Quota delta for ${r} is not an integer: ${deltas[r]}`);
    const raises = resources.filter((r) => deltas[r] > 0).map((r) => ({ resource: r, delta: deltas[r], limit: limits[r] ?? -1 }));
    // A reservation names its usage rows, so it reads their ids first (making missing rows); a
    // create's count needs no id, and makes the rows only once the UPDATE found one missing.
    let usageIds = column === 'reserved' ? await this.ensureUsageRows(projectId, resources) : null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const ids = usageIds ?? new Map<string, number>();
      const out = await this.tx(async (m) => {
        if (raises.length && await this.write(m, raiseAll(column, raises.length), raiseParams(projectId, raises, this.stamp())) !== raises.length) {
          throw new OverQuotaSignal();
        }
        return { value: await then(m, ids) };
      }, what).catch((e: unknown) => {
        if (e instanceof OverQuotaSignal) return null;
        throw e;
      });
      if (out) return out.value;
      if (!usageIds) {
        // Perhaps the project's first create: make the rows, then try again (not an attempt).
        usageIds = await this.ensureUsageRows(projectId, resources);
        attempt--;
        continue;
      }
      const info = overQuota(deltas, limits, await this.usageGetAllByProject(projectId));
      if (info.overs.length) return info;
      // The usage that refused it was released in between: try again.
    }
    return { ...overQuota(deltas, limits, await this.usageGetAllByProject(projectId)), overs: [resources[0]] };
  }

  /**
   * Apply (commit) or drop (rollback, expire) reservations inside `m`: each row is deleted
   * first, and only the transaction whose DELETE removed it applies it.
   */
  private async settle(m: EntityManager, rows: Reservation[], commit: boolean): Promise<number> {
    let n = 0;
    for (const r of [...rows].sort((a, b) => ((a.resource ?? '') < (b.resource ?? '') ? -1 : 1))) {
      if (!await this.write(m, 'DELETE FROM reservations WHERE id = ?', [r.id])) continue;
      n++;
      if (r.usageId === null) continue;
      const d = r.delta;
      // Neither column goes below 0 (Cinder's clamp), and one statement text serves every delta.
      if (d >= 0 && commit) {
        await this.write(m, 'UPDATE quota_usages SET reserved = CASE WHEN reserved >= ? THEN reserved - ? ELSE 0 END, in_use = in_use + ?, updated_at = ? WHERE id = ?',
          [d, d, d, this.stamp(), r.usageId]);
      } else if (d >= 0) {
        await this.write(m, 'UPDATE quota_usages SET reserved = CASE WHEN reserved >= ? THEN reserved - ? ELSE 0 END, updated_at = ? WHERE id = ?',
          [d, d, this.stamp(), r.usageId]);
      } else if (commit) {
        await this.write(m, 'UPDATE quota_usages SET in_use = CASE WHEN in_use >= ? THEN in_use - ? ELSE 0 END, updated_at = ? WHERE id = ?',
          [-d, -d, this.stamp(), r.usageId]);
      }
    }
    return n;
  }

  private async rowsOf(m: EntityManager, uuids: string[]): Promise<Reservation[]> {
    if (!uuids.length) return [];
    return fastSelect(this.ds, Reservation).find({ uuid: uuids }, [], undefined, m);
  }

  /** reservation_commit inside the caller's transaction (with the write it accounts for). */
  async commitIn(m: EntityManager, uuids: string[]): Promise<void> {
    await this.settle(m, await this.rowsOf(m, uuids), true);
  }

  /**
   * The write a reservation stands for and its commit, in one transaction: `fn` returns
   * whether it wrote (false: nothing to account for; the reservations are rolled back).
   */
  async withCommit<T>(uuids: string[], fn: (m: EntityManager) => Promise<T>, wrote: (r: T) => boolean = () => true): Promise<T> {
    const out = await this.tx(async (m) => {
      const r = await fn(m);
      if (wrote(r)) await this.commitIn(m, uuids);
      return r;
    }, 'quota commit');
    if (!wrote(out)) await this.rollback(uuids);
    return out;
  }

  async commit(uuids: string[]): Promise<void> {
    if (uuids.length) await this.tx((m) => this.commitIn(m, uuids), 'quota commit');
  }

  /** reservation_rollback inside the caller's transaction (with the status change that abandons them). */
  async rollbackIn(m: EntityManager, uuids: string[]): Promise<void> {
    await this.settle(m, await this.rowsOf(m, uuids), false);
  }

  async rollback(uuids: string[]): Promise<void> {
    if (uuids.length) await this.tx((m) => this.rollbackIn(m, uuids), 'quota rollback');
  }

  /** reservation_expire: roll back every reservation past its expiry; returns how many. */
  async expire(at: Date = now()): Promise<number> {
    const rows = await this.ds.getRepository(Reservation).createQueryBuilder('r')
      .where('r.expire < :at', { at }).orderBy('r.id').take(1000).getMany();
    let n = 0;
    for (const r of rows) {
      n += await this.tx((m) => this.settle(m, [r], false), 'reservation expiry');
    }
    if (n) LOG.info(`Rolled back ${n} expired quota reservation(s)`);
    return n;
  }

  /**
   * A deleted volume no longer counts: in the transaction that soft-deletes its row. `typeName`:
   * the name of its type, when read with the volume (undefined: read here).
   */
  async releaseIn(m: EntityManager, v: Pick<Volume, 'projectId' | 'size' | 'volumeTypeId' | 'useQuota'>, typeName?: string | null): Promise<void> {
    if (v.useQuota === false || !v.projectId) return;
    const name = typeName !== undefined || !v.volumeTypeId ? typeName ?? null
      : (await fastSelect(this.ds, VolumeType).findOne({ id: v.volumeTypeId }, [], m))?.name ?? null;
    await this.releaseDeltasIn(m, v.projectId, volumeDeltas(v.size ?? 0, name));
  }

  /** A deleted snapshot no longer counts: in the transaction that soft-deletes its row. */
  async releaseSnapshotIn(m: EntityManager, s: Pick<Snapshot, 'projectId' | 'volumeSize' | 'volumeTypeId' | 'useQuota'>): Promise<void> {
    if (s.useQuota === false || !s.projectId) return;
    const name = s.volumeTypeId ? (await fastSelect(this.ds, VolumeType).findOne({ id: s.volumeTypeId }, [], m))?.name ?? null : null;
    await this.releaseDeltasIn(m, s.projectId, snapshotDeltas(s.volumeSize ?? 0, name));
  }

  /** Each resource's usage lowered by its delta in `m`, never below 0. */
  async releaseDeltasIn(m: EntityManager, projectId: string, deltas: Record<string, number>): Promise<void> {
    const drops = Object.entries(deltas).sort();
    // One statement for every resource; neither count goes below 0 (Cinder's clamp).
    const by = `CASE resource ${drops.map(() => 'WHEN ? THEN ?').join(' ')} END`;
    await this.write(m, `UPDATE quota_usages SET in_use = CASE WHEN in_use >= ${by} THEN in_use - ${by} ELSE 0 END, updated_at = ? `
      + `WHERE project_id = ? AND resource IN (${drops.map(() => '?').join(', ')}) AND deleted = ?`,
    [...drops.flat(), ...drops.flat(), this.stamp(), projectId, ...drops.map(([r]) => r), false]);
  }

  /** What the volumes and snapshots tables say each project uses: project → resource → in_use. */
  private async countedIn(m: EntityManager, projectId: string | null): Promise<Map<string, Record<string, number>>> {
    type Row = { project: string | null; type: string | null; n: number | string; gb: number | string };
    const grouped = (entity: typeof Volume | typeof Snapshot, size: string): Promise<Row[]> => {
      const qb = m.createQueryBuilder(entity, 'x').select('x.project_id', 'project').addSelect('x.volume_type_id', 'type')
        .addSelect('COUNT(*)', 'n').addSelect(`COALESCE(SUM(x.${size}), 0)`, 'gb')
        .where('x.deleted = :d', { d: false }).andWhere('(x.use_quota IS NULL OR x.use_quota = :u)', { u: true })
        .groupBy('x.project_id').addGroupBy('x.volume_type_id');
      if (projectId !== null) qb.andWhere('x.project_id = :p', { p: projectId });
      return qb.getRawMany<Row>();
    };
    const names = new Map((await m.find(VolumeType)).map((t) => [t.id, t.name]));
    const out = new Map<string, Record<string, number>>();
    const add = (rows: Row[], deltas: typeof volumeDeltas): void => {
      for (const r of rows) {
        if (!r.project) continue;
        const acc = out.get(r.project) ?? {};
        const typeName = r.type ? names.get(r.type) ?? null : null;
        for (const [res, d] of Object.entries(deltas(Number(r.gb), typeName, Number(r.n)))) acc[res] = (acc[res] ?? 0) + d;
        acc.volumes ??= 0;
        acc.gigabytes ??= 0;
        out.set(r.project, acc);
      }
    };
    add(await grouped(Volume, 'size'), volumeDeltas);
    add(await grouped(Snapshot, 'volume_size'), snapshotDeltas);
    return out;
  }

  /**
   * Usage refresh (cinder-manage quota sync, done by the periodic pass): set in_use of the
   * volume resources to what the volumes table holds, for every project where they differ.
   * Each project is re-counted with its usage rows locked, so no commit runs in between.
   * Returns the [project, resource, was, now] that were corrected.
   */
  async sync(): Promise<Array<[string, string, number, number]>> {
    const counted = await this.countedIn(this.ds.manager, null);
    const usages = await this.ds.getRepository(QuotaUsage).findBy({ deleted: false });
    const suspects = new Set<string>();
    const byProject = new Map<string, Record<string, number>>();
    for (const u of usages) {
      if (!u.projectId || !u.resource || !countsVolumes(u.resource)) continue;
      (byProject.get(u.projectId) ?? byProject.set(u.projectId, {}).get(u.projectId)!)[u.resource] = u.inUse;
    }
    for (const [p, want] of counted) for (const [r, n] of Object.entries(want)) if ((byProject.get(p)?.[r] ?? 0) !== n) suspects.add(p);
    for (const [p, have] of byProject) for (const [r, n] of Object.entries(have)) if (n !== (counted.get(p)?.[r] ?? 0)) suspects.add(p);
    const fixed: Array<[string, string, number, number]> = [];
    for (const p of suspects) fixed.push(...await this.syncProject(p));
    for (const [p, r, was, is] of fixed) LOG.warning(`Quota usage of ${r} for project ${p} was ${was}, the volumes hold ${is}: corrected`);
    return fixed;
  }

  private async syncProject(projectId: string): Promise<Array<[string, string, number, number]>> {
    const want = (await this.countedIn(this.ds.manager, projectId)).get(projectId) ?? {};
    await this.ensureUsageRows(projectId, Object.keys(want).sort());
    const work = async (m: EntityManager): Promise<Array<[string, string, number, number]>> => {
      const qb = m.createQueryBuilder(QuotaUsage, 'u').where('u.project_id = :p AND u.deleted = :d', { p: projectId, d: false }).orderBy('u.resource');
      if (!this.isSqlite) qb.setLock('pessimistic_write');
      const rows = (await qb.getMany()).filter((u) => u.resource && countsVolumes(u.resource));
      // Counted again under the lock: a create or delete commits with its row, so this is exact.
      const now2 = (await this.countedIn(m, projectId)).get(projectId) ?? {};
      const out: Array<[string, string, number, number]> = [];
      for (const u of rows) {
        const n = now2[u.resource!] ?? 0;
        if (u.inUse === n) continue;
        await m.update(QuotaUsage, { id: u.id }, { inUse: n, updatedAt: now() });
        out.push([projectId, u.resource!, u.inUse, n]);
      }
      return out;
    };
    // READ COMMITTED on MariaDB: the count after the lock sees every commit made before it.
    if (this.isSqlite) return this.tx(work, `quota sync of ${projectId}`);
    return withDbRetry(() => this.ds.transaction('READ COMMITTED', work), { what: `quota sync of ${projectId}` });
  }
}

/** Thrown inside the transaction to roll it back when a limit refused the raise. */
class OverQuotaSignal extends Error {
  constructor() { super('over quota'); }
}

/**
 * One compare-and-swap UPDATE raising `column` of a project's usage rows for `n` resources, each
 * by its own delta and only while its own limit holds (a negative limit is none): a row its
 * limit refuses, or a missing row, is not changed, so fewer than `n` rows changed means a
 * refusal. One statement text per (column, n).
 */
function raiseAll(column: 'reserved' | 'in_use', n: number): string {
  const each = (then: string): string => `CASE resource ${Array(n).fill(`WHEN ? THEN ${then}`).join(' ')} END`;
  return `UPDATE quota_usages SET ${column} = ${column} + ${each('?')}, updated_at = ? WHERE project_id = ? AND resource IN (${Array(n).fill('?').join(', ')}) `
    + `AND deleted = ? AND ${each('(? < 0 OR in_use + reserved + ? <= ?)')}`;
}

function raiseParams(projectId: string, rows: Array<{ resource: string; delta: number; limit: number }>, stamp: unknown): unknown[] {
  return [...rows.flatMap((r) => [r.resource, r.delta]), stamp, projectId, ...rows.map((r) => r.resource), false,
    ...rows.flatMap((r) => [r.resource, r.limit, r.delta, r.limit])];
}

/** Cinder's check: a positive delta goes over when limit >= 0 and limit < delta + in_use + reserved. */
export function overQuota(deltas: Record<string, number>, limits: Record<string, number>, usages: Record<string, UsageRow>): OverQuotaInfo {
  const full: Record<string, UsageRow> = {};
  for (const r of Object.keys(deltas)) full[r] = usages[r] ?? { in_use: 0, reserved: 0 };
  const overs = Object.keys(deltas).filter((r) => {
    const limit = limits[r] ?? -1;
    return limit >= 0 && deltas[r] >= 0 && limit < deltas[r] + full[r].in_use + full[r].reserved;
  }).sort();
  return { overs, quotas: { ...limits }, usages: full };
}
