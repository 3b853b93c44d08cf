// request_specs: per instance, the availability zone it was asked for and its scheduler hints
// (Nova's nova_api.request_specs, spec as JSON), shown as pinned_availability_zone (2.96) and
// scheduler_hints (2.100). Servers created before it have no row: Nova's RequestSpecNotFound.
// Portable for MariaDB and SQLite.
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTables } from '../common/redo-safe';

export class RequestSpecs1764110000000 implements MigrationInterface {
  name = 'RequestSpecs1764110000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    await createTables(q, new Table({
      name: 'request_specs',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'instance_uuid', type: 'varchar', length: '36', isNullable: false },
        // Nova's column is MEDIUMTEXT: hints are free-form.
        { name: 'spec', type: mysql ? 'mediumtext' : 'text', isNullable: false },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
      ],
      uniques: [{ name: 'uniq_request_specs0instance_uuid', columnNames: ['instance_uuid'] }],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('request_specs');
  }
}
