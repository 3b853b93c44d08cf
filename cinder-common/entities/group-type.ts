// cinder `group_types`, `group_type_specs` and `group_type_projects`, as Cinder's schema has
// them: a group type is a volume type's counterpart for generic volume groups (3.11+).
// Soft-deleted; group_type_projects.deleted is a boolean in Cinder's schema, unique with the pair.
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The type Cinder's schema seeds for consistency groups migrated to groups. */
export const DEFAULT_CGSNAPSHOT_TYPE = 'default_cgsnapshot_type';

@Entity({ name: 'group_types' })
export class GroupType {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) description!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean;
  @Column({ name: 'is_public', type: 'boolean', nullable: true, default: true }) isPublic!: boolean;
}

@Entity({ name: 'group_type_specs' })
export class GroupTypeSpec {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 255, nullable: true }) key!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) value!: string | null;
  @Column({ name: 'group_type_id', type: 'varchar', length: 36 }) groupTypeId!: string;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean;
}

@Entity({ name: 'group_type_projects' })
export class GroupTypeProject {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'group_type_id', type: 'varchar', length: 36, nullable: true }) groupTypeId!: string | null;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean;
}
