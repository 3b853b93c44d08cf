// A volume's user metadata replaced and deleted by key as Cinder's db does it, on both databases
// Cinder runs on: the keys to drop and the key to delete are compared in SQL, under the column's
// collation, so on MariaDB (case-insensitive) a replace by {k} keeps 'K' beside the new 'k', and
// deleting 'k' takes 'K' too; SQLite compares exactly. Values of exact keys are updated in place.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { DEFAULT_TYPE_ID } from '../../../cinder-common/entities';
import { createTestDatabase } from '../../support/servers';

for (const kind of ['sqlite', 'mariadb'] as const) {
  describe(`cinder volume metadata db (${kind})`, function () {
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
    const metaOf = async (id: string): Promise<Record<string, string>> => (await db.metadataGet([id])).get(id) ?? {};

    it('replaces: keys not given go, given ones are set or added; a key differing only in case survives on MariaDB', async () => {
      const v = await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID });
      await db.metadataReplace(v.id, { K: 'a', x: '1', y: '2' });
      await db.metadataReplace(v.id, { k: 'b', x: '3' });
      expect(await metaOf(v.id)).to.deep.equal(kind === 'mariadb' ? { K: 'a', x: '3', k: 'b' } : { x: '3', k: 'b' });
      await db.metadataReplace(v.id, {});
      expect(await metaOf(v.id)).to.deep.equal({});
    });

    it('deletes a key as Cinder compares it: on MariaDB its other case goes too', async () => {
      const v = await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID });
      await db.metadataReplace(v.id, { K: 'a', k: 'b', z: 'c' });
      await db.metadataDeleteKey(v.id, 'k');
      expect(await metaOf(v.id)).to.deep.equal(kind === 'mariadb' ? { z: 'c' } : { K: 'a', z: 'c' });
    });
  });
}
