// The volume types schema and db-api on both databases Cinder runs on: the migration seeds
// __DEFAULT__ and goes down and up again, access grants are unique while live (and can be made
// again once removed), the extra_specs filter quotes its `key`/`value` columns for MariaDB.
import { expect } from 'chai';
import { migrateDatabase } from '../../../common/db';
import { cinderDbFixture } from '../../support/cinder-mariadb';
import { DEFAULT_TYPE_ID } from '../../../cinder-common/entities';

for (const kind of ['sqlite', 'mariadb'] as const) {
  describe(`cinder volume types db (${kind})`, function () {
    const f = cinderDbFixture(kind);

    it('seeds __DEFAULT__ with the id volumes carry', async () => {
      const t = await f.db.typeGetByName('__DEFAULT__');
      expect(t).to.include({ id: DEFAULT_TYPE_ID, description: 'Default Volume Type', isPublic: true, deleted: false });
    });

    it('grants access once per live pair; a removed grant can be made again', async () => {
      const t = await f.db.typeCreate({ name: `priv-${kind}`, description: null, isPublic: false });
      expect(await f.db.typeGet(t.id, { projectId: 'p1' })).to.equal(null);
      expect(await f.db.typeAccessAdd(t.id, 'p1')).to.equal(true);
      expect(await f.db.typeAccessAdd(t.id, 'p1')).to.equal(false);
      expect((await f.db.typeGet(t.id, { projectId: 'p1' }))?.id).to.equal(t.id);
      expect(await f.db.typeAccessRemove(t.id, 'p1')).to.equal(true);
      expect(await f.db.typeAccessRemove(t.id, 'p1')).to.equal(false);
      expect(await f.db.typeAccessAdd(t.id, 'p1')).to.equal(true);
      expect((await f.db.typeAccessList(t.id)).map((p) => p.projectId)).to.deep.equal(['p1']);
    });

    it('filters by extra specs, keeps deleted type names for volumes, soft-deletes a type with its rows', async () => {
      const t = await f.db.typeCreate({ name: `specs-${kind}`, description: 'd', isPublic: true });
      await f.db.typeExtraSpecsUpdateOrCreate(t.id, { key: 'v1', multiattach: '<is> True' });
      await f.db.typeExtraSpecsUpdateOrCreate(t.id, { key: 'v2' });
      expect((await f.db.typeExtraSpecsGet([t.id])).get(t.id)).to.deep.equal({ key: 'v2', multiattach: '<is> True' });
      const found = await f.db.typeList({ isPublic: null, projectId: null, extraSpecs: { key: 'v2', multiattach: '<is> True' } });
      expect(found.map((x) => x.id)).to.deep.equal([t.id]);
      expect(await f.db.typeList({ isPublic: null, projectId: null, extraSpecs: { key: 'v1' } })).to.deep.equal([]);
      await f.db.typeDestroy(t.id);
      expect(await f.db.typeGet(t.id)).to.equal(null);
      expect((await f.db.typeExtraSpecsGet([t.id])).get(t.id)).to.deep.equal({});
      expect((await f.db.typeNames([t.id])).get(t.id)).to.equal(`specs-${kind}`);
    });

    it("reads a view's metadata, admin metadata and type names, deleted types too, in one statement", async () => {
      const t = await f.db.typeCreate({ name: `view-${kind}`, description: null, isPublic: true });
      const [a, b] = [(await f.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: t.id })).id, (await f.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID })).id];
      await f.db.metadataReplace(a, { k1: 'v1', k2: 'v2' });
      await f.db.metadataReplace(b, { only: 'b' });
      await f.db.adminMetadataSet(a, 'readonly', 'True');
      await f.db.typeDestroy(t.id);
      const x = await f.db.viewExtras([a, b], [t.id, DEFAULT_TYPE_ID, null, t.id]);
      expect(Object.fromEntries(x.user)).to.deep.equal({ [a]: { k1: 'v1', k2: 'v2' }, [b]: { only: 'b' } });
      expect(Object.fromEntries(x.admin)).to.deep.equal({ [a]: { readonly: 'True' } });
      expect(Object.fromEntries(x.typeNames)).to.deep.equal({ [t.id]: `view-${kind}`, [DEFAULT_TYPE_ID]: '__DEFAULT__' });
      expect(Object.fromEntries(x.attachments)).to.deep.equal({});
    });

    it("reads a view's attachments in the same statement, as a find of the rows would", async () => {
      const [a, b] = [(await f.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID })).id, (await f.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID })).id];
      const t0 = new Date(Date.UTC(2026, 0, 2, 3, 4, 5)); // whole seconds: MariaDB's DATETIME keeps no fraction
      // Three on a, in creation order (the third made first, the same second as the next); one on b, which is then deleted.
      const third = await f.db.attachmentCreate({ volumeId: a, instanceUuid: 'i3', attachStatus: 'attaching', createdAt: new Date(t0.getTime() + 2000) });
      const first = await f.db.attachmentCreate({ volumeId: a, instanceUuid: 'i1', attachStatus: 'attached', attachedHost: 'h1', mountpoint: '/dev/vdb', attachTime: t0, createdAt: t0 });
      const second = await f.db.attachmentCreate({ volumeId: a, instanceUuid: null, attachStatus: 'reserved', createdAt: new Date(t0.getTime() + 1000) });
      const gone = await f.db.attachmentCreate({ volumeId: b, instanceUuid: 'i4', attachStatus: 'attached' });
      await f.db.attachmentDestroy(gone.id);
      const x = await f.db.viewExtras([a, b], []);
      const brief = (r: object): Record<string, unknown> =>
        Object.fromEntries(['id', 'volumeId', 'instanceUuid', 'attachedHost', 'mountpoint', 'attachTime', 'attachStatus'].map((k) => [k, (r as Record<string, unknown>)[k]]));
      const found = (await f.db.attachmentsOf([a])).map(brief);
      expect(found.map((r) => r.id)).to.deep.equal([first.id, second.id, third.id]);
      expect((x.attachments.get(a) ?? []).map(brief)).to.deep.equal(found);
      expect(found[0].attachTime).to.be.instanceOf(Date).and.to.deep.equal(t0);
      expect(x.attachments.has(b)).to.equal(false);
    });

    it('the migration goes down and up again', async () => {
      await f.ds.undoLastMigration(); // GroupSnapshots
      await f.ds.undoLastMigration(); // Groups
      await f.ds.undoLastMigration(); // GroupTypes
      await f.ds.undoLastMigration(); // Snapshots
      await f.ds.undoLastMigration(); // TypeEncryption
      await f.ds.undoLastMigration(); // QosSpecs
      await f.ds.undoLastMigration(); // VolumeGlanceMetadata
      await f.ds.undoLastMigration(); // Messages
      await f.ds.undoLastMigration(); // Transfers
      await f.ds.undoLastMigration(); // SoftDeleteIndexes
      await f.ds.undoLastMigration(); // Utf8mb4Tables
      await f.ds.undoLastMigration(); // TraceSpans
      await f.ds.undoLastMigration(); // Quotas
      await f.ds.undoLastMigration(); // VolumeTypes
      expect(await migrateDatabase(f.ds)).to.deep.equal(['VolumeTypes1764120000000', 'Quotas1765300000000', 'TraceSpans1765500000000', 'Utf8mb4Tables1765600000000', 'SoftDeleteIndexes1765700000000',
        'Transfers1765900000000', 'Messages1766000000000', 'VolumeGlanceMetadata1766100000000', 'QosSpecs1766200000000', 'TypeEncryption1766300000000',
        'Snapshots1766400000000', 'GroupTypes1766500000000', 'Groups1766600000000', 'GroupSnapshots1766700000000']);
      expect((await f.db.typeGet(DEFAULT_TYPE_ID))?.name).to.equal('__DEFAULT__');
    });
  });
}
