// A volume type's encryption in `encryption` (cinder/db/sqlalchemy/api.py
// volume_type_encryption_*): at most one live row per type; each write is one statement.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { fastSelect } from '../common/db/fast-select';
import type { CinderDB } from './db-api';
import { Encryption } from './entities';
import { VolumeTypeEncryptionNotFound } from './exception';

/** The columns a body may set (others are no column: Cinder's model ignores them on create). */
export interface EncryptionSpecs { provider?: string; control_location?: string; cipher?: string | null; key_size?: number | null }

const now = (): Date => new Date();

export class TypeEncryptionDB {
  constructor(private readonly db: CinderDB) {}

  private get ds(): DataSource { return this.db.ds; }
  private get rows() { return fastSelect(this.ds, Encryption); }

  async get(typeId: string): Promise<Encryption | null> {
    return this.rows.findOne({ volumeTypeId: typeId, deleted: false });
  }

  async create(typeId: string, s: EncryptionSpecs): Promise<Encryption> {
    return this.rows.insert(Object.assign(new Encryption(), {
      encryptionId: randomUUID(), volumeTypeId: typeId, provider: s.provider ?? null, controlLocation: s.control_location ?? null,
      cipher: s.cipher ?? null, keySize: s.key_size ?? null, createdAt: now(), updatedAt: null, deletedAt: null, deleted: false,
    }));
  }

  /** volume_type_encryption_update: the given columns of the live row (VolumeTypeEncryptionNotFound without one). */
  async update(typeId: string, s: EncryptionSpecs): Promise<void> {
    const values: Partial<Encryption> = { updatedAt: now() };
    if (s.provider !== undefined) values.provider = s.provider;
    if (s.control_location !== undefined) values.controlLocation = s.control_location;
    if (s.cipher !== undefined) values.cipher = s.cipher;
    if (s.key_size !== undefined) values.keySize = s.key_size;
    if (!await this.rows.update({ volumeTypeId: typeId, deleted: false }, values)) throw new VolumeTypeEncryptionNotFound({ type_id: typeId });
  }

  async delete(typeId: string): Promise<void> {
    if (!await this.rows.update({ volumeTypeId: typeId, deleted: false }, { deleted: true, deletedAt: now() })) {
      throw new VolumeTypeEncryptionNotFound({ type_id: typeId });
    }
  }

  /** volume_types_encryption_changed: one type encrypted and not the other, or both but differently. */
  async changed(typeA: string, typeB: string): Promise<boolean> {
    const [a, b] = await Promise.all([this.get(typeA), this.get(typeB)]);
    if (!a || !b) return (a === null) !== (b === null);
    return a.provider !== b.provider || a.cipher !== b.cipher || a.keySize !== b.keySize || a.controlLocation !== b.controlLocation;
  }
}
