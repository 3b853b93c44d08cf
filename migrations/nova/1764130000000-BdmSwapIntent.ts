// block_device_mapping.swap_volume_id / swap_attachment_id: the other side of a volume swap in
// flight (nova-common/bdm-states.ts): the new volume and its attachment until the swap commits,
// then the old ones until they are released. NULL when no swap runs.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns } from '../common/redo-safe';

export class BdmSwapIntent1764130000000 implements MigrationInterface {
  name = 'BdmSwapIntent1764130000000';

  async up(q: QueryRunner): Promise<void> {
    await addMissingColumns(q, 'block_device_mapping', [
      new TableColumn({ name: 'swap_volume_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'swap_attachment_id', type: 'varchar', length: '36', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['swap_attachment_id', 'swap_volume_id']) await q.dropColumn('block_device_mapping', c);
  }
}
