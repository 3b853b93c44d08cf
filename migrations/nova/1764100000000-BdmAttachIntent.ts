// block_device_mapping.attach_state / attach_state_at / attach_request_id: the durable intent of
// an attach or detach in flight (nova-common/bdm-states.ts). NULL means settled. The compute's
// reconciler finds unfinished rows by attach_state, hence the index.
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns, createMissingIndex } from '../common/redo-safe';

export class BdmAttachIntent1764100000000 implements MigrationInterface {
  name = 'BdmAttachIntent1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await addMissingColumns(q, 'block_device_mapping', [
      new TableColumn({ name: 'attach_state', type: 'varchar', length: '36', isNullable: true }),
      // Milliseconds: the reconciler judges ages of a few seconds by it (Nova's DATETIME has none).
      new TableColumn({ name: 'attach_state_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'attach_request_id', type: 'varchar', length: '255', isNullable: true }),
    ]);
    await createMissingIndex(q, 'block_device_mapping', new TableIndex({ name: 'block_device_mapping_attach_state_idx', columnNames: ['attach_state'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('block_device_mapping', 'block_device_mapping_attach_state_idx');
    for (const c of ['attach_request_id', 'attach_state_at', 'attach_state']) await q.dropColumn('block_device_mapping', c);
  }
}
