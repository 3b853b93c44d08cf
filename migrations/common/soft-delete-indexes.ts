// Indexes that end at the soft-delete column, so that finding a parent's live rows does not walk
// every row it ever had. A volume attached and detached a thousand times keeps a thousand
// deleted attachments (and a server as many deleted BDM rows and actions) until an operator
// purges them; with the parent's id alone indexed, each read of the live ones read them all.
import { TableIndex, type QueryRunner } from 'typeorm';

export interface ExtraIndex { table: string; name: string; columns: string[] }

export async function createIndexes(q: QueryRunner, list: ExtraIndex[]): Promise<void> {
  for (const i of list) await q.createIndex(i.table, new TableIndex({ name: i.name, columnNames: i.columns }));
}

export async function dropIndexes(q: QueryRunner, list: ExtraIndex[]): Promise<void> {
  for (const i of [...list].reverse()) await q.dropIndex(i.table, i.name);
}
