// The group types schema and GroupTypeDB on both databases Cinder runs on: the seeded
// default_cgsnapshot_type with its spec, who sees a private type (a live grant in
// group_type_projects), the is_public filters, specs updated in place, and a delete that takes
// the specs with the type; the `key`/`value` columns are quoted for MariaDB.
import { expect } from 'chai';
import { cinderDbFixture } from '../../support/cinder-mariadb';
import { GroupTypeDB } from '../../../cinder-common/group-type-db';

for (const kind of ['sqlite', 'mariadb'] as const) {
  describe(`cinder group types db (${kind})`, function () {
    const f = cinderDbFixture(kind);
    const db = (): GroupTypeDB => new GroupTypeDB(f.ds);

    it('seeds default_cgsnapshot_type with consistent_group_snapshot_enabled', async () => {
      const seeded = (await db().live()).find((t) => t.name === 'default_cgsnapshot_type');
      expect(seeded).to.include({ description: 'Default group type for migrating cgsnapshot', isPublic: true, deleted: false });
      expect((await db().withSpecsOf(seeded!)).specs).to.deep.equal({ consistent_group_snapshot_enabled: '<is> True' });
    });

    it('shows a private type to admins and to a project with a live grant only', async () => {
      const priv = await db().create({ name: `priv-gt-${kind}`, description: null, isPublic: false }, { a: '1', b: null });
      const pub = await db().create({ name: `pub-gt-${kind}`, description: 'd', isPublic: true }, {});
      expect((await db().get(priv.type.id, null))?.specs).to.deep.equal({ a: '1', b: null });
      expect(await db().get(priv.type.id, { projectId: 'p1' })).to.equal(null);
      await f.ds.query('INSERT INTO group_type_projects (group_type_id, project_id, deleted) VALUES (?, ?, ?)', [priv.type.id, 'p1', 0]);
      expect((await db().get(priv.type.id, { projectId: 'p1' }))?.type.id).to.equal(priv.type.id);
      expect(await db().get(priv.type.id, { projectId: 'p2' })).to.equal(null);
      const ids = async (isPublic: boolean | null, projectId: string | null): Promise<string[]> => (await db().list({ isPublic, projectId })).map((t) => t.type.id);
      expect(await ids(true, 'p2')).to.include(pub.type.id).and.not.include(priv.type.id);
      expect(await ids(true, 'p1')).to.include.members([pub.type.id, priv.type.id]);
      expect(await ids(false, null)).to.include(priv.type.id).and.not.include(pub.type.id);
      expect(await ids(null, null)).to.include.members([pub.type.id, priv.type.id]);
    });

    it('updates specs in place, deletes one, and soft-deletes a type with its specs', async () => {
      const t = await db().create({ name: `specs-gt-${kind}`, description: null, isPublic: true }, { key: 'v1' });
      await db().specsUpdateOrCreate(t.type.id, { key: 'v2', value: 'x' });
      expect((await db().get(t.type.id, null))?.specs).to.deep.equal({ key: 'v2', value: 'x' });
      expect(await db().specDelete(t.type.id, 'value')).to.equal(true);
      expect(await db().specDelete(t.type.id, 'value')).to.equal(false);
      expect(await db().update(t.type.id, { name: `specs-gt-${kind}-2`, isPublic: false })).to.equal(true);
      expect((await db().get(t.type.id, null))?.type).to.include({ name: `specs-gt-${kind}-2`, isPublic: false });
      await db().destroy(t.type.id);
      expect(await db().get(t.type.id, null)).to.equal(null);
      expect(await db().update(t.type.id, { description: 'x' })).to.equal(false);
      const live = (await f.ds.query('SELECT COUNT(*) AS n FROM group_type_specs WHERE group_type_id = ? AND deleted = ?', [t.type.id, 0])) as Array<{ n: number | string }>;
      expect(Number(live[0].n)).to.equal(0);
    });
  });
}
