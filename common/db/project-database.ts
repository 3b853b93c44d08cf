// The DataSource of one project's database ([database] connection): its entities and
// migrations, opened the same way by nova and cinder (nova-common/db.ts, cinder-common/db.ts).
import type { DataSource } from 'typeorm';
import { ConfigError } from '../exception';
import { connectDataSource, createDataSource, migrateDatabase, type DataSourceSpec } from './index';

export interface ProjectDatabase {
  create(url: string): DataSource;
  /** Connect (and, for SQLite/embedded use, optionally migrate). */
  open(url: string, opts?: { migrate?: boolean }): Promise<DataSource>;
  /**
   * The database a daemon runs on: SQLite migrates itself; MySQL/MariaDB must have been synced
   * with `<name>-manage db sync` (as real Nova and Cinder), else one clear error instead of a
   * failure on the first query.
   */
  openService(url: string): Promise<DataSource>;
}

export function projectDatabase(spec: Omit<DataSourceSpec, 'url'>): ProjectDatabase {
  const create = (url: string): DataSource => createDataSource({ ...spec, url });
  const open = async (url: string, opts: { migrate?: boolean } = {}): Promise<DataSource> => {
    const ds = await connectDataSource(create(url), spec.name);
    if (opts.migrate) await migrateDatabase(ds);
    return ds;
  };
  const openService = async (url: string): Promise<DataSource> => {
    const ds = await open(url);
    try {
      if (await ds.showMigrations()) {
        if (ds.options.type === 'mysql') throw new ConfigError(`The ${spec.name} database is not synced: run "${spec.name}-manage db sync" first`);
        await migrateDatabase(ds);
      }
    } catch (e) {
      await ds.destroy().catch(() => undefined);
      throw e;
    }
    return ds;
  };
  return { create, open, openService };
}
