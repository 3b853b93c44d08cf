// A server's and a volume's live BDM rows by (…, deleted), and an action by its server and request
// id together: migrations/common/soft-delete-indexes.ts. Without statistics SQLite picked
// instance_uuid_idx for the action lookup, which walks every action the server ever had.
import { AddIndexes } from '../common/soft-delete-indexes';

export class SoftDeleteIndexes1765700000000 extends AddIndexes {
  name = 'SoftDeleteIndexes1765700000000';

  constructor() {
    super([
      { table: 'block_device_mapping', name: 'block_device_mapping_instance_uuid_deleted_idx', columns: ['instance_uuid', 'deleted'] },
      { table: 'block_device_mapping', name: 'block_device_mapping_volume_id_deleted_idx', columns: ['volume_id', 'deleted'] },
      { table: 'instance_actions', name: 'instance_actions_instance_uuid_request_id_idx', columns: ['instance_uuid', 'request_id'] },
    ]);
  }
}
