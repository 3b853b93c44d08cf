// Volume transfers (cinder/transfer/api.py): a project offers an available volume, another
// project that holds the offer's id and auth key takes it. Only the key's HMAC is kept (with its
// salt), as Cinder's. An accept moves the volume and its quota in one transaction: the
// recipient's usage is raised within its limits, the donor's lowered, the offer marked accepted.
// The volume's snapshots move with it unless the offer says no_snapshots (their usage too); no
// volume here has an encryption key, so that step of Cinder's has nothing to do.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RequestContext } from '../../common/context';
import { getLogger } from '../../common/log';
import { Transfer } from '../../cinder-common/entities';
import { InvalidAuthKey, InvalidSnapshot, InvalidVolume } from '../../cinder-common/exception';
import { SnapshotDB } from '../../cinder-common/snapshot-db';
import { snapshotDeltas } from '../../cinder-common/quota';
import { QuotaDB } from '../../cinder-common/quota-db';
import { TransferDB } from '../../cinder-common/transfer-db';
import type { VolumeAPI } from './api';

const LOG = getLogger('cinder-api.transfer');

export const TRANSFER_POLICY = {
  create: 'volume:create_transfer',
  accept: 'volume:accept_transfer',
  delete: 'volume:delete_transfer',
  get: 'volume:get_transfer',
  getAll: 'volume:get_all_transfers',
} as const;

/** Cinder's volume_transfer_salt_length and volume_transfer_key_length. */
const SALT_LENGTH = 8;
const KEY_LENGTH = 16;

/** Hex characters only, so the recipient can type the key (Cinder's sha224 of random bytes). */
const randomHex = (n: number): string => createHash('sha224').update(randomBytes(255)).digest('hex').slice(0, n);
const cryptHash = (salt: string, authKey: string): string => createHmac('sha1', salt).update(authKey).digest('hex');

export interface Created { transfer: Transfer; authKey: string }

export class TransferAPI {
  readonly db: TransferDB;

  constructor(private readonly volumes: VolumeAPI) {
    this.db = new TransferDB(volumes.d.db);
  }

  /** Non-admins see offers of their own project's volumes only. */
  private scope(ctx: RequestContext): string | null {
    return ctx.isAdmin ? null : ctx.projectId ?? '';
  }

  async get(ctx: RequestContext, id: string): Promise<Transfer> {
    this.volumes.authorize(ctx, TRANSFER_POLICY.get);
    return this.db.get(id, this.scope(ctx));
  }

  async list(ctx: RequestContext, allTenants: boolean, filters: Partial<Record<keyof Transfer, unknown>>,
    order: Array<[keyof Transfer, 'ASC' | 'DESC']>): Promise<Transfer[]> {
    this.volumes.authorize(ctx, TRANSFER_POLICY.getAll);
    return this.db.list(ctx.isAdmin && allTenants ? null : ctx.projectId ?? '', filters, order);
  }

  async create(ctx: RequestContext, volumeId: string, name: string | null, noSnapshots: boolean): Promise<Created> {
    const v = await this.volumes.find(ctx, volumeId);
    this.volumes.authorize(ctx, TRANSFER_POLICY.create, v);
    if (v.status !== 'available') throw new InvalidVolume({ reason: 'status must be available' });
    // The snapshots go with the volume unless no_snapshots: each must be available.
    if (!noSnapshots) {
      for (const s of await new SnapshotDB(this.volumes.d.db.ds).ofVolume(v.id)) {
        if (s.status !== 'available') throw new InvalidSnapshot({ reason: `snapshot: ${s.id} status must be available` });
      }
    }
    await this.volumes.notify(ctx, v.id, 'transfer.create.start');
    const [salt, authKey] = [randomHex(SALT_LENGTH), randomHex(KEY_LENGTH)];
    const t = Object.assign(new Transfer(), {
      id: randomUUID(), volumeId: v.id, displayName: name, salt, cryptHash: cryptHash(salt, authKey), expiresAt: null, noSnapshots,
      sourceProjectId: v.projectId, destinationProjectId: null, accepted: false, createdAt: new Date(), updatedAt: null, deletedAt: null, deleted: false,
    });
    const made = await this.db.create(t);
    await this.volumes.notify(ctx, v.id, 'transfer.create.end');
    return { transfer: made, authKey };
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const t = await this.db.get(id, this.scope(ctx));
    const v = await this.volumes.find(ctx, t.volumeId);
    this.volumes.authorize(ctx, TRANSFER_POLICY.delete, v);
    await this.volumes.notify(ctx, v.id, 'transfer.delete.start');
    if (!await this.db.destroy(t)) LOG.error('Volume in unexpected state');
    await this.volumes.notify(ctx, v.id, 'transfer.delete.end');
  }

  /**
   * The offer's key checked, then the backend told (accept_transfer, a call as Cinder's), then
   * in one transaction the recipient's quota raised (per_volume_gigabytes first, 413 over a
   * limit), the volume moved and the donor's quota lowered.
   */
  async accept(ctx: RequestContext, id: string, authKey: string): Promise<Transfer> {
    this.volumes.authorize(ctx, TRANSFER_POLICY.accept);
    const t = await this.db.get(id, null);
    const want = Buffer.from(t.cryptHash ?? '');
    const got = Buffer.from(cryptHash(t.salt ?? '', authKey));
    if (want.length !== got.length || !timingSafeEqual(want, got)) {
      LOG.error(`Attempt to transfer ${id} with invalid auth key.`);
      throw new InvalidAuthKey({ reason: `Attempt to transfer ${id} with invalid auth key.` });
    }
    const v = await this.volumes.find(ctx.elevated(), t.volumeId);
    const size = v.size ?? 0;
    const typeName = (await this.volumes.d.db.typeNames([v.volumeTypeId])).get(v.volumeTypeId) ?? null;
    const quota = this.volumes.d.quota;
    const limits = quota ? await quota.checkVolumeCreate(ctx.projectId ?? '', size) : null;
    if (v.status !== 'awaiting-transfer') {
      throw new InvalidVolume({ reason: `Transfer ${t.id}: Volume id ${v.id} expected in awaiting-transfer state.` });
    }
    await this.volumes.notify(ctx, v.id, 'transfer.accept.start');
    if (v.host) await this.volumes.d.rpc.acceptTransfer(ctx, v, ctx.userId ?? null, ctx.projectId ?? null);
    // Unless no_snapshots, the volume's snapshots move with it, their usage too (transfer_accept).
    const snapshots = t.noSnapshots ? [] : await new SnapshotDB(this.volumes.d.db.ds).ofVolume(v.id);
    const snapshotUsage: Record<string, number> = {};
    for (const s of snapshots) {
      if (s.useQuota === false) continue;
      for (const [r, d] of Object.entries(snapshotDeltas(s.volumeSize ?? 0, typeName))) snapshotUsage[r] = (snapshotUsage[r] ?? 0) + d;
    }
    const move = async (m: Parameters<QuotaDB['releaseIn']>[0]): Promise<void> => {
      await this.db.acceptIn(m, t, v, ctx.userId ?? null, ctx.projectId ?? null, snapshots.map((s) => s.id));
      const q = new QuotaDB(this.volumes.d.db.ds);
      if (quota) {
        await q.releaseIn(m, v);
        for (const s of snapshots) await q.releaseSnapshotIn(m, s);
      }
    };
    if (quota && limits && v.useQuota !== false) await quota.createVolume(ctx.projectId ?? '', size, typeName, limits, move, snapshotUsage);
    else await new QuotaDB(this.volumes.d.db.ds).tx(move, `transfer accept ${t.id}`);
    LOG.info(`Volume ${v.id} has been transferred.`);
    await this.volumes.notify(ctx, v.id, 'transfer.accept.end');
    return t;
  }
}
