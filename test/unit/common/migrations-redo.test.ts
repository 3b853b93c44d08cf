// Every migration can run again over its own effects (migrations/common/redo-safe.ts): on
// MariaDB a `db sync` killed half-way through one leaves some of its steps committed and the
// migration unrecorded. Here the record of every migration is dropped after a full run, as if
// each had been killed after its last step, and the next run must redo them all without an
// error, a second seed row or a changed schema. test/system/common/migrations-redo-db.test.ts
// does the same on MariaDB.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { openNovaDatabase } from '../../../nova-common/db';
import { CINDER_MIGRATIONS } from '../../../migrations/cinder';
import { NOVA_MIGRATIONS } from '../../../migrations/nova';

/** The schema's text and every row of the seeded tables. */
async function snapshot(ds: DataSource): Promise<unknown> {
  const schema = await ds.query("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
  const seeds: Record<string, unknown> = {};
  for (const t of ['volume_types', 'quota_classes', 'group_types', 'group_type_specs']) {
    if ((schema as Array<{ name: string }>).some((r) => r.name === t)) seeds[t] = await ds.query(`SELECT * FROM ${t} ORDER BY 1`);
  }
  return { schema, seeds };
}

describe('migrations run again over their own effects (SQLite)', () => {
  const cases: Array<[string, () => Promise<DataSource>, number]> = [
    ['cinder', () => openCinderDatabase('sqlite://:memory:'), CINDER_MIGRATIONS.length],
    ['nova', () => openNovaDatabase('sqlite://:memory:'), NOVA_MIGRATIONS.length],
  ];
  for (const [name, open, count] of cases) {
    it(`${name}: every migration redone after its record is lost`, async () => {
      const ds = await open();
      try {
        expect(await migrateDatabase(ds)).to.have.length(count);
        const before = await snapshot(ds);
        await ds.query('DELETE FROM migrations');
        expect(await migrateDatabase(ds)).to.have.length(count);
        expect(await snapshot(ds)).to.deep.equal(before);
      } finally {
        await ds.destroy();
      }
    });
  }

  it('cinder: a migration cut after some of its tables and seed rows finishes the rest', async () => {
    const ds = await openCinderDatabase('sqlite://:memory:');
    try {
      await migrateDatabase(ds);
      const before = await snapshot(ds);
      // Back to before Quotas, then as a kill after its first table and two seed rows leaves it.
      const quotas = CINDER_MIGRATIONS.findIndex((m) => m.name.startsWith('Quotas'));
      for (let i = CINDER_MIGRATIONS.length - 1; i >= quotas; i--) await ds.undoLastMigration();
      await ds.query('CREATE TABLE quota_classes (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, class_name varchar(255), resource varchar(255), hard_limit integer, created_at datetime, updated_at datetime, deleted_at datetime, deleted boolean NOT NULL DEFAULT (0))');
      await ds.query('CREATE UNIQUE INDEX uniq_quota_classes0class_name0resource ON quota_classes (class_name, resource)');
      await ds.query("INSERT INTO quota_classes (class_name, resource, hard_limit, deleted) VALUES ('default', 'volumes', 10, 0), ('default', 'snapshots', 10, 0)");
      expect(await migrateDatabase(ds)).to.have.length(CINDER_MIGRATIONS.length - quotas);
      const rows = (await ds.query("SELECT resource FROM quota_classes WHERE class_name = 'default' ORDER BY resource")) as Array<{ resource: string }>;
      expect(rows.map((r) => r.resource)).to.deep.equal(['consistencygroups', 'gigabytes', 'groups', 'per_volume_gigabytes', 'snapshots', 'volumes']);
      const after = (await snapshot(ds)) as { schema: Array<{ name: string }> };
      expect(after.schema.map((r) => r.name)).to.deep.equal((before as { schema: Array<{ name: string }> }).schema.map((r) => r.name));
    } finally {
      await ds.destroy();
    }
  });
});
