// The cinder database operations both processes use. Every status transition is one UPDATE
// guarded by the expected state (Cinder's conditional_update): callers check the boolean and
// raise, so two racing requests can never both win.
import { randomUUID } from 'node:crypto';
import { Brackets, In, type DataSource, type ObjectLiteral, type WhereExpressionBuilder } from 'typeorm';
import { Service, Volume, VolumeAdminMetadata, VolumeAttachment, VolumeMetadata } from './entities';

const now = (): Date => new Date();

/** Expected values: a scalar is equality, an array is IN (null inside means IS NULL too). */
export type Expected = Partial<Record<'status' | 'attachStatus' | 'migrationStatus' | 'multiattach', unknown>>;

const COLUMN: Record<keyof Expected, string> = {
  status: 'status', attachStatus: 'attach_status', migrationStatus: 'migration_status', multiattach: 'multiattach',
};

function whereExpected(qb: WhereExpressionBuilder, expected: Expected): void {
  let n = 0;
  for (const [k, v] of Object.entries(expected) as Array<[keyof Expected, unknown]>) {
    const col = COLUMN[k];
    const p = `e${n++}`;
    if (Array.isArray(v)) {
      const vals = v.filter((x) => x !== null);
      const withNull = vals.length !== v.length;
      qb.andWhere(new Brackets((b) => {
        if (vals.length) b.where(`${col} IN (:...${p})`, { [p]: vals });
        if (withNull) b.orWhere(`${col} IS NULL`);
        if (!vals.length && !withNull) b.where('1 = 0');
      }));
    } else if (v === null) {
      qb.andWhere(`${col} IS NULL`);
    } else {
      qb.andWhere(`${col} = :${p}`, { [p]: v });
    }
  }
}

export interface VolumeFilter {
  projectId?: string | null;
  name?: string;
  status?: string;
}

export class CinderDB {
  constructor(readonly ds: DataSource) {}

  get volumes() { return this.ds.getRepository(Volume); }
  get attachments() { return this.ds.getRepository(VolumeAttachment); }
  get metadata() { return this.ds.getRepository(VolumeMetadata); }
  get adminMetadata() { return this.ds.getRepository(VolumeAdminMetadata); }
  get services() { return this.ds.getRepository(Service); }

  /** A live volume; with projectId, only if it belongs to that project. */
  async volumeGet(id: string, projectId?: string | null): Promise<Volume | null> {
    const row = await this.volumes.findOneBy({ id, deleted: false });
    if (!row || (projectId !== undefined && projectId !== null && row.projectId !== projectId)) return null;
    return row;
  }

  async volumeList(f: VolumeFilter): Promise<Volume[]> {
    const where: ObjectLiteral = { deleted: false };
    if (f.projectId) where.projectId = f.projectId;
    if (f.name !== undefined) where.displayName = f.name;
    if (f.status !== undefined) where.status = f.status;
    return this.volumes.find({ where, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  async volumeCreate(values: Partial<Volume>): Promise<Volume> {
    const row = this.volumes.create({
      id: randomUUID(), status: 'creating', attachStatus: 'detached', bootable: false, multiattach: false, deleted: false,
      sharedTargets: true, useQuota: true, createdAt: now(), updatedAt: null, ...values,
    });
    await this.volumes.insert(row);
    return row;
  }

  /** UPDATE volumes SET values WHERE id=? AND <expected>; true when the row matched. */
  async volumeConditionalUpdate(id: string, values: Partial<Volume>, expected: Expected = {}): Promise<boolean> {
    const qb = this.volumes.createQueryBuilder().update().set({ ...values, updatedAt: now() })
      .where('id = :id AND deleted = :deleted', { id, deleted: false });
    whereExpected(qb, expected);
    const res = await qb.execute();
    return (res.affected ?? 0) > 0;
  }

  async volumeSoftDelete(id: string): Promise<void> {
    const t = now();
    await this.volumes.update({ id, deleted: false }, { deleted: true, deletedAt: t, updatedAt: t, status: 'deleted', terminatedAt: t });
    await this.metadata.update({ volumeId: id, deleted: false }, { deleted: true, deletedAt: t });
    await this.adminMetadata.update({ volumeId: id, deleted: false }, { deleted: true, deletedAt: t });
  }

  /** Volumes a backend owns (host@backend, with or without #pool). */
  async volumesOnHost(serviceHost: string): Promise<Volume[]> {
    return this.volumes.createQueryBuilder('v')
      .where('v.deleted = :d', { d: false })
      .andWhere(new Brackets((b) => b.where('v.host = :h', { h: serviceHost }).orWhere('v.host LIKE :p', { p: `${serviceHost}#%` })))
      .getMany();
  }

  async allocatedGb(serviceHost: string): Promise<number> {
    const row = await this.volumes.createQueryBuilder('v').select('COALESCE(SUM(v.size), 0)', 'total')
      .where('v.deleted = :d', { d: false })
      .andWhere(new Brackets((b) => b.where('v.host = :h', { h: serviceHost }).orWhere('v.host LIKE :p', { p: `${serviceHost}#%` })))
      .getRawOne<{ total: number | string }>();
    return Number(row?.total ?? 0);
  }

  // -- metadata --------------------------------------------------------------------------
  async metadataGet(volumeIds: string[], admin = false): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (!volumeIds.length) return out;
    const repo = admin ? this.adminMetadata : this.metadata;
    const rows = await repo.find({ where: { volumeId: In(volumeIds), deleted: false }, order: { id: 'ASC' } });
    for (const r of rows) {
      const m = out.get(r.volumeId) ?? {};
      m[r.key ?? ''] = r.value ?? '';
      out.set(r.volumeId, m);
    }
    return out;
  }

  /** Replace the user metadata of a volume (PUT semantics). */
  async metadataReplace(volumeId: string, meta: Record<string, string>): Promise<void> {
    const t = now();
    await this.metadata.update({ volumeId, deleted: false }, { deleted: true, deletedAt: t });
    const rows = Object.entries(meta).map(([key, value]) => ({ volumeId, key, value, createdAt: t, deleted: false }));
    if (rows.length) await this.metadata.insert(rows);
  }

  async adminMetadataSet(volumeId: string, key: string, value: string): Promise<void> {
    const t = now();
    const res = await this.adminMetadata.update({ volumeId, key, deleted: false }, { value, updatedAt: t });
    if (!res.affected) await this.adminMetadata.insert({ volumeId, key, value, createdAt: t, deleted: false });
  }

  /** Set key only when absent (update=False); returns the value the volume now has. */
  async adminMetadataAdd(volumeId: string, key: string, value: string): Promise<string> {
    const row = await this.adminMetadata.findOneBy({ volumeId, key, deleted: false });
    if (row) return row.value ?? '';
    await this.adminMetadata.insert({ volumeId, key, value, createdAt: now(), deleted: false });
    return value;
  }

  async adminMetadataDelete(volumeId: string, key: string): Promise<void> {
    await this.adminMetadata.update({ volumeId, key, deleted: false }, { deleted: true, deletedAt: now() });
  }

  // -- attachments -----------------------------------------------------------------------
  async attachmentsOf(volumeIds: string[]): Promise<VolumeAttachment[]> {
    if (!volumeIds.length) return [];
    return this.attachments.find({ where: { volumeId: In(volumeIds), deleted: false }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async attachmentGet(id: string): Promise<VolumeAttachment | null> {
    return this.attachments.findOneBy({ id, deleted: false });
  }

  async attachmentCreate(values: Partial<VolumeAttachment>): Promise<VolumeAttachment> {
    const row = this.attachments.create({ id: randomUUID(), deleted: false, createdAt: now(), updatedAt: null, ...values });
    await this.attachments.insert(row);
    return row;
  }

  async attachmentUpdate(id: string, values: Partial<VolumeAttachment>): Promise<void> {
    await this.attachments.update({ id, deleted: false }, { ...values, updatedAt: now() });
  }

  /** Soft-delete an attachment (deleted, attach_status detached, detach_time). */
  async attachmentDestroy(id: string): Promise<void> {
    const t = now();
    await this.attachments.update({ id, deleted: false }, { deleted: true, deletedAt: t, detachTime: t, attachStatus: 'detached', updatedAt: t });
  }

  // -- services --------------------------------------------------------------------------
  async serviceList(binary: string): Promise<Service[]> {
    return this.services.find({ where: { binary, deleted: false }, order: { id: 'ASC' } });
  }

  async serviceByHost(host: string, binary: string): Promise<Service | null> {
    return this.services.findOneBy({ host, binary, deleted: false });
  }
}
