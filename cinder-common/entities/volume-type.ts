// cinder `volume_types`, `volume_type_extra_specs` and `volume_type_projects` (the access list
// of a private type). Soft-deleted as Cinder does; volume_type_projects.deleted is an INTEGER
// (0 live, the row id once removed) so (volume_type_id, project_id, deleted) can stay unique.
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The id of `__DEFAULT__`, the type the schema seeds and volumes without a type get. */
export const DEFAULT_TYPE_ID = 'a4f5e0b6-7f4c-4d5e-9c33-2f0b5d0e4c11';
/** Cinder's DEFAULT_VOLUME_TYPE name. */
export const DEFAULT_TYPE_NAME = '__DEFAULT__';

@Entity({ name: 'volume_types' })
export class VolumeType {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) name!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) description!: string | null;
  @Column({ name: 'qos_specs_id', type: 'varchar', length: 36, nullable: true }) qosSpecsId!: string | null;
  @Column({ name: 'is_public', type: 'boolean', default: true }) isPublic!: boolean;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}

@Entity({ name: 'volume_type_extra_specs' })
export class VolumeTypeExtraSpec {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'volume_type_id', type: 'varchar', length: 36 }) volumeTypeId!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) key!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) value!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}

@Entity({ name: 'volume_type_projects' })
export class VolumeTypeProject {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'volume_type_id', type: 'varchar', length: 36 }) volumeTypeId!: string;
  @Column({ name: 'project_id', type: 'varchar', length: 255 }) projectId!: string;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'integer', default: 0 }) deleted!: number;
}
