// cinder `messages`: what went wrong with an asynchronous request, for its user to read
// (docs/user-messages.md). Rows are written by the service that saw the failure.
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'messages' })
export class Message {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'project_id', type: 'varchar', length: 255 }) projectId!: string;
  @Column({ name: 'message_level', type: 'varchar', length: 255 }) messageLevel!: string;
  @Column({ name: 'request_id', type: 'varchar', length: 255, nullable: true }) requestId!: string | null;
  @Column({ name: 'resource_type', type: 'varchar', length: 36, nullable: true }) resourceType!: string | null;
  @Column({ name: 'resource_uuid', type: 'varchar', length: 255, nullable: true }) resourceUuid!: string | null;
  @Column({ name: 'event_id', type: 'varchar', length: 255 }) eventId!: string;
  @Column({ name: 'detail_id', type: 'varchar', length: 10, nullable: true }) detailId!: string | null;
  @Column({ name: 'action_id', type: 'varchar', length: 10, nullable: true }) actionId!: string | null;
  @Column({ name: 'expires_at', type: 'datetime', nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true, default: false }) deleted!: boolean | null;
}
