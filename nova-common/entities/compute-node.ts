// nova `compute_nodes`: what each nova-compute's hypervisor offers and what its servers use, as
// its resource tracker last wrote it (os-hypervisors reads it). One live row per host and node.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'compute_nodes' })
export class ComputeNode {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ name: 'hypervisor_hostname', type: 'varchar', length: 255, nullable: true }) hypervisorHostname!: string | null;
  @Column({ name: 'hypervisor_type', type: 'varchar', length: 255 }) hypervisorType!: string;
  @Column({ name: 'hypervisor_version', type: 'integer' }) hypervisorVersion!: number;
  @Column({ name: 'host_ip', type: 'varchar', length: 39, nullable: true }) hostIp!: string | null;
  @Column({ name: 'cpu_info', type: 'text' }) cpuInfo!: string;
  @Column({ type: 'integer' }) vcpus!: number;
  @Column({ name: 'memory_mb', type: 'integer' }) memoryMb!: number;
  @Column({ name: 'local_gb', type: 'integer' }) localGb!: number;
  @Column({ name: 'vcpus_used', type: 'integer' }) vcpusUsed!: number;
  @Column({ name: 'memory_mb_used', type: 'integer' }) memoryMbUsed!: number;
  @Column({ name: 'local_gb_used', type: 'integer' }) localGbUsed!: number;
  @Column({ name: 'free_ram_mb', type: 'integer', nullable: true }) freeRamMb!: number | null;
  @Column({ name: 'free_disk_gb', type: 'integer', nullable: true }) freeDiskGb!: number | null;
  @Column({ name: 'current_workload', type: 'integer', nullable: true }) currentWorkload!: number | null;
  @Column({ name: 'running_vms', type: 'integer', nullable: true }) runningVms!: number | null;
  @Column({ name: 'disk_available_least', type: 'integer', nullable: true }) diskAvailableLeast!: number | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  /** 0 while live; the row's id once soft-deleted (Nova's convention). */
  @Column({ type: 'integer', default: 0 }) deleted!: number;
}
