// nova_api `request_specs`: what a server was asked for at create that the scheduler keeps (the
// zone it is pinned to, its scheduler hints), one row per instance; `spec` is JSON (RequestSpecData).
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The part of Nova's RequestSpec we keep: shown from 2.96 (zone) and 2.100 (hints). */
export interface RequestSpecData {
  /** The zone asked for at create (the zone part of "zone:host"), or null: not pinned. */
  availability_zone: string | null;
  /** RequestSpec.scheduler_hints: each hint's values as strings. */
  scheduler_hints: Record<string, string[]> | null;
}

@Entity({ name: 'request_specs' })
export class RequestSpec {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ name: 'instance_uuid', type: 'varchar', length: 36 }) instanceUuid!: string;
  @Column({ type: 'text' }) spec!: string;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
}
