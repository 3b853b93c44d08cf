// cinder `volume_attachment` (docs/architecture.md, Databases), all columns.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AttachStatus } from '../volume-status';

@Entity({ name: 'volume_attachment' })
export class VolumeAttachment {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'volume_id', type: 'varchar', length: 36 }) volumeId!: string;
  @Column({ name: 'instance_uuid', type: 'varchar', length: 36, nullable: true }) instanceUuid!: string | null;
  @Column({ name: 'attached_host', type: 'varchar', length: 255, nullable: true }) attachedHost!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) mountpoint!: string | null;
  @Column({ name: 'attach_time', type: 'datetime', nullable: true }) attachTime!: Date | null;
  @Column({ name: 'detach_time', type: 'datetime', nullable: true }) detachTime!: Date | null;
  @Column({ name: 'attach_status', type: 'varchar', length: 255, nullable: true }) attachStatus!: AttachStatus | null;
  @Column({ name: 'attach_mode', type: 'varchar', length: 36, nullable: true }) attachMode!: string | null;
  @Column({ name: 'connection_info', type: 'text', nullable: true }) connectionInfo!: string | null;
  @Column({ type: 'text', nullable: true }) connector!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}
