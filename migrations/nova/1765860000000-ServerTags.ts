// tags (2.26): a server's tags, keyed by (resource_id, tag) as Nova's, with its tags_tag_idx.
// Portable for MariaDB and SQLite; redo-safe (the index is made apart from the table).
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

export class ServerTags1765860000000 implements MigrationInterface {
  name = 'ServerTags1765860000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'tags',
      columns: [
        { name: 'resource_id', type: 'varchar', length: '36', isPrimary: true, isNullable: false },
        { name: 'tag', type: 'varchar', length: '80', isPrimary: true, isNullable: false },
      ],
    }));
    await createMissingIndex(q, 'tags', new TableIndex({ name: 'tags_tag_idx', columnNames: ['tag'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('tags', true);
  }
}
