// On MySQL/MariaDB the hot statements outside a transaction skip TypeORM's query runner, as on
// SQLite (sqlite-serial.ts): a pooled connection, the statement (prepared when its text is
// marked: prepared.ts), the connection back. TypeORM's runner (an object per statement, its
// broadcaster, several awaits) cost 14–20 µs of CPU per statement: one marked SELECT in a loop
// over the local socket took 59–61 µs through it, 45–51 µs this way, 38–46 µs in mysql2 alone;
// the legacy Cinder cycle runs about 53 statements. A transaction's statements run the same way
// on the connection its runner holds. What a caller sees is TypeORM's: the logger is told of the
// statement, a failure is its QueryFailedError (so retry.ts and errors.ts read the driver's code
// as before), a connection that cannot be had fails as the runner's connect() fails.
import { QueryFailedError, type DataSource, type QueryRunner } from 'typeorm';

export interface Connection {
  query(sql: string, values: unknown[], cb: (err: Error | null, raw?: unknown) => void): unknown;
  release(): void;
}
interface Driver { obtainMasterConnection(): Promise<Connection> }

/** The raw answer of `sql` on a pooled connection of `ds` (rows, or mysql2's ResultSetHeader). */
export async function mysqlQuery(ds: DataSource, sql: string, params: unknown[]): Promise<unknown> {
  // As the runner's connect(): the pool's connection, with TypeORM's error listener on it.
  const conn = await (ds.driver as unknown as Driver).obtainMasterConnection();
  try {
    return await run(ds, conn, sql, params);
  } finally {
    conn.release();
  }
}

/**
 * The connection a transaction's runner holds (MysqlQueryRunner's, once its transaction began),
 * for its statements to run on straight; null when it has none or was released.
 */
export function heldConnection(qr: QueryRunner): Connection | null {
  const r = qr as QueryRunner & { databaseConnection?: Connection };
  return !r.isReleased && r.isTransactionActive && r.databaseConnection ? r.databaseConnection : null;
}

/** `sql` on a connection in hand (a transaction's): the runner's logging and failure. */
export function run(ds: DataSource, conn: Connection, sql: string, params: unknown[]): Promise<unknown> {
  ds.logger.logQuery(sql, params);
  return new Promise((resolve, reject) => {
    conn.query(sql, params, (err, raw) => {
      if (!err) return resolve(raw);
      ds.logger.logQueryError(err, sql, params);
      reject(new QueryFailedError(sql, params, err));
    });
  });
}

/** Whether `ds` takes mysqlQuery (a MySQL DataSource whose pool is up). */
export function isMysql(ds: DataSource): boolean {
  return ds.options.type === 'mysql' && ds.isInitialized;
}
