// SQLite runs on one connection per DataSource (TypeORM's better-sqlite3 driver shares a single
// query runner). Two requests in flight would otherwise meet on it: a second BEGIN fails
// ("cannot start a transaction within a transaction"), and worse, a plain write of one request
// lands inside another's open transaction and is lost if that one rolls back. So on SQLite
// every transaction holds the connection to itself: it runs under a per-DataSource mutex, and
// statements from outside it wait for that mutex; the transaction's own statements (found by
// AsyncLocalStorage) go straight through, while that transaction lasts: a timer it set (a span
// flush, say) inherits the context but not the right, once the transaction is over. MariaDB
// has a pool and needs none of this.
//
// The hot statements (FastSelect's and a few others) skip TypeORM's query runner: `sqliteDirect`
// runs them on better-sqlite3 at once, synchronously, when no transaction holds the connection
// or when they are that transaction's own, and after the transaction otherwise. Synchronous
// work cannot interleave with anything, so it needs neither the mutex nor a new async context;
// TypeORM's query would cost several awaits, its broadcaster and both of those per statement.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { KeyedLock } from '../lock';

/** The transaction holding the connection, seen from the work it started. */
interface Holder { ds: DataSource; active: boolean }
const owner = new AsyncLocalStorage<Holder>();
const patched = new WeakSet<DataSource>();

interface Stmt {
  reader: boolean;
  all(...p: unknown[]): unknown[];
  run(...p: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  raw(on: boolean): Stmt;
  columns(): Array<{ name: string }>;
}
type Row = Record<string, unknown>;
interface Db { prepare(sql: string): Stmt }

/** Statements run straight on a SQLite DataSource's connection (see the header). */
export interface SqliteDirect {
  /** The rows of a SELECT. */
  all(sql: string, params: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  /** A write: the rows it changed and the id it inserted, as TypeORM's structured result has them. */
  run(sql: string, params: readonly unknown[]): Promise<{ affected: number; raw: number | bigint }>;
}
const directs = new WeakMap<DataSource, SqliteDirect>();

/** The direct path of a SQLite DataSource; null on MySQL (or before it is connected). */
export function sqliteDirect(ds: DataSource): SqliteDirect | null {
  return directs.get(ds) ?? null;
}

const STATEMENTS = 2000;

export function serializeSqlite(ds: DataSource): void {
  if (ds.options.type !== 'better-sqlite3' || patched.has(ds)) return;
  patched.add(ds);
  const lock = new KeyedLock();
  const inside = (): boolean => {
    const h = owner.getStore();
    return h !== undefined && h.ds === ds && h.active;
  };
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => (inside() ? fn() : lock.run('db', async () => {
    const holder: Holder = { ds, active: true };
    try {
      return await owner.run(holder, fn);
    } finally {
      holder.active = false;
    }
  }));

  const qr = ds.createQueryRunner() as QueryRunner & { query: QueryRunner['query'] };
  const query = qr.query.bind(qr);
  qr.query = ((...args: Parameters<QueryRunner['query']>) => exclusive(() => query(...args))) as QueryRunner['query'];

  const manager = ds.manager as EntityManager & { transaction: EntityManager['transaction'] };
  const transaction = manager.transaction.bind(manager) as (...a: unknown[]) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) => exclusive(() => transaction(...args))) as EntityManager['transaction'];

  // Prepared on the driver's current connection (a DataSource initialised again has a new one).
  const driver = ds.driver as unknown as { databaseConnection: Db };
  let conn: Db | undefined;
  const stmts = new Map<string, Stmt>();
  const makers = new WeakMap<Stmt, (r: unknown[]) => Row>();
  const stmt = (sql: string): Stmt => {
    if (driver.databaseConnection !== conn) {
      conn = driver.databaseConnection;
      stmts.clear();
    }
    let st = stmts.get(sql);
    if (!st) {
      st = conn.prepare(sql);
      if (st.reader) makers.set(st.raw(true), rowMaker(st.columns().map((c) => c.name)));
      stmts.set(sql, st);
      if (stmts.size > STATEMENTS) stmts.delete(stmts.keys().next().value as string);
    }
    return st;
  };
  // As TypeORM's query: its logger sees the statement, booleans are bound as 0/1, a failure is
  // its QueryFailedError.
  const exec = <T>(sql: string, params: readonly unknown[], fn: (st: Stmt, p: unknown[]) => T): T => {
    const p = params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    ds.logger.logQuery(sql, p);
    try {
      return fn(stmt(sql), p);
    } catch (e) {
      throw new QueryFailedError(sql, p, e as Error);
    }
  };
  const now = <T>(work: () => T): Promise<T> => {
    if (inside() || !lock.held('db')) {
      try {
        return Promise.resolve(work());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return exclusive(async () => work());
  };
  directs.set(ds, {
    all: (sql, params) => now(() => exec(sql, params, (st, p) => {
      const mk = makers.get(st);
      return mk ? (st.all(...p) as unknown[][]).map(mk) : st.all(...p) as Row[];
    })),
    run: (sql, params) => now(() => exec(sql, params, (st, p) => {
      const r = st.run(...p);
      return { affected: r.changes, raw: r.lastInsertRowid };
    })),
  });
}

/**
 * Rows as better-sqlite3 returns them, built from its raw arrays by one object literal per
 * statement: better-sqlite3 adds the properties one by one, which costs about as much again as
 * the read itself (a 35-column volume row: 11 µs against 6). A literal assigns as it does: a
 * later column of the same name wins, and a column named `__proto__` sets the prototype.
 */
export function rowMaker(names: readonly string[]): (r: unknown[]) => Row {
  // The text is built from the column names, each one JSON-quoted.
  return new Function('r', `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ')}};`) as (r: unknown[]) => Row;
}
