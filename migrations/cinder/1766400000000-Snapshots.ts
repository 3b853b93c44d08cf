// snapshots and snapshot_metadata: a volume's point-in-time copies (Cinder's models, without the
// consistency-group columns' keys) and their user key/values. Portable for MariaDB and SQLite;
// redo-safe.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

type Col = { name: string; type: string; length?: string; isNullable: boolean; default?: unknown };

const text = (name: string, length = '255'): Col => ({ name, type: 'varchar', length, isNullable: true });
const stamps: Col[] = ['created_at', 'updated_at', 'deleted_at'].map((name) => ({ name, type: 'datetime', isNullable: true }));
const deleted: Col = { name: 'deleted', type: 'boolean', isNullable: true, default: false };

export class Snapshots1766400000000 implements MigrationInterface {
  name = 'Snapshots1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'snapshots',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true, isNullable: false },
        { name: 'volume_id', type: 'varchar', length: '36', isNullable: false },
        text('user_id'), text('project_id'), text('status'), text('progress'),
        { name: 'volume_size', type: 'integer', isNullable: true },
        { name: 'scheduled_at', type: 'datetime', isNullable: true },
        text('display_name'), text('display_description'), text('provider_location'),
        text('encryption_key_id', '36'), text('volume_type_id', '36'), text('cgsnapshot_id', '36'), text('group_snapshot_id', '36'),
        text('provider_id'), text('provider_auth'),
        { name: 'use_quota', type: 'boolean', isNullable: false, default: true },
        ...stamps, deleted,
      ],
    }), new Table({
      name: 'snapshot_metadata',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'snapshot_id', type: 'varchar', length: '36', isNullable: false },
        text('key'), text('value'), ...stamps, deleted,
      ],
    }));
    await createMissingIndex(q, 'snapshots', new TableIndex({ name: 'snapshots_volume_id_idx', columnNames: ['volume_id', 'deleted'] }));
    await createMissingIndex(q, 'snapshots', new TableIndex({ name: 'snapshots_project_id_idx', columnNames: ['project_id', 'deleted'] }));
    await createMissingIndex(q, 'snapshot_metadata', new TableIndex({ name: 'snapshot_metadata_snapshot_id_idx', columnNames: ['snapshot_id', 'deleted'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('snapshot_metadata', true);
    await q.dropTable('snapshots', true);
  }
}
