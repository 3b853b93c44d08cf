// On MariaDB each CREATE and ALTER commits on its own, so a `db sync` killed inside a migration
// leaves some of its steps done and the migration unrecorded (migrations/common/redo-safe.ts).
// With the record of every migration dropped after a full run, the next run redoes each over
// its own effects: no error, no second seed row, the same columns, indexes and foreign keys.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { openNovaDatabase } from '../../../nova-common/db';
import { createTestDatabase } from '../../support/servers';

async function snapshot(ds: DataSource): Promise<unknown> {
  const q = (sql: string): Promise<unknown> => ds.query(sql);
  return {
    columns: await q(`SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`),
    indexes: await q(`SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`),
    keys: await q(`SELECT TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS
      WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2`),
  };
}

const seeds = async (ds: DataSource, table: string): Promise<unknown> => ds.query(`SELECT * FROM ${table} ORDER BY id`);

describe('migrations run again over their own effects (MariaDB)', function () {
  this.timeout(120_000);
  const cases: Array<['nova' | 'cinder', (url: string) => Promise<DataSource>, string[]]> = [
    ['cinder', openCinderDatabase, ['volume_types', 'quota_classes', 'group_types', 'group_type_specs']],
    ['nova', openNovaDatabase, []],
  ];
  for (const [kind, open, seeded] of cases) {
    it(`${kind}: every migration redone after its record is lost`, async function () {
      const { url, drop } = await createTestDatabase(this, kind);
      const ds = await open(url);
      try {
        const done = await migrateDatabase(ds);
        const before = await snapshot(ds);
        const rows = await Promise.all(seeded.map((t) => seeds(ds, t)));
        await ds.query('DELETE FROM migrations');
        expect(await migrateDatabase(ds)).to.deep.equal(done);
        expect(await snapshot(ds)).to.deep.equal(before);
        expect(await Promise.all(seeded.map((t) => seeds(ds, t)))).to.deep.equal(rows);
      } finally {
        await ds.destroy();
        await drop();
      }
    });
  }
});
