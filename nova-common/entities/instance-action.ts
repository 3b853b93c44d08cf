// nova `instance_actions` + `instance_actions_events`: who asked for what (request_id), and how
// each compute step ended.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'instance_actions' })
export class InstanceAction {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 255, nullable: true }) action!: string | null;
  @Column({ name: 'instance_uuid', type: 'varchar', length: 36, nullable: true }) instanceUuid!: string | null;
  @Column({ name: 'request_id', type: 'varchar', length: 255, nullable: true }) requestId!: string | null;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId!: string | null;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  @Column({ name: 'start_time', type: 'datetime', nullable: true }) startTime!: Date | null;
  @Column({ name: 'finish_time', type: 'datetime', nullable: true }) finishTime!: Date | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) message!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'integer', default: 0 }) deleted!: number;
}

@Entity({ name: 'instance_actions_events' })
export class InstanceActionEvent {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'varchar', length: 255, nullable: true }) event!: string | null;
  @Column({ name: 'action_id', type: 'integer', nullable: true }) actionId!: number | null;
  @Column({ name: 'start_time', type: 'datetime', nullable: true }) startTime!: Date | null;
  @Column({ name: 'finish_time', type: 'datetime', nullable: true }) finishTime!: Date | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) result!: string | null;
  @Column({ type: 'text', nullable: true }) traceback!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'integer', default: 0 }) deleted!: number;
}
