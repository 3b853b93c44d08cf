// cinder `quality_of_service_specs`: one QoS spec is a root row (key 'QoS_Specs_Name', the name
// as value, no specs_id) and one child row per key (specs_id names the root), 'consumer' among
// them. Volume types point at the root by volume_types.qos_specs_id (docs/qos-specs.md).
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'quality_of_service_specs' })
export class QualityOfServiceSpecs {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'specs_id', type: 'varchar', length: 36, nullable: true }) specsId!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) key!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) value!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean | null;
}
