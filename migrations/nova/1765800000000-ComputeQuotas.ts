// quotas: a project's own compute limits (os-quota-sets), as Nova's nova_api.quotas keeps them;
// a resource without a row has the [quota] default. Portable for MariaDB and SQLite.
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTables } from '../common/redo-safe';

export class ComputeQuotas1765800000000 implements MigrationInterface {
  name = 'ComputeQuotas1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'quotas',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'project_id', type: 'varchar', length: '255', isNullable: true },
        { name: 'resource', type: 'varchar', length: '255', isNullable: false },
        { name: 'hard_limit', type: 'integer', isNullable: true },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
      ],
      uniques: [{ name: 'uniq_quotas0project_id0resource', columnNames: ['project_id', 'resource'] }],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('quotas', true);
  }
}
