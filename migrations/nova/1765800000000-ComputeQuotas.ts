// quotas: a project's own compute limits (os-quota-sets), as Nova's nova_api.quotas keeps them;
// a resource without a row has the [quota] default. Portable for MariaDB and SQLite.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { limitsTable, str255 } from '../common/limits-table';
import { createTables } from '../common/redo-safe';

export class ComputeQuotas1765800000000 implements MigrationInterface {
  name = 'ComputeQuotas1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, limitsTable('quotas', [str255('project_id', true)], 'uniq_quotas0project_id0resource'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('quotas', true);
  }
}
