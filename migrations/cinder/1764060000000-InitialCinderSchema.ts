// The cinder database: volumes, volume_attachment, volume_metadata, volume_admin_metadata,
// services (docs/architecture.md, Databases). Portable (QueryRunner Table API) so the same
// migration runs on MariaDB and SQLite. Cinder's soft-delete flag is a BOOLEAN.
import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { createTables } from '../common/redo-safe';

const uuidPk: TableColumnOptions = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
const intPk: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const str = (name: string, length = 255, nullable = true): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const int = (name: string, dflt?: number): TableColumnOptions =>
  dflt === undefined ? { name, type: 'integer', isNullable: true } : { name, type: 'integer', isNullable: false, default: dflt };
const bool = (name: string, dflt: boolean, nullable = false): TableColumnOptions => ({ name, type: 'boolean', isNullable: nullable, default: dflt });
const dt = (name: string): TableColumnOptions => ({ name, type: 'datetime', isNullable: true });
const text = (name: string): TableColumnOptions => ({ name, type: 'text', isNullable: true });
const softDelete: TableColumnOptions[] = [dt('created_at'), dt('updated_at'), dt('deleted_at'), bool('deleted', false)];

export class InitialCinderSchema1764060000000 implements MigrationInterface {
  name = 'InitialCinderSchema1764060000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'services',
      columns: [intPk, str('uuid', 36), str('cluster_name'), str('host'), str('binary'), str('topic'), int('report_count', 0),
        bool('disabled', false, true), { ...str('availability_zone'), default: "'cinder'" }, str('disabled_reason'), dt('modified_at'),
        str('rpc_current_version', 36), str('object_current_version', 36), { ...str('replication_status', 36), default: "'not-capable'" },
        str('active_backend_id'), bool('frozen', false), text('capabilities'), ...softDelete],
      indices: [
        { name: 'services_uuid_idx', columnNames: ['uuid'], isUnique: true },
        { name: 'services_host_binary_idx', columnNames: ['host', 'binary', 'deleted'] },
      ],
    }));

    await createTables(q, new Table({
      name: 'volumes',
      columns: [uuidPk, str('_name_id', 36), str('user_id'), str('project_id'), str('host'), str('cluster_name'), int('size'),
        str('availability_zone'), str('status'), str('attach_status'), str('migration_status'), str('previous_status'),
        dt('scheduled_at'), dt('launched_at'), dt('terminated_at'), str('display_name'), str('display_description'),
        str('provider_location', 256), str('provider_auth', 256), str('provider_geometry'), str('provider_id'),
        str('volume_type_id', 36, false), str('source_volid', 36), str('snapshot_id', 36), str('encryption_key_id', 36),
        bool('bootable', false), bool('multiattach', false), str('service_uuid', 36), bool('shared_targets', true, true),
        bool('use_quota', true, true), ...softDelete],
      indices: [
        { name: 'volumes_service_uuid_idx', columnNames: ['deleted', 'service_uuid'] },
        { name: 'volumes_project_id_idx', columnNames: ['project_id'] },
        { name: 'volumes_host_idx', columnNames: ['host'] },
      ],
    }));

    await createTables(q, new Table({
      name: 'volume_attachment',
      columns: [uuidPk, str('volume_id', 36, false), str('instance_uuid', 36), str('attached_host'), str('mountpoint'),
        dt('attach_time'), dt('detach_time'), str('attach_status'), str('attach_mode', 36), text('connection_info'), text('connector'),
        ...softDelete],
      indices: [{ name: 'volume_attachment_volume_id_idx', columnNames: ['volume_id'] }],
      foreignKeys: [{ columnNames: ['volume_id'], referencedTableName: 'volumes', referencedColumnNames: ['id'] }],
    }));

    for (const name of ['volume_metadata', 'volume_admin_metadata']) {
      await createTables(q, new Table({
        name,
        columns: [intPk, str('key'), str('value'), str('volume_id', 36, false), ...softDelete],
        indices: [{ name: `${name}_volume_id_idx`, columnNames: ['volume_id'] }],
        foreignKeys: [{ columnNames: ['volume_id'], referencedTableName: 'volumes', referencedColumnNames: ['id'] }],
      }));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['volume_admin_metadata', 'volume_metadata', 'volume_attachment', 'volumes', 'services']) {
      await q.dropTable(t, true);
    }
  }
}
