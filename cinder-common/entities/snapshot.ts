// cinder `snapshots` and `snapshot_metadata` (docs/snapshots.md).
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type SnapshotStatus = 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting' | 'unmanaging' | 'backing-up' | 'restoring' | 'deleted';

@Entity({ name: 'snapshots' })
export class Snapshot {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'volume_id', type: 'varchar', length: 36 }) volumeId!: string;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId!: string | null;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) status!: SnapshotStatus | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) progress!: string | null;
  @Column({ name: 'volume_size', type: 'integer', nullable: true }) volumeSize!: number | null;
  @Column({ name: 'scheduled_at', type: 'datetime', nullable: true }) scheduledAt!: Date | null;
  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true }) displayName!: string | null;
  @Column({ name: 'display_description', type: 'varchar', length: 255, nullable: true }) displayDescription!: string | null;
  @Column({ name: 'provider_location', type: 'varchar', length: 255, nullable: true }) providerLocation!: string | null;
  @Column({ name: 'encryption_key_id', type: 'varchar', length: 36, nullable: true }) encryptionKeyId!: string | null;
  @Column({ name: 'volume_type_id', type: 'varchar', length: 36, nullable: true }) volumeTypeId!: string | null;
  @Column({ name: 'cgsnapshot_id', type: 'varchar', length: 36, nullable: true }) cgsnapshotId!: string | null;
  @Column({ name: 'group_snapshot_id', type: 'varchar', length: 36, nullable: true }) groupSnapshotId!: string | null;
  @Column({ name: 'provider_id', type: 'varchar', length: 255, nullable: true }) providerId!: string | null;
  @Column({ name: 'provider_auth', type: 'varchar', length: 255, nullable: true }) providerAuth!: string | null;
  @Column({ name: 'use_quota', type: 'boolean', default: true }) useQuota!: boolean;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}

@Entity({ name: 'snapshot_metadata' })
export class SnapshotMetadata {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'snapshot_id', type: 'varchar', length: 36 }) snapshotId!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) key!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) value!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}
