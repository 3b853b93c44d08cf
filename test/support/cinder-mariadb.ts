// A suite's own cinder database on MariaDB, made and migrated before its tests and dropped after.
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../common/db';
import { openCinderDatabase } from '../../cinder-common/db';
import { CinderDB } from '../../cinder-common/db-api';
import { createTestDatabase } from './servers';

/** Registers the suite's before/after hooks; `ds` and `db` are set once `before` has run. */
export function cinderOnMariaDb(): { ds: DataSource; db: CinderDB } {
  const on = {} as { ds: DataSource; db: CinderDB };
  let drop: (() => Promise<void>) | undefined;
  before(async function () {
    const t = await createTestDatabase(this, 'cinder');
    drop = t.drop;
    on.ds = await openCinderDatabase(t.url);
    await migrateDatabase(on.ds);
    on.db = new CinderDB(on.ds);
  });
  after(async () => {
    await on.ds?.destroy();
    await drop?.();
  });
  return on;
}
