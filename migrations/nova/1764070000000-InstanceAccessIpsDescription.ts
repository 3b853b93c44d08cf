// instances.access_ip_v4 / access_ip_v6 / display_description: the server's accessIPv4,
// accessIPv6 and description, which Nova stores on the instance and echoes in every view.
// Portable (QueryRunner Table API) for MariaDB and SQLite.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns } from '../common/redo-safe';

export class InstanceAccessIpsDescription1764070000000 implements MigrationInterface {
  name = 'InstanceAccessIpsDescription1764070000000';

  async up(q: QueryRunner): Promise<void> {
    await addMissingColumns(q, 'instances', [
      new TableColumn({ name: 'access_ip_v4', type: 'varchar', length: '39', isNullable: true }),
      new TableColumn({ name: 'access_ip_v6', type: 'varchar', length: '39', isNullable: true }),
      new TableColumn({ name: 'display_description', type: 'text', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['display_description', 'access_ip_v6', 'access_ip_v4']) await q.dropColumn('instances', c);
  }
}
