// transfers: volume transfer offers (Cinder's `transfers`, with 3.55's no_snapshots and 3.57's
// history columns). Portable for MariaDB and SQLite; redo-safe.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

export class Transfers1765900000000 implements MigrationInterface {
  name = 'Transfers1765900000000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, length = '255'): { name: string; type: string; length: string; isNullable: boolean } => ({ name, type: 'varchar', length, isNullable: true });
    await createTables(q, new Table({
      name: 'transfers',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true, isNullable: false },
        { name: 'volume_id', type: 'varchar', length: '36', isNullable: false },
        text('display_name'), text('salt'), text('crypt_hash'),
        { name: 'expires_at', type: 'datetime', isNullable: true },
        { name: 'no_snapshots', type: 'boolean', isNullable: true, default: false },
        text('source_project_id'), text('destination_project_id'),
        { name: 'accepted', type: 'boolean', isNullable: true, default: false },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
        { name: 'deleted_at', type: 'datetime', isNullable: true },
        { name: 'deleted', type: 'boolean', isNullable: true, default: false },
      ],
    }));
    await createMissingIndex(q, 'transfers', new TableIndex({ name: 'transfers_volume_id_idx', columnNames: ['volume_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('transfers', true);
  }
}
