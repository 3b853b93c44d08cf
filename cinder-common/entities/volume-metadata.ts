// cinder `volume_metadata` (user key/values), `volume_admin_metadata` (readonly,
// attached_mode) and `volume_glance_metadata` (the image's properties a volume carries): same
// shape, different audiences.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

abstract class KeyValue {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 255, nullable: true }) key!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) value!: string | null;
  @Column({ name: 'volume_id', type: 'varchar', length: 36 }) volumeId!: string;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}

@Entity({ name: 'volume_metadata' })
export class VolumeMetadata extends KeyValue {}

@Entity({ name: 'volume_admin_metadata' })
export class VolumeAdminMetadata extends KeyValue {}

/** Glance metadata: a value is TEXT, and a snapshot's rows would name it (none here). */
@Entity({ name: 'volume_glance_metadata' })
export class VolumeGlanceMetadata {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'volume_id', type: 'varchar', length: 36, nullable: true }) volumeId!: string;
  @Column({ name: 'snapshot_id', type: 'varchar', length: 36, nullable: true }) snapshotId!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) key!: string | null;
  @Column({ type: 'text', nullable: true }) value!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}
