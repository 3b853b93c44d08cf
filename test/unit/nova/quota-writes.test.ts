// A PUT of several compute limits is all or nothing (nova-api/compute/quotas.ts): the database
// lost after the first of them is written keeps none, so the caller's retry is the whole PUT
// again, not a quota half set. So is a project's reset, its users' limits included.
import { expect } from 'chai';
import { EntityManager, type DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { RequestContext } from '../../../common/context';
import { openNovaDatabase } from '../../../nova-common/db';
import { NovaDB } from '../../../nova-common/db-api';
import { ProjectUserQuota, Quota, QuotaClass } from '../../../nova-common/entities';
import { QuotaAPI, type QuotaLimits } from '../../../nova-api/compute/quotas';

const DEFAULTS = { instances: 10, cores: 20, ram: 51200, metadata_items: 128, injected_files: 5, injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255, key_pairs: 100, server_groups: 10, server_group_members: 10, fixed_ips: -1, floating_ips: -1,
  security_groups: -1, security_group_rules: -1 } as QuotaLimits;

describe('compute quota writes are one transaction each', () => {
  let ds: DataSource;
  let api: QuotaAPI;
  const ctx = new RequestContext({ userId: 'admin', projectId: 'admin', roles: ['admin'], isAdmin: true });
  const insert = EntityManager.prototype.insert;

  beforeEach(async () => {
    ds = await openNovaDatabase('sqlite://:memory:');
    await migrateDatabase(ds);
    api = new QuotaAPI({ db: new NovaDB(ds), defaults: DEFAULTS, can: () => undefined });
  });
  afterEach(async () => {
    EntityManager.prototype.insert = insert;
    await ds.destroy();
  });

  /** The database is lost once `n` rows were inserted. */
  const loseAfter = (n: number): void => {
    let left = n;
    EntityManager.prototype.insert = function (this: EntityManager, ...a: Parameters<EntityManager['insert']>) {
      if (left-- <= 0) return Promise.reject(Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' }));
      return insert.apply(this, a);
    } as EntityManager['insert'];
  };

  for (const [what, put, entity] of [
    ['a project', () => api.update(ctx, 'p1', { instances: 5, cores: 6 }, true), Quota],
    ['a user', () => api.update(ctx, 'p1', { instances: 5, cores: 6 }, true, 'u1'), ProjectUserQuota],
    ['a quota class', () => api.updateClass(ctx, 'default', { instances: 5, cores: 6 }), QuotaClass],
  ] as const) {
    it(`${what}: the database lost after the first limit keeps neither`, async () => {
      loseAfter(1);
      let failed = false;
      await put().catch(() => { failed = true; });
      expect(failed).to.equal(true);
      expect(await ds.getRepository(entity).count()).to.equal(0);
      EntityManager.prototype.insert = insert;
      await put();
      expect(await ds.getRepository(entity).count()).to.equal(2);
    });
  }

  it('a project\'s reset drops its users\' limits with its own, or neither', async () => {
    await api.update(ctx, 'p1', { instances: 5 }, true);
    await api.update(ctx, 'p1', { instances: 3 }, true, 'u1');
    const del = EntityManager.prototype.delete;
    let calls = 0;
    EntityManager.prototype.delete = function (this: EntityManager, ...a: Parameters<EntityManager['delete']>) {
      if (calls++ === 1) return Promise.reject(new Error('Connection lost: The server closed the connection.'));
      return del.apply(this, a);
    } as EntityManager['delete'];
    try {
      let failed = false;
      await api.reset(ctx, 'p1').catch(() => { failed = true; });
      expect(failed).to.equal(true);
    } finally {
      EntityManager.prototype.delete = del;
    }
    expect([await ds.getRepository(Quota).count(), await ds.getRepository(ProjectUserQuota).count()]).to.deep.equal([1, 1]);
    await api.reset(ctx, 'p1');
    expect([await ds.getRepository(Quota).count(), await ds.getRepository(ProjectUserQuota).count()]).to.deep.equal([0, 0]);
  });
});
