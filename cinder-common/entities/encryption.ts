// cinder `encryption`: a volume type's encryption (provider, cipher, key size, where it is
// applied), at most one live row per type (docs/volume-types.md#encryption).
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'encryption' })
export class Encryption {
  @PrimaryColumn({ name: 'encryption_id', type: 'varchar', length: 36 }) encryptionId!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) cipher!: string | null;
  @Column({ name: 'key_size', type: 'integer', nullable: true }) keySize!: number | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) provider!: string | null;
  @Column({ name: 'control_location', type: 'varchar', length: 255, nullable: true }) controlLocation!: string | null;
  @Column({ name: 'volume_type_id', type: 'varchar', length: 36 }) volumeTypeId!: string;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean | null;
}
