// cinder `volume_metadata` (user key/values) and `volume_admin_metadata` (readonly,
// attached_mode): same shape, different audiences.
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
