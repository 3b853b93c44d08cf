// compute_nodes: each nova-compute's hypervisor resources and their use, written by its resource
// tracker, read by os-hypervisors. Nova's columns for what the API shows (no placement,
// NUMA or PCI data). Portable for MariaDB and SQLite; redo-safe.
import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { createTables } from '../common/redo-safe';

const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });
const str = (name: string, length: string, nullable = true): TableColumnOptions => ({ name, type: 'varchar', length, isNullable: nullable });
const date = (name: string): TableColumnOptions => ({ name, type: 'datetime', isNullable: true });

export class ComputeNodes1765830000000 implements MigrationInterface {
  name = 'ComputeNodes1765830000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, new Table({
      name: 'compute_nodes',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        str('uuid', '36', false), str('host', '255'), str('hypervisor_hostname', '255'), str('hypervisor_type', '255', false),
        int('hypervisor_version'), str('host_ip', '39'), { name: 'cpu_info', type: 'text', isNullable: false },
        int('vcpus'), int('memory_mb'), int('local_gb'), int('vcpus_used'), int('memory_mb_used'), int('local_gb_used'),
        int('free_ram_mb', true), int('free_disk_gb', true), int('current_workload', true), int('running_vms', true),
        int('disk_available_least', true), date('created_at'), date('updated_at'), date('deleted_at'),
        { name: 'deleted', type: 'integer', isNullable: false, default: 0 },
      ],
      uniques: [
        { name: 'uniq_compute_nodes0host0hypervisor_hostname0deleted', columnNames: ['host', 'hypervisor_hostname', 'deleted'] },
        { name: 'compute_nodes_uuid_idx', columnNames: ['uuid'] },
      ],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('compute_nodes', true);
  }
}
