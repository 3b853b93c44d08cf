// instances.locked_reason: why a server was locked (lock action at 2.73; Nova keeps it in
// system_metadata, shown as locked_reason). Portable for MariaDB and SQLite.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns } from '../common/redo-safe';

export class InstanceLockedReason1764080000000 implements MigrationInterface {
  name = 'InstanceLockedReason1764080000000';

  async up(q: QueryRunner): Promise<void> {
    await addMissingColumns(q, 'instances', [new TableColumn({ name: 'locked_reason', type: 'varchar', length: '255', isNullable: true })]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('instances', 'locked_reason');
  }
}
