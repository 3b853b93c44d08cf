// groups and group_volume_type_mapping (Cinder's generic volume groups), and volumes.group_id
// (the group a volume is in) with an index ending at the soft-delete column, as the other live
// lookups have. Portable for MariaDB and SQLite; redo-safe.
import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

type Col = { name: string; type: string; length?: string; isNullable: boolean; default?: unknown; isPrimary?: boolean; isGenerated?: boolean; generationStrategy?: 'increment' };

const text = (name: string, length = '255', isNullable = true): Col => ({ name, type: 'varchar', length, isNullable });
const stamps: Col[] = ['created_at', 'updated_at', 'deleted_at'].map((name) => ({ name, type: 'datetime', isNullable: true }));
const deleted: Col = { name: 'deleted', type: 'boolean', isNullable: true, default: false };
const isSqlite = (q: QueryRunner): boolean => ['better-sqlite3', 'sqlite'].includes(q.connection.options.type);

export class Groups1766600000000 implements MigrationInterface {
  name = 'Groups1766600000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'groups',
      columns: [{ ...text('id', '36', false), isPrimary: true }, text('user_id'), text('project_id'), text('cluster_name'), text('host'),
        text('availability_zone'), text('name'), text('description'), text('group_type_id', '36'), text('status'),
        text('group_snapshot_id', '36'), text('source_group_id', '36'), text('replication_status'), ...stamps, deleted],
      indices: [{ name: 'groups_project_id_deleted_idx', columnNames: ['project_id', 'deleted'] }],
    }));
    await createTables(q, new Table({
      name: 'group_volume_type_mapping',
      columns: [{ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment', isNullable: false },
        text('volume_type_id', '36', false), text('group_id', '36', false), ...stamps, deleted],
      indices: [{ name: 'ix_group_volume_type_mapping_group_id', columnNames: ['group_id'] }],
      foreignKeys: [{ columnNames: ['group_id'], referencedTableName: 'groups', referencedColumnNames: ['id'] }],
    }));
    const have = new Set((await q.getTable('volumes'))?.columns.map((c) => c.name) ?? []);
    if (!have.has('group_id')) {
      // SQLite adds the column in place: TypeORM's rebuild of `volumes` would touch the keys pointing at it.
      if (isSqlite(q)) await q.query('ALTER TABLE "volumes" ADD COLUMN "group_id" varchar(36)');
      else await q.addColumn('volumes', new TableColumn({ name: 'group_id', type: 'varchar', length: '36', isNullable: true }));
    }
    await createMissingIndex(q, 'volumes', new TableIndex({ name: 'volumes_group_id_deleted_idx', columnNames: ['group_id', 'deleted'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ${isSqlite(q) ? '"volumes_group_id_deleted_idx"' : '`volumes_group_id_deleted_idx` ON `volumes`'}`);
    if (isSqlite(q)) await q.query('ALTER TABLE "volumes" DROP COLUMN "group_id"');
    else await q.dropColumn('volumes', 'group_id');
    for (const t of ['group_volume_type_mapping', 'groups']) await q.dropTable(t, true);
  }
}
