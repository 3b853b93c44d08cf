// Key pairs (Nova's KeypairAPI over the key_pairs table): a user's ssh keys and x509
// certificates by name. Import fingerprints the key it is given; create makes a new pair and
// answers its private key once (never stored). Each user may hold [quota] key_pairs (its own
// limits over its project's); a create counts again once its row exists (recheck_quota).
import { MoreThan, type Repository } from 'typeorm';
import type { RequestContext } from '../../common/context';
import { isDuplicateEntry } from '../../nova-common/db';
import type { NovaDB } from '../../nova-common/db-api';
import { KeyPair } from '../../nova-common/entities';
import { KeyPairExists, KeypairLimitExceeded, KeypairNotFound, MarkerNotFound } from '../../nova-common/exception';
import { generateSshKeyPair, generateX509KeyPair, sshFingerprint, x509Fingerprint } from './keypair-crypto';

export type KeypairType = 'ssh' | 'x509';

export interface KeypairDeps {
  db: NovaDB;
  /** The user's key_pairs limit within its project (-1: none). */
  limit(projectId: string, userId: string): Promise<number>;
  recheckQuota: boolean;
  can(ctx: RequestContext, action: string, target: { user_id: string }): void;
}

export interface NewKeypair { name: string; type: KeypairType; publicKey?: string; userId?: string | null }


export class KeypairAPI {
  constructor(private readonly d: KeypairDeps) {}

  private get repo(): Repository<KeyPair> {
    return this.d.db.ds.getRepository(KeyPair);
  }

  private owner(ctx: RequestContext, userId: string | null | undefined, action: string): string {
    const user = userId || ctx.userId || '';
    this.d.can(ctx, `os_compute_api:os-keypairs:${action}`, { user_id: user });
    return user;
  }

  /** The user's key pairs by name, from after `marker` (a name), at most `limit`. */
  async list(ctx: RequestContext, userId: string | null, page: { limit?: number; marker?: string } = {}): Promise<KeyPair[]> {
    const user = this.owner(ctx, userId, 'index');
    if (page.limit === 0) return [];
    let after: string | undefined;
    if (page.marker !== undefined) {
      const m = await this.repo.findOneBy({ userId: user, name: page.marker });
      if (!m) throw new MarkerNotFound({ marker: page.marker });
      after = m.name;
    }
    return this.repo.find({ where: { userId: user, ...(after !== undefined ? { name: MoreThan(after) } : {}) }, order: { name: 'ASC', id: 'ASC' }, take: page.limit });
  }

  async show(ctx: RequestContext, userId: string | null, name: string): Promise<KeyPair> {
    return this.get(this.owner(ctx, userId, 'show'), name);
  }

  /** Looked up for a server create: the caller's own pair of that name, or null. */
  async own(ctx: RequestContext, name: string): Promise<KeyPair | null> {
    return this.repo.findOneBy({ userId: ctx.userId ?? '', name });
  }

  private async get(userId: string, name: string): Promise<KeyPair> {
    const k = await this.repo.findOneBy({ userId, name });
    if (!k) throw new KeypairNotFound({ name, user_id: userId });
    return k;
  }

  /** Import (publicKey given) or create a pair; the private key of a new one comes back once, beside the row. */
  async create(ctx: RequestContext, req: NewKeypair): Promise<{ keypair: KeyPair; privateKey: string | null }> {
    const user = this.owner(ctx, req.userId, 'create');
    const name = req.name.trim();
    await this.checkQuota(ctx, user, 1);
    let privateKey: string | null = null;
    let material: { publicKey: string; fingerprint: string };
    if (req.publicKey !== undefined) {
      material = { publicKey: req.publicKey, fingerprint: req.type === 'x509' ? x509Fingerprint(req.publicKey) : sshFingerprint(req.publicKey) };
    } else {
      const made = req.type === 'x509' ? await generateX509KeyPair(user) : await generateSshKeyPair();
      privateKey = made.privateKey;
      material = made;
    }
    const t = new Date();
    let keypair: KeyPair;
    try {
      keypair = await this.repo.save(this.repo.create({ name, userId: user, type: req.type, ...material, createdAt: t, updatedAt: null }));
    } catch (e) {
      if (isDuplicateEntry(e)) throw new KeyPairExists({ key_name: name });
      throw e;
    }
    // As Nova, only a generated pair is counted again (a racing create may have taken the last room).
    if (privateKey !== null && this.d.recheckQuota) {
      try {
        await this.checkQuota(ctx, user, 0);
      } catch (e) {
        await this.repo.delete({ id: keypair.id });
        throw e;
      }
    }
    return { keypair, privateKey };
  }

  async delete(ctx: RequestContext, userId: string | null, name: string): Promise<void> {
    const user = this.owner(ctx, userId, 'delete');
    const k = await this.get(user, name);
    const r = await this.repo.delete({ id: k.id });
    if (!r.affected) throw new KeypairNotFound({ name, user_id: user });
  }

  /** KeypairLimitExceeded when the user's pairs plus `delta` pass its key_pairs limit. */
  private async checkQuota(ctx: RequestContext, userId: string, delta: number): Promise<void> {
    const limit = await this.d.limit(ctx.projectId ?? '', userId);
    if (limit < 0) return;
    if ((await this.repo.countBy({ userId })) + delta > limit) throw new KeypairLimitExceeded();
  }
}
