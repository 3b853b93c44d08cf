// instances.auto_disk_config: OS-DCF:diskConfig as the user asked it (AUTO is true), kept and
// shown as Nova does; nothing here resizes disks. Portable for MariaDB and SQLite.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns } from '../common/redo-safe';

export class InstanceAutoDiskConfig1765400000000 implements MigrationInterface {
  name = 'InstanceAutoDiskConfig1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await addMissingColumns(q, 'instances', [new TableColumn({ name: 'auto_disk_config', type: 'boolean', isNullable: true })]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('instances', 'auto_disk_config');
  }
}
