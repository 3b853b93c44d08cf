// The volume types schema and db-api on both databases Cinder runs on: the migration seeds
// __DEFAULT__ and goes down and up again, access grants are unique while live (and can be made
// again once removed), the extra_specs filter quotes its `key`/`value` columns for MariaDB.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { DEFAULT_TYPE_ID } from '../../../cinder-common/entities';
import { createTestDatabase } from '../../support/servers';

for (const kind of ['sqlite', 'mariadb'] as const) {
  describe(`cinder volume types db (${kind})`, function () {
    let ds: DataSource;
    let db: CinderDB;
    let drop: (() => Promise<void>) | null = null;
    before(async function () {
      let url = 'sqlite://:memory:';
      if (kind === 'mariadb') ({ url, drop } = await createTestDatabase(this, 'cinder'));
      ds = await openCinderDatabase(url);
      await migrateDatabase(ds);
      db = new CinderDB(ds);
    });
    after(async () => {
      await ds?.destroy();
      await drop?.();
    });

    it('seeds __DEFAULT__ with the id volumes carry', async () => {
      const t = await db.typeGetByName('__DEFAULT__');
      expect(t).to.include({ id: DEFAULT_TYPE_ID, description: 'Default Volume Type', isPublic: true, deleted: false });
    });

    it('grants access once per live pair; a removed grant can be made again', async () => {
      const t = await db.typeCreate({ name: `priv-${kind}`, description: null, isPublic: false });
      expect(await db.typeGet(t.id, { projectId: 'p1' })).to.equal(null);
      expect(await db.typeAccessAdd(t.id, 'p1')).to.equal(true);
      expect(await db.typeAccessAdd(t.id, 'p1')).to.equal(false);
      expect((await db.typeGet(t.id, { projectId: 'p1' }))?.id).to.equal(t.id);
      expect(await db.typeAccessRemove(t.id, 'p1')).to.equal(true);
      expect(await db.typeAccessRemove(t.id, 'p1')).to.equal(false);
      expect(await db.typeAccessAdd(t.id, 'p1')).to.equal(true);
      expect((await db.typeAccessList(t.id)).map((p) => p.projectId)).to.deep.equal(['p1']);
    });

    it('filters by extra specs, keeps deleted type names for volumes, soft-deletes a type with its rows', async () => {
      const t = await db.typeCreate({ name: `specs-${kind}`, description: 'd', isPublic: true });
      await db.typeExtraSpecsUpdateOrCreate(t.id, { key: 'v1', multiattach: '<is> True' });
      await db.typeExtraSpecsUpdateOrCreate(t.id, { key: 'v2' });
      expect((await db.typeExtraSpecsGet([t.id])).get(t.id)).to.deep.equal({ key: 'v2', multiattach: '<is> True' });
      const found = await db.typeList({ isPublic: null, projectId: null, extraSpecs: { key: 'v2', multiattach: '<is> True' } });
      expect(found.map((x) => x.id)).to.deep.equal([t.id]);
      expect(await db.typeList({ isPublic: null, projectId: null, extraSpecs: { key: 'v1' } })).to.deep.equal([]);
      await db.typeDestroy(t.id);
      expect(await db.typeGet(t.id)).to.equal(null);
      expect((await db.typeExtraSpecsGet([t.id])).get(t.id)).to.deep.equal({});
      expect((await db.typeNames([t.id])).get(t.id)).to.equal(`specs-${kind}`);
    });

    it("reads a view's metadata, admin metadata and type names, deleted types too, in one statement", async () => {
      const t = await db.typeCreate({ name: `view-${kind}`, description: null, isPublic: true });
      const [a, b] = [(await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: t.id })).id, (await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID })).id];
      await db.metadataReplace(a, { k1: 'v1', k2: 'v2' });
      await db.metadataReplace(b, { only: 'b' });
      await db.adminMetadataSet(a, 'readonly', 'True');
      await db.typeDestroy(t.id);
      const x = await db.viewExtras([a, b], [t.id, DEFAULT_TYPE_ID, null, t.id]);
      expect(Object.fromEntries(x.user)).to.deep.equal({ [a]: { k1: 'v1', k2: 'v2' }, [b]: { only: 'b' } });
      expect(Object.fromEntries(x.admin)).to.deep.equal({ [a]: { readonly: 'True' } });
      expect(Object.fromEntries(x.typeNames)).to.deep.equal({ [t.id]: `view-${kind}`, [DEFAULT_TYPE_ID]: '__DEFAULT__' });
      expect(Object.fromEntries(x.attachments)).to.deep.equal({});
    });

    it("reads a view's attachments in the same statement, as a find of the rows would", async () => {
      const [a, b] = [(await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID })).id, (await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID })).id];
      const t0 = new Date(Date.UTC(2026, 0, 2, 3, 4, 5)); // whole seconds: MariaDB's DATETIME keeps no fraction
      // Three on a, in creation order (the third made first, the same second as the next); one on b, which is then deleted.
      const third = await db.attachmentCreate({ volumeId: a, instanceUuid: 'i3', attachStatus: 'attaching', createdAt: new Date(t0.getTime() + 2000) });
      const first = await db.attachmentCreate({ volumeId: a, instanceUuid: 'i1', attachStatus: 'attached', attachedHost: 'h1', mountpoint: '/dev/vdb', attachTime: t0, createdAt: t0 });
      const second = await db.attachmentCreate({ volumeId: a, instanceUuid: null, attachStatus: 'reserved', createdAt: new Date(t0.getTime() + 1000) });
      const gone = await db.attachmentCreate({ volumeId: b, instanceUuid: 'i4', attachStatus: 'attached' });
      await db.attachmentDestroy(gone.id);
      const x = await db.viewExtras([a, b], []);
      const brief = (r: object): Record<string, unknown> =>
        Object.fromEntries(['id', 'volumeId', 'instanceUuid', 'attachedHost', 'mountpoint', 'attachTime', 'attachStatus'].map((k) => [k, (r as Record<string, unknown>)[k]]));
      const found = (await db.attachmentsOf([a])).map(brief);
      expect(found.map((r) => r.id)).to.deep.equal([first.id, second.id, third.id]);
      expect((x.attachments.get(a) ?? []).map(brief)).to.deep.equal(found);
      expect(found[0].attachTime).to.be.instanceOf(Date).and.to.deep.equal(t0);
      expect(x.attachments.has(b)).to.equal(false);
    });

    it('the migration goes down and up again', async () => {
      await ds.undoLastMigration(); // Transfers
      await ds.undoLastMigration(); // SoftDeleteIndexes
      await ds.undoLastMigration(); // Utf8mb4Tables
      await ds.undoLastMigration(); // TraceSpans
      await ds.undoLastMigration(); // Quotas
      await ds.undoLastMigration(); // VolumeTypes
      expect(await migrateDatabase(ds)).to.deep.equal(['VolumeTypes1764120000000', 'Quotas1765300000000', 'TraceSpans1765500000000', 'Utf8mb4Tables1765600000000', 'SoftDeleteIndexes1765700000000',
        'Transfers1765900000000']);
      expect((await db.typeGet(DEFAULT_TYPE_ID))?.name).to.equal('__DEFAULT__');
    });
  });
}
