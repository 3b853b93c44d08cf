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

  async up(q: QueryRunner): Promise<void> {
    for (const i of this.indexes) await q.createIndex(i.table, new TableIndex({ name: i.name, columnNames: i.columns }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of [...this.indexes].reverse()) await q.dropIndex(i.table, i.name);
  }
}
