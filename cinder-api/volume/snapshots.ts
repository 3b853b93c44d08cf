// Volume snapshots (cinder/volume/api.py *_snapshot*, the v3 snapshots controller's checks and
// the snapshot admin actions). A create records the snapshot 'creating' with its metadata and
// quota in one transaction, then casts create_snapshot to the volume's backend; a delete swaps
// the status to 'deleting' first and casts delete_snapshot. A cast the broker refuses undoes the
// create (the row and its quota go) or puts the delete's status back, and answers 503; one lost
// after it is taken is the reconciler's (cinder-volume/reconciler.ts).
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context';
import { getLogger } from '../../common/log';
import { Snapshot, type SnapshotStatus, type Volume } from '../../cinder-common/entities';
import { InvalidSnapshot, InvalidVolume, SnapshotNotFound } from '../../cinder-common/exception';
import { SnapshotDB, type SnapshotValues } from '../../cinder-common/snapshot-db';
import { notifySnapshotUsage } from '../../cinder-common/volume-usage';
import { QuotaEngine } from '../../cinder-common/quota';
import { MIGRATION_IDLE } from '../../cinder-common/volume-status';
import type { VolumeAPI } from './api';

const LOG = getLogger('cinder-api.snapshots');

export const SNAPSHOT_POLICY = {
  get: 'volume:get_snapshot',
  getAll: 'volume:get_all_snapshots',
  create: 'volume:create_snapshot',
  update: 'volume:update_snapshot',
  delete: 'volume:delete_snapshot',
  extendAttribute: 'volume_extension:extended_snapshot_attributes',
  getMetadata: 'volume:get_snapshot_metadata',
  updateMetadata: 'volume:update_snapshot_metadata',
  deleteMetadata: 'volume:delete_snapshot_metadata',
  resetStatus: 'volume_extension:snapshot_admin_actions:reset_status',
  forceDelete: 'volume_extension:snapshot_admin_actions:force_delete',
  updateStatus: 'snapshot_extension:snapshot_actions:update_snapshot_status',
  manage: 'snapshot_extension:snapshot_manage',
  unmanage: 'snapshot_extension:snapshot_unmanage',
} as const;

/** What os-update_snapshot_status may move a snapshot to, by its status now. */
const STATUS_MAP: Partial<Record<string, SnapshotStatus[]>> = {
  creating: ['creating', 'available', 'error'],
  deleting: ['deleting', 'error_deleting'],
};

export interface SnapshotCreate {
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  /** force (below 3.66) or allow_in_use (3.66): an in-use volume may be snapshotted. */
  inUse: boolean;
}

export class SnapshotAPI {
  readonly db: SnapshotDB;

  constructor(readonly volumes: VolumeAPI) {
    this.db = new SnapshotDB(volumes.d.db.ds);
  }

  private get quota(): QuotaEngine | null { return this.volumes.d.quota ?? null; }

  async notify(ctx: RequestContext, s: Snapshot, suffix: string): Promise<void> {
    await notifySnapshotUsage(this.volumes.d.notifier, ctx, s, suffix, async () => ({
      availabilityZone: (await this.volumes.d.db.volumes.findOneBy({ id: s.volumeId }))?.availabilityZone ?? null,
      metadata: (await this.db.metadataOf([s.id])).get(s.id) ?? {},
    }));
  }

  /** objects.Snapshot.get_by_id: admins see every snapshot, others their project's (404 otherwise). */
  async find(ctx: RequestContext, id: string): Promise<Snapshot> {
    const s = await this.db.get(id, ctx.isAdmin ? null : ctx.projectId);
    if (!s) throw new SnapshotNotFound({ snapshot_id: id });
    return s;
  }

  /** get_snapshot: find, then volume:get_snapshot. */
  async get(ctx: RequestContext, id: string): Promise<Snapshot> {
    const s = await this.find(ctx, id);
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.get, s as unknown as Volume);
    return s;
  }

  /** get_all_snapshots: the caller's project's, or every project's for an admin asking all_tenants. */
  async list(ctx: RequestContext, allTenants: boolean): Promise<Snapshot[]> {
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.getAll);
    return this.db.list(ctx.isAdmin && allTenants ? null : ctx.projectId ?? '');
  }

  /** _create_snapshot_in_db_validate: where a snapshot cannot be taken at all. */
  private validateVolume(ctx: RequestContext, v: Volume): void {
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.create, v);
    if (!v.host) throw new InvalidVolume({ reason: 'The snapshot cannot be created because volume has not been scheduled to any host.' });
    if (v.status === 'maintenance') throw new InvalidVolume({ reason: 'The snapshot cannot be created when the volume is in maintenance mode.' });
    if (v.migrationStatus && !MIGRATION_IDLE.includes(v.migrationStatus)) throw new InvalidVolume({ reason: 'Snapshot cannot be created while volume is migrating.' });
    if (v.status === 'error') throw new InvalidVolume({ reason: 'The snapshot cannot be created when the volume is in error status.' });
    if ((v.status ?? '').startsWith('replica_')) throw new InvalidVolume({ reason: 'Snapshot of secondary replica is not allowed.' });
  }

  /**
   * create_snapshot / create_snapshot_force: the checks, then in one transaction the row, its
   * metadata and the project's usage (snapshots and the volume's gigabytes, with the type's
   * twins), the volume's status checked again inside it; then the cast.
   */
  async create(ctx: RequestContext, v: Volume, r: SnapshotCreate, ref?: unknown): Promise<Snapshot> {
    this.validateVolume(ctx, v);
    const valid = r.inUse ? ['available', 'in-use'] : ['available'];
    if (!valid.includes(v.status ?? '')) {
      throw new InvalidVolume({ reason: `Volume ${v.id} status must be ${valid.join(', ')}, but current status is: ${v.status}.` });
    }
    const t = new Date();
    const s = Object.assign(new Snapshot(), {
      id: randomUUID(), volumeId: v.id, userId: ctx.userId ?? null, projectId: ctx.projectId ?? null, status: 'creating', progress: '0%',
      volumeSize: v.size, scheduledAt: null, displayName: r.name, displayDescription: r.description, providerLocation: null,
      encryptionKeyId: v.encryptionKeyId, volumeTypeId: v.volumeTypeId, cgsnapshotId: null, groupSnapshotId: null, providerId: null,
      providerAuth: null, useQuota: true, createdAt: t, updatedAt: null, deletedAt: null, deleted: false,
    } satisfies Snapshot);
    const write = (m: Parameters<SnapshotDB['createIn']>[0]): Promise<Snapshot> => this.db.createIn(m, s, r.metadata, valid);
    if (this.quota) {
      const typeName = (await this.volumes.d.db.typeNames([v.volumeTypeId])).get(v.volumeTypeId) ?? null;
      await this.quota.createSnapshot(ctx.projectId ?? '', v.size ?? 0, typeName, write);
    } else {
      await this.volumes.d.db.ds.transaction((m) => write(m));
    }
    try {
      // `ref`: a manage (manage_existing_snapshot) takes the backend's object instead of a new copy.
      if (ref !== undefined) await this.volumes.d.rpc.manageExistingSnapshot(ctx, v, s, ref);
      else await this.volumes.d.rpc.createSnapshot(ctx, v, s);
    } catch (e) {
      // Nothing is left of a create the broker refused: the row goes with its quota (one
      // transaction), and the caller sees the outage (503) and may try again. Should the
      // database be gone too, the reconciler ends the row in error after lost_cast_timeout.
      LOG.exception(`Could not cast create_snapshot for ${s.id}`, e, { context: ctx });
      await this.db.destroy(s, { status: 'creating' }).catch((e2: unknown) => LOG.warning(`Snapshot ${s.id} left creating: ${(e2 as Error).message}`));
      throw e;
    }
    LOG.info(`Snapshot create request issued successfully: ${s.id}`, { context: ctx });
    return s;
  }

  /**
   * delete_snapshot: a compare-and-swap to 'deleting' (available or error, unless forced; never
   * in a group), then the cast. A cast the broker refuses puts the status back.
   */
  async delete(ctx: RequestContext, s: Snapshot, force = false, unmanageOnly = false): Promise<void> {
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.delete, s as unknown as Volume);
    const expected = { cgsnapshotId: null, groupSnapshotId: null, ...(force ? {} : { status: ['available', 'error'] as SnapshotStatus[] }) };
    // An unmanage is the same delete whose backend keeps the object: 'unmanaging'.
    const status: SnapshotStatus = unmanageOnly ? 'unmanaging' : 'deleting';
    if (!await this.db.conditionalUpdate(s.id, expected, { status })) {
      const status = force ? '' : 'status must be available or error and';
      throw new InvalidSnapshot({ reason: `Snapshot ${status} must not be part of a group.` });
    }
    const v = await this.volumes.d.db.volumeGet(s.volumeId);
    if (!v?.host) {
      // No backend holds it (its volume was never scheduled, or is gone): only the row and its quota.
      await this.db.destroy(s, { status });
      return;
    }
    try {
      await this.volumes.d.rpc.deleteSnapshot(ctx, v, s, unmanageOnly);
    } catch (e) {
      LOG.exception(`Could not cast delete_snapshot for ${s.id}`, e, { context: ctx });
      await this.db.conditionalUpdate(s.id, { status }, { status: s.status });
      throw e;
    }
    LOG.info(`Snapshot delete request issued successfully: ${s.id}`, { context: ctx });
  }

  /** update_snapshot: the name and description (volume:update_snapshot), with snapshot.update.* around it. */
  async update(ctx: RequestContext, s: Snapshot, values: Pick<SnapshotValues, 'displayName' | 'displayDescription'>): Promise<Snapshot> {
    await this.notify(ctx, s, 'update.start');
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.update, s as unknown as Volume);
    await this.db.conditionalUpdate(s.id, {}, values);
    const updated = { ...s, ...values };
    await this.notify(ctx, updated, 'update.end');
    return updated;
  }

  /** os-reset_status (admin): the status as given, nothing expected, with snapshot.reset_status.* around it. */
  async resetStatus(ctx: RequestContext, s: Snapshot, status: SnapshotStatus): Promise<void> {
    await this.notify(ctx, s, 'reset_status.start');
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.resetStatus, s as unknown as Volume);
    await this.db.conditionalUpdate(s.id, {}, { status });
    await this.notify(ctx, { ...s, status }, 'reset_status.end');
  }

  /** os-update_snapshot_status: a creating snapshot to available or error, a deleting one to error_deleting (STATUS_MAP). */
  async updateStatus(ctx: RequestContext, s: Snapshot, status: string, progress: string | null): Promise<void> {
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.updateStatus, s as unknown as Volume);
    const allowed = STATUS_MAP[s.status ?? ''];
    if (!allowed) throw new InvalidSnapshot({}, `Snapshot status ${s.status} not allowed for update_snapshot_status`);
    if (!allowed.includes(status as SnapshotStatus)) {
      throw new InvalidSnapshot({}, `Provided snapshot status ${status} not allowed for snapshot with status ${s.status}.`);
    }
    const ok = await this.db.conditionalUpdate(s.id, { status: s.status }, { status: status as SnapshotStatus, ...(progress ? { progress } : {}) });
    if (!ok) throw new InvalidSnapshot({}, `Snapshot status ${s.status} not allowed for update_snapshot_status`);
  }

  async getMetadata(ctx: RequestContext, s: Snapshot): Promise<Record<string, string>> {
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.getMetadata, s as unknown as Volume);
    return (await this.db.metadataOf([s.id])).get(s.id) ?? {};
  }

  /** update_snapshot_metadata: merged (delete=False) or replacing; returns all of it. */
  async updateMetadata(ctx: RequestContext, s: Snapshot, meta: Record<string, string>, replace: boolean): Promise<Record<string, string>> {
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.updateMetadata, s as unknown as Volume);
    await this.db.metadataReplace(s.id, meta, !replace);
    return replace ? meta : (await this.db.metadataOf([s.id])).get(s.id) ?? {};
  }

  async deleteMetadata(ctx: RequestContext, s: Snapshot, key: string): Promise<void> {
    this.volumes.authorize(ctx, SNAPSHOT_POLICY.deleteMetadata, s as unknown as Volume);
    await this.db.metadataDeleteKey(s.id, key);
  }
}
