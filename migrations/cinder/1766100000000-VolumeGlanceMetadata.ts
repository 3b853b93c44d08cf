// volume_glance_metadata: the image properties a volume carries (Cinder's model: TEXT values,
// indexed by volume and by snapshot). Portable for MariaDB and SQLite; redo-safe.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

export class VolumeGlanceMetadata1766100000000 implements MigrationInterface {
  name = 'VolumeGlanceMetadata1766100000000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, length: string): { name: string; type: string; length: string; isNullable: boolean } => ({ name, type: 'varchar', length, isNullable: true });
    await createTables(q, new Table({
      name: 'volume_glance_metadata',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        text('volume_id', '36'), text('snapshot_id', '36'), text('key', '255'),
        { name: 'value', type: 'text', isNullable: true },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
        { name: 'deleted_at', type: 'datetime', isNullable: true },
        { name: 'deleted', type: 'boolean', isNullable: true, default: false },
      ],
    }));
    for (const c of ['volume_id', 'snapshot_id']) {
      await createMissingIndex(q, 'volume_glance_metadata', new TableIndex({ name: `ix_volume_glance_metadata_${c}`, columnNames: [c] }));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('volume_glance_metadata', true);
  }
}
