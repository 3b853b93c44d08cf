// encryption: a volume type's encryption (Cinder's `encryption`, keyed by encryption_id, looked up
// by volume_type_id). Portable for MariaDB and SQLite; redo-safe.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

export class TypeEncryption1766300000000 implements MigrationInterface {
  name = 'TypeEncryption1766300000000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string): { name: string; type: string; length: string; isNullable: boolean } => ({ name, type: 'varchar', length: '255', isNullable: true });
    await createTables(q, new Table({
      name: 'encryption',
      columns: [
        { name: 'encryption_id', type: 'varchar', length: '36', isPrimary: true, isNullable: false },
        text('cipher'), { name: 'key_size', type: 'integer', isNullable: true }, text('provider'), text('control_location'),
        { name: 'volume_type_id', type: 'varchar', length: '36', isNullable: false },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
        { name: 'deleted_at', type: 'datetime', isNullable: true },
        { name: 'deleted', type: 'boolean', isNullable: true, default: false },
      ],
    }));
    await createMissingIndex(q, 'encryption', new TableIndex({ name: 'ix_encryption_volume_type_id', columnNames: ['volume_type_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('encryption', true);
  }
}
