// cinder `groups` (generic volume groups, 3.13+) and `group_volume_type_mapping` (the volume
// types a group takes), as Cinder's schema has them. Soft-deleted. A volume joins a group
// through volumes.group_id.
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** fields.GroupStatus. */
export type GroupStatus = 'error' | 'available' | 'creating' | 'deleting' | 'deleted' | 'updating' | 'in-use' | 'error_deleting';

@Entity({ name: 'groups' })
export class Group {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId!: string | null;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ name: 'cluster_name', type: 'varchar', length: 255, nullable: true }) clusterName!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ name: 'availability_zone', type: 'varchar', length: 255, nullable: true }) availabilityZone!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) name!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) description!: string | null;
  @Column({ name: 'group_type_id', type: 'varchar', length: 36, nullable: true }) groupTypeId!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) status!: GroupStatus | null;
  @Column({ name: 'group_snapshot_id', type: 'varchar', length: 36, nullable: true }) groupSnapshotId!: string | null;
  @Column({ name: 'source_group_id', type: 'varchar', length: 36, nullable: true }) sourceGroupId!: string | null;
  @Column({ name: 'replication_status', type: 'varchar', length: 255, nullable: true }) replicationStatus!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean;
}

@Entity({ name: 'group_volume_type_mapping' })
export class GroupVolumeTypeMapping {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'volume_type_id', type: 'varchar', length: 36 }) volumeTypeId!: string;
  @Column({ name: 'group_id', type: 'varchar', length: 36 }) groupId!: string;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean;
}
