// Steps a migration can run again. On MariaDB every CREATE and ALTER commits on its own, so a
// `db sync` or a start killed half-way through a migration leaves some of its steps done and the
// migration unrecorded; the next run does it again from the top. Each step here first looks
// whether its effect is already there, so that run does only the rest.
import type { QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/** Creates each table that is not there yet (one statement each, its indexes and keys inline). */
export async function createTables(q: QueryRunner, ...tables: Table[]): Promise<void> {
  for (const t of tables) await q.createTable(t, true);
}

/** Adds those of `columns` that `table` lacks. */
export async function addMissingColumns(q: QueryRunner, table: string, columns: TableColumn[]): Promise<void> {
  const have = new Set((await q.getTable(table))?.columns.map((c) => c.name) ?? []);
  const missing = columns.filter((c) => !have.has(c.name));
  if (missing.length) await q.addColumns(table, missing);
}

export async function hasIndex(q: QueryRunner, table: string, name: string): Promise<boolean> {
  return !!(await q.getTable(table))?.indices.some((x) => x.name === name);
}

export async function createMissingIndex(q: QueryRunner, table: string, index: TableIndex): Promise<void> {
  if (!(await hasIndex(q, table, index.name as string))) await q.createIndex(table, index);
}

/** Inserts a seed row unless a row with the same `keys` values is there. */
export async function insertMissing(q: QueryRunner, table: string, row: Record<string, unknown>, keys: string[]): Promise<void> {
  // Quoted: a column may be a reserved word (`key`).
  const e = (name: string): string => q.connection.driver.escape(name);
  const where = keys.map((k) => `${e(k)} = ?`).join(' AND ');
  const found = (await q.query(`SELECT 1 AS x FROM ${e(table)} WHERE ${where}`, keys.map((k) => row[k]))) as unknown[];
  if (found.length) return;
  const cols = Object.keys(row);
  await q.query(`INSERT INTO ${e(table)} (${cols.map(e).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((c) => row[c]));
}
