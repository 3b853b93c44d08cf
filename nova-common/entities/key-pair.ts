// nova_api `key_pairs`: a user's ssh public key or x509 certificate, by name, for servers to boot
// with (key_name). Nova's API database keeps no soft-delete columns for it.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'key_pairs' })
export class KeyPair {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ name: 'user_id', type: 'varchar', length: 255 }) userId!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) fingerprint!: string | null;
  @Column({ name: 'public_key', type: 'text', nullable: true }) publicKey!: string | null;
  /** ssh or x509. */
  @Column({ type: 'varchar', length: 4, default: 'ssh' }) type!: string;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
}
