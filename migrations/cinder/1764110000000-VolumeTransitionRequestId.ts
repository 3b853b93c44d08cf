// volumes.transition_request_id: the request id (global when the caller sent one) of the last
// os-reserve, os-begin_detaching or attachment create, written by the same compare-and-swap
// UPDATE that changed the status, so cinder-volume's reconciler can name the operation a repair
// undoes. NULL: none recorded. Portable for MariaDB and SQLite.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns } from '../common/redo-safe';

export class VolumeTransitionRequestId1764110000000 implements MigrationInterface {
  name = 'VolumeTransitionRequestId1764110000000';

  async up(q: QueryRunner): Promise<void> {
    await addMissingColumns(q, 'volumes', [new TableColumn({ name: 'transition_request_id', type: 'varchar', length: '255', isNullable: true })]);
  }

  async down(q: QueryRunner): Promise<void> {
    // SQLite drops the column itself (3.35+): TypeORM's rebuild of `volumes` would break the
    // foreign keys of volume_attachment and the metadata tables that point at it.
    if (['better-sqlite3', 'sqlite'].includes(q.connection.options.type)) {
      await q.query('ALTER TABLE "volumes" DROP COLUMN "transition_request_id"');
    } else {
      await q.dropColumn('volumes', 'transition_request_id');
    }
  }
}
