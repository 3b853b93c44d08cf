// nova `instances` (docs/architecture.md, Databases): the columns the attach flow and the server views use.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TaskState, VmState } from '../objects';

@Entity({ name: 'instances' })
export class Instance {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true }) displayName!: string | null;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId!: string | null;
  @Column({ name: 'image_ref', type: 'varchar', length: 255, nullable: true }) imageRef!: string | null;
  @Column({ name: 'flavor_id', type: 'varchar', length: 255, nullable: true }) flavorId!: string | null;
  @Column({ name: 'vm_state', type: 'varchar', length: 255, nullable: true }) vmState!: VmState | null;
  @Column({ name: 'task_state', type: 'varchar', length: 255, nullable: true }) taskState!: TaskState | null;
  @Column({ name: 'power_state', type: 'integer', nullable: true }) powerState!: number | null;
  @Column({ type: 'boolean', default: false }) locked!: boolean;
  @Column({ name: 'locked_by', type: 'varchar', length: 16, nullable: true }) lockedBy!: string | null;
  @Column({ name: 'locked_reason', type: 'varchar', length: 255, nullable: true }) lockedReason!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) node!: string | null;
  @Column({ name: 'availability_zone', type: 'varchar', length: 255, nullable: true }) availabilityZone!: string | null;
  @Column({ name: 'root_device_name', type: 'varchar', length: 255, nullable: true }) rootDeviceName!: string | null;
  @Column({ name: 'access_ip_v4', type: 'varchar', length: 39, nullable: true }) accessIpV4!: string | null;
  @Column({ name: 'access_ip_v6', type: 'varchar', length: 39, nullable: true }) accessIpV6!: string | null;
  @Column({ name: 'display_description', type: 'text', nullable: true }) displayDescription!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) hostname!: string | null;
  @Column({ name: 'auto_disk_config', type: 'boolean', nullable: true }) autoDiskConfig!: boolean | null;
  @Column({ name: 'reservation_id', type: 'varchar', length: 255, nullable: true }) reservationId!: string | null;
  @Column({ name: 'launch_index', type: 'integer', nullable: true }) launchIndex!: number | null;
  @Column({ name: 'kernel_id', type: 'varchar', length: 255, nullable: true }) kernelId!: string | null;
  @Column({ name: 'ramdisk_id', type: 'varchar', length: 255, nullable: true }) ramdiskId!: string | null;
  @Column({ name: 'user_data', type: 'text', nullable: true }) userData!: string | null;
  @Column({ name: 'metadata', type: 'text', nullable: true }) metadataJson!: string | null;
  @Column({ name: 'fault_message', type: 'text', nullable: true }) faultMessage!: string | null;
  /** The key pair the server was created with, and its public key then (Nova keeps both). */
  @Column({ name: 'key_name', type: 'varchar', length: 255, nullable: true }) keyName!: string | null;
  @Column({ name: 'key_data', type: 'text', nullable: true }) keyData!: string | null;
  /** The fault's HTTP code (unset: 500, as a failed build). */
  @Column({ name: 'fault_code', type: 'integer', nullable: true }) faultCode!: number | null;
  @Column({ name: 'launched_at', type: 'datetime', nullable: true }) launchedAt!: Date | null;
  @Column({ name: 'terminated_at', type: 'datetime', nullable: true }) terminatedAt!: Date | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  /** 0 while live; the row's id once soft-deleted (Nova's convention). */
  @Column({ type: 'integer', default: 0 }) deleted!: number;
}
