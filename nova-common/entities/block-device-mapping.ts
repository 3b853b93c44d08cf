// nova `block_device_mapping` (docs/architecture.md, Databases): the row "reserve the device"
// inserts and "save connection_info" completes (docs/attach-detach.md).
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { BdmState } from '../bdm-states';

@Entity({ name: 'block_device_mapping' })
export class BlockDeviceMapping {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'instance_uuid', type: 'varchar', length: 36, nullable: true }) instanceUuid!: string | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) uuid!: string | null;
  @Column({ name: 'source_type', type: 'varchar', length: 255, nullable: true }) sourceType!: string | null;
  @Column({ name: 'destination_type', type: 'varchar', length: 255, nullable: true }) destinationType!: string | null;
  @Column({ name: 'guest_format', type: 'varchar', length: 255, nullable: true }) guestFormat!: string | null;
  @Column({ name: 'device_type', type: 'varchar', length: 255, nullable: true }) deviceType!: string | null;
  @Column({ name: 'disk_bus', type: 'varchar', length: 255, nullable: true }) diskBus!: string | null;
  @Column({ name: 'boot_index', type: 'integer', nullable: true }) bootIndex!: number | null;
  @Column({ name: 'device_name', type: 'varchar', length: 255, nullable: true }) deviceName!: string | null;
  @Column({ name: 'delete_on_termination', type: 'boolean', default: false }) deleteOnTermination!: boolean;
  @Column({ name: 'snapshot_id', type: 'varchar', length: 36, nullable: true }) snapshotId!: string | null;
  @Column({ name: 'volume_id', type: 'varchar', length: 36, nullable: true }) volumeId!: string | null;
  @Column({ name: 'volume_size', type: 'integer', nullable: true }) volumeSize!: number | null;
  @Column({ name: 'volume_type', type: 'varchar', length: 255, nullable: true }) volumeType!: string | null;
  @Column({ name: 'image_id', type: 'varchar', length: 36, nullable: true }) imageId!: string | null;
  @Column({ name: 'no_device', type: 'boolean', nullable: true }) noDevice!: boolean | null;
  /** JSON of the old-style connection_info (+ serial, data.device_path); NULL until "save connection_info". */
  @Column({ name: 'connection_info', type: 'text', nullable: true }) connectionInfo!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) tag!: string | null;
  @Column({ name: 'attachment_id', type: 'varchar', length: 36, nullable: true }) attachmentId!: string | null;
  @Column({ type: 'boolean', default: false }) encrypted!: boolean;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'integer', default: 0 }) deleted!: number;
  /** Durable intent of an attach/detach in flight (bdm-states.ts); NULL when settled. */
  @Column({ name: 'attach_state', type: 'varchar', length: 36, nullable: true }) attachState!: BdmState | null;
  /** When attach_state last changed: the age the reconciler judges a stalled step by. */
  @Column({ name: 'attach_state_at', type: 'datetime', precision: 3, nullable: true }) attachStateAt!: Date | null;
  /** Request id (global if the caller sent one) of the operation the intent belongs to, for repair logs. */
  @Column({ name: 'attach_request_id', type: 'varchar', length: 255, nullable: true }) attachRequestId!: string | null;
  /** A swap in flight: the new volume until it commits, then the old one until it is released. */
  @Column({ name: 'swap_volume_id', type: 'varchar', length: 36, nullable: true }) swapVolumeId!: string | null;
  /** The attachment of swap_volume_id (attachments flow). */
  @Column({ name: 'swap_attachment_id', type: 'varchar', length: 36, nullable: true }) swapAttachmentId!: string | null;
}
