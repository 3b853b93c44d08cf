// A suite's own cinder database, made and migrated before its tests and dropped after: on MariaDB
// (a fresh database of the test servers), or for the tests that run on both, SQLite in memory.
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../common/db';
import { openCinderDatabase } from '../../cinder-common/db';
import { CinderDB } from '../../cinder-common/db-api';
import { createTestDatabase } from './servers';

/** Registers the suite's before/after hooks; `ds` and `db` are set once `before` has run. */
export function cinderDbFixture(kind: 'sqlite' | 'mariadb'): { ds: DataSource; db: CinderDB } {
  const on = {} as { ds: DataSource; db: CinderDB };
  let drop: (() => Promise<void>) | undefined;
  before(async function () {
    let url = 'sqlite://:memory:';
    if (kind === 'mariadb') ({ url, drop } = await createTestDatabase(this, 'cinder'));
    on.ds = await openCinderDatabase(url);
    await migrateDatabase(on.ds);
    on.db = new CinderDB(on.ds);
  });
  after(async () => {
    await on.ds?.destroy();
    await drop?.();
  });
  return on;
}

export const cinderOnMariaDb = (): { ds: DataSource; db: CinderDB } => cinderDbFixture('mariadb');
