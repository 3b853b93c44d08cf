// cinder `transfers`: a volume offered to another project (docs/volume-transfers.md).
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'transfers' })
export class Transfer {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'volume_id', type: 'varchar', length: 36 }) volumeId!: string;
  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true }) displayName!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) salt!: string | null;
  @Column({ name: 'crypt_hash', type: 'varchar', length: 255, nullable: true }) cryptHash!: string | null;
  @Column({ name: 'expires_at', type: 'datetime', nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'no_snapshots', type: 'boolean', nullable: true, default: false }) noSnapshots!: boolean | null;
  @Column({ name: 'source_project_id', type: 'varchar', length: 255, nullable: true }) sourceProjectId!: string | null;
  @Column({ name: 'destination_project_id', type: 'varchar', length: 255, nullable: true }) destinationProjectId!: string | null;
  @Column({ type: 'boolean', nullable: true, default: false }) accepted!: boolean | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean | null;
}
