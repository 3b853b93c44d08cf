// quota_classes: limits by quota class (os-quota-class-sets), as Nova's nova_api.quota_classes;
// the "default" class overrides the [quota] options for every project. Portable.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { limitsTable, str255 } from '../common/limits-table';
import { createTables } from '../common/redo-safe';

export class ComputeQuotaClasses1765810000000 implements MigrationInterface {
  name = 'ComputeQuotaClasses1765810000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, limitsTable('quota_classes', [str255('class_name', true)], 'uniq_quota_classes0class_name0resource'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('quota_classes', true);
  }
}
