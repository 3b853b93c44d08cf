// key_pairs (Nova's API database: unique per user and name, no soft delete) and the key a
// server was created with (instances.key_name, key_data). Portable for MariaDB and SQLite;
// redo-safe.
import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns, createTables } from '../common/redo-safe';

export class KeyPairs1765850000000 implements MigrationInterface {
  name = 'KeyPairs1765850000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'key_pairs',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'name', type: 'varchar', length: '255', isNullable: false },
        { name: 'user_id', type: 'varchar', length: '255', isNullable: false },
        { name: 'fingerprint', type: 'varchar', length: '255', isNullable: true },
        { name: 'public_key', type: 'text', isNullable: true },
        { name: 'type', type: 'varchar', length: '4', isNullable: false, default: "'ssh'" },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
      ],
      uniques: [{ name: 'uniq_key_pairs0user_id0name', columnNames: ['user_id', 'name'] }],
    }));
    await addMissingColumns(q, 'instances', [
      new TableColumn({ name: 'key_name', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({ name: 'key_data', type: 'text', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('instances', 'key_data');
    await q.dropColumn('instances', 'key_name');
    await q.dropTable('key_pairs', true);
  }
}
