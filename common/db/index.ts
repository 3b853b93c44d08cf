// One TypeORM DataSource per database, built from an oslo-style URL:
//   mysql://user:pass@host:3306/nova  (also mysql+pymysql://)  -> mysql2
//   sqlite:///var/lib/attachd/nova.sqlite, sqlite://:memory:   -> better-sqlite3
// Migrations are explicit (never synchronize) and guarded by a lock on MySQL so that two
// processes running `db sync` at once do not race.
import { DataSource, type DataSourceOptions } from 'typeorm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../exception';

export { DBConnectionError, asDbConnectionError, isDbConnectionError } from './errors';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Array<string | Function>;

export interface DataSourceSpec {
  url: string;
  entities: EntityList;
  migrations: EntityList;
  /** Logical name for errors, e.g. 'nova'. */
  name: string;
}

export function parseDatabaseUrl(url: string): { type: 'mysql'; host: string; port: number; username: string; password: string; database: string } | { type: 'sqlite'; path: string } {
  const m = /^([a-z0-9+]+):\/\/(.*)$/i.exec(url);
  if (!m) throw new ConfigError(`Invalid database URL (expected mysql://... or sqlite://...): ${redactUrl(url)}`);
  const scheme = m[1].toLowerCase().split('+')[0];
  if (scheme === 'sqlite') {
    const rest = m[2];
    if (rest === '' || rest === ':memory:' || rest === '/:memory:') return { type: 'sqlite', path: ':memory:' };
    return { type: 'sqlite', path: rest.startsWith('/') ? rest : rest };
  }
  if (scheme === 'mysql' || scheme === 'mariadb') {
    let u: URL;
    try {
      u = new URL(url.replace(/^[a-z0-9+]+:/i, 'mysql:'));
    } catch {
      throw new ConfigError(`Invalid database URL: ${redactUrl(url)}`);
    }
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!database) throw new ConfigError(`Database URL has no database name: ${redactUrl(url)}`);
    return {
      type: 'mysql', host: u.hostname || '127.0.0.1', port: u.port ? Number(u.port) : 3306,
      username: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database,
    };
  }
  throw new ConfigError(`Unsupported database URL scheme '${m[1]}' (use mysql:// or sqlite://)`);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export function createDataSource(spec: DataSourceSpec): DataSource {
  const parsed = parseDatabaseUrl(spec.url);
  const common = {
    entities: spec.entities,
    migrations: spec.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
  } as const;
  let options: DataSourceOptions;
  if (parsed.type === 'mysql') {
    options = {
      ...common, type: 'mysql', host: parsed.host, port: parsed.port, username: parsed.username,
      password: parsed.password, database: parsed.database, timezone: 'Z', charset: 'utf8mb4',
      poolSize: 10, extra: { connectTimeout: 10000 },
    };
  } else {
    if (parsed.path !== ':memory:') mkdirSync(dirname(parsed.path), { recursive: true });
    options = { ...common, type: 'better-sqlite3', database: parsed.path, enableWAL: parsed.path !== ':memory:' };
  }
  return new DataSource(options);
}

/** Initialize (connect) with a clear error naming the database, never its password. */
export async function connectDataSource(ds: DataSource, name: string): Promise<DataSource> {
  try {
    if (!ds.isInitialized) await ds.initialize();
    return ds;
  } catch (e) {
    throw new ConfigError(`Cannot connect to the ${name} database: ${(e as Error).message}`);
  }
}

/** Run pending migrations; safe to run twice and from two processes at once. */
export async function migrateDatabase(ds: DataSource): Promise<string[]> {
  const isMysql = ds.options.type === 'mysql';
  const runner = isMysql ? ds.createQueryRunner() : null;
  try {
    if (runner) {
      await runner.connect();
      const rows = (await runner.query("SELECT GET_LOCK('attachd_db_sync', 120) AS l")) as Array<{ l: number }>;
      if (Number(rows[0]?.l) !== 1) throw new Error('Timed out waiting for the migration lock');
    }
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    if (runner) {
      await runner.query("SELECT RELEASE_LOCK('attachd_db_sync')").catch(() => undefined);
      await runner.release();
    }
  }
}

export function isMysql(ds: DataSource): boolean {
  return ds.options.type === 'mysql';
}
