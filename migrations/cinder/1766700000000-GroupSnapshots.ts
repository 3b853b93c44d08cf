// group_snapshots (Cinder's), and an index on snapshots' group_snapshot_id ending at the
// soft-delete column (a group snapshot's snapshots are read by it). Portable for MariaDB and
// SQLite; redo-safe.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

type Col = { name: string; type: string; length?: string; isNullable: boolean; default?: unknown; isPrimary?: boolean };

const text = (name: string, length = '255', isNullable = true): Col => ({ name, type: 'varchar', length, isNullable });
const stamps: Col[] = ['created_at', 'updated_at', 'deleted_at'].map((name) => ({ name, type: 'datetime', isNullable: true }));

export class GroupSnapshots1766700000000 implements MigrationInterface {
  name = 'GroupSnapshots1766700000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'group_snapshots',
      columns: [{ ...text('id', '36', false), isPrimary: true }, text('group_id', '36', false), text('user_id'), text('project_id'), text('name'),
        text('description'), text('status'), text('group_type_id', '36'), ...stamps, { name: 'deleted', type: 'boolean', isNullable: true, default: false }],
      indices: [{ name: 'group_snapshots_group_id_deleted_idx', columnNames: ['group_id', 'deleted'] }],
    }));
    await createMissingIndex(q, 'snapshots', new TableIndex({ name: 'snapshots_group_snapshot_id_deleted_idx', columnNames: ['group_snapshot_id', 'deleted'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('snapshots', 'snapshots_group_snapshot_id_deleted_idx');
    await q.dropTable('group_snapshots', true);
  }
}
