// project_user_quotas: a user's own compute limits within its project (os-quota-sets with
// ?user_id=), as Nova's nova_api.project_user_quotas. Portable for MariaDB and SQLite.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { limitsTable, str255 } from '../common/limits-table';
import { createTables } from '../common/redo-safe';

export class ProjectUserQuotas1765820000000 implements MigrationInterface {
  name = 'ProjectUserQuotas1765820000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, limitsTable('project_user_quotas', [str255('project_id', false), str255('user_id', false)], 'uniq_project_user_quotas0user_id0project_id0resource',
      [{ name: 'project_user_quotas_project_id_idx', columnNames: ['project_id'] }], ['user_id', 'project_id', 'resource']));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('project_user_quotas', true);
  }
}
