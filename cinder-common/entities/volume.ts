// cinder `volumes` (docs/architecture.md, Databases): the columns the create/attach/detach flows use.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AttachStatus, MigrationStatus, VolumeStatus } from '../volume-status';

@Entity({ name: 'volumes' })
export class Volume {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: '_name_id', type: 'varchar', length: 36, nullable: true }) nameId!: string | null;
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true }) userId!: string | null;
  @Column({ name: 'project_id', type: 'varchar', length: 255, nullable: true }) projectId!: string | null;
  /** host@backend#pool once scheduled. */
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ name: 'cluster_name', type: 'varchar', length: 255, nullable: true }) clusterName!: string | null;
  @Column({ type: 'integer', nullable: true }) size!: number | null;
  @Column({ name: 'availability_zone', type: 'varchar', length: 255, nullable: true }) availabilityZone!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) status!: VolumeStatus | null;
  @Column({ name: 'attach_status', type: 'varchar', length: 255, nullable: true }) attachStatus!: AttachStatus | null;
  @Column({ name: 'migration_status', type: 'varchar', length: 255, nullable: true }) migrationStatus!: MigrationStatus | null;
  @Column({ name: 'previous_status', type: 'varchar', length: 255, nullable: true }) previousStatus!: VolumeStatus | null;
  @Column({ name: 'scheduled_at', type: 'datetime', nullable: true }) scheduledAt!: Date | null;
  @Column({ name: 'launched_at', type: 'datetime', nullable: true }) launchedAt!: Date | null;
  @Column({ name: 'terminated_at', type: 'datetime', nullable: true }) terminatedAt!: Date | null;
  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true }) displayName!: string | null;
  @Column({ name: 'display_description', type: 'varchar', length: 255, nullable: true }) displayDescription!: string | null;
  @Column({ name: 'provider_location', type: 'varchar', length: 256, nullable: true }) providerLocation!: string | null;
  /** "CHAP <user> <secret>" */
  @Column({ name: 'provider_auth', type: 'varchar', length: 256, nullable: true }) providerAuth!: string | null;
  @Column({ name: 'provider_geometry', type: 'varchar', length: 255, nullable: true }) providerGeometry!: string | null;
  @Column({ name: 'provider_id', type: 'varchar', length: 255, nullable: true }) providerId!: string | null;
  @Column({ name: 'volume_type_id', type: 'varchar', length: 36 }) volumeTypeId!: string;
  @Column({ name: 'source_volid', type: 'varchar', length: 36, nullable: true }) sourceVolid!: string | null;
  @Column({ name: 'snapshot_id', type: 'varchar', length: 36, nullable: true }) snapshotId!: string | null;
  @Column({ name: 'encryption_key_id', type: 'varchar', length: 36, nullable: true }) encryptionKeyId!: string | null;
  @Column({ type: 'boolean', default: false }) bootable!: boolean;
  @Column({ type: 'boolean', default: false }) multiattach!: boolean;
  @Column({ name: 'service_uuid', type: 'varchar', length: 36, nullable: true }) serviceUuid!: string | null;
  @Column({ name: 'shared_targets', type: 'boolean', nullable: true, default: true }) sharedTargets!: boolean | null;
  @Column({ name: 'use_quota', type: 'boolean', nullable: true, default: true }) useQuota!: boolean | null;
  /** The generic group the volume is in (3.13+); null: none. */
  @Column({ name: 'group_id', type: 'varchar', length: 36, nullable: true }) groupId!: string | null;
  /** Request id of the last os-reserve / os-begin_detaching / attachment create (attachd; see its migration). */
  @Column({ name: 'transition_request_id', type: 'varchar', length: 255, nullable: true }) transitionRequestId!: string | null;
  @Column({ name: 'created_at', type: 'datetime', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', nullable: true }) updatedAt!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', nullable: true }) deletedAt!: Date | null;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
}
