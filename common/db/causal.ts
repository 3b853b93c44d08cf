// Galera certifies a commit cluster-wide but applies it on the other nodes a moment later. So
// right after a lost connection, a write this process sent may have committed on the node that
// went away and not yet be applied on the node the next connection reaches: a statement there
// does not see it. A statement that must (taking back a row an interrupted INSERT may have left)
// asks its node to apply everything it has received first: wsrep_sync_wait's UPDATE-and-DELETE
// bit, for that statement only (MariaDB's SET STATEMENT). Other servers run the text as it is.
import type { DataSource } from 'typeorm';
import { isDbConnectionError } from './errors';
import { writeRows } from './fast-select';

/** wsrep_sync_wait's bit for UPDATE and DELETE. */
const SYNC_UPDATE_DELETE = 2;

const galera = new WeakMap<DataSource, boolean>();

/** Whether `ds` is a Galera node (wsrep_on), asked once; a lost connection is asked again later. */
export async function isGalera(ds: DataSource): Promise<boolean> {
  if (ds.options.type !== 'mysql') return false;
  const known = galera.get(ds);
  if (known !== undefined) return known;
  let on = false;
  try {
    const rows = (await ds.query('SELECT @@wsrep_on AS w')) as Array<{ w: unknown }>;
    on = Number(rows[0]?.w) === 1;
  } catch (e) {
    if (isDbConnectionError(e)) throw e;
    // A server without wsrep (MySQL) does not know the variable: not Galera.
  }
  galera.set(ds, on);
  return on;
}

/** An UPDATE or DELETE that sees every write the cluster committed before it; the rows it matched. */
export async function causalWrite(ds: DataSource, sql: string, params: unknown[]): Promise<number> {
  const text = (await isGalera(ds)) ? `SET STATEMENT wsrep_sync_wait=${SYNC_UPDATE_DELETE} FOR ${sql}` : sql;
  return (await writeRows(ds, text, params)).affected;
}
