// instances.hostname / reservation_id / launch_index / kernel_id / ramdisk_id / user_data: what
// Nova stores at create and shows as OS-EXT-SRV-ATTR:* (admins from 2.3; hostname to everyone
// from 2.90, where it can also be requested and updated). Portable for MariaDB and SQLite.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns } from '../common/redo-safe';

const COLUMNS = ['hostname', 'reservation_id', 'launch_index', 'kernel_id', 'ramdisk_id', 'user_data'];

export class InstanceHostnameExtendedAttrs1764090000000 implements MigrationInterface {
  name = 'InstanceHostnameExtendedAttrs1764090000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const str = (name: string): TableColumn => new TableColumn({ name, type: 'varchar', length: '255', isNullable: true });
    await addMissingColumns(q, 'instances', [
      str('hostname'), str('reservation_id'), new TableColumn({ name: 'launch_index', type: 'integer', isNullable: true }),
      str('kernel_id'), str('ramdisk_id'),
      // Nova's column is MEDIUMTEXT (user_data may be 65535 base64 characters, over TEXT's bytes).
      new TableColumn({ name: 'user_data', type: mysql ? 'mediumtext' : 'text', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of [...COLUMNS].reverse()) await q.dropColumn('instances', c);
  }
}
