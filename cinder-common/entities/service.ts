// cinder `services` (docs/architecture.md, Databases): one row per cinder-volume backend
// (host = <host>@<backend>); updated_at is the heartbeat. `capabilities` holds the driver's
// last get_stats() so cinder-api can schedule without a scheduler process.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'services' })
export class Service {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 36, nullable: true }) uuid!: string | null;
  @Column({ name: 'cluster_name', type: 'varchar', length: 255, nullable: true }) clusterName!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) binary!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) topic!: string | null;
  @Column({ name: 'report_count', type: 'integer', default: 0 }) reportCount!: number;
  @Column({ type: 'boolean', nullable: true, default: false }) disabled!: boolean | null;
  @Column({ name: 'availability_zone', type: 'varchar', length: 255, nullable: true, default: 'cinder' }) availabilityZone!: string | null;
  @Column({ name: 'disabled_reason', type: 'varchar', length: 255, nullable: true }) disabledReason!: string | null;
  @Column({ name: 'modified_at', type: 'datetime', nullable: true }) modifiedAt!: Date | null;
  @Column({ name: 'rpc_current_version', type: 'varchar', length: 36, nullable: true }) rpcCurrentVersion!: string | null;
  @Column({ name: 'object_current_version', type: 'varchar', length: 36, nullable: true }) objectCurrentVersion!: string | null;
  @Column({ name: 'replication_status', type: 'varchar', length: 36, nullable: true, default: 'not-capable' }) replicationStatus!: string | null;
  @Column({ name: 'active_backend_id', type: 'varchar', length: 255, nullable: true }) activeBackendId!: string | null;
  @Column({ type: 'boolean', default: false }) frozen!: boolean;
  @Column({ type: 'text', nullable: true }) capabilities!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}
