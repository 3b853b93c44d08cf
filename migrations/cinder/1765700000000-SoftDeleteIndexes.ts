// A volume's live attachments and metadata by (volume_id, deleted): migrations/common/soft-delete-indexes.ts.
import { AddIndexes } from '../common/soft-delete-indexes';

export class SoftDeleteIndexes1765700000000 extends AddIndexes {
  name = 'SoftDeleteIndexes1765700000000';

  constructor() {
    super(['volume_attachment', 'volume_metadata', 'volume_admin_metadata']
      .map((table) => ({ table, name: `${table}_volume_id_deleted_idx`, columns: ['volume_id', 'deleted'] })));
  }
}
