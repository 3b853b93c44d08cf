// A volume's live attachments and metadata by (volume_id, deleted): migrations/common/soft-delete-indexes.ts.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexes, dropIndexes, type ExtraIndex } from '../common/soft-delete-indexes';

const INDEXES: ExtraIndex[] = ['volume_attachment', 'volume_metadata', 'volume_admin_metadata']
  .map((table) => ({ table, name: `${table}_volume_id_deleted_idx`, columns: ['volume_id', 'deleted'] }));

export class SoftDeleteIndexes1765700000000 implements MigrationInterface {
  name = 'SoftDeleteIndexes1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await createIndexes(q, INDEXES);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIndexes(q, INDEXES);
  }
}
