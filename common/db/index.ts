// One TypeORM DataSource per database, built from an oslo-style URL:
//   mysql://user:pass@host:3306/nova  (also mysql+pymysql://)  -> mysql2
//   mysql://user:pass@h1:3306,h2:3307,h3/nova  several hosts (a Galera cluster): new
//   mysql://user:pass@/nova?unix_socket=/run/mysqld/mysqld.sock  the local server's socket
//     connections go to the host that last answered, else the next one (host-failover.ts)
//   sqlite:///var/lib/attachd/nova.sqlite, sqlite://:memory:   -> better-sqlite3
// Migrations are explicit (never synchronize) and guarded by a lock on MySQL so that two
// processes running `db sync` at once do not race.
import { DataSource, type DataSourceOptions } from 'typeorm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../exception';

import { HostRotation, type DbHost } from './host-failover';
import { takeMigrationLock } from './migration-lock';

export { DBConnectionError, asDbConnectionError, isDbConnectionError } from './errors';
export { withDbRetry, transactionWithRetry, isDbDeadlock, isWsrepNotReady, type DbRetryOptions } from './retry';
export type { DbHost } from './host-failover';
export { fastSelect, FastSelect, SqlValue } from './fast-select';
export { causalWrite, isGalera } from './causal';
export { prepared } from './prepared';
export { requireExpected, type AtLeastOne, type OneOrMany, type PlainValues } from './cas';
import { serializeSqlite } from './sqlite-serial';
import { preparedStatementsOn } from './prepared';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Array<string | Function>;

export interface DataSourceSpec {
  url: string;
  entities: EntityList;
  migrations: EntityList;
  /** Logical name for errors, e.g. 'nova'. */
  name: string;
}

export interface MysqlUrl {
  type: 'mysql';
  /** The first host (single-host callers). */
  host: string;
  port: number;
  /** Every host, in failover order. */
  hosts: DbHost[];
  username: string;
  password: string;
  database: string;
  /** `?unix_socket=` (oslo.db's and PyMySQL's name): connect there instead of to a host. */
  socketPath?: string;
}

export function parseDatabaseUrl(url: string): MysqlUrl | { type: 'sqlite'; path: string } {
  const m = /^([a-z0-9+]+):\/\/(.*)$/i.exec(url);
  if (!m) throw new ConfigError(`Invalid database URL (expected mysql://... or sqlite://...): ${redactUrl(url)}`);
  const scheme = m[1].toLowerCase().split('+')[0];
  if (scheme === 'sqlite') {
    const rest = m[2];
    if (rest === '' || rest === ':memory:' || rest === '/:memory:') return { type: 'sqlite', path: ':memory:' };
    return { type: 'sqlite', path: rest.startsWith('/') ? rest : rest };
  }
  if (scheme === 'mysql' || scheme === 'mariadb') return parseMysqlUrl(m[2], url);
  throw new ConfigError(`Unsupported database URL scheme '${m[1]}' (use mysql:// or sqlite://)`);
}

/** user:pass@host[:port][,host[:port]...]/database[?query]: WHATWG URL rejects the host list. */
function parseMysqlUrl(rest: string, url: string): MysqlUrl {
  const bad = (why: string): never => { throw new ConfigError(`Invalid database URL (${why}): ${redactUrl(url)}`); };
  const [noQuery, query = ''] = rest.split('#')[0].split('?');
  const at = noQuery.lastIndexOf('@');
  const creds = at >= 0 ? noQuery.slice(0, at) : '';
  const afterCreds = noQuery.slice(at + 1);
  const slash = afterCreds.indexOf('/');
  const hostPart = slash >= 0 ? afterCreds.slice(0, slash) : afterCreds;
  try {
    const database = decodeURIComponent(slash >= 0 ? afterCreds.slice(slash + 1) : '');
    const c = creds.indexOf(':');
    const username = decodeURIComponent(c >= 0 ? creds.slice(0, c) : creds);
    const password = decodeURIComponent(c >= 0 ? creds.slice(c + 1) : '');
    if (!database) throw new ConfigError(`Database URL has no database name: ${redactUrl(url)}`);
    const hosts = (hostPart === '' ? ['127.0.0.1'] : hostPart.split(',')).map((h) => parseHost(h.trim(), bad));
    const socketPath = new URLSearchParams(query).get('unix_socket') ?? undefined;
    if (socketPath !== undefined && !socketPath.startsWith('/')) bad('unix_socket must be an absolute path');
    if (socketPath !== undefined && hosts.length > 1) bad('unix_socket with several hosts');
    return { type: 'mysql', host: hosts[0].host, port: hosts[0].port, hosts, username, password, database, ...(socketPath ? { socketPath } : {}) };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return bad('bad percent-encoding');
  }
}

function parseHost(h: string, bad: (why: string) => never): DbHost {
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(h);
  const plain = /^([a-z0-9._-]+)(?::(\d+))?$/i.exec(h);
  const hit = v6 ?? plain;
  if (!hit) return bad(`bad host '${h}'`);
  const port = hit[2] ? Number(hit[2]) : 3306;
  if (!(port > 0 && port < 65536)) return bad(`bad port in '${h}'`);
  return { host: hit[1], port };
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
      poolSize: 10,
      // A local server's socket costs both sides less per statement than loopback TCP does.
      ...(parsed.socketPath ? { socketPath: parsed.socketPath } : {}),
      // Several hosts: each new connection picks its host through the rotation. trace: false:
      // mysql2 otherwise captures a stack trace on every query (4.7% of cinder-volume's CPU under
      // load) to decorate errors; TypeORM's QueryFailedError carries the statement anyway.
      // maxPreparedStatements: the hot statements are prepared (prepared.ts), a few dozen per
      // process; mysql2's default cache of 16000 allocates 0.5 MB per connection up front, and
      // each pooled connection's statements count against the server's max_prepared_stmt_count.
      extra: {
        connectTimeout: 10000, trace: false, maxPreparedStatements: 64,
        ...(parsed.hosts.length > 1 ? { stream: new HostRotation(parsed.hosts).factory() } : {}),
      },
    };
  } else {
    if (parsed.path !== ':memory:') mkdirSync(dirname(parsed.path), { recursive: true });
    options = {
      ...common, type: 'better-sqlite3', database: parsed.path, enableWAL: parsed.path !== ':memory:',
      // TypeORM's FIFO cache of prepared statements: the default 100 is fewer than the distinct
      // queries of one attach and detach, so statements were prepared again on every cycle.
      statementCacheSize: 2000,
      // With WAL, NORMAL syncs at checkpoints, not at each commit: a crash of the process loses
      // nothing, a power loss may lose the last commits (SQLite's documented trade-off; the
      // embedded layout is the laptop one, MariaDB is the durable one).
      prepareDatabase: (db: { pragma(s: string): unknown }) => { if (parsed.path !== ':memory:') db.pragma('synchronous = NORMAL'); },
    };
  }
  return new DataSource(options);
}

/** Initialize (connect) with a clear error naming the database, never its password. */
export async function connectDataSource(ds: DataSource, name: string): Promise<DataSource> {
  try {
    if (!ds.isInitialized) await ds.initialize();
    serializeSqlite(ds);
    preparedStatementsOn(ds);
    return ds;
  } catch (e) {
    // The cause stays: a database that is not up yet is worth waiting for (openService).
    throw Object.assign(new ConfigError(`Cannot connect to the ${name} database: ${(e as Error).message}`), { cause: e });
  }
}

/** Run pending migrations; safe to run twice and from two processes at once. */
export async function migrateDatabase(ds: DataSource): Promise<string[]> {
  const isMysql = ds.options.type === 'mysql';
  const runner = isMysql ? ds.createQueryRunner() : null;
  let release: (() => Promise<void>) | null = null;
  try {
    if (runner) {
      await runner.connect();
      release = await takeMigrationLock(runner);
    }
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    if (runner) {
      await release?.().catch(() => undefined);
      await runner.release();
    }
  }
}

export function isMysql(ds: DataSource): boolean {
  return ds.options.type === 'mysql';
}
