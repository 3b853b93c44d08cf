// nova_api `quota_classes`: a quota class's limit for one resource. The class named "default"
// holds the defaults every project starts from, over the [quota] options.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'quota_classes' })
export class QuotaClass {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'class_name', type: 'varchar', length: 255, nullable: true }) className!: string | null;
  @Column({ type: 'varchar', length: 255 }) resource!: string;
  @Column({ name: 'hard_limit', type: 'integer', nullable: true }) hardLimit!: number | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
}
