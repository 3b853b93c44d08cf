// cinder `quotas` (per-project limits), `quota_classes` (the `default` class holds the defaults),
// `quota_usages` (in_use and reserved per project and resource) and `reservations` (what a
// create or extend holds until it commits, rolls back or expires): Cinder's columns. Rows of
// quotas, quota_classes and reservations are removed outright rather than soft-deleted, so
// (project_id, resource) and (class_name, resource) can be unique.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'quotas' })
export class Quota {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ type: 'varchar', length: 255 }) resource!: string;
  @Column({ name: 'hard_limit', type: 'integer', nullable: true }) hardLimit!: number | null;
  @Column({ type: 'integer', nullable: true, default: 0 }) allocated!: number | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}

@Entity({ name: 'quota_classes' })
export class QuotaClass {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'class_name', type: 'varchar', length: 255, nullable: true }) className!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) resource!: string | null;
  @Column({ name: 'hard_limit', type: 'integer', nullable: true }) hardLimit!: number | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}

@Entity({ name: 'quota_usages' })
export class QuotaUsage {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ type: 'varchar', length: 300, nullable: true }) resource!: string | null;
  @Column({ name: 'in_use', type: 'integer' }) inUse!: number;
  @Column({ type: 'integer' }) reserved!: number;
  @Column({ name: 'until_refresh', type: 'integer', nullable: true }) untilRefresh!: number | null;
  /** Cinder's trick: true on live rows, so (project_id, resource, race_preventer) is unique. */
  @Column({ name: 'race_preventer', type: 'boolean', nullable: true, default: true }) racePreventer!: boolean | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}

@Entity({ name: 'reservations' })
export class Reservation {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ name: 'usage_id', type: 'integer', nullable: true }) usageId!: number | null;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ type: 'varchar', length: 300, nullable: true }) resource!: string | null;
  @Column({ type: 'integer' }) delta!: number;
  @Column({ type: 'datetime', nullable: true }) expire!: Date | null;
  @Column({ name: 'allocated_id', type: 'integer', nullable: true }) allocatedId!: number | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}
