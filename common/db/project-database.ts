// The DataSource of one project's database ([database] connection): its entities and
// migrations, opened the same way by nova and cinder (nova-common/db.ts, cinder-common/db.ts).
import type { DataSource } from 'typeorm';
import { ConfigError } from '../exception';
import { getLogger } from '../log';
import { isDbConnectionError } from './errors';
import { connectDataSource, createDataSource, migrateDatabase, type DataSourceSpec } from './index';

const LOG = getLogger('common.db');

/** oslo.db's [database] max_retries and retry_interval: how long a daemon waits for its database at start. */
export interface StartupRetry { maxRetries: number; intervalSec: number }

/**
 * `connect` again while the database is unreachable (not for any other error), every
 * `intervalSec`, at most `maxRetries` times after the first (-1: no limit), as oslo.db's engine
 * does at start: a daemon started during a database outage comes up when the database does.
 */
export async function withStartupRetry<T>(connect: () => Promise<T>, r: StartupRetry, name: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (e) {
      if (!isDbConnectionError(e) || (r.maxRetries >= 0 && attempt > r.maxRetries)) throw e;
      LOG.warning(`The ${name} database is unreachable (${(e as Error).message}); trying again in ${r.intervalSec} s `
        + `(attempt ${attempt}${r.maxRetries >= 0 ? ` of ${r.maxRetries}` : ''})`);
      await new Promise((res) => setTimeout(res, r.intervalSec * 1000));
    }
  }
}

export interface ProjectDatabase {
  create(url: string): DataSource;
  /** Connect (and, for SQLite/embedded use, optionally migrate). */
  open(url: string, opts?: { migrate?: boolean }): Promise<DataSource>;
  /**
   * The database a daemon runs on: SQLite migrates itself; MySQL/MariaDB must have been synced
   * with `<name>-manage db sync` (as real Nova and Cinder), else one clear error instead of a
   * failure on the first query.
   */
  openService(url: string, retry?: StartupRetry): Promise<DataSource>;
}

export function projectDatabase(spec: Omit<DataSourceSpec, 'url'>): ProjectDatabase {
  const create = (url: string): DataSource => createDataSource({ ...spec, url });
  const open = async (url: string, opts: { migrate?: boolean } = {}): Promise<DataSource> => {
    const ds = await connectDataSource(create(url), spec.name);
    if (opts.migrate) await migrateDatabase(ds);
    return ds;
  };
  const openService = async (url: string, retry: StartupRetry = { maxRetries: 0, intervalSec: 0 }): Promise<DataSource> => {
    const ds = await withStartupRetry(() => open(url), retry, spec.name);
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
