// The cinder DataSource ([database] connection) with its entities and migrations.
import type { DataSource } from 'typeorm';
import { connectDataSource, createDataSource, migrateDatabase } from '../common/db';
import { ConfigError } from '../common/exception';
import { CINDER_MIGRATIONS } from '../migrations/cinder';
import { CINDER_ENTITIES } from './entities';

export function createCinderDataSource(url: string): DataSource {
  return createDataSource({ url, entities: CINDER_ENTITIES, migrations: CINDER_MIGRATIONS, name: 'cinder' });
}

/** Connect (and, for SQLite/embedded use, optionally migrate). */
export async function openCinderDatabase(url: string, opts: { migrate?: boolean } = {}): Promise<DataSource> {
  const ds = await connectDataSource(createCinderDataSource(url), 'cinder');
  if (opts.migrate) await migrateDatabase(ds);
  return ds;
}

/**
 * The database a daemon runs on: SQLite migrates itself; MySQL/MariaDB must have been synced
 * with `cinder-manage db sync` (as real Cinder), else one clear error.
 */
export async function openServiceDatabase(url: string): Promise<DataSource> {
  const ds = await openCinderDatabase(url);
  try {
    if (await ds.showMigrations()) {
      if (ds.options.type === 'mysql') throw new ConfigError('The cinder database is not synced: run "cinder-manage db sync" first');
      await migrateDatabase(ds);
    }
  } catch (e) {
    await ds.destroy().catch(() => undefined);
    throw e;
  }
  return ds;
}
