// nova_api `quotas`: a project's own limit for one resource, where it differs from the default
// ([quota] options). One row per project and resource (uniq_quotas0user_id0project_id0resource,
// with user_id always null here: per-user quotas are not kept).
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'quotas' })
export class Quota {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ type: 'varchar', length: 255 }) resource!: string;
  @Column({ name: 'hard_limit', type: 'integer', nullable: true }) hardLimit!: number | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
}
