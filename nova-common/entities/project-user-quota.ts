// nova_api `project_user_quotas`: one user's own limit for a resource within its project, under
// the project's limit (os-quota-sets with ?user_id=).
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'project_user_quotas' })
export class ProjectUserQuota {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'project_id', type: 'varchar', length: 255 }) projectId!: string;
  @Column({ name: 'user_id', type: 'varchar', length: 255 }) userId!: string;
  @Column({ type: 'varchar', length: 255 }) resource!: string;
  @Column({ name: 'hard_limit', type: 'integer', nullable: true }) hardLimit!: number | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
}
