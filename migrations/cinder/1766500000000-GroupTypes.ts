// group_types, group_type_specs and group_type_projects (Cinder's schema), and the
// `default_cgsnapshot_type` group type Cinder's schema seeds, with its one spec
// (consistent_group_snapshot_enabled = "<is> True"). Portable for MariaDB and SQLite; redo-safe:
// the seed is found by its name, so a rerun adds neither a second type nor a second spec.
import { randomUUID } from 'node:crypto';
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { DEFAULT_CGSNAPSHOT_TYPE } from '../../cinder-common/entities/group-type';
import { createTables, insertMissing } from '../common/redo-safe';

type Col = { name: string; type: string; length?: string; isNullable: boolean; default?: unknown; isPrimary?: boolean; isGenerated?: boolean; generationStrategy?: 'increment' };

const text = (name: string, length = '255', isNullable = true): Col => ({ name, type: 'varchar', length, isNullable });
const stamps: Col[] = ['created_at', 'updated_at', 'deleted_at'].map((name) => ({ name, type: 'datetime', isNullable: true }));
const deleted: Col = { name: 'deleted', type: 'boolean', isNullable: true, default: false };
const intPk: Col = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment', isNullable: false };
const typeFk = { columnNames: ['group_type_id'], referencedTableName: 'group_types', referencedColumnNames: ['id'] };

export class GroupTypes1766500000000 implements MigrationInterface {
  name = 'GroupTypes1766500000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'group_types',
      columns: [{ ...text('id', '36', false), isPrimary: true }, text('name', '255', false), text('description'), ...stamps, deleted,
        { name: 'is_public', type: 'boolean', isNullable: true, default: true }],
      indices: [{ name: 'group_types_name_idx', columnNames: ['name', 'deleted'] }],
    }));
    await createTables(q, new Table({
      name: 'group_type_specs',
      columns: [intPk, text('key'), text('value'), text('group_type_id', '36', false), ...stamps, deleted],
      indices: [{ name: 'ix_group_type_specs_group_type_id', columnNames: ['group_type_id'] }],
      foreignKeys: [typeFk],
    }));
    await createTables(q, new Table({
      name: 'group_type_projects',
      columns: [intPk, ...stamps, text('group_type_id', '36'), text('project_id'), deleted],
      indices: [{ name: 'uniq_group_type_projects0group_type_id0project_id0deleted', columnNames: ['group_type_id', 'project_id', 'deleted'], isUnique: true }],
      foreignKeys: [typeFk],
    }));
    // Plain literals: better-sqlite3 binds neither booleans nor Dates.
    const now = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
    await insertMissing(q, 'group_types', {
      id: randomUUID(), name: DEFAULT_CGSNAPSHOT_TYPE, description: 'Default group type for migrating cgsnapshot',
      created_at: now, updated_at: now, deleted: 0, is_public: 1,
    }, ['name']);
    const [seed] = (await q.query('SELECT id FROM group_types WHERE name = ?', [DEFAULT_CGSNAPSHOT_TYPE])) as Array<{ id: string }>;
    await insertMissing(q, 'group_type_specs', {
      key: 'consistent_group_snapshot_enabled', value: '<is> True', group_type_id: seed.id, created_at: now, updated_at: now, deleted: 0,
    }, ['group_type_id', 'key']);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['group_type_projects', 'group_type_specs', 'group_types']) await q.dropTable(t, true);
  }
}
