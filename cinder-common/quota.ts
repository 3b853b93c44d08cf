// The quota engine (cinder/quota.py VolumeTypeQuotaEngine + GroupQuotaEngine, DbQuotaDriver,
// quota_utils.process_reserve_over_quota): which resources exist, where a limit comes from
// (the project's own row, else the `default` quota class, else the [DEFAULT] quota_* option),
// and the reservations of a volume create or extend, with Cinder's over-quota errors.
import type { DataSource, EntityManager } from 'typeorm';
import type { CinderConf } from './config';
import { fastSelect } from '../common/db/fast-select';
import { VolumeType } from './entities';
import {
  GroupLimitExceeded, OverQuota, QuotaResourceUnknown, SnapshotLimitExceeded, UnexpectedOverQuota, VolumeLimitExceeded, VolumeSizeExceedsAvailableQuota, VolumeSizeExceedsLimit,
} from './exception';
import { QuotaDB, overQuota, snapshotDeltas, volumeDeltas, type OverQuotaInfo } from './quota-db';

export { QuotaDB, snapshotDeltas, volumeDeltas } from './quota-db';

/** The `default` quota class: its rows are the defaults (use_default_quota_class). */
export const DEFAULT_QUOTA_CLASS = 'default';
/** Keys a quota set may carry besides resources (quota.NON_QUOTA_KEYS). */
export const NON_QUOTA_KEYS = ['tenant_id', 'id'];
/** Resources whose type-specific twins exist for every volume type. */
const TYPE_PARTS = ['volumes', 'gigabytes', 'snapshots'];

export interface QuotaOptions {
  quota_volumes: number;
  quota_snapshots: number;
  quota_gigabytes: number;
  quota_backups: number;
  quota_backup_gigabytes: number;
  quota_groups: number;
  per_volume_size_limit: number;
  use_default_quota_class: boolean;
  reservation_expire: number;
}

export function quotaOptions(conf: CinderConf): QuotaOptions {
  const d = conf.DEFAULT;
  return {
    quota_volumes: d.quota_volumes, quota_snapshots: d.quota_snapshots, quota_gigabytes: d.quota_gigabytes, quota_backups: d.quota_backups,
    quota_backup_gigabytes: d.quota_backup_gigabytes, quota_groups: d.quota_groups, per_volume_size_limit: d.per_volume_size_limit,
    use_default_quota_class: d.use_default_quota_class, reservation_expire: d.reservation_expire,
  };
}

export const QUOTA_DEFAULTS: QuotaOptions = {
  quota_volumes: 10, quota_snapshots: 10, quota_gigabytes: 1000, quota_backups: 10, quota_backup_gigabytes: 1000, quota_groups: 10,
  per_volume_size_limit: -1, use_default_quota_class: true, reservation_expire: 86400,
};

export interface ProjectQuota { limit: number; in_use?: number; reserved?: number }

export class QuotaEngine {
  readonly db: QuotaDB;

  constructor(ds: DataSource, readonly opts: QuotaOptions = QUOTA_DEFAULTS) {
    this.db = new QuotaDB(ds);
  }

  /**
   * Every resource with the default its option gives, in Cinder's order: the global ones, the
   * three of each live volume type (no option: -1), then groups (GROUP_QUOTAS).
   */
  async resources(): Promise<Array<[string, number]>> {
    const types = await fastSelect(this.db.ds, VolumeType).find({ deleted: false }, [['createdAt', 'ASC'], ['id', 'ASC']]);
    return this.resourcesOf(types.map((t) => t.name ?? ''));
  }

  /** The resources and their option defaults, given the live types' names (oldest first). */
  private resourcesOf(typeNames: string[]): Array<[string, number]> {
    const o = this.opts;
    const out: Array<[string, number]> = [['volumes', o.quota_volumes], ['per_volume_gigabytes', o.per_volume_size_limit],
      ['snapshots', o.quota_snapshots], ['gigabytes', o.quota_gigabytes], ['backups', o.quota_backups],
      ['backup_gigabytes', o.quota_backup_gigabytes]];
    for (const name of typeNames) for (const part of TYPE_PARTS) out.push([`${part}_${name}`, -1]);
    out.push(['groups', o.quota_groups]);
    return out;
  }

  async resourceNames(): Promise<Set<string>> {
    return new Set((await this.resources()).map(([n]) => n));
  }

  /** get_defaults: the `default` class's value, else the option's. */
  async defaults(resources?: Array<[string, number]>): Promise<Record<string, number>> {
    const cls = this.opts.use_default_quota_class ? await this.db.classGetAllByName(DEFAULT_QUOTA_CLASS) : {};
    return Object.fromEntries((resources ?? await this.resources()).map(([n, dflt]) => [n, cls[n] ?? dflt]));
  }

  /** get_class_quotas(defaults=True): the class's own values over the defaults. */
  async classQuotas(className: string): Promise<Record<string, number>> {
    const [own, defaults] = await Promise.all([this.db.classGetAllByName(className), this.db.classGetAllByName(DEFAULT_QUOTA_CLASS)]);
    return Object.fromEntries((await this.resources()).map(([n, dflt]) => [n, own[n] ?? defaults[n] ?? dflt]));
  }

  /**
   * get_project_quotas: the project's own limit, else the default (the request context has no
   * quota class here, as Cinder's without one). `defaults: false` keeps only the project's own rows.
   */
  async projectQuotas(projectId: string, o: { usages?: boolean; defaults?: boolean } = {}): Promise<Record<string, ProjectQuota>> {
    // One statement for the types, the project's limits, the default class and the usages.
    const rows = await this.db.projectLimitRows(projectId, this.opts.use_default_quota_class ? DEFAULT_QUOTA_CLASS : null, !!o.usages);
    const out: Record<string, ProjectQuota> = {};
    for (const [n, dflt] of this.resourcesOf(rows.typeNames)) {
      if (o.defaults === false && !(n in rows.own)) continue;
      out[n] = { limit: rows.own[n] ?? rows.cls[n] ?? dflt };
      if (o.usages) out[n] = { ...out[n], in_use: rows.usages[n]?.in_use ?? 0, reserved: rows.usages[n]?.reserved ?? 0 };
    }
    return out;
  }

  /** per_volume_gigabytes against `size`, from the project's limits. */
  private static checkSize(all: Record<string, ProjectQuota>, size: number): void {
    const { per_volume_gigabytes: limit } = limitsIn(all, ['per_volume_gigabytes']);
    if (limit >= 0 && limit < size) throw new VolumeSizeExceedsLimit({ size, limit });
  }

  /** QuotaReserveTask's first step / extend's: the per_volume_gigabytes limit. */
  async checkVolumeSize(projectId: string, size: number): Promise<void> {
    QuotaEngine.checkSize(await this.projectQuotas(projectId), size);
  }

  /** QUOTAS.reserve: the uuids of the reservations, or OverQuota (with overs, quotas and usages). */
  async reserve(projectId: string, deltas: Record<string, number>, all?: Record<string, ProjectQuota>,
    uuidOf?: (resource: string) => string): Promise<string[]> {
    const limits = limitsIn(all ?? await this.projectQuotas(projectId), Object.keys(deltas));
    const expire = new Date(Date.now() + this.opts.reservation_expire * 1000);
    const r = await this.db.reserve(projectId, deltas, limits, expire, uuidOf);
    if (Array.isArray(r)) return r;
    throw new OverQuota({ overs: r.overs, quotas: r.quotas, usages: r.usages });
  }

  /** A new volume's first check (QuotaReserveTask's): the per-volume limit. Returns the project's limits for createVolume. */
  async checkVolumeCreate(projectId: string, size: number): Promise<Record<string, ProjectQuota>> {
    const all = await this.projectQuotas(projectId);
    QuotaEngine.checkSize(all, size);
    return all;
  }

  /**
   * A new volume's row written by `write` and its usage (volumes, gigabytes and the type's)
   * counted in the same transaction, within the limits `all` gives (from checkVolumeCreate).
   * Cinder reserves, writes the row, then commits: the same at rest, in one step here.
   */
  async createVolume<T>(projectId: string, size: number, typeName: string | null, all: Record<string, ProjectQuota>,
    write: (m: EntityManager) => Promise<T>, extra: Record<string, number> = {}): Promise<T> {
    const deltas = volumeDeltas(size, typeName);
    // `extra`: more usage counted with it (a transfer's snapshots), each resource summed.
    for (const [r, d] of Object.entries(extra)) deltas[r] = (deltas[r] ?? 0) + d;
    const r = await this.db.consumeWith(projectId, deltas, limitsIn(all, Object.keys(deltas)), write, `volume create for ${projectId}`);
    if ('done' in r) return r.done;
    throw overQuotaError(r, 'volumes', size);
  }

  /** The project's limits with every one lifted: a count of what already exists, which never refuses. */
  async unlimited(projectId: string): Promise<Record<string, ProjectQuota>> {
    return Object.fromEntries(Object.entries(await this.projectQuotas(projectId)).map(([r, q]) => [r, { ...q, limit: -1 }]));
  }

  /**
   * A managed volume's gigabytes (and its type's), counted by `write`'s transaction once the
   * backend told its size: the volume itself was counted when cinder-api wrote its row (the
   * manager's QuotaReserveTask with update_size). Over a limit: as createVolume.
   */
  async growVolume<T>(projectId: string, size: number, typeName: string | null, all: Record<string, ProjectQuota>, write: (m: EntityManager) => Promise<T>): Promise<T> {
    const deltas = volumeDeltas(size, typeName, 0);
    const r = await this.db.consumeWith(projectId, deltas, limitsIn(all, Object.keys(deltas)), write, `managed volume of ${projectId}`);
    if ('done' in r) return r.done;
    throw overQuotaError(r, 'volumes', size);
  }

  /**
   * create_snapshot_in_db's reservation: the snapshot's row written by `write` and its usage
   * (snapshots, gigabytes of its volume's size, and the type's twins) counted in one
   * transaction, as createVolume. Over a limit: process_reserve_over_quota for snapshots.
   */
  async createSnapshot<T>(projectId: string, size: number, typeName: string | null, write: (m: EntityManager) => Promise<T>): Promise<T> {
    const deltas = snapshotDeltas(size, typeName);
    const all = await this.projectQuotas(projectId);
    const r = await this.db.consumeWith(projectId, deltas, limitsIn(all, Object.keys(deltas)), write, `snapshot create for ${projectId}`);
    if ('done' in r) return r.done;
    throw overQuotaError(r, 'snapshots', size);
  }

  /**
   * GROUP_QUOTAS' reserve and commit of one group, as one step: its row written by `write` and
   * `groups` counted in the same transaction. Over the limit: GroupLimitExceeded (413).
   */
  async createGroup<T>(projectId: string, write: (m: EntityManager) => Promise<T>): Promise<T> {
    const all = await this.projectQuotas(projectId);
    const r = await this.db.consumeWith(projectId, { groups: 1 }, limitsIn(all, ['groups']), write, `group create for ${projectId}`);
    if ('done' in r) return r.done;
    throw new GroupLimitExceeded({ allowed: r.quotas.groups, name: 'groups' });
  }

  /**
   * A group made from a source: the group and its new volumes (each as a create counts it) in one
   * transaction with `write`. Over a limit: GroupLimitExceeded when it is the groups', else the
   * volume create's error.
   */
  async createGroupWithVolumes<T>(projectId: string, volumes: Array<{ size: number; typeName: string | null }>, write: (m: EntityManager) => Promise<T>): Promise<T> {
    const deltas: Record<string, number> = { groups: 1 };
    for (const v of volumes) for (const [r, d] of Object.entries(volumeDeltas(v.size, v.typeName))) deltas[r] = (deltas[r] ?? 0) + d;
    const all = await this.projectQuotas(projectId);
    const r = await this.db.consumeWith(projectId, deltas, limitsIn(all, Object.keys(deltas)), write, `group create for ${projectId}`);
    if ('done' in r) return r.done;
    if (r.overs.includes('groups')) throw new GroupLimitExceeded({ allowed: r.quotas.groups, name: 'groups' });
    throw overQuotaError(r, 'volumes', volumes[0]?.size ?? 0);
  }

  /** A group snapshot's snapshots (_create_snapshots_in_db_reserve), counted in one transaction with `write`. */
  async createSnapshots<T>(projectId: string, snapshots: Array<{ size: number; typeName: string | null }>, write: (m: EntityManager) => Promise<T>): Promise<T> {
    const deltas: Record<string, number> = {};
    for (const s of snapshots) for (const [r, d] of Object.entries(snapshotDeltas(s.size, s.typeName))) deltas[r] = (deltas[r] ?? 0) + d;
    const all = await this.projectQuotas(projectId);
    const r = await this.db.consumeWith(projectId, deltas, limitsIn(all, Object.keys(deltas)), write, `snapshots create for ${projectId}`);
    if ('done' in r) return r.done;
    throw overQuotaError(r, 'snapshots', deltas.gigabytes ?? 0);
  }

  /**
   * _extend: the per-volume limit on the new size, then the size increase reserved under the
   * uuids `uuidOf` gives (extendReservationUuid: the reconciler can find them without the cast).
   */
  async reserveVolumeExtend(projectId: string, newSize: number, increase: number, typeName: string | null,
    uuidOf?: (resource: string) => string): Promise<string[]> {
    const all = await this.projectQuotas(projectId);
    QuotaEngine.checkSize(all, newSize);
    const deltas: Record<string, number> = { gigabytes: increase };
    if (typeName !== null) deltas[`gigabytes_${typeName}`] = increase;
    try {
      return await this.reserve(projectId, deltas, all, uuidOf);
    } catch (e) {
      if (!(e instanceof OverQuota)) throw e;
      // Cinder reports the global gigabytes usage whichever of the two went over.
      const info = e.kwargs as unknown as OverQuotaInfo;
      const g = info.usages.gigabytes;
      throw new VolumeSizeExceedsAvailableQuota({ requested: increase, consumed: g.reserved + g.in_use, quota: info.quotas.gigabytes });
    }
  }

  /**
   * retype's get_volume_type_reservation, both sides (reserve_vol_type_only): the new type's
   * volumes and gigabytes reserved (within its limits), the old type's given back (negative,
   * never refused; skipped when that type's resources are gone with the type). `uuidOf` names
   * each by its side. Over quota is process_reserve_over_quota's error for volumes.
   */
  async reserveVolumeRetype(projectId: string, size: number, oldType: string | null, newType: string,
    uuidOf: (side: 'new' | 'old', resource: string) => string): Promise<string[]> {
    const all = await this.projectQuotas(projectId);
    const side = new Map<string, 'new' | 'old'>();
    const deltas: Record<string, number> = {};
    for (const [r, d] of Object.entries(volumeDeltas(size, newType))) if (r !== 'volumes' && r !== 'gigabytes') { deltas[r] = d; side.set(r, 'new'); }
    if (oldType !== null) {
      for (const [r, d] of Object.entries(volumeDeltas(size, oldType))) {
        if (r !== 'volumes' && r !== 'gigabytes' && r in all && !(r in deltas)) { deltas[r] = -d; side.set(r, 'old'); }
      }
    }
    try {
      return await this.reserve(projectId, deltas, all, (r) => uuidOf(side.get(r) ?? 'new', r));
    } catch (e) {
      if (!(e instanceof OverQuota)) throw e;
      throw overQuotaError(e.kwargs as unknown as OverQuotaInfo, 'volumes', size);
    }
  }

  commit(uuids: string[]): Promise<void> { return this.db.commit(uuids); }
  rollback(uuids: string[]): Promise<void> { return this.db.rollback(uuids); }
}

/** The limits of `resources` among the project's quotas; an unknown one is QuotaResourceUnknown. */
function limitsIn(all: Record<string, ProjectQuota>, resources: string[]): Record<string, number> {
  const unknown = resources.filter((r) => !(r in all));
  if (unknown.length) throw new QuotaResourceUnknown({ unknown: `[${unknown.sort().map((u) => `'${u}'`).join(', ')}]` });
  return Object.fromEntries(resources.map((r) => [r, all[r].limit]));
}

/** process_reserve_over_quota for volumes or snapshots: the first over (sorted) names the error. */
export function overQuotaError(info: OverQuotaInfo, resource: 'volumes' | 'snapshots', size: number): Error {
  const consumed = (r: string): number => info.usages[r].reserved + info.usages[r].in_use;
  for (const over of info.overs) {
    if (over.includes('gigabytes')) {
      return new VolumeSizeExceedsAvailableQuota({ name: over, requested: size, consumed: consumed(over), quota: info.quotas[over] });
    }
    if (resource === 'volumes' && over.startsWith('snapshots')) return new SnapshotLimitExceeded({ allowed: info.quotas[over], name: over });
    if (over.includes(resource)) {
      return resource === 'snapshots' ? new SnapshotLimitExceeded({ allowed: info.quotas[over], name: over }) : new VolumeLimitExceeded({ allowed: info.quotas[over], name: over });
    }
  }
  return new UnexpectedOverQuota({ name: info.overs.join(', ') });
}

export { overQuota };
