// Volume type encryption (cinder/api/contrib/volume_type_encryption.py; admin only by default):
// a type's provider, cipher, key size and control location. No change while a live volume has
// the type. There is no key manager here, so a volume of an encrypted type cannot be made
// (volume create answers Cinder's "Key manager error", as Cinder does without Barbican).
import type { RequestContext } from '../../common/context';
import type { Encryption } from '../../cinder-common/entities';
import { Invalid, VolumeTypeEncryptionExists, VolumeTypeEncryptionNotFound } from '../../cinder-common/exception';
import { TypeEncryptionDB, type EncryptionSpecs } from '../../cinder-common/type-encryption-db';
import { isoTime } from '../views/volumes';
import type { VolumeAPI } from './api';


export const ENCRYPTION_POLICY = {
  create: 'volume_extension:volume_type_encryption:create',
  get: 'volume_extension:volume_type_encryption:get',
  update: 'volume_extension:volume_type_encryption:update',
  delete: 'volume_extension:volume_type_encryption:delete',
} as const;

/** The row as Cinder's index returns it: every column, in the model's order. */
export function encryptionDict(e: Encryption): Record<string, unknown> {
  return {
    created_at: isoTime(e.createdAt), updated_at: isoTime(e.updatedAt), deleted_at: isoTime(e.deletedAt), deleted: !!e.deleted,
    encryption_id: e.encryptionId, cipher: e.cipher, key_size: e.keySize, provider: e.provider, control_location: e.controlLocation,
    volume_type_id: e.volumeTypeId,
  };
}

export class TypeEncryptionAPI {
  readonly db: TypeEncryptionDB;

  constructor(private readonly api: VolumeAPI) {
    this.db = new TypeEncryptionDB(api.d.db);
  }

  private notify(ctx: RequestContext, event: string, payload: Record<string, unknown>): Promise<void> {
    return this.api.notifyAs(ctx, 'volumeTypeEncryption', event, payload);
  }


  private async inUse(typeId: string, what: 'create' | 'update' | 'delete'): Promise<void> {
    if (await this.api.d.db.typeInUse(typeId)) throw new Invalid({}, `Cannot ${what} encryption specs. Volume type in use.`);
  }

  /** The type's encryption as a dict, {} without one (the type must be one the caller sees). */
  async index(ctx: RequestContext, typeId: string): Promise<Record<string, unknown>> {
    this.api.authorize(ctx, ENCRYPTION_POLICY.get);
    await this.api.types.get(ctx, typeId);
    const e = await this.db.get(typeId);
    return e ? encryptionDict(e) : {};
  }

  /** One key of it (VolumeTypeEncryptionNotFound when it has no such key, or no encryption). */
  async show(ctx: RequestContext, typeId: string, key: string): Promise<Record<string, unknown>> {
    const all = await this.index(ctx, typeId);
    if (!Object.hasOwn(all, key)) throw new VolumeTypeEncryptionNotFound({ type_id: typeId });
    return { [key]: all[key] };
  }

  async create(ctx: RequestContext, typeId: string, specs: EncryptionSpecs): Promise<Encryption> {
    this.api.authorize(ctx, ENCRYPTION_POLICY.create);
    await this.inUse(typeId, 'create');
    await this.api.types.get(ctx, typeId);
    if (await this.db.get(typeId)) throw new VolumeTypeEncryptionExists({ type_id: typeId });
    const made = await this.db.create(typeId, specs);
    await this.notify(ctx, 'volume_type_encryption.create', { type_id: typeId, specs });
    return made;
  }

  async update(ctx: RequestContext, typeId: string, id: string, specs: EncryptionSpecs): Promise<void> {
    this.api.authorize(ctx, ENCRYPTION_POLICY.update);
    await this.api.types.get(ctx, typeId);
    await this.inUse(typeId, 'update');
    await this.db.update(typeId, specs);
    await this.notify(ctx, 'volume_type_encryption.update', { type_id: typeId, id });
  }

  async delete(ctx: RequestContext, typeId: string): Promise<void> {
    this.api.authorize(ctx, ENCRYPTION_POLICY.delete);
    await this.inUse(typeId, 'delete');
    await this.db.delete(typeId);
  }
}
