// quota_classes: limits by quota class (os-quota-class-sets), as Nova's nova_api.quota_classes;
// the "default" class overrides the [quota] options for every project. Portable.
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTables } from '../common/redo-safe';

export class ComputeQuotaClasses1765810000000 implements MigrationInterface {
  name = 'ComputeQuotaClasses1765810000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'quota_classes',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'class_name', type: 'varchar', length: '255', isNullable: true },
        { name: 'resource', type: 'varchar', length: '255', isNullable: false },
        { name: 'hard_limit', type: 'integer', isNullable: true },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
      ],
      uniques: [{ name: 'uniq_quota_classes0class_name0resource', columnNames: ['class_name', 'resource'] }],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('quota_classes', true);
  }
}
