// The nova DataSource ([database] connection) with its entities and migrations.
import type { DataSource } from 'typeorm';
import { connectDataSource, createDataSource, migrateDatabase } from '../common/db';
import { ConfigError } from '../common/exception';
import { NOVA_MIGRATIONS } from '../migrations/nova';
import { NOVA_ENTITIES } from './entities';

export function createNovaDataSource(url: string): DataSource {
  return createDataSource({ url, entities: NOVA_ENTITIES, migrations: NOVA_MIGRATIONS, name: 'nova' });
}

/** Connect (and, for SQLite/embedded use, optionally migrate). */
export async function openNovaDatabase(url: string, opts: { migrate?: boolean } = {}): Promise<DataSource> {
  const ds = await connectDataSource(createNovaDataSource(url), 'nova');
  if (opts.migrate) await migrateDatabase(ds);
  return ds;
}

/**
 * Open the database a daemon runs on. The embedded default (SQLite) migrates itself; a shared
 * MySQL/MariaDB must have been synced with `nova-manage db sync` (as real Nova), else we stop
 * with a clear message instead of failing on the first query.
 */
export async function openServiceDatabase(url: string): Promise<DataSource> {
  const ds = await openNovaDatabase(url);
  try {
    if (await ds.showMigrations()) {
      if (ds.options.type === 'mysql') throw new ConfigError('The nova database is not synced: run "nova-manage db sync" first');
      await migrateDatabase(ds);
    }
  } catch (e) {
    await ds.destroy().catch(() => undefined);
    throw e;
  }
  return ds;
}

/** Is this error a UNIQUE-constraint violation (MySQL ER_DUP_ENTRY / SQLite UNIQUE)? */
export function isDuplicateEntry(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string }; message?: string };
  const code = err?.driverError?.code ?? err?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed|Duplicate entry/.test(err?.message ?? '');
}

/** A lock conflict the database resolved by aborting us (MySQL deadlock/lock wait, SQLite busy): retry. */
export function isRetryableConflict(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } };
  const code = err?.driverError?.code ?? err?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}
