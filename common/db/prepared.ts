// Server-side prepared statements on MySQL/MariaDB for the hot statements. TypeORM sends every
// query as text, so MariaDB parses each one again: in the legacy Cinder cycle, parsing and
// lexing were about a tenth of MariaDB's CPU, and mysql2's client-side escaping of the values a
// few percent of the services'. A statement whose text was marked here (FastSelect's, and the
// few hand-written hot ones) goes out through mysql2's `execute` instead: prepared once per
// pooled connection (mysql2 keeps an LRU of them and closes what it evicts), then sent as the
// statement's id and its values in binary. Anything else, or values that text formatting would
// expand (arrays, objects), stays a text query. A server that refuses to prepare one more
// (max_prepared_stmt_count reached, 1461) or cannot prepare that statement (1295) gets the text
// query instead, so nothing fails for want of a prepared statement.
import type { DataSource } from 'typeorm';

/** Texts worth preparing. Bounded: past the cap, new texts just stay text queries. */
const marked = new Set<string>();
const MAX_MARKED = 4000;

/** Marks `sql` as one to prepare (on MySQL); returns it, for use in place. */
export function prepared(sql: string): string {
  if (marked.size < MAX_MARKED) marked.add(sql);
  return sql;
}

export function isMarked(sql: string): boolean {
  return marked.has(sql);
}

/** Errors after which the text query is the answer: too many statements, or not preparable. */
const FALL_BACK = new Set([1461, 1295]);

type Callback = (err: (Error & { errno?: number }) | null, ...rest: unknown[]) => void;
interface CoreConnection {
  query(sql: unknown, values?: unknown, cb?: unknown): unknown;
  execute(sql: string, values: unknown[], cb: Callback): unknown;
}

/** What `execute` binds as text formatting would: undefined is NULL; arrays and objects are not bindable. */
function bindable(values: unknown): values is unknown[] {
  if (!Array.isArray(values)) return false;
  for (const v of values) {
    if (v !== null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) return false;
  }
  return true;
}

const patched = new WeakSet<object>();

/** Makes one of mysql2's connections execute marked statements. Idempotent. */
export function usePrepared(conn: CoreConnection): void {
  if (patched.has(conn)) return;
  patched.add(conn);
  const query = conn.query;
  conn.query = function (this: CoreConnection, ...a: unknown[]): unknown {
    const [sql, values, cb] = a;
    if (a.length !== 3 || typeof sql !== 'string' || typeof cb !== 'function' || !marked.has(sql) || !bindable(values)) {
      return query.apply(this, a as [unknown, unknown, unknown]);
    }
    const args = values.map((v) => (v === undefined ? null : v));
    return this.execute(sql, args, (err, ...rest) => {
      if (err && err.errno !== undefined && FALL_BACK.has(err.errno)) return query.call(this, sql, values, cb);
      return (cb as Callback)(err, ...rest);
    });
  };
}

interface PoolLike { getConnection(cb: (err: Error | null, conn?: CoreConnection) => void): void }

/**
 * On a MySQL DataSource, every connection TypeORM takes from the pool executes marked statements
 * prepared. SQLite needs nothing: better-sqlite3 prepares every statement (TypeORM's cache).
 */
export function preparedStatementsOn(ds: DataSource): void {
  if (ds.options.type !== 'mysql') return;
  const pool = (ds.driver as unknown as { pool?: PoolLike }).pool;
  if (!pool || patched.has(pool)) return;
  patched.add(pool);
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (cb) => getConnection((err, conn) => {
    if (!err && conn) usePrepared(conn);
    cb(err, conn);
  });
}
