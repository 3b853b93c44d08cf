// On MySQL/MariaDB the hot statements outside a transaction skip TypeORM's query runner, as on
// SQLite (sqlite-serial.ts): a pooled connection, the statement (prepared when its text is
// marked: prepared.ts), the connection back. TypeORM's runner (an object per statement, its
// broadcaster, several awaits) costs about 17 µs of CPU more per statement (`BENCH_LAYOUTS=multi
// npm run bench:requests`, bench/db-paths.ts: 60–65 against 43–47 µs); the legacy Cinder cycle
// runs about 53 statements. A transaction's statements run the same way
// on the connection its runner holds. What a caller sees is TypeORM's: the logger is told of the
// statement, a failure is its QueryFailedError (so retry.ts and errors.ts read the driver's code
// as before), a connection that cannot be had fails as the runner's connect() fails.
import { QueryFailedError, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';

interface Connection {
  query(sql: string, values: unknown[], cb: (err: Error | null, raw?: unknown) => void): unknown;
  release(): void;
}
interface Driver { obtainMasterConnection(): Promise<Connection> }

/** Sends of one autocommit statement that a deadlock aborted, after the first. */
export const DEADLOCK_RESENDS = 5;

/** InnoDB's deadlock, or Galera's certification conflict between two nodes' writes (both 1213). */
function isDeadlock(e: unknown): boolean {
  const d = (e as { driverError?: { errno?: unknown; code?: unknown } }).driverError;
  return d?.errno === 1213 || d?.code === 'ER_LOCK_DEADLOCK';
}

/**
 * The raw answer of `sql` on a pooled connection of `ds` (rows, or mysql2's ResultSetHeader).
 * A deadlock aborts an autocommit statement whole, so it is sent again (a few times, 10 ms
 * doubling, jittered): on Galera two API processes whose connections a failover spread over two
 * nodes make such conflicts on one row, which the server's own retry (wsrep_retry_autocommit = 1)
 * does not always settle, and the request answered 500.
 */
export async function mysqlQuery(ds: DataSource, sql: string, params: unknown[], resends = DEADLOCK_RESENDS): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    // As the runner's connect(): the pool's connection, with TypeORM's error listener on it.
    const conn = await (ds.driver as unknown as Driver).obtainMasterConnection();
    try {
      return await run(ds, conn, sql, params);
    } catch (e) {
      if (attempt >= resends || !isDeadlock(e)) throw e;
    } finally {
      conn.release();
    }
    await new Promise((r) => setTimeout(r, 10 * 2 ** attempt * (0.5 + Math.random() / 2)));
  }
}

/**
 * The connection a transaction's runner holds (MysqlQueryRunner's, once its transaction began),
 * for its statements to run on straight; null when it has none or was released.
 */
function heldConnection(qr: QueryRunner): Connection | null {
  const r = qr as QueryRunner & { databaseConnection?: Connection };
  return !r.isReleased && r.isTransactionActive && r.databaseConnection ? r.databaseConnection : null;
}

/** `sql` on a connection in hand (a transaction's): the runner's logging and failure. */
function run(ds: DataSource, conn: Connection, sql: string, params: unknown[]): Promise<unknown> {
  ds.logger.logQuery(sql, params);
  return new Promise((resolve, reject) => {
    conn.query(sql, params, (err, raw) => {
      if (!err) return resolve(raw);
      ds.logger.logQueryError(err, sql, params);
      reject(new QueryFailedError(sql, params, err));
    });
  });
}

/**
 * How a hot statement runs straight on MySQL: on a pooled connection outside a transaction
 * (`m` without a runner), on the connection a transaction's runner holds inside one; null when
 * `ds` is not MySQL or the runner holds none (then TypeORM's runner runs it).
 */
export function mysqlDirect(ds: DataSource, m?: EntityManager): ((sql: string, params: unknown[]) => Promise<unknown>) | null {
  if (ds.options.type !== 'mysql' || !ds.isInitialized) return null;
  if (!m?.queryRunner) return (sql, params) => mysqlQuery(ds, sql, params);
  const held = heldConnection(m.queryRunner);
  return held ? (sql, params) => run(ds, held, sql, params) : null;
}
