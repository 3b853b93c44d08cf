// The nova database: instances, block_device_mapping, services, instance_actions(+events).
// Portable (QueryRunner Table API) so the same migration runs on MariaDB and SQLite.
//
// block_device_mapping carries two UNIQUE indexes real Nova enforces only under a per-host lock:
// (instance_uuid, device_name, deleted) and (instance_uuid, volume_id, deleted). Live rows have
// deleted = 0 and soft-deleted rows deleted = id, so the database itself refuses two live rows
// with one device (or one volume) on a server, whichever nova-api process inserts them. NULL
// device names / volume ids (root disk, offloaded attach) never collide.
import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { createTables, createMissingIndex } from '../common/redo-safe';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const str = (name: string, length = 255): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: true });
const int = (name: string, dflt?: number): TableColumnOptions =>
  dflt === undefined ? { name, type: 'integer', isNullable: true } : { name, type: 'integer', isNullable: false, default: dflt };
const bool = (name: string, dflt: boolean | null): TableColumnOptions =>
  dflt === null ? { name, type: 'boolean', isNullable: true } : { name, type: 'boolean', isNullable: false, default: dflt };
const dt = (name: string): TableColumnOptions => ({ name, type: 'datetime', isNullable: true });
const softDelete: TableColumnOptions[] = [dt('created_at'), dt('updated_at'), dt('deleted_at'), int('deleted', 0)];

export class InitialNovaSchema1764050000000 implements MigrationInterface {
  name = 'InitialNovaSchema1764050000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const text = (name: string, big = false): TableColumnOptions => ({ name, type: mysql && big ? 'mediumtext' : 'text', isNullable: true });

    await createTables(q, new Table({
      name: 'instances',
      columns: [id, { name: 'uuid', type: 'varchar', length: '36', isNullable: false }, str('display_name'), str('project_id'),
        str('user_id'), str('image_ref'), str('flavor_id'), str('vm_state'), str('task_state'), int('power_state'),
        bool('locked', false), str('locked_by', 16), str('host'), str('node'), str('availability_zone'), str('root_device_name'),
        text('metadata'), text('fault_message'), dt('launched_at'), dt('terminated_at'), ...softDelete],
      uniques: [{ name: 'uniq_instances0uuid', columnNames: ['uuid'] }],
      indices: [
        { name: 'instances_host_node_deleted_idx', columnNames: ['host', 'node', 'deleted'] },
        { name: 'instances_uuid_deleted_idx', columnNames: ['uuid', 'deleted'] },
        { name: 'instances_project_id_idx', columnNames: ['project_id'] },
      ],
    }));

    await createTables(q, new Table({
      name: 'block_device_mapping',
      columns: [id, str('instance_uuid', 36), str('uuid', 36), str('source_type'), str('destination_type'), str('guest_format'),
        str('device_type'), str('disk_bus'), int('boot_index'), str('device_name'), bool('delete_on_termination', false),
        str('snapshot_id', 36), str('volume_id', 36), int('volume_size'), str('volume_type'), str('image_id', 36),
        bool('no_device', null), text('connection_info', true), str('tag'), str('attachment_id', 36), bool('encrypted', false),
        ...softDelete],
      uniques: [{ name: 'uniq_block_device_mapping0uuid', columnNames: ['uuid'] }],
      indices: [
        { name: 'snapshot_id', columnNames: ['snapshot_id'] },
        { name: 'volume_id', columnNames: ['volume_id'] },
        { name: 'block_device_mapping_instance_uuid_idx', columnNames: ['instance_uuid'] },
        { name: 'uniq_block_device_mapping0instance_uuid0device_name0deleted', columnNames: ['instance_uuid', 'device_name', 'deleted'], isUnique: true },
        { name: 'uniq_block_device_mapping0instance_uuid0volume_id0deleted', columnNames: ['instance_uuid', 'volume_id', 'deleted'], isUnique: true },
      ],
    }));

    await createTables(q, new Table({
      name: 'services',
      columns: [id, str('uuid', 36), str('host'), str('binary'), str('topic'), int('report_count', 0), bool('disabled', false),
        str('disabled_reason'), dt('last_seen_up'), bool('forced_down', false), int('version', 0), ...softDelete],
      indices: [
        { name: 'services_uuid_idx', columnNames: ['uuid'], isUnique: true },
        { name: 'uniq_services0host0topic0deleted', columnNames: ['host', 'topic', 'deleted'], isUnique: true },
        { name: 'uniq_services0host0binary0deleted', columnNames: ['host', 'binary', 'deleted'], isUnique: true },
      ],
    }));

    await createTables(q, new Table({
      name: 'instance_actions',
      columns: [id, str('action'), str('instance_uuid', 36), str('request_id'), str('user_id'), str('project_id'),
        dt('start_time'), dt('finish_time'), str('message'), ...softDelete],
      indices: [
        { name: 'instance_uuid_idx', columnNames: ['instance_uuid'] },
        { name: 'request_id_idx', columnNames: ['request_id'] },
      ],
    }));

    await createTables(q, new Table({
      name: 'instance_actions_events',
      columns: [id, str('event'), int('action_id'), dt('start_time'), dt('finish_time'), str('result'), text('traceback'),
        str('host'), ...softDelete],
    }));
    await createMissingIndex(q, 'instance_actions_events', new TableIndex({ name: 'instance_actions_events_action_id_idx', columnNames: ['action_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['instance_actions_events', 'instance_actions', 'services', 'block_device_mapping', 'instances']) {
      await q.dropTable(t, true);
    }
  }
}
