// compute API (nova/compute/api.py analogue): business rules of the API process — instance
// state checks, device reservation in block_device_mapping, Cinder calls, then a cast to the
// compute host. Seed steps 1–5 of the attach live here.
import { randomInt, randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import type { RequestContext } from '../../common/context';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import { isServiceUp } from '../../common/service';
import { isDuplicateEntry, isRetryableConflict } from '../../nova-common/db';
import type { NovaDB } from '../../nova-common/db-api';
import { ATTACHED_STATES, BDM_STATES } from '../../nova-common/bdm-states';
import { nextDeviceName, matchDevice } from '../../nova-common/device-name';
import { defaultHostname } from '../../nova-common/hostname';
import { BlockDeviceMapping, Instance, Service } from '../../nova-common/entities';
import {
  AmbiguousHostnameForMultipleInstances, CinderConnectionFailed, ComputeHostNotFound, DevicePathInUse, InstanceInvalidState, InstanceIsLocked, InstanceNotFound, InvalidInput, InvalidVolume,
  MetadataLimitExceeded, NovaException, NoValidHost, ServiceUnavailable, TooManyDiskDevices, TooManyInstances,
  VolumeBDMNotFound, VolumeNotAttached,
} from '../../nova-common/exception';
import { VM_STATES } from '../../nova-common/objects';
import { CinderHTTPError, type CinderAPI, type CinderCaller, type CinderVolume } from '../../nova-common/volume/cinder';
import type { ComputeAPI as ComputeRPCAPI } from '../../nova-compute/rpcapi';
import type { Enforcer } from '../../common/policy';
import { novaEnforcer } from '../policy';
import type { BootVolume } from '../schemas/block-device-mapping';
import { checkBootVolumes, reserveBootVolumes } from './boot-volumes';
import { parseAvailabilityZone, weighHosts } from './scheduler';

const LOG = getLogger('nova-api.compute');

/** vm_states attach/detach are allowed in (attach-semantics.md §4.4). */
const VOLUME_OP_STATES = [VM_STATES.ACTIVE, VM_STATES.PAUSED, VM_STATES.STOPPED, VM_STATES.RESIZED, VM_STATES.SOFT_DELETED,
  VM_STATES.SHELVED, VM_STATES.SHELVED_OFFLOADED] as string[];

export class RootDeviceDetach extends NovaException {
  static override msgFmt = 'Cannot detach a root device volume';
  static override code = 400;
}

/** The attach took longer than its compute waits for nova-api, and the compute rolled it back. */
export class VolumeAttachTimedOut extends NovaException {
  static override msgFmt = 'Attaching volume %(volume_id)s took too long and was rolled back; try again.';
  static override code = 503;
}

/** A Cinder call that failed without saying no: it may or may not have taken effect. */
function isUncertain(e: unknown): boolean {
  return e instanceof CinderConnectionFailed || (e instanceof CinderHTTPError && e.status >= 500);
}

/** The message Cinder gives a detach of a volume that is not plainly attached. */
const NOT_DETACHABLE = "Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.";

export interface ComputeApiOptions {
  db: NovaDB;
  cinder: CinderAPI;
  rpc: ComputeRPCAPI;
  serviceDownTime: number;
  maxDiskDevices: number;
  /** [quota] metadata_items: most metadata keys per server (-1 unlimited; default 128). */
  metadataItems?: number;
  /** Policy (defaults + [oslo_policy] policy_file); the Zed defaults when absent. */
  policy?: Enforcer;
}

export interface CreateServerRequest {
  name: string;
  imageRef: string | null;
  flavorRef: string;
  metadata: Record<string, string>;
  availabilityZone: string | null;
  accessIpV4?: string;
  accessIpV6?: string;
  description?: string | null;
  adminPass?: string;
  minCount?: number;
  maxCount?: number;
  returnReservationId?: boolean;
  /** 2.90: the hostname asked for (else derived from the name). */
  hostname?: string | null;
  /** Base64 text, kept as given (OS-EXT-SRV-ATTR:user_data). */
  userData?: string | null;
  /** block_device_mapping_v2: existing volumes to attach at boot (boot_index 0: the root disk). */
  bootVolumes?: BootVolume[];
  /** 2.74: the host / hypervisor_hostname asked for (admin by policy). */
  requestedHost?: string | null;
  requestedNode?: string | null;
}

/** Nova's default [quota] instances (GET /limits maxTotalInstances). */
const INSTANCES_QUOTA = 10;

/** utils.generate_uid('r'): the reservation id all servers of one create request share. */
function reservationId(): string {
  const chars = '01234567890abcdefghijklmnopqrstuvwxyz';
  return `r-${Array.from({ length: 8 }, () => chars[randomInt(chars.length)]).join('')}`;
}

export interface ServerUpdate {
  name?: string;
  description?: string | null;
  accessIpV4?: string;
  accessIpV6?: string;
  hostname?: string;
}

const caller = (ctx: RequestContext): CinderCaller => ({
  projectId: ctx.projectId, authToken: ctx.authToken, requestId: ctx.requestId, globalRequestId: ctx.globalRequestId, catalog: ctx.serviceCatalog,
});

export class ComputeAPI {
  readonly policy: Enforcer;

  constructor(private readonly o: ComputeApiOptions) {
    this.policy = o.policy ?? novaEnforcer();
  }

  /** context.can(): the target is the server's project (and user), or the caller's own. */
  can(ctx: RequestContext, action: string, inst?: Pick<Instance, 'projectId' | 'userId'> | null): void {
    this.policy.authorize(ctx, action, inst ? { project_id: inst.projectId, user_id: inst.userId } : {});
  }

  get db(): NovaDB { return this.o.db; }
  get serviceDownTime(): number { return this.o.serviceDownTime; }
  /** [quota] metadata_items (-1: unlimited). */
  get metadataItems(): number { return this.o.metadataItems ?? 128; }

  /** The server as the caller may see it: another project's server is "not found" (admins see all). */
  async get(ctx: RequestContext, uuid: string): Promise<Instance> {
    const inst = await this.o.db.instanceGet(uuid, ctx.isAdmin ? undefined : ctx.projectId);
    if (!inst) throw new InstanceNotFound({ instance_id: uuid });
    return inst;
  }

  async list(ctx: RequestContext, opts: { allTenants: boolean; projectId?: string | null }): Promise<Instance[]> {
    const where: Record<string, unknown> = { deleted: 0 };
    if (!(ctx.isAdmin && opts.allTenants)) where.projectId = ctx.isAdmin && opts.projectId ? opts.projectId : ctx.projectId;
    return this.o.db.instances.find({ where, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  /** Enabled nova-compute services, each with whether its heartbeat is recent. */
  private async computeServices(): Promise<Array<{ host: string; up: boolean }>> {
    const rows = await this.o.db.ds.getRepository(Service).findBy({ binary: 'nova-compute', deleted: 0, disabled: false, forcedDown: false });
    return rows.map((s) => ({ host: s.host as string, up: isServiceUp(s.lastSeenUp ?? s.createdAt, this.o.serviceDownTime) }));
  }

  /** Live nova-compute hosts by heartbeat. */
  async upComputeHosts(): Promise<string[]> {
    return (await this.computeServices()).filter((s) => s.up).map((s) => s.host);
  }

  /**
   * The scheduler's answer: the forced host if it is up, else the least loaded live host.
   * No host → the NoValidHost fault Nova records ("There are not enough hosts available."
   * when hosts exist but none qualifies, no reason when there is no compute at all).
   */
  private async selectHost(forced: { host: string | null; node: string | null }): Promise<{ host: string | null; fault: string | null }> {
    const services = await this.computeServices();
    let hosts = services.filter((s) => s.up).map((s) => s.host);
    // Our nodes are named after their hosts, so a forced node names a host too.
    for (const f of [forced.host, forced.node]) if (f) hosts = hosts.filter((h) => h === f);
    const host = weighHosts(hosts, hosts.length > 1 ? await this.o.db.instanceCountsByHost() : new Map());
    if (host) return { host, fault: null };
    return { host: null, fault: new NoValidHost({ reason: services.length ? 'There are not enough hosts available.' : '' }).message };
  }

  private async hostIsUp(host: string): Promise<boolean> {
    return (await this.upComputeHosts()).includes(host);
  }

  /**
   * POST /servers: up to max_count servers within the instances quota (at least min_count, else
   * TooManyInstances), all with one reservation id. A requested hostname cannot serve several
   * servers. Single creates are not counted against the quota.
   */
  async createServers(ctx: RequestContext, req: CreateServerRequest): Promise<{ instances: Instance[]; reservationId: string }> {
    this.can(ctx, 'os_compute_api:servers:create');
    const az = parseAvailabilityZone(req.availabilityZone);
    if (az.forcedHost || az.forcedNode) this.can(ctx, 'os_compute_api:servers:create:forced_host');
    if (req.requestedHost || req.requestedNode) {
      this.can(ctx, 'compute:servers:create:requested_destination');
      if (az.forcedHost || az.forcedNode) {
        const msg = 'One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.';
        throw new InvalidInput({ reason: msg }, msg);
      }
      // Our nodes are named after their hosts.
      const known = (await this.computeServices()).map((s) => s.host);
      for (const h of [req.requestedHost, req.requestedNode]) if (h && !known.includes(h)) throw new ComputeHostNotFound({ host: h });
    }
    const min = req.minCount ?? 1;
    const max = req.maxCount ?? min;
    if (req.hostname && max > 1) throw new AmbiguousHostnameForMultipleInstances();
    if (req.bootVolumes?.length) {
      this.can(ctx, 'os_compute_api:servers:create:attach_volume');
      await checkBootVolumes(this.o.cinder, caller(ctx), req.bootVolumes, max);
    }
    let n = 1;
    if (max > 1) {
      const used = (await this.list(ctx, { allTenants: false })).length;
      n = Math.min(max, Math.max(0, INSTANCES_QUOTA - used));
      if (n < min) throw new TooManyInstances({ overs: 'instances', req: min, used, allowed: INSTANCES_QUOTA });
    }
    const rid = reservationId();
    const instances = [];
    for (let index = 0; index < n; index++) instances.push(await this.create(ctx, req, { index, count: n, reservationId: rid }));
    return { instances, reservationId: rid };
  }

  /** One server of a create request: the index-th of count (names get '-<index+1>' when count > 1). */
  private async create(ctx: RequestContext, req: CreateServerRequest, batch: { index: number; count: number; reservationId: string }): Promise<Instance> {
    const allowed = this.metadataItems;
    if (allowed >= 0 && Object.keys(req.metadata).length > allowed) throw new MetadataLimitExceeded({ allowed });
    const az = parseAvailabilityZone(req.availabilityZone);
    const { host, fault } = await this.selectHost({ host: req.requestedHost ?? az.forcedHost, node: req.requestedNode ?? az.forcedNode });
    if (!host) LOG.warning(`No host for server ${req.name}: ${fault}`, { context: ctx });
    const t = new Date();
    const repo = this.o.db.instances;
    const uuid = randomUUID();
    const inst = await repo.save(repo.create({
      uuid, displayName: batch.count > 1 ? `${req.name}-${batch.index + 1}` : req.name,
      hostname: defaultHostname(req.hostname, req.name, uuid, batch.index, batch.count), reservationId: batch.reservationId,
      // No image API to read kernel/ramdisk properties from: Nova stores '' for an image without them.
      launchIndex: batch.index, kernelId: '', ramdiskId: '', userData: req.userData ?? null,
      projectId: ctx.projectId, userId: ctx.userId, imageRef: req.imageRef,
      flavorId: req.flavorRef, vmState: host ? VM_STATES.BUILDING : VM_STATES.ERROR, taskState: host ? 'scheduling' : null,
      powerState: 0, locked: false, host, node: host, availabilityZone: az.zone ?? 'nova', rootDeviceName: '/dev/vda',
      accessIpV4: req.accessIpV4 ?? null, accessIpV6: req.accessIpV6 ?? null, displayDescription: req.description ?? null,
      metadataJson: JSON.stringify(req.metadata), faultMessage: fault, createdAt: t, updatedAt: t, deleted: 0,
    }));
    // The root disk occupies /dev/vda (the image, or a boot volume), so the first attached volume becomes /dev/vdb.
    const bootVolume = req.bootVolumes?.some((b) => b.bootIndex === 0);
    const root = bootVolume ? null : await this.o.db.bdmCreate({
      instanceUuid: inst.uuid, sourceType: 'image', destinationType: 'local', deviceType: 'disk', bootIndex: 0,
      deviceName: '/dev/vda', imageId: req.imageRef, deleteOnTermination: true,
    });
    let volumes: BlockDeviceMapping[] = [];
    if (req.bootVolumes?.length) {
      try {
        volumes = await reserveBootVolumes(this.o.db, this.o.cinder, caller(ctx), ctx, inst, req.bootVolumes, ['/dev/vda']);
      } catch (e) {
        if (root) await this.o.db.bdmDestroy(root.id);
        await this.o.db.instanceSoftDelete(inst);
        throw e;
      }
    }
    await this.recordAction(ctx, inst.uuid, 'create');
    if (host) {
      try {
        await this.o.rpc.buildAndRunInstance(ctx, inst, [...(root ? [root] : []), ...volumes]);
      } catch (e) {
        await this.o.db.instanceUpdate(inst.uuid, { vmState: VM_STATES.ERROR, taskState: null, faultMessage: (e as Error).message });
        throw e;
      }
    }
    return inst;
  }

  /** PUT /servers/{id}: rename, describe, set access IPs or (2.90) the hostname (Nova's update_instance; no lock check). */
  async update(ctx: RequestContext, uuid: string, u: ServerUpdate): Promise<Instance> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:servers:update', inst);
    const values: Partial<Instance> = {};
    if (u.name !== undefined) values.displayName = u.name;
    if (u.hostname !== undefined) values.hostname = u.hostname;
    if (u.description !== undefined) values.displayDescription = u.description;
    if (u.accessIpV4 !== undefined) values.accessIpV4 = u.accessIpV4;
    if (u.accessIpV6 !== undefined) values.accessIpV6 = u.accessIpV6;
    if (Object.keys(values).length) await this.o.db.instanceUpdate(uuid, values);
    return this.get(ctx, uuid);
  }

  /** DELETE /servers/{id}, or forceDelete (its own policy). */
  async delete(ctx: RequestContext, uuid: string, policy = 'os_compute_api:servers:delete'): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, policy, inst);
    if (inst.locked && !ctx.isAdmin) throw new InstanceIsLocked({ instance_uuid: uuid });
    await this.recordAction(ctx, uuid, 'delete');
    if (inst.host && inst.vmState !== VM_STATES.ERROR && await this.hostIsUp(inst.host)) {
      await this.o.db.instanceUpdate(uuid, { taskState: 'deleting' });
      await this.o.rpc.terminateInstance(ctx, inst, await this.o.db.bdmsByInstance(uuid));
      return;
    }
    // No compute to ask (never scheduled, errored or host down): release volumes from here.
    await this.localDelete(ctx, inst);
  }

  private async localDelete(ctx: RequestContext, inst: Instance): Promise<void> {
    const connector = { ip: '127.0.0.1', host: inst.host ?? 'localhost' };
    for (const bdm of await this.o.db.bdmsByInstance(inst.uuid)) {
      if (bdm.volumeId) {
        const vid = bdm.volumeId;
        const ignore = (what: string) => (e: unknown): void => LOG.warning(`${what} of volume ${vid} failed: ${(e as Error).message}`, { context: ctx });
        if (bdm.connectionInfo) {
          await this.o.cinder.terminateConnection(caller(ctx), vid, connector).catch(ignore('os-terminate_connection'));
          await this.o.cinder.detach(caller(ctx), vid, null).catch(ignore('os-detach'));
        } else {
          await this.o.cinder.unreserve(caller(ctx), vid).catch(ignore('os-unreserve'));
        }
        if (bdm.deleteOnTermination) await this.o.cinder.delete(caller(ctx), vid).catch(ignore('volume delete'));
      }
      await this.o.db.bdmSoftDelete(bdm.id);
    }
    await this.o.db.instanceSoftDelete(inst);
  }

  private checkState(ctx: RequestContext, inst: Instance, method: string, vmStates: readonly string[] = VOLUME_OP_STATES): void {
    if (inst.locked && !ctx.isAdmin) throw new InstanceIsLocked({ instance_uuid: inst.uuid });
    const bad = (attr: string, state: unknown): never => {
      throw new InstanceInvalidState({ method, instance_uuid: inst.uuid, attr, state: state ?? 'None' });
    };
    if (!vmStates.includes(inst.vmState ?? '')) bad('vm_state', inst.vmState);
    if (inst.taskState !== null) bad('task_state', inst.taskState);
    if (!inst.launchedAt) bad('launched_at', null);
  }

  async recordAction(ctx: RequestContext, uuid: string, action: string): Promise<void> {
    await this.o.db.actionStart({ action, instanceUuid: uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId });
  }

  /**
   * Seed step 2: INSERT the BDM with the chosen device. The unique index over (instance_uuid,
   * device_name, deleted) makes a concurrent attach (any API process) that picked the same
   * device fail here; an automatic choice then retries with the next free letter.
   */
  private async reserveDevice(inst: Instance, volumeId: string, device: string | null, extra: Partial<BlockDeviceMapping>): Promise<BlockDeviceMapping> {
    if (device) matchDevice(device);
    for (let attempt = 0; attempt < 64; attempt++) {
      const bdms = await this.o.db.bdmsByInstance(inst.uuid);
      if (bdms.some((b) => b.volumeId === volumeId)) throw new InvalidVolume({ reason: 'already attached' });
      const max = this.o.maxDiskDevices;
      if (max >= 0 && bdms.filter((b) => b.deviceName).length + 1 > max) throw new TooManyDiskDevices({ maximum: max });
      const next = nextDeviceName(inst.rootDeviceName, bdms.map((b) => b.deviceName), device);
      if (!next) throw new DevicePathInUse({ path: device });
      try {
        return await this.o.db.bdmCreate({
          instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', deviceName: next.device, volumeId,
          bootIndex: null, ...extra,
        });
      } catch (e) {
        if (!isDuplicateEntry(e) && !isRetryableConflict(e)) throw e;
        // Lost a race: either the volume or the device was taken meanwhile; look again.
      }
    }
    throw new DevicePathInUse({ path: device ?? 'auto' });
  }

  /**
   * Seed steps 1–5, with the intent recorded first: the BDM row is inserted 'reserving', moves
   * to 'reserved' once Cinder reserved the volume, and the cast hands it to the compute. What
   * cannot be undone here (Cinder or the database unreachable) stays on the row, and the
   * compute's reconciler rolls it back (bdm-states.ts).
   */
  async attachVolume(ctx: RequestContext, uuid: string, req: { volumeId: string; device: string | null; tag: string | null; deleteOnTermination: boolean }): Promise<BlockDeviceMapping> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-volumes-attachments:create', inst);
    this.checkState(ctx, inst, 'attach_volume');
    // Real Nova's reserve_block_device_name call would time out against a dead compute; with a
    // cast we check the heartbeat instead, so the volume is never left 'attaching'.
    if (!inst.host || !(await this.hostIsUp(inst.host))) throw new ServiceUnavailable();
    let bdm: BlockDeviceMapping;
    const intent = { attachState: BDM_STATES.RESERVING, attachStateAt: new Date(), attachRequestId: ctx.globalRequestId ?? ctx.requestId };
    try {
      bdm = await this.reserveDevice(inst, req.volumeId, req.device, { tag: req.tag, deleteOnTermination: req.deleteOnTermination, ...intent });
    } catch (e) {
      // Already on this server: answer as the seed does, from the volume's state.
      if (e instanceof InvalidVolume) {
        const v = await this.o.cinder.get(caller(ctx), req.volumeId);
        if (v.status !== 'available') throw new InvalidVolume({ reason: "status must be 'available'" });
      }
      throw e;
    }
    await pausePoint('nova-api.attach.after-bdm-insert');
    let reserving = false;
    let reserved = false;
    try {
      const volume = await this.o.cinder.get(caller(ctx), req.volumeId);            // step 3
      if (volume.status !== 'available') throw new InvalidVolume({ reason: "status must be 'available'" });  // step 4
      if (volume.attach_status === 'attached') throw new InvalidVolume({ reason: 'already attached' });
      reserving = true;
      await this.o.cinder.reserve(caller(ctx), req.volumeId);                       // step 5
      reserved = true;
      await pausePoint('nova-api.attach.after-reserve');
      if (!(await this.o.db.bdmTransition(bdm.id, [BDM_STATES.RESERVING], BDM_STATES.RESERVED))) {
        throw new VolumeAttachTimedOut({ volume_id: req.volumeId });
      }
    } catch (e) {
      // os-reserve lost on the way back (Cinder unreachable or 5xx): it may have happened, and
      // only the reconciler can tell ours from another's, so the row stays 'reserving' for it.
      if (!reserved && reserving && isUncertain(e)) {
        LOG.warning(`os-reserve of volume ${req.volumeId} has an unknown outcome (${(e as Error).message}); the compute's reconciler settles it`, { context: ctx });
        throw e;
      }
      await this.undoReservation(ctx, bdm, reserved);
      throw e;
    }
    try {
      await this.recordAction(ctx, uuid, 'attach_volume');
      await this.o.rpc.attachVolume(ctx, inst, bdm);
    } catch (e) {
      // The cast may not have gone out: take the row back unless the compute already has it.
      const back = await this.o.db.bdmTransition(bdm.id, [BDM_STATES.RESERVED], BDM_STATES.RESERVING).catch(() => null);
      if (back === false) {
        LOG.warning(`Cast of attach_volume failed (${(e as Error).message}) but compute ${inst.host} already runs the attach`, { context: ctx });
        return bdm;
      }
      if (back) await this.undoReservation(ctx, bdm, true);
      throw e;
    }
    await pausePoint('nova-api.attach.after-cast');
    return bdm;
  }

  /** Release our reservation and drop the row; what fails stays 'reserving' for the reconciler. */
  private async undoReservation(ctx: RequestContext, bdm: BlockDeviceMapping, reserved: boolean): Promise<void> {
    const warn = (what: string) => (err: unknown): false => {
      LOG.warning(`${what} failed (${(err as Error).message}); the compute's reconciler will finish the rollback`, { context: ctx, bdm_id: bdm.id });
      return false;
    };
    if (reserved) {
      const ok = await this.o.cinder.unreserve(caller(ctx), bdm.volumeId as string).then(() => true, warn('os-unreserve'));
      if (!ok) return;
    }
    // Nothing reached the compute host: the row goes, the volume stays as it was.
    await this.o.db.bdmDestroyIf(bdm.id, BDM_STATES.RESERVING).catch(warn(`delete BDM ${bdm.id}`));
  }

  async attachments(ctx: RequestContext, uuid: string): Promise<{ instance: Instance; bdms: BlockDeviceMapping[] }> {
    const instance = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-volumes-attachments:index', instance);
    const bdms = (await this.o.db.bdmsByInstance(uuid)).filter((b) => b.volumeId);
    return { instance, bdms };
  }

  async attachment(ctx: RequestContext, uuid: string, volumeId: string): Promise<BlockDeviceMapping> {
    this.can(ctx, 'os_compute_api:os-volumes-attachments:show', await this.get(ctx, uuid));
    const bdm = await this.o.db.bdmByVolumeAndInstance(volumeId, uuid);
    if (!bdm) throw new VolumeNotAttached({ instance_uuid: uuid, volume_id: volumeId });
    return bdm;
  }

  /**
   * §1.5: checks, then the intent ('detaching') on the row, os-begin_detaching and the cast.
   * Once recorded, the detach is finished by the compute even if the cast is lost.
   */
  async detachVolume(ctx: RequestContext, uuid: string, volumeId: string): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-volumes-attachments:delete', inst);
    const volume = await this.o.cinder.get(caller(ctx), volumeId);
    const bdm = await this.o.db.bdmByVolumeAndInstance(volumeId, uuid);
    if (!bdm) throw new VolumeNotAttached({ instance_uuid: uuid, volume_id: volumeId });
    if (bdm.bootIndex === 0) throw new RootDeviceDetach();
    this.checkState(ctx, inst, 'detach_volume');
    if (!inst.host || !(await this.hostIsUp(inst.host))) throw new ServiceUnavailable();
    const requestId = ctx.globalRequestId ?? ctx.requestId;
    if (!(await this.o.db.bdmTransition(bdm.id, ATTACHED_STATES, BDM_STATES.DETACHING, { attachRequestId: requestId }))) {
      // An attach or another detach of this volume is in flight.
      throw new InvalidVolume({ reason: NOT_DETACHABLE });
    }
    await pausePoint('nova-api.detach.after-intent');
    const restore = async (): Promise<void> => {
      await this.o.db.bdmTransition(bdm.id, [BDM_STATES.DETACHING], bdm.attachState as null)
        .catch((err: unknown) => LOG.warning(`Could not withdraw the detach of BDM ${bdm.id}: ${(err as Error).message}`, { context: ctx }));
    };
    try {
      await this.o.cinder.beginDetaching(caller(ctx), volumeId);
    } catch (e) {
      // Unknown outcome: the intent stays and the compute's reconciler finishes the detach.
      if (isUncertain(e)) throw e;
      await restore();
      if (e instanceof InvalidInput) throw new InvalidVolume({ reason: e.message });
      throw e;
    }
    await pausePoint('nova-api.detach.after-begin-detaching');
    const attachmentId = volume.attachments.find((a) => a.server_id === uuid)?.attachment_id ?? null;
    try {
      await this.recordAction(ctx, uuid, 'detach_volume');
      await this.o.rpc.detachVolume(ctx, inst, volumeId, attachmentId);
    } catch (e) {
      // If this fails too, the row stays 'detaching' and the compute finishes the detach.
      const rolled = await this.o.cinder.rollDetaching(caller(ctx), volumeId).then(() => true, () => false);
      if (rolled) await restore();
      throw e;
    }
  }

  /** The BDM a 2.85+ PUT updates; missing → VolumeBDMNotFound (404), as Nova's regular update. */
  async bdmForUpdate(ctx: RequestContext, uuid: string, volumeId: string): Promise<BlockDeviceMapping> {
    await this.get(ctx, uuid);
    const bdm = await this.o.db.bdmByVolumeAndInstance(volumeId, uuid);
    if (!bdm) throw new VolumeBDMNotFound({ volume_id: volumeId });
    return bdm;
  }

  async updateAttachment(bdm: BlockDeviceMapping, deleteOnTermination: boolean | undefined): Promise<void> {
    if (deleteOnTermination !== undefined) await this.o.db.bdmUpdate(bdm.id, { deleteOnTermination });
  }

  /**
   * os-stop / os-start (nova compute/api.py stop, start): lock, vm_state (active|error to stop,
   * stopped to start), no task, launched; the compute service must be up. Sets the task state
   * with a compare-and-swap on task_state NULL, records the action and casts to the host.
   */
  async powerAction(ctx: RequestContext, uuid: string, action: 'stop' | 'start'): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, `os_compute_api:servers:${action}`, inst);
    if (inst.locked && !ctx.isAdmin) throw new InstanceIsLocked({ instance_uuid: inst.uuid });
    if (!inst.host || !(await this.hostIsUp(inst.host))) throw new ServiceUnavailable();
    this.checkState(ctx, inst, action, action === 'stop' ? [VM_STATES.ACTIVE, VM_STATES.ERROR] : [VM_STATES.STOPPED]);
    const taskState = action === 'stop' ? 'powering-off' : 'powering-on';
    if (!(await this.o.db.instanceUpdate(uuid, { taskState }, { taskState: IsNull() as unknown as null }))) {
      const now = await this.get(ctx, uuid);
      throw new InstanceInvalidState({ method: action, instance_uuid: uuid, attr: 'task_state', state: now.taskState ?? 'None' });
    }
    await this.recordAction(ctx, uuid, action);
    const fresh = await this.get(ctx, uuid);
    if (action === 'stop') await this.o.rpc.stopInstance(ctx, fresh);
    else await this.o.rpc.startInstance(ctx, fresh);
  }

  /** The server's metadata as stored on the instance. */
  metadataOf(inst: Instance): Record<string, string> {
    try {
      const m = JSON.parse(inst.metadataJson ?? '{}') as unknown;
      return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  /**
   * Nova's update_instance_metadata / delete_instance_metadata: unlocked, vm_state active, paused,
   * suspended or stopped with no task; merge (or replace) then the quota of metadata_items.
   */
  async updateMetadata(ctx: RequestContext, inst: Instance, method: string, change: (m: Record<string, string>) => Record<string, string>): Promise<Record<string, string>> {
    if (inst.locked && !ctx.isAdmin) throw new InstanceIsLocked({ instance_uuid: inst.uuid });
    const states = [VM_STATES.ACTIVE, VM_STATES.PAUSED, VM_STATES.SUSPENDED, VM_STATES.STOPPED] as string[];
    if (!states.includes(inst.vmState ?? '')) throw new InstanceInvalidState({ method, instance_uuid: inst.uuid, attr: 'vm_state', state: inst.vmState ?? 'None' });
    if (inst.taskState !== null) throw new InstanceInvalidState({ method, instance_uuid: inst.uuid, attr: 'task_state', state: inst.taskState });
    const next = change({ ...this.metadataOf(inst) });
    const allowed = this.metadataItems;
    if (allowed >= 0 && Object.keys(next).length > allowed) throw new MetadataLimitExceeded({ allowed });
    await this.o.db.instanceUpdate(inst.uuid, { metadataJson: JSON.stringify(next) });
    return next;
  }

  /** Nova's lock: owner or admin; a lock by the owner of an owner-locked server is a no-op. */
  async lock(ctx: RequestContext, uuid: string, reason: string | null): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-lock-server:lock', inst);
    const isOwner = inst.projectId === ctx.projectId;
    if (inst.locked && isOwner) return;
    await this.recordAction(ctx, uuid, 'lock');
    await this.o.db.instanceUpdate(uuid, { locked: true, lockedBy: isOwner ? 'owner' : 'admin', ...(reason ? { lockedReason: reason } : {}) });
  }

  /** Nova's unlock: a lock taken by the other side (owner vs admin) needs the admin override. */
  async unlock(ctx: RequestContext, uuid: string): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-lock-server:unlock', inst);
    const expected = inst.projectId === ctx.projectId ? 'owner' : 'admin';
    if (inst.lockedBy && inst.lockedBy !== expected) this.can(ctx, 'os_compute_api:os-lock-server:unlock:unlock_override', inst);
    await this.recordAction(ctx, uuid, 'unlock');
    await this.o.db.instanceUpdate(uuid, { locked: false, lockedBy: null, lockedReason: null });
  }

  /** restore: Nova allows it only in vm_state soft-deleted, which servers never reach here. */
  async restore(ctx: RequestContext, uuid: string): Promise<never> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-deferred-delete:restore', inst);
    if (inst.locked && !ctx.isAdmin) throw new InstanceIsLocked({ instance_uuid: inst.uuid });
    throw new InstanceInvalidState({ method: 'restore', instance_uuid: uuid, attr: 'vm_state', state: inst.vmState ?? 'None' });
  }

  /**
   * Nova's reboot: SOFT only from active, HARD also from stopped/paused/suspended/error; task_state
   * CAS None → rebooting / rebooting_hard, action 'reboot', cast reboot_instance.
   */
  async reboot(ctx: RequestContext, uuid: string, type: 'SOFT' | 'HARD'): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:servers:reboot', inst);
    if (inst.locked && !ctx.isAdmin) throw new InstanceIsLocked({ instance_uuid: inst.uuid });
    const allowed = type === 'SOFT' ? [VM_STATES.ACTIVE] : [VM_STATES.ACTIVE, VM_STATES.STOPPED, VM_STATES.PAUSED, VM_STATES.SUSPENDED, VM_STATES.ERROR];
    this.checkState(ctx, inst, 'reboot', allowed as string[]);
    if (!inst.host || !(await this.hostIsUp(inst.host))) throw new ServiceUnavailable();
    const taskState = type === 'SOFT' ? 'rebooting' : 'rebooting_hard';
    if (!(await this.o.db.instanceUpdate(uuid, { taskState }, { taskState: IsNull() as unknown as null }))) {
      const now = await this.get(ctx, uuid);
      throw new InstanceInvalidState({ method: 'reboot', instance_uuid: uuid, attr: 'task_state', state: now.taskState ?? 'None' });
    }
    await this.recordAction(ctx, uuid, 'reboot');
    await this.o.rpc.rebootInstance(ctx, await this.get(ctx, uuid), type);
  }

  /** A volume as Cinder shows it to the caller (VolumeNotFound when Cinder 404s). */
  async getVolume(ctx: RequestContext, volumeId: string): Promise<CinderVolume> {
    return this.o.cinder.get(caller(ctx), volumeId);
  }
}
