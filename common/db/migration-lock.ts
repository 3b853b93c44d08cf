// The lock that keeps two `db sync` runs from racing. On MariaDB it is GET_LOCK; on Galera
// GET_LOCK only locks the one node (some releases refuse it outright, MDEV-30473), so there the
// lock is a row: its INSERT is certified cluster-wide, a concurrent taker
// on any node gets a duplicate key (or loses certification) and waits. A holder that died
// leaves the row: it is taken over once older than STALE_S.
import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';

const NAME = 'attachd_db_sync';
const STALE_S = 300;

async function isGalera(runner: QueryRunner): Promise<boolean> {
  const rows = (await runner.query("SHOW VARIABLES LIKE 'wsrep_on'")) as Array<{ Value?: string }>;
  return String(rows[0]?.Value ?? '').toUpperCase() === 'ON';
}

/** Take the lock (waiting up to timeoutS); returns its release. */
export async function takeMigrationLock(runner: QueryRunner, timeoutS = 120): Promise<() => Promise<void>> {
  if (!(await isGalera(runner))) {
    const rows = (await runner.query(`SELECT GET_LOCK('${NAME}', ${timeoutS}) AS l`)) as Array<{ l: number }>;
    if (Number(rows[0]?.l) !== 1) throw new Error('Timed out waiting for the migration lock');
    return async () => { await runner.query(`SELECT RELEASE_LOCK('${NAME}')`); };
  }
  await runner.query('CREATE TABLE IF NOT EXISTS attachd_locks (name VARCHAR(64) NOT NULL PRIMARY KEY, '
    + 'holder CHAR(36) NOT NULL, taken_at DATETIME NOT NULL) ENGINE=InnoDB');
  const holder = randomUUID();
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    try {
      await runner.query('INSERT INTO attachd_locks (name, holder, taken_at) VALUES (?, ?, UTC_TIMESTAMP())', [NAME, holder]);
      return async () => { await runner.query('DELETE FROM attachd_locks WHERE name = ? AND holder = ?', [NAME, holder]); };
    } catch (e) {
      const code = (e as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (e as { code?: string }).code;
      if (code !== 'ER_DUP_ENTRY' && code !== 'ER_LOCK_DEADLOCK') throw e;
    }
    await runner.query(`DELETE FROM attachd_locks WHERE name = ? AND taken_at < UTC_TIMESTAMP() - INTERVAL ${STALE_S} SECOND`, [NAME]);
    if (Date.now() > deadline) throw new Error('Timed out waiting for the migration lock');
    await new Promise((r) => setTimeout(r, 200));
  }
}
