// project_user_quotas: a user's own compute limits within its project (os-quota-sets with
// ?user_id=), as Nova's nova_api.project_user_quotas. Portable for MariaDB and SQLite.
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTables } from '../common/redo-safe';

export class ProjectUserQuotas1765820000000 implements MigrationInterface {
  name = 'ProjectUserQuotas1765820000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'project_user_quotas',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'project_id', type: 'varchar', length: '255', isNullable: false },
        { name: 'user_id', type: 'varchar', length: '255', isNullable: false },
        { name: 'resource', type: 'varchar', length: '255', isNullable: false },
        { name: 'hard_limit', type: 'integer', isNullable: true },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
      ],
      uniques: [{ name: 'uniq_project_user_quotas0user_id0project_id0resource', columnNames: ['user_id', 'project_id', 'resource'] }],
      indices: [{ name: 'project_user_quotas_project_id_idx', columnNames: ['project_id'] }],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('project_user_quotas', true);
  }
}
