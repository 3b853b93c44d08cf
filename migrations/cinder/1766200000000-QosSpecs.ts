// quality_of_service_specs: QoS specs as Cinder keeps them (a root row per spec, a child row per
// key, indexed by specs_id). volume_types.qos_specs_id already exists. Portable for MariaDB and
// SQLite; redo-safe.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

export class QosSpecs1766200000000 implements MigrationInterface {
  name = 'QosSpecs1766200000000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, length: string): { name: string; type: string; length: string; isNullable: boolean } => ({ name, type: 'varchar', length, isNullable: true });
    await createTables(q, new Table({
      name: 'quality_of_service_specs',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true, isNullable: false },
        text('specs_id', '36'), text('key', '255'), text('value', '255'),
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
        { name: 'deleted_at', type: 'datetime', isNullable: true },
        { name: 'deleted', type: 'boolean', isNullable: true, default: false },
      ],
    }));
    await createMissingIndex(q, 'quality_of_service_specs', new TableIndex({ name: 'ix_quality_of_service_specs_specs_id', columnNames: ['specs_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('quality_of_service_specs', true);
  }
}
