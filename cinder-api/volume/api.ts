// The volume business layer (cinder/volume/api.py): lookups scoped to the caller's project,
// scheduling onto a live backend, and every state change as a conditional UPDATE. Controllers
// stay thin; RPC goes through cinder-volume's rpcapi. Each method checks its Cinder policy
// first, as volume/api.py does (context.authorize(<policy>, target_obj=volume)), on a volume
// the caller could already look up: another project's volume stays a 404 for non-admins.
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../common/context';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import type { Enforcer, Target } from '../../common/policy';
import { RemoteError, type Notifier } from '../../common/rpc';
import { notifyVolumeUsage } from '../../cinder-common/volume-usage';
import { isServiceUp } from '../../common/service';
import { serviceHostOf } from '../../cinder-common/objects';
import { cloneTypeAllowed } from './create-sources';
import type { AttachmentBrief, CinderDB, Expected } from '../../cinder-common/db-api';
import { DEFAULT_TYPE_ID, type Snapshot, type SnapshotStatus, type Volume, type VolumeAttachment } from '../../cinder-common/entities';
import { SnapshotDB, volumeSnapshotFilter } from '../../cinder-common/snapshot-db';
import {
  ConflictNovaUsingAttachment, Invalid, InvalidInput, InvalidVolume, InvalidVolumeAttachMode, NoValidBackend, VolumeBackendAPIException, GlanceMetadataNotFound,
  VolumeNotFound, InvalidAvailabilityZone, InvalidVolumeType, GroupNotFound,
} from '../../cinder-common/exception';
import { DELETABLE, MIGRATION_IDLE, detachSetsStatus, statusAfterDetach, type AttachStatus, type MigrationStatus, type VolumeStatus } from '../../cinder-common/volume-status';
import type { QuotaEngine } from '../../cinder-common/quota';
import { extendReservationUuid } from '../../cinder-common/extend-reservations';
import type { VolumeAPI as VolumeRPCAPI } from '../../cinder-volume/rpcapi';
import { novaAttachmentId, type NovaOptions } from './nova-client';
import { cinderEnforcer } from '../policy';
import { TypeAPI, isMultiattachSpec, provisionFilterOnSize, type TypeWithSpecs } from './types';
import { capabilitiesOf, satisfiesExtraSpecs } from './capabilities-filter';
import { poolName } from './pools';
import { UserMessages } from '../../cinder-common/user-messages';
import { Action, Detail } from '../../cinder-common/message-field';
import { transactionWithRetry } from '../../common/db/retry';
import { GroupDB, type GroupRead } from '../../cinder-common/group-db';

const LOG = getLogger('cinder-api.volume');
/** Statuses in which a volume's user metadata is neither changed nor deleted (volume/api.py). */
const METADATA_FROZEN: readonly (string | null)[] = ['maintenance', 'uploading'];

/** The id of the seeded `__DEFAULT__` type. */
export { DEFAULT_TYPE_ID };

export interface VolumeAPIDeps {
  db: CinderDB;
  rpc: VolumeRPCAPI;
  serviceDownTime: number;
  defaultTypeName: string;
  /** [DEFAULT] default_group_type: the group type GET /group_types/default shows; absent: none. */
  defaultGroupTypeName?: string | null;
  defaultAz: string;
  /** Legacy volume.* notifications the API itself sends (publisher volume.<host>); optional. */
  notifier?: Notifier | null;
  /** Cinder's policies ([oslo_policy] policy_file over the defaults); the in-code defaults when absent. */
  enforcer?: Enforcer;
  /** Where the attachment-deletion check asks Nova ([nova]); absent: the caller's catalog. */
  nova?: NovaOptions;
  /** Quotas (creates and extends reserve, the row's write commits); absent: none enforced. */
  quota?: QuotaEngine | null;
  /** User messages the scheduler's part writes ([DEFAULT] message_ttl); absent: the default TTL. */
  messages?: UserMessages;
  /** [DEFAULT] host: this cinder-api's name (os-services get-log); absent: the machine's hostname. */
  host?: string;
}

/** The policy names cinder-api checks (cinder/policies/*.py), by what they guard. */
export const POLICY = {
  create: 'volume:create',
  get: 'volume:get',
  getAll: 'volume:get_all',
  update: 'volume:update',
  delete: 'volume:delete',
  forceDelete: 'volume:force_delete',
  extend: 'volume:extend',
  extendAttached: 'volume:extend_attached_volume',
  updateReadonly: 'volume:update_readonly_flag',
  updateAdminMetadata: 'volume:update_volume_admin_metadata',
  hostAttribute: 'volume_extension:volume_host_attribute',
  tenantAttribute: 'volume_extension:volume_tenant_attribute',
  migStatusAttribute: 'volume_extension:volume_mig_status_attribute',
  resetStatus: 'volume_extension:volume_admin_actions:reset_status',
  adminForceDelete: 'volume_extension:volume_admin_actions:force_delete',
  forceDetach: 'volume_extension:volume_admin_actions:force_detach',
  migrateVolumeCompletion: 'volume_extension:volume_admin_actions:migrate_volume_completion',
  initializeConnection: 'volume_extension:volume_actions:initialize_connection',
  terminateConnection: 'volume_extension:volume_actions:terminate_connection',
  rollDetaching: 'volume_extension:volume_actions:roll_detaching',
  reserve: 'volume_extension:volume_actions:reserve',
  unreserve: 'volume_extension:volume_actions:unreserve',
  beginDetaching: 'volume_extension:volume_actions:begin_detaching',
  attach: 'volume_extension:volume_actions:attach',
  detach: 'volume_extension:volume_actions:detach',
  getMetadata: 'volume:get_volume_metadata',
  createMetadata: 'volume:create_volume_metadata',
  updateMetadata: 'volume:update_volume_metadata',
  deleteMetadata: 'volume:delete_volume_metadata',
  showImageMetadata: 'volume_extension:volume_image_metadata:show',
  setImageMetadata: 'volume_extension:volume_image_metadata:set',
  removeImageMetadata: 'volume_extension:volume_image_metadata:remove',
  attachmentCreate: 'volume:attachment_create',
  attachmentUpdate: 'volume:attachment_update',
  attachmentDelete: 'volume:attachment_delete',
  attachmentComplete: 'volume:attachment_complete',
  multiattachBootable: 'volume:multiattach_bootable_volume',
  multiattach: 'volume:multiattach',
} as const;

/** The policy target of a volume (Cinder's target_obj=volume: its project and user). */
export function volumeTarget(v: Volume): Target {
  return { id: v.id, project_id: v.projectId, user_id: v.userId };
}

export interface CreateRequest {
  /** As the body gave it; null when absent (refused here, after the policy check, as Cinder's create). */
  size: number | null;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  availabilityZone: string | null;
  /** The type the request named (resolved by the controller, in Cinder's lookup order); null: the default type. */
  volumeType: TypeWithSpecs | null;
  /** A clone's source (looked up and checked by the controller): the clone is made on its backend. */
  source?: Volume | null;
  /** A source snapshot and its volume (looked up and checked by the controller): made on that volume's backend. */
  snapshot?: { snapshot: Snapshot; origin: Volume } | null;
  /** The generic group the volume joins (looked up by the controller): made on the group's backend. */
  group?: GroupRead | null;
}

export interface Scheduled {
  host: string;
  az: string;
}

type Ctx = RequestContext;

/** The id a transition is recorded under (volumes.transition_request_id): the caller's global one when it sent one. */
export const requestIdOf = (ctx: Ctx): string => ctx.globalRequestId ?? ctx.requestId;

/**
 * A RemoteError of one of `types`: "<prefix> - <Type>: <message>" (400), the text
 * volume_actions.py gives its HTTPBadRequest; anything else as it came.
 */
function remoteBadRequest(e: unknown, types: string[], prefix: string): Error {
  // Only a RemoteError gets the prefix: a cinder.exception comes back rebuilt (oslo's allowed
  // modules) and passes the controller's `except messaging.RemoteError` as itself.
  if (e instanceof RemoteError && e.excType && types.includes(e.excType)) return new Invalid({}, `${prefix} - ${e.excType}: ${e.value ?? ''}`);
  return e as Error;
}

/** A VolumeType object as Python prints it (%s of the OVO), in the group's refusal. */
function typeRepr(t: TypeWithSpecs): string {
  const py = (v: unknown): string => (v === null || v === undefined ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'string' ? `'${v}'` : String(v));
  const at = (d: Date | null): string => (d ? d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '+00:00') : 'None');
  return `VolumeType(created_at=${at(t.type.createdAt)},deleted=${py(t.type.deleted)},deleted_at=${at(t.type.deletedAt)},description=${py(t.type.description)},`
    + `extra_specs=${JSON.stringify(t.specs).replace(/"/g, "'")},id=${t.type.id},is_public=${py(t.type.isPublic)},name=${py(t.type.name)},`
    + `projects=<?>,qos_specs=<?>,qos_specs_id=${t.type.qosSpecsId ?? 'None'},updated_at=${at(t.type.updatedAt)})`;
}

export interface VolumeExtrasOf {
  metadata: Record<string, string>;
  attachments: AttachmentBrief[];
  /** The name of the volume's type (deleted types keep theirs). */
  volumeType: string | null;
  imageMetadata?: Record<string, string>;
}

export class VolumeAPI {
  readonly enforcer: Enforcer;
  readonly types: TypeAPI;
  readonly messages: UserMessages;
  readonly groupDb: GroupDB;

  constructor(readonly d: VolumeAPIDeps) {
    this.groupDb = new GroupDB(d.db.ds);
    this.enforcer = d.enforcer ?? cinderEnforcer();
    this.messages = d.messages ?? new UserMessages(d.db.ds);
    this.types = new TypeAPI({ db: d.db, enforcer: this.enforcer, defaultTypeName: d.defaultTypeName });
  }

  get db(): CinderDB { return this.d.db; }

  /**
   * context.authorize(action, target_obj=…): a volume is judged by its own project (and user);
   * a plain target as given; none (creates, lists, the view extensions) by the caller's project.
   * Refused: PolicyNotAuthorized (403, "Policy doesn't allow <action> to be performed.").
   */
  authorize(ctx: Ctx, action: string, target?: Volume | Target | null): void {
    this.enforcer.authorize(ctx, action, this.targetOf(ctx, target));
  }

  /** The same check, fatal=False. */
  allows(ctx: Ctx, action: string, target?: Volume | Target | null): boolean {
    return this.enforcer.allows(ctx, action, this.targetOf(ctx, target));
  }

  private targetOf(ctx: Ctx, target: Volume | Target | null | undefined): Target {
    if (!target) return { project_id: ctx.projectId, user_id: ctx.userId };
    return 'projectId' in target ? volumeTarget(target as Volume) : target;
  }

  /** notify_about_volume_usage from the API side; a failed send is only logged. */
  async notify(ctx: Ctx, volumeId: string, suffix: string): Promise<void> {
    await notifyVolumeUsage(this.d.notifier, ctx, () => this.d.db.volumeGet(volumeId), suffix, (v) => v.host);
  }

  /** An INFO notification from `publisherId` (rpc.get_notifier(publisher).info); a failed send is only logged. */
  async notifyAs(ctx: Ctx, publisherId: string, event: string, payload: Record<string, unknown>): Promise<void> {
    const n = this.d.notifier;
    if (!n?.enabled) return;
    try {
      await n.prepare({ publisherId }).info(ctx, event, payload);
    } catch (e) {
      LOG.warning(`Could not send notification ${event}: ${(e as Error).message}`);
    }
  }

  /** group_api.get: objects.Group.get_by_id (others' groups are not found for non-admins), then group:get. */
  async getGroup(ctx: Ctx, id: string): Promise<GroupRead> {
    const g = await this.groupDb.get(id, ctx.isAdmin ? null : ctx.projectId);
    if (!g) throw new GroupNotFound({ group_id: id });
    this.authorize(ctx, 'group:get', { id: g.group.id, project_id: g.group.projectId, user_id: g.group.userId });
    return g;
  }

  /**
   * objects.Volume.get_by_id: admins see every volume; others only their project's (404
   * otherwise). No policy (os-reset_status and attachment create look volumes up this way).
   */
  async find(ctx: Ctx, id: string): Promise<Volume> {
    const v = await this.d.db.volumeGet(id, ctx.isAdmin ? null : ctx.projectId);
    if (!v) throw new VolumeNotFound({ volume_id: id });
    return v;
  }

  /** As find, with the volume's admin metadata read in the same statement. */
  async findWithAdminMetadata(ctx: Ctx, id: string): Promise<{ volume: Volume; admin: Record<string, string> }> {
    const hit = await this.d.db.volumeGetWithAdminMetadata(id);
    const project = ctx.isAdmin ? null : ctx.projectId;
    if (!hit || (project !== null && project !== undefined && hit.volume.projectId !== project)) throw new VolumeNotFound({ volume_id: id });
    return hit;
  }

  /** volume_api.get: find, then volume:get; a refusal is a 404 too, so the volume's existence does not show. */
  async get(ctx: Ctx, id: string): Promise<Volume> {
    const v = await this.find(ctx, id);
    if (!this.allows(ctx, POLICY.get, v)) throw new VolumeNotFound({ volume_id: id });
    return v;
  }

  /** As get, with the volume's admin metadata read in the same statement (os-attach reads it next). */
  async getWithAdminMetadata(ctx: Ctx, id: string): Promise<{ volume: Volume; admin: Record<string, string> }> {
    const hit = await this.findWithAdminMetadata(ctx, id);
    if (!this.allows(ctx, POLICY.get, hit.volume)) throw new VolumeNotFound({ volume_id: id });
    return hit;
  }

  /** volume:get_all; all_tenants is honoured for admins only (get_all / get_volume_summary). */
  async list(ctx: Ctx, q: { allTenants: boolean; name?: string; status?: string }): Promise<Volume[]> {
    this.authorize(ctx, POLICY.getAll);
    const projectId = ctx.isAdmin && q.allTenants ? null : ctx.projectId;
    return this.d.db.volumeList({ projectId, name: q.name, status: q.status });
  }

  async extras(volumes: Volume[]): Promise<Map<string, VolumeExtrasOf>> {
    const ids = volumes.map((v) => v.id);
    const { user: meta, admin, image, typeNames, attachments } = await this.d.db.viewExtras(ids, volumes.map((v) => v.volumeTypeId));
    // add_visible_admin_metadata: readonly and attached_mode show up in the user's metadata.
    const visible = (id: string): Record<string, string> =>
      Object.fromEntries(Object.entries(admin.get(id) ?? {}).filter(([k]) => k === 'readonly' || k === 'attached_mode'));
    return new Map(volumes.map((v) => [v.id, {
      metadata: { ...(meta.get(v.id) ?? {}), ...visible(v.id) }, attachments: attachments.get(v.id) ?? [],
      volumeType: typeNames.get(v.volumeTypeId) ?? null, imageMetadata: image.get(v.id),
    }]));
  }

  /** A volume's user metadata (volume:get_volume_metadata). */
  async getVolumeMetadata(ctx: Ctx, v: Volume): Promise<Record<string, string>> {
    this.authorize(ctx, POLICY.getMetadata, v);
    return (await this.d.db.metadataGet([v.id])).get(v.id) ?? {};
  }

  /** POST …/metadata: merged into what is there (volume:create_volume_metadata); returns all of it. */
  async createVolumeMetadata(ctx: Ctx, v: Volume, add: Record<string, string>): Promise<Record<string, string>> {
    this.authorize(ctx, POLICY.createMetadata, v);
    return this.writeMetadata(v, add, false);
  }

  /** PUT …/metadata (replace) or …/metadata/<key> (merge) (volume:update_volume_metadata); returns all of it. */
  async updateVolumeMetadata(ctx: Ctx, v: Volume, meta: Record<string, string>, replace: boolean): Promise<Record<string, string>> {
    this.authorize(ctx, POLICY.updateMetadata, v);
    return this.writeMetadata(v, meta, replace);
  }

  /** DELETE …/metadata/<key> (volume:delete_volume_metadata). */
  async deleteVolumeMetadata(ctx: Ctx, v: Volume, key: string): Promise<void> {
    this.authorize(ctx, POLICY.deleteMetadata, v);
    if (METADATA_FROZEN.includes(v.status)) throw new InvalidVolume({ reason: `Deleting volume metadata is not allowed for volumes in ${v.status} status.` });
    await this.d.db.metadataDeleteKey(v.id, key);
  }

  private async writeMetadata(v: Volume, meta: Record<string, string>, replace: boolean, image = false): Promise<Record<string, string>> {
    if (METADATA_FROZEN.includes(v.status)) throw new InvalidVolume({ reason: `Updating volume metadata is not allowed for volumes in ${v.status} status.` });
    // A merge writes only the keys given (Cinder's delete=False), then answers all of them.
    await this.d.db.metadataReplace(v.id, meta, image, !replace);
    return replace ? meta : (await this.d.db.metadataGet([v.id], image && 'image')).get(v.id) ?? {};
  }

  /** os-show_image_metadata (volume:get_volume_metadata): the image properties the volume carries; none is GlanceMetadataNotFound. */
  async getImageMetadata(ctx: Ctx, v: Volume): Promise<Record<string, string>> {
    this.authorize(ctx, POLICY.getMetadata, v);
    const meta = (await this.d.db.metadataGet([v.id], 'image')).get(v.id);
    if (!meta) throw new GlanceMetadataNotFound({ id: v.id });
    return meta;
  }

  /** os-set_image_metadata: merged into what is there (its own policy, then volume:update_volume_metadata); returns all of it. */
  async setImageMetadata(ctx: Ctx, v: Volume, meta: Record<string, string>): Promise<Record<string, string>> {
    this.authorize(ctx, POLICY.setImageMetadata, v);
    this.authorize(ctx, POLICY.updateMetadata, v);
    return this.writeMetadata(v, meta, false, true);
  }

  /** os-unset_image_metadata: a key the volume does not carry is GlanceMetadataNotFound (404). */
  async unsetImageMetadata(ctx: Ctx, v: Volume, key: string): Promise<void> {
    this.authorize(ctx, POLICY.removeImageMetadata, v);
    const meta = await this.getImageMetadata(ctx, v);
    if (!Object.hasOwn(meta, key)) throw new GlanceMetadataNotFound({ id: v.id });
    this.authorize(ctx, POLICY.deleteMetadata, v);
    if (METADATA_FROZEN.includes(v.status)) throw new InvalidVolume({ reason: `Deleting volume metadata is not allowed for volumes in ${v.status} status.` });
    await this.d.db.imageMetadataDeleteKey(v.id, key);
  }

  /**
   * The scheduler's job, done here: a live, enabled cinder-volume in the zone, whose reported
   * capabilities take the type's extra specs (CapabilitiesFilter), with the most room for `size`.
   */
  async pickBackend(size: number, az: string | null, specs: Record<string, string | null>, only?: string): Promise<Scheduled | null> {
    const best = (await this.backendsFor(size, az, specs, only))[0];
    return best ? { host: best.host, az: best.az } : null;
  }

  /** Every backend pickBackend would take, the most room first (the weigher's order). */
  async backendsFor(size: number, az: string | null, specs: Record<string, string | null>, only?: string): Promise<Array<Scheduled & { free: number }>> {
    const out: Array<Scheduled & { free: number }> = [];
    for (const { service: s, allocatedGb } of await this.d.db.servicesWithAllocatedGb('cinder-volume')) {
      if (s.disabled || !s.host || !isServiceUp(s.updatedAt, this.d.serviceDownTime)) continue;
      if (only !== undefined && s.host !== only) continue;
      const svcAz = s.availabilityZone ?? this.d.defaultAz;
      if (az && svcAz !== az) continue;
      const caps = capabilitiesOf(s) as { total_capacity_gb?: number; volume_backend_name?: string };
      if (!satisfiesExtraSpecs(caps, specs)) continue;
      const free = Number(caps.total_capacity_gb ?? 0) - allocatedGb;
      if (free < size) continue;
      out.push({ host: poolName(s, caps), az: svcAz, free });
    }
    // Stable: the first of equals wins, as the loop above kept it.
    return out.sort((a, b) => b.free - a.free);
  }

  /**
   * volume_api.create. Returns the row with what its view shows beside it, known here without
   * reading it back: the metadata given, no attachments, the type's name.
   */
  async create(ctx: Ctx, r: CreateRequest): Promise<{ volume: Volume; extras: VolumeExtrasOf }> {
    const { volume, typeName } = await this.createRow(ctx, r);
    return { volume, extras: { metadata: { ...r.metadata }, attachments: [], volumeType: typeName } };
  }

  private async createRow(ctx: Ctx, r: CreateRequest): Promise<{ volume: Volume; typeName: string | null }> {
    this.authorize(ctx, POLICY.create);
    const size = r.size;
    if (size === null || size < 1) {
      throw new InvalidInput({ reason: `Invalid volume size provided for create request: ${size === null ? 'None' : size} (size argument must be an integer (or string representation of an integer) and greater than zero).` });
    }
    const source = r.source ?? null;
    const snap = r.snapshot ?? null;
    // Where the data comes from decides the backend and the zone: the source volume, or the snapshot's volume.
    const origin = source ?? snap?.origin ?? null;
    if (source && r.volumeType) await cloneTypeAllowed(this, source, r.volumeType);
    if (snap && r.volumeType) await cloneTypeAllowed(this, { volumeTypeId: snap.snapshot.volumeTypeId ?? '' }, r.volumeType, 'recommend omitting the type argument');
    // _get_volume_type: the named type, else the source's (or the snapshot's), else the default one; its multiattach spec decides the volume's.
    const sourceType = source?.volumeTypeId ?? snap?.snapshot.volumeTypeId ?? null;
    const type = r.volumeType ?? (sourceType ? await this.types.get(ctx.elevated(), sourceType) : await this.types.getDefault());
    provisionFilterOnSize(type, size);
    const group = r.group ?? null;
    if (group) {
      if (!r.volumeType) throw new InvalidInput({ reason: 'volume_type must be provided when creating a volume in a group.' });
      if (!group.volumeTypeIds.includes(type.type.id)) {
        throw new InvalidInput({ reason: `Invalid volume_type provided: ${typeRepr(type)} (requested type must be supported by this group).` });
      }
    }
    if (r.availabilityZone !== null && r.availabilityZone !== this.d.defaultAz) {
      throw new InvalidAvailabilityZone({ az: r.availabilityZone });
    }
    if (origin && r.availabilityZone !== null && origin.availabilityZone && r.availabilityZone !== origin.availabilityZone) {
      throw new InvalidInput({ reason: `Volume must be in the same availability zone as the ${snap ? 'snapshot' : 'source volume'}` });
    }
    // An encrypted type needs a key from a key manager, and there is none (Cinder without Barbican
    // answers the same); one without a cipher names no key algorithm to ask for. A clone (or a
    // volume from a snapshot) takes its source's key instead.
    if (!origin && type.cipherless) throw new InvalidVolumeType({}, 'Invalid encryption spec');
    if (!origin && type.encrypted) throw new Invalid({}, 'Key manager error');
    const multiattach = isMultiattachSpec(type.specs);
    if (multiattach) this.authorize(ctx, POLICY.multiattach);
    // QuotaReserveTask's per-volume check now; the usage is counted with the row (createVolume).
    const quota = this.d.quota;
    const limits = quota ? await quota.checkVolumeCreate(ctx.projectId ?? '', size) : null;
    // A clone goes to its source's backend (the scheduler's resource_backend), if that one takes it.
    // A volume in a group goes to the group's backend (the scheduler's group_backend), if that one takes it.
    const only = origin ? serviceHostOf(origin.host ?? '') : group ? serviceHostOf(group.group.host ?? '') : undefined;
    const target = await this.pickBackend(size, origin ? origin.availabilityZone : r.availabilityZone, type.specs, only);
    const values: Partial<Volume> = {
      userId: ctx.userId, projectId: ctx.projectId, size, displayName: r.name, displayDescription: r.description,
      availabilityZone: target?.az ?? r.availabilityZone ?? this.d.defaultAz, volumeTypeId: type.type.id, multiattach,
      host: target ? (origin?.host ?? target.host) : null, scheduledAt: target ? new Date() : null, sourceVolid: source?.id ?? null,
      snapshotId: snap?.snapshot.id ?? null, groupId: group?.group.id ?? null,
      // A clone is bootable as its source is from the start (Cinder's create flow copies the flag).
      ...(source?.bootable ? { bootable: true } : {}),
    };
    // One transaction: a failed write counts nothing, and no reservation is left to expire.
    const v: Volume = quota && limits
      ? await quota.createVolume(ctx.projectId ?? '', size, type.type.name, limits, (m) => this.d.db.volumeCreate(values, m))
      : await this.d.db.volumeCreate(values);
    if (Object.keys(r.metadata).length) await this.d.db.metadataReplace(v.id, r.metadata);
    if (!target) {
      // No valid backend: the scheduler would mark the volume error; the request still got 202.
      LOG.warning(`No valid backend was found for volume ${v.id} (size ${size})`, { context: ctx });
      // The user message saying why (the scheduler's), with the status it explains.
      await transactionWithRetry(this.d.db.ds, async (m) => {
        if (!await this.d.db.volumeConditionalUpdate(v.id, { status: 'creating' }, { status: 'error' }, m)) return;
        await this.messages.createIn(m, ctx, Action.SCHEDULE_ALLOCATE_VOLUME, { resourceUuid: v.id, exception: new NoValidBackend({ reason: 'No weighed backends available' }) });
      }, { what: `no-backend error of ${v.id}` });
      return { volume: v, typeName: type.type.name };
    }
    try {
      await this.d.rpc.createVolume(ctx, v, {
        volume_id: v.id, volume_properties: { size, multiattach }, volume_type: { id: type.type.id, name: type.type.name, extra_specs: type.specs },
      });
    } catch (e) {
      LOG.exception(`Could not cast create_volume for ${v.id}`, e, { context: ctx });
      await this.d.db.volumeConditionalUpdate(v.id, { status: 'creating' }, { status: 'error' });
    }
    return { volume: v, typeName: type.type.name };
  }

  async update(ctx: Ctx, v: Volume, changes: { name?: string | null; description?: string | null; metadata?: Record<string, string> | null }): Promise<Volume> {
    this.authorize(ctx, POLICY.update, v);
    if (v.status === 'maintenance') throw new InvalidVolume({ reason: 'The volume cannot be updated during maintenance.' });
    const values: { displayName?: string | null; displayDescription?: string | null } = {};
    if (changes.name !== undefined) values.displayName = changes.name;
    if (changes.description !== undefined) values.displayDescription = changes.description;
    await this.d.db.volumeUpdate(v.id, values);
    if (changes.metadata !== undefined) await this.d.db.metadataReplace(v.id, changes.metadata ?? {});
    return this.find(ctx, v.id);
  }

  /**
   * volume:delete; a forced delete has passed its own policy first (the caller's). The swap to
   * 'deleting' also asks the volume's snapshots (Cinder's filters): none, or with `cascade` only
   * available or error ones (any, forced), of the volume's own project unless an admin asks;
   * then a cascade sets each 'deleting', and the manager deletes them before the volume.
   */
  async delete(ctx: Ctx, v: Volume, force = false, cascade = false, unmanageOnly = false): Promise<void> {
    this.authorize(ctx, POLICY.delete, v);
    if (unmanageOnly && v.host && v.encryptionKeyId !== null) {
      const e = new Invalid({ reason: 'Unmanaging encrypted volumes is not supported.' });
      await this.messages.create(ctx, Action.UNMANAGE_VOLUME, { resourceUuid: v.id, detail: Detail.UNMANAGE_ENC_NOT_SUPPORTED, exception: e });
      throw e;
    }
    const expected: Expected = {
      attachStatus: ['detached', 'reserved', 'attaching', 'detaching', 'error_attaching', 'error_detaching', 'deleted', null],
      migrationStatus: MIGRATION_IDLE,
      groupId: null,
      ...(force ? {} : { status: DELETABLE }),
    };
    const ds = this.d.db.ds;
    const filters = !cascade ? volumeSnapshotFilter(ds, 'none')
      : force ? {} : { ...volumeSnapshotFilter(ds, 'deletable'), ...(ctx.isAdmin ? {} : volumeSnapshotFilter(ds, 'own')) };
    // An unmanage is 'unmanaging'; the delete (or unmanage) of a failed manage 'error_managing_deleting'.
    const status = v.status === 'error_managing' ? 'error_managing_deleting' : unmanageOnly ? 'unmanaging' : 'deleting';
    const values: Partial<Volume> = { status, terminatedAt: new Date(), previousStatus: v.status };
    // A cascade sets the volume and its snapshots 'deleting' in one transaction: a kill between
    // them cannot leave a volume to delete whose snapshots were never marked. A snapshot that
    // will not move (Cinder's 'Failed to update snapshot.') rolls both back.
    const ok = !cascade ? await this.d.db.volumeConditionalUpdate(v.id, expected, values, undefined, filters)
      : await transactionWithRetry(this.d.db.ds, async (m) => {
        if (!await this.d.db.volumeConditionalUpdate(v.id, expected, values, m, filters)) return false;
        if (!await this.cascadeSnapshots(m, v, force)) throw new InvalidVolume({ reason: 'Failed to update snapshot.' });
        return true;
      }, { what: `cascade delete of ${v.id}` });
    if (!ok) {
      // Cinder formats 'Volume %s must not be…' with '' when forced: two spaces.
      const status = force ? '' : 'status must be available or error or error_restoring or error_extending or error_managing and';
      throw new InvalidVolume({ reason: `Volume ${status} must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.` });
    }
    if (!v.host) {
      // Never scheduled: nothing on a backend to clean up.
      await this.d.db.volumeSoftDelete(v.id);
      return;
    }
    await this.d.rpc.deleteVolume(ctx, v, cascade, unmanageOnly);
  }

  /** A cascade's snapshots set 'deleting' in `m` (available, error or already deleting, unless forced; none in a group). */
  private async cascadeSnapshots(m: EntityManager, v: Volume, force: boolean): Promise<boolean> {
    const snapshots = new SnapshotDB(this.d.db.ds);
    for (const s of await snapshots.ofVolume(v.id, m)) {
      const expected = { cgsnapshotId: null, groupSnapshotId: null, ...(force ? {} : { status: ['available', 'error', 'deleting'] as SnapshotStatus[] }) };
      if (!await snapshots.conditionalUpdate(s.id, expected, { status: 'deleting' }, m)) return false;
    }
    return true;
  }

  async reserve(ctx: Ctx, v: Volume): Promise<void> {
    this.authorize(ctx, POLICY.reserve, v);
    const expected: VolumeStatus[] = v.multiattach ? ['available', 'in-use'] : ['available'];
    const ok = await this.d.db.volumeConditionalUpdate(v.id, { status: expected, multiattach: v.multiattach },
      { status: 'attaching', transitionRequestId: requestIdOf(ctx) });
    if (!ok) {
      const cur = (await this.d.db.volumeGet(v.id))?.status ?? v.status;
      throw new InvalidVolume({ reason: `Volume status must be ${expected.join(' or ')} to reserve, but the status is ${cur}.` });
    }
  }

  /** Back from 'attaching' to 'in-use' or 'available' in one UPDATE (volumeUnreserve); a volume not attaching is left alone. */
  async unreserve(ctx: Ctx, v: Volume): Promise<void> {
    this.authorize(ctx, POLICY.unreserve, v);
    if (!(await this.d.db.volumeUnreserve(v.id, v.multiattach))) LOG.debug(`Volume ${v.id} was not reserved: nothing to unreserve`, { context: ctx });
  }

  async beginDetaching(ctx: Ctx, v: Volume): Promise<void> {
    this.authorize(ctx, POLICY.beginDetaching, v);
    // A migrating volume's status is owned by the migration: leave it alone.
    if (v.migrationStatus && !MIGRATION_IDLE.includes(v.migrationStatus)) return;
    const ok = await this.d.db.volumeConditionalUpdate(v.id, { status: 'in-use', attachStatus: 'attached', migrationStatus: MIGRATION_IDLE },
      { status: 'detaching', transitionRequestId: requestIdOf(ctx) });
    if (!ok) throw new InvalidVolume({ reason: "Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach." });
  }

  async rollDetaching(ctx: Ctx, v: Volume): Promise<void> {
    this.authorize(ctx, POLICY.rollDetaching, v);
    await this.d.db.volumeConditionalUpdate(v.id, { status: 'detaching' }, { status: 'in-use' });
  }

  requireHost(v: Volume, what: string): void {
    if (!v.host) throw new InvalidVolume({ reason: `Volume ${v.id} has no host: it cannot be ${what}.` });
  }

  async initializeConnection(ctx: Ctx, v: Volume, connector: unknown): Promise<unknown> {
    this.authorize(ctx, POLICY.initializeConnection, v);
    if (v.status === 'maintenance') throw new InvalidVolume({ reason: 'The volume connection cannot be initialized in maintenance mode.' });
    this.requireHost(v, 'connected');
    try {
      return await this.d.rpc.initializeConnection(ctx, v, connector);
    } catch (e) {
      // InvalidInput answers 400 with its own text, as volume_actions.py's HTTPBadRequest(err.msg) does.
      if (e instanceof RemoteError && e.excType === 'InvalidInput') throw new InvalidInput({ reason: e.value });
      if (e instanceof VolumeBackendAPIException) throw new VolumeBackendAPIException(e.kwargs, 'Unable to fetch connection information from backend.');
      throw e;
    }
  }

  /**
   * attachment_deletion_allowed (Cinder 21.3.1, bug #2004555 / OSSA-2023-003): before
   * os-detach, os-terminate_connection, os-force_detach and DELETE /attachments a user may not
   * pull an attachment out from under Nova. No attachment named: none on the volume is fine, one
   * is the one checked, more is refused; a named one that does not exist is refused (409 with an
   * empty instance id). An attachment with an instance and connection_info (the attachments
   * API's; the legacy os-attach records none) is Nova's to delete when Nova's BDM holds its id:
   * Cinder asks Nova (2.89), and allows it when Nova has no such BDM or another attachment id.
   * A request that carries a service's token (X-Service-Token with one of [keystone_authtoken]
   * service_token_roles: Nova's [service_user]) skips the check.
   */
  async attachmentDeletionAllowed(ctx: Ctx, attachment: string | VolumeAttachment | null, v?: Volume): Promise<void> {
    if (ctx.service) return;
    let ref = attachment;
    if (!ref && v) {
      const atts = await this.d.db.attachmentsOf([v.id]);
      if (!atts.length) return;
      if (atts.length === 1) ref = atts[0];
    }
    const att = typeof ref === 'string' ? await this.d.db.attachmentGet(ref) : ref;
    if (!att) throw new ConflictNovaUsingAttachment({ instance_id: '' });
    if (v && v.id !== att.volumeId) throw new InvalidInput({ reason: 'Mismatched volume and attachment' });
    if (!att.instanceUuid || !att.connectionInfo) return;
    const held = await novaAttachmentId(this.d.nova ?? { endpoint_template: null, interface: 'public' }, ctx, att.instanceUuid, att.volumeId);
    if (held === undefined) {
      LOG.warning(`No compute service to ask about attachment ${att.id} ([nova] endpoint_template unset, no catalog): deleting it`, { context: ctx });
      return;
    }
    if (held === null || held !== att.id) {
      LOG.warning(`Nova does not hold attachment ${att.id} (${held ?? 'no BDM'}): deleting it may leave devices on the compute host`, { context: ctx });
      return;
    }
    LOG.error('Detected user call to delete in-use attachment. Call must come from the nova service and nova must be configured to send the service token. Bug #2004555', { context: ctx });
    throw new ConflictNovaUsingAttachment({ instance_id: att.instanceUuid });
  }

  /**
   * Ends with unreserve, which checks its own policy too (as Cinder's). Its UPDATE moves only an
   * 'attaching' volume, so it is sent only for a volume read as 'attaching': any other status
   * cannot have become 'attaching' since but through another request's os-reserve, which an
   * unreserve here would undo (a race Cinder has). The legacy detach saves a statement.
   */
  async terminateConnection(ctx: Ctx, v: Volume, connector: unknown, force = false): Promise<void> {
    this.authorize(ctx, POLICY.terminateConnection, v);
    await this.attachmentDeletionAllowed(ctx, null, v);
    this.requireHost(v, 'disconnected');
    try {
      await this.d.rpc.terminateConnection(ctx, v, connector, force);
    } catch (e) {
      if (e instanceof VolumeBackendAPIException) throw new VolumeBackendAPIException(e.kwargs, 'Unable to terminate volume connection from backend.');
      throw e;
    }
    if (v.status === 'attaching') await this.unreserve(ctx, v);
    else this.authorize(ctx, POLICY.unreserve, v);
  }

  /** `admin`: the volume's admin metadata, read with it (getWithAdminMetadata); else read here. */
  async attach(ctx: Ctx, v: Volume, a: { instanceUuid: string | null; hostName: string | null; mountpoint: string; mode: string }, admin?: Record<string, string>): Promise<void> {
    this.authorize(ctx, POLICY.attach, v);
    if (v.status === 'maintenance') throw new InvalidVolume({ reason: 'The volume cannot be attached in maintenance mode.' });
    // Cinder adds readonly=False admin metadata when absent, so it shows in the volume's metadata from
    // now on (update_volume_admin_metadata, with its policy, on an elevated context).
    this.authorize(ctx.elevated(), POLICY.updateAdminMetadata, v);
    const readonly = await this.d.db.adminMetadataAdd(v.id, 'readonly', 'False', admin);
    if (readonly === 'True' && a.mode !== 'ro') throw new InvalidVolumeAttachMode({ mode: a.mode, volume_id: v.id });
    this.requireHost(v, 'attached');
    try {
      await this.d.rpc.attachVolume(ctx, v, a);
    } catch (e) {
      throw remoteBadRequest(e, ['InvalidVolume', 'InvalidUUID', 'InvalidVolumeAttachMode'], 'Error attaching volume');
    }
  }

  async detach(ctx: Ctx, v: Volume, attachmentId: string | null, prefix = 'Error detaching volume'): Promise<void> {
    this.authorize(ctx, POLICY.detach, v);
    // Cinder checks the attachment before the volume's status.
    await this.attachmentDeletionAllowed(ctx, attachmentId, v);
    if (v.status === 'maintenance') throw new InvalidVolume({ reason: 'The volume cannot be detached in maintenance mode.' });
    this.requireHost(v, 'detached');
    try {
      await this.d.rpc.detachVolume(ctx, v, attachmentId);
    } catch (e) {
      throw remoteBadRequest(e, ['VolumeAttachmentNotFound', 'InvalidVolume'], prefix);
    }
  }

  /** os-extend: extend_attached_volume for an in-use volume from 3.42, extend otherwise (one or the other, as Cinder). */
  async extend(ctx: Ctx, v: Volume, newSize: number, allowInUse: boolean): Promise<void> {
    const attached = allowInUse && v.status === 'in-use';
    this.authorize(ctx, attached ? POLICY.extendAttached : POLICY.extend, v);
    const size = v.size ?? 0;
    if (newSize <= size) {
      throw new InvalidInput({ reason: `New size for extend must be greater than current size. (current: ${size}, extended: ${newSize}).` });
    }
    const type = await this.d.db.typeGet(v.volumeTypeId);
    if (type) provisionFilterOnSize(await this.types.withSpecs(type), newSize);
    const expected = attached ? 'in-use' : 'available';
    // The extend's own token, recorded with its status: its reservation uuids derive from it, so
    // the reconciler can roll them back if the cast is lost. This request's id, not the global
    // one: a caller may send one global id with two extends, and rows sharing a uuid settle together.
    const token = ctx.requestId;
    const ok = await this.d.db.volumeConditionalUpdate(v.id, { status: expected }, { status: 'extending', previousStatus: v.status, transitionRequestId: token });
    if (!ok) {
      const cur = (await this.d.db.volumeGet(v.id))?.status ?? v.status;
      throw new InvalidVolume({ reason: `Volume ${v.id} status must be '{'status': '${expected}'}' to extend, currently ${cur}.` });
    }
    if (!v.host) {
      await this.extendNotSent(v, []);
      this.requireHost(v, 'extended');
    }
    const reservations = await this.reserveExtend(v, token, newSize, newSize - size);
    await pausePoint('cinder-api.extend.after-reserve');
    try {
      await this.d.rpc.extendVolume(ctx, v, newSize, reservations);
    } catch (e) {
      // The broker did not take the cast: nothing will finish the extend.
      await this.extendNotSent(v, reservations);
      throw e;
    }
  }

  /** An extend that goes no further than the API: its reservation released, the status put back. */
  private async extendNotSent(v: Volume, reservations: string[]): Promise<void> {
    await this.d.quota?.rollback(reservations);
    if (!await this.d.db.volumeConditionalUpdate(v.id, { status: 'extending' }, { status: v.status })) {
      LOG.error(`Could not return volume ${v.id} to ${v.status}.`);
    }
  }

  /**
   * _extend's quota steps after the status change: per_volume_gigabytes on the new size, then
   * the increase reserved for the volume's project (cinder-volume commits it with the new size)
   * under uuids derived from the volume and `token`. A refusal puts the status back first.
   */
  private async reserveExtend(v: Volume, token: string, newSize: number, increase: number): Promise<string[]> {
    const quota = this.d.quota;
    if (!quota) return [];
    try {
      const typeName = (await this.d.db.typeNames([v.volumeTypeId])).get(v.volumeTypeId) ?? null;
      return await quota.reserveVolumeExtend(v.projectId ?? '', newSize, increase, typeName, (r) => extendReservationUuid(v.id, token, r));
    } catch (e) {
      await this.extendNotSent(v, []);
      throw e;
    }
  }

  /** os-set_bootable is a volume update to Cinder (volume:update). */
  async setBootable(ctx: Ctx, v: Volume, bootable: boolean): Promise<void> {
    this.authorize(ctx, POLICY.update, v);
    // volume_api.update, as for any other change of the volume's fields.
    if (v.status === 'maintenance') throw new InvalidVolume({ reason: 'The volume cannot be updated during maintenance.' });
    await this.d.db.volumeUpdate(v.id, { bootable });
  }

  async updateReadonlyFlag(ctx: Ctx, v: Volume, readonly: boolean): Promise<void> {
    this.authorize(ctx, POLICY.updateReadonly, v);
    if (v.status !== 'available') {
      throw new InvalidVolume({ reason: `Volume ${v.id} status must be available to update readonly flag, but current status is: ${v.status}.` });
    }
    // update_volume_admin_metadata(context.elevated(), …) checks its policy as the elevated context.
    this.authorize(ctx.elevated(), POLICY.updateAdminMetadata, v);
    await this.d.db.adminMetadataSet(v.id, 'readonly', readonly ? 'True' : 'False');
  }

  /** os-reset_status: a plain update (no CAS: the admin says what the state is). */
  async resetStatus(ctx: Ctx, v: Volume, u: { status?: VolumeStatus; attach_status?: AttachStatus; migration_status?: MigrationStatus | null }): Promise<void> {
    this.authorize(ctx, POLICY.resetStatus, v);
    if (u.status === 'deleting') throw new Invalid({}, `Cannot reset-state to ${u.status}`);
    const atts = await this.d.db.attachmentsOf([v.id]);
    if (u.status === 'in-use' && !atts.length) throw new Invalid({}, 'Cannot reset-state to in-use because volume does not have any attachments.');
    await this.notify(ctx, v.id, 'reset_status.start');
    await this.d.db.volumeResetStatus(v.id, { status: u.status, attachStatus: u.attach_status, migrationStatus: u.migration_status });
    if (u.attach_status === 'detached') {
      for (const a of atts) await this.d.db.attachmentDestroy(a.id);
      await this.d.db.adminMetadataDelete(v.id, 'attached_mode');
      // Cinder detaches each with volume_detached, which sets the status from what is left: after
      // the last none, so available (the status asked for is not kept), unless a migration or an
      // upload runs, whose own flow sets it: then the status the one before left stands.
      const now = atts.length ? await this.d.db.volumeGet(v.id) : null;
      if (now && detachSetsStatus(now, 'detached')) await this.d.db.volumeResetStatus(v.id, { status: 'available' });
      else if (now && atts.length > 1) await this.d.db.volumeResetStatus(v.id, { status: statusAfterDetach([atts[atts.length - 1].attachStatus]).status });
    }
    await this.notify(ctx, v.id, 'reset_status.end');
  }

  /** os-force_detach: its own policy, then terminate_connection and detach with theirs (as Cinder's). */
  async forceDetach(ctx: Ctx, v: Volume, connector: unknown, attachmentId: string | null): Promise<void> {
    this.authorize(ctx, POLICY.forceDetach, v);
    await this.terminateConnection(ctx, v, connector, true);
    const fresh = (await this.d.db.volumeGet(v.id)) ?? v;
    await this.detach(ctx, fresh, attachmentId, 'Error force detaching volume');
  }
}
