// Cinder's quota tables: quotas, quota_classes, quota_usages, reservations, and the `default`
// quota class seeded with the rows Cinder's initial migration writes (volumes 10, snapshots 10,
// gigabytes 1000, consistencygroups 10, per_volume_gigabytes -1, groups 10). Portable for
// MariaDB and SQLite (Table API; the seed rows are plain literals).
import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { createTables, insertMissing } from '../common/redo-safe';

const intPk: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const str = (name: string, length = 255, nullable = true): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const int = (name: string, nullable = true, dflt?: number): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable, ...(dflt !== undefined ? { default: dflt } : {}) });
const dt = (name: string): TableColumnOptions => ({ name, type: 'datetime', isNullable: true });
const tail: TableColumnOptions[] = [dt('created_at'), dt('updated_at'), dt('deleted_at'), { name: 'deleted', type: 'boolean', isNullable: false, default: false }];

export const DEFAULT_CLASS_SEED: Array<[string, number]> = [
  ['volumes', 10], ['snapshots', 10], ['gigabytes', 1000], ['consistencygroups', 10], ['per_volume_gigabytes', -1], ['groups', 10],
];

export class Quotas1765300000000 implements MigrationInterface {
  name = 'Quotas1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'quotas',
      columns: [intPk, str('project_id'), str('resource', 255, false), int('hard_limit'), int('allocated', true, 0), ...tail],
      indices: [{ name: 'uniq_quotas0project_id0resource', columnNames: ['project_id', 'resource'], isUnique: true }],
    }));
    await createTables(q, new Table({
      name: 'quota_classes',
      columns: [intPk, str('class_name'), str('resource'), int('hard_limit'), ...tail],
      indices: [{ name: 'uniq_quota_classes0class_name0resource', columnNames: ['class_name', 'resource'], isUnique: true }],
    }));
    await createTables(q, new Table({
      name: 'quota_usages',
      columns: [intPk, str('project_id'), str('resource', 300), int('in_use', false), int('reserved', false), int('until_refresh'),
        { name: 'race_preventer', type: 'boolean', isNullable: true, default: true }, ...tail],
      indices: [{ name: 'quota_usage_project_resource_idx', columnNames: ['project_id', 'resource', 'race_preventer'], isUnique: true }],
    }));
    await createTables(q, new Table({
      name: 'reservations',
      columns: [intPk, str('uuid', 36, false), int('usage_id'), str('project_id'), str('resource', 300), int('delta', false),
        dt('expire'), int('allocated_id'), ...tail],
      indices: [{ name: 'reservations_deleted_expire_idx', columnNames: ['deleted', 'expire'] },
        { name: 'reservations_deleted_uuid_idx', columnNames: ['deleted', 'uuid'] },
        { name: 'reservations_usage_id_idx', columnNames: ['usage_id'] }],
      foreignKeys: [{ columnNames: ['usage_id'], referencedTableName: 'quota_usages', referencedColumnNames: ['id'] }],
    }));
    const now = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
    for (const [resource, limit] of DEFAULT_CLASS_SEED) {
      await insertMissing(q, 'quota_classes',
        { class_name: 'default', resource, hard_limit: limit, created_at: now, deleted: 0 }, ['class_name', 'resource']);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['reservations', 'quota_usages', 'quota_classes', 'quotas']) await q.dropTable(t, true);
  }
}
