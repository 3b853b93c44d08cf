// nova `services` (docs/architecture.md, Databases): one row per nova-compute, heartbeat in last_seen_up.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'services' })
export class Service {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 36, nullable: true }) uuid!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) binary!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) topic!: string | null;
  @Column({ name: 'report_count', type: 'integer', default: 0 }) reportCount!: number;
  @Column({ type: 'boolean', default: false }) disabled!: boolean;
  @Column({ name: 'disabled_reason', type: 'varchar', length: 255, nullable: true }) disabledReason!: string | null;
  @Column({ name: 'last_seen_up', type: 'datetime', nullable: true }) lastSeenUp!: Date | null;
  @Column({ name: 'forced_down', type: 'boolean', default: false }) forcedDown!: boolean;
  @Column({ type: 'integer', default: 0 }) version!: number;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'integer', default: 0 }) deleted!: number;
}
