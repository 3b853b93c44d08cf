// Indexes that end at the soft-delete column, so that finding a parent's live rows does not walk
// every row it ever had. A volume attached and detached a thousand times keeps a thousand
// deleted attachments (and a server as many deleted BDM rows and actions) until an operator
// purges them; with the parent's id alone indexed, each read of the live ones read them all.
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, hasIndex } from './redo-safe';

export interface ExtraIndex { table: string; name: string; columns: string[] }

/** A migration that adds `indexes` (and drops them again, last first). */
export abstract class AddIndexes implements MigrationInterface {
  abstract readonly name: string;

  constructor(private readonly indexes: readonly ExtraIndex[]) {}

  // Redo-safe both ways (redo-safe.ts): a DROP INDEX commits on its own too.
  async up(q: QueryRunner): Promise<void> {
    for (const i of this.indexes) {
      await createMissingIndex(q, i.table, new TableIndex({ name: i.name, columnNames: i.columns }));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of [...this.indexes].reverse()) if (await hasIndex(q, i.table, i.name)) await q.dropIndex(i.table, i.name);
  }
}

