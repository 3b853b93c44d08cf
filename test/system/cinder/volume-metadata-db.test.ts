// A volume's user metadata replaced and deleted by key as Cinder's db does it, on both databases
// Cinder runs on: the keys to drop and the key to delete are compared in SQL, under the column's
// collation, so on MariaDB (case-insensitive) a replace by {k} keeps 'K' beside the new 'k', and
// deleting 'k' takes 'K' too; SQLite compares exactly. Values of exact keys are updated in place.
// Image metadata (volume_glance_metadata) is read by the views' one statement and deleted by exact key.
import { expect } from 'chai';
import { cinderDbFixture } from '../../support/cinder-mariadb';
import { DEFAULT_TYPE_ID } from '../../../cinder-common/entities';

for (const kind of ['sqlite', 'mariadb'] as const) {
  describe(`cinder volume metadata db (${kind})`, function () {
    const f = cinderDbFixture(kind);
    const metaOf = async (id: string): Promise<Record<string, string>> => (await f.db.metadataGet([id])).get(id) ?? {};

    it('replaces: keys not given go, given ones are set or added; a key differing only in case survives on MariaDB', async () => {
      const v = await f.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID });
      await f.db.metadataReplace(v.id, { K: 'a', x: '1', y: '2' });
      await f.db.metadataReplace(v.id, { k: 'b', x: '3' });
      expect(await metaOf(v.id)).to.deep.equal(kind === 'mariadb' ? { K: 'a', x: '3', k: 'b' } : { x: '3', k: 'b' });
      await f.db.metadataReplace(v.id, {});
      expect(await metaOf(v.id)).to.deep.equal({});
    });

    it('deletes a key as Cinder compares it: on MariaDB its other case goes too', async () => {
      const v = await f.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID });
      await f.db.metadataReplace(v.id, { K: 'a', k: 'b', z: 'c' });
      await f.db.metadataDeleteKey(v.id, 'k');
      expect(await metaOf(v.id)).to.deep.equal(kind === 'mariadb' ? { z: 'c' } : { K: 'a', z: 'c' });
    });

    it('merges (delete=False) without deleting: a key not given, another case of a key given, both stay', async () => {
      const v = await f.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID });
      await f.db.metadataReplace(v.id, { a: '1', K: '2' });
      await f.db.metadataReplace(v.id, { k: '3', c: '4' }, false, true);
      expect(await metaOf(v.id)).to.deep.equal({ a: '1', K: '2', k: '3', c: '4' });
    });

    it('image metadata is a table of its own: the view reads it (a 255-character value whole), a key deletes exactly', async () => {
      const v = await f.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID });
      await f.db.metadataReplace(v.id, { u: 'user' });
      const long = 'é'.repeat(255);
      await f.db.metadataReplace(v.id, { K: 'a', k: 'b', long }, true);
      const x = await f.db.viewExtras([v.id], [DEFAULT_TYPE_ID]);
      expect(x.image.get(v.id)).to.deep.equal({ K: 'a', k: 'b', long });
      expect(x.user.get(v.id)).to.deep.equal({ u: 'user' });
      expect(await f.db.imageMetadataDeleteKey(v.id, 'k')).to.equal(true);
      expect(await f.db.imageMetadataDeleteKey(v.id, 'k')).to.equal(false);
      expect((await f.db.metadataGet([v.id], 'image')).get(v.id)).to.deep.equal({ K: 'a', long });
    });
  });
}
