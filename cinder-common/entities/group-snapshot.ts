// cinder `group_snapshots` (3.14+): a point-in-time copy of a group, one snapshot of each of its
// volumes (snapshots.group_snapshot_id). Soft-deleted.
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** fields.GroupSnapshotStatus. */
export type GroupSnapshotStatus = 'error' | 'available' | 'creating' | 'deleting' | 'deleted' | 'updating' | 'error_deleting';

@Entity({ name: 'group_snapshots' })
export class GroupSnapshot {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'group_id', type: 'varchar', length: 36 }) groupId!: string;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId!: string | null;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) name!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) description!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) status!: GroupSnapshotStatus | null;
  @Column({ name: 'group_type_id', type: 'varchar', length: 36, nullable: true }) groupTypeId!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean;
}
