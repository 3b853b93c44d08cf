// Indexes that end at the soft-delete column, so that finding a parent's live rows does not walk
// every row it ever had. A volume attached and detached a thousand times keeps a thousand
// deleted attachments (and a server as many deleted BDM rows and actions) until an operator
// purges them; with the parent's id alone indexed, each read of the live ones read them all.
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export interface ExtraIndex { table: string; name: string; columns: string[] }

/** A migration that adds `indexes` (and drops them again, last first). */
export abstract class AddIndexes implements MigrationInterface {
  abstract readonly name: string;

  constructor(private readonly indexes: readonly ExtraIndex[]) {}

  // Redo-safe: on MariaDB each CREATE or DROP INDEX commits on its own, so a start killed half-way
  // leaves some done and the migration unrecorded; the next run does only the rest.
  async up(q: QueryRunner): Promise<void> {
    for (const i of this.indexes) {
      if (!(await has(q, i))) await q.createIndex(i.table, new TableIndex({ name: i.name, columnNames: i.columns }));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of [...this.indexes].reverse()) if (await has(q, i)) await q.dropIndex(i.table, i.name);
  }
}

async function has(q: QueryRunner, i: ExtraIndex): Promise<boolean> {
  return !!(await q.getTable(i.table))?.indices.some((x) => x.name === i.name);
}
