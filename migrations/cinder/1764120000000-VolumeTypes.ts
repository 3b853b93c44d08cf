// Cinder's volume types: volume_types, volume_type_extra_specs, volume_type_projects (the
// access list of private types), and the `__DEFAULT__` type seeded with the id volumes already
// carry (volumes.volume_type_id). Portable for MariaDB and SQLite (Table API; the seed row is
// written with plain literals, as better-sqlite3 binds neither booleans nor Dates).
import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { DEFAULT_TYPE_ID, DEFAULT_TYPE_NAME } from '../../cinder-common/entities/volume-type';
import { createTables, insertMissing } from '../common/redo-safe';

const intPk: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const str = (name: string, length = 255, nullable = true): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const dt = (name: string): TableColumnOptions => ({ name, type: 'datetime', isNullable: true });
const times: TableColumnOptions[] = [dt('created_at'), dt('updated_at'), dt('deleted_at')];
const typeFk = { columnNames: ['volume_type_id'], referencedTableName: 'volume_types', referencedColumnNames: ['id'] };

export class VolumeTypes1764120000000 implements MigrationInterface {
  name = 'VolumeTypes1764120000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'volume_types',
      columns: [{ name: 'id', type: 'varchar', length: '36', isPrimary: true }, str('name'), str('description'), str('qos_specs_id', 36),
        { name: 'is_public', type: 'boolean', isNullable: false, default: true }, ...times,
        { name: 'deleted', type: 'boolean', isNullable: false, default: false }],
      indices: [{ name: 'volume_types_name_idx', columnNames: ['name', 'deleted'] }],
    }));
    await createTables(q, new Table({
      name: 'volume_type_extra_specs',
      columns: [intPk, str('volume_type_id', 36, false), str('key'), str('value'), ...times,
        { name: 'deleted', type: 'boolean', isNullable: false, default: false }],
      indices: [{ name: 'volume_type_extra_specs_type_key_idx', columnNames: ['volume_type_id', 'key', 'deleted'] }],
      foreignKeys: [typeFk],
    }));
    await createTables(q, new Table({
      name: 'volume_type_projects',
      columns: [intPk, str('volume_type_id', 36, false), str('project_id', 255, false), ...times,
        { name: 'deleted', type: 'integer', isNullable: false, default: 0 }],
      // Cinder's uniq_volume_type_projects0volume_type_id0project_id0deleted: one live grant per pair.
      indices: [{ name: 'uniq_volume_type_projects0volume_type_id0project_id0deleted', columnNames: ['volume_type_id', 'project_id', 'deleted'], isUnique: true }],
      foreignKeys: [typeFk],
    }));
    const now = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
    await insertMissing(q, 'volume_types',
      { id: DEFAULT_TYPE_ID, name: DEFAULT_TYPE_NAME, description: 'Default Volume Type', is_public: 1, created_at: now, deleted: 0 }, ['id']);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['volume_type_projects', 'volume_type_extra_specs', 'volume_types']) await q.dropTable(t, true);
  }
}
