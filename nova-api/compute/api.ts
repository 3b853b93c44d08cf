// compute API (nova/compute/api.py analogue): business rules of the API process for servers —
// create, update, delete, power and lock actions, metadata — and the checks every server action
// shares (lock, state, policy, host up). Volume attach/detach: volume-attachments.ts.
import type { AttachFlowChooser } from '../../nova-common/volume/attach-flow';
import { randomInt, randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context';
import { getLogger } from '../../common/log';
import { serviceIsUp } from '../../nova-common/servicegroup';
import { fastSelect } from '../../common/db/fast-select';
import type { InstanceValues, NovaDB } from '../../nova-common/db-api';
import { defaultHostname } from '../../nova-common/hostname';
import { BlockDeviceMapping, Instance, type KeyPair, Service } from '../../nova-common/entities';
import {
  AmbiguousHostnameForMultipleInstances, ComputeHostNotFound, InstanceInvalidState, InstanceIsLocked, InstanceNotFound, InvalidInput,
  InstanceNotReady, MetadataLimitExceeded, NoValidHost, ServiceUnavailable, TooManyInstances,
} from '../../nova-common/exception';
import { unsupported } from './rpc-errors';
import { diagnosticsFromPrimitive, TASK_STATES, VM_STATES, type TaskState, type VmState } from '../../nova-common/objects';
import type { CinderAPI, CinderCaller } from '../../nova-common/volume/cinder';
import type { ComputeAPI as ComputeRPCAPI } from '../../nova-compute/rpcapi';
import type { Enforcer } from '../../common/policy';
import { novaEnforcer } from '../policy';
import { ExternalEventsAPI } from './external-events';
import { ServiceAPI } from './services';
import { HypervisorAPI } from './hypervisors';
import { AggregateAPI } from './aggregates';
import { MigrationAPI } from './migrations';
import { UsageAPI } from './usage';
import { HostAPI } from './hosts';
import { QuotaAPI, type QuotaLimits } from './quotas';
import { portsAllow } from './server-quota';
import { KeypairAPI } from './keypairs';
import { ServerTagsAPI } from './server-tags';
import type { BootVolume } from '../schemas/block-device-mapping';
import { checkBootVolumes, reserveBootVolumes } from './boot-volumes';
import { VolumeAttachmentAPI } from './volume-attachments';
import { SwapVolumeAPI } from './swap-volume';
import { RebuildAPI } from './rebuild';
import { VolumesProxyAPI } from './volumes-proxy';
import { localDelete } from './local-delete';
import { withDbRetry } from '../../common/db/retry';
import { parseAvailabilityZone, weighHosts } from './scheduler';
import { findFlavor } from '../../nova-common/flavors';

const LOG = getLogger('nova-api.compute');

/** What Nova's console API strips from the log: control characters but tab, newline. */
// eslint-disable-next-line no-control-regex -- these characters are the point
const CONSOLE_CONTROL = /[\x00-\x08\x0B-\x1F]/g;

/** Every vm_state but error: a delete casts to the compute only while the server is not in error. */
const NOT_ERROR: readonly VmState[] = Object.values(VM_STATES).filter((s) => s !== VM_STATES.ERROR);

/** vm_states attach/detach are allowed in (docs/attach-detach.md, Server states). */
export type GuestStateAction = 'pause' | 'unpause' | 'suspend' | 'resume';

/** The guest-state actions: the policy, the one vm_state each starts from, and its task state. */
const GUEST_STATE_ACTIONS: Record<GuestStateAction, { policy: string; from: string; task: TaskState }> = {
  pause: { policy: 'os_compute_api:os-pause-server:pause', from: VM_STATES.ACTIVE, task: TASK_STATES.PAUSING },
  unpause: { policy: 'os_compute_api:os-pause-server:unpause', from: VM_STATES.PAUSED, task: TASK_STATES.UNPAUSING },
  suspend: { policy: 'os_compute_api:os-suspend-server:suspend', from: VM_STATES.ACTIVE, task: TASK_STATES.SUSPENDING },
  resume: { policy: 'os_compute_api:os-suspend-server:resume', from: VM_STATES.SUSPENDED, task: TASK_STATES.RESUMING },
};

const VOLUME_OP_STATES = [VM_STATES.ACTIVE, VM_STATES.PAUSED, VM_STATES.STOPPED, VM_STATES.RESIZED, VM_STATES.SOFT_DELETED,
  VM_STATES.SHELVED, VM_STATES.SHELVED_OFFLOADED] as string[];

export interface ComputeApiOptions {
  db: NovaDB;
  cinder: CinderAPI;
  /** Which Cinder flow an attach starts with (legacy when absent). */
  attachFlow?: AttachFlowChooser;
  rpc: ComputeRPCAPI;
  serviceDownTime: number;
  maxDiskDevices: number;
  /** [quota] metadata_items: most metadata keys per server (-1 unlimited; default 128). */
  metadataItems?: number;
  /** The other [quota] defaults (Nova's when absent); a project's os-quota-sets override them. */
  quotaDefaults?: Partial<QuotaLimits>;
  /** Which of instances, cores and RAM [quota] sets, so that its default binds (quotas.ts). */
  boundDefaults?: readonly string[];
  /** Policy (defaults + [oslo_policy] policy_file); the Zed defaults when absent. */
  policy?: Enforcer;
  /** [quota] recheck_quota: count a create's servers again once they exist (Nova's default: true). */
  recheckQuota?: boolean;
  /** How long (ms) undoing a failed attach retries a lost database or Cinder before leaving it to the compute. */
  undoRetryMs?: number;
  /** [compute] pending_volume_op_timeout (ms): when the compute takes over an intent nova-api wrote. */
  pendingTimeoutMs?: number;
}

export interface CreateServerRequest {
  name: string;
  /** 2.52: the server's tags. */
  tags?: string[];
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
  /** Security group names asked for: only 'default' exists here (no Neutron). */
  securityGroups?: string[];
  /** The caller's key pair to boot with (its public key is kept on the server, as Nova's key_data). */
  keyName?: string | null;
  /** 2.74: the host / hypervisor_hostname asked for (admin by policy). */
  requestedHost?: string | null;
  requestedNode?: string | null;
  /** os:scheduler_hints as Nova keeps them (kept in the request spec, shown from 2.100). */
  schedulerHints?: Record<string, string[]>;
  /** OS-DCF:diskConfig AUTO (kept and shown; nothing here resizes a disk). */
  autoDiskConfig?: boolean;
}

/** Nova's [quota] defaults; the nova-network quotas are -1. */
const QUOTA_DEFAULTS: QuotaLimits = {
  instances: 10, cores: 20, ram: 51200, metadata_items: 128, injected_files: 5, injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255, key_pairs: 100, server_groups: 10, server_group_members: 10,
  fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1,
};

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
  autoDiskConfig?: boolean;
}

/** The caller as Cinder's client needs it: the user's token, request ids and catalog. */
export const caller = (ctx: RequestContext): CinderCaller => ({
  projectId: ctx.projectId, authToken: ctx.authToken, requestId: ctx.requestId, globalRequestId: ctx.globalRequestId, catalog: ctx.serviceCatalog,
});

export class ComputeAPI {
  readonly policy: Enforcer;
  /** os-volume_attachments: attach, detach, list, update (volume-attachments.ts). */
  readonly volumes: VolumeAttachmentAPI;
  readonly swaps: SwapVolumeAPI;
  /** os-server-external-events (external-events.ts). */
  readonly events: ExternalEventsAPI;
  /** os-services and the servers' host_status (services.ts). */
  readonly services: ServiceAPI;
  /** os-quota-sets, and the limits creates and metadata are held to (quotas.ts). */
  readonly quotas: QuotaAPI;
  /** os-hypervisors: the computes' node records (hypervisors.ts). */
  readonly hypervisors: HypervisorAPI;
  /** os-aggregates, read only: there are none (aggregates.ts). */
  readonly aggregates: AggregateAPI;
  readonly migrations: MigrationAPI;
  readonly usage: UsageAPI;
  /** os-hosts, up to 2.42 (hosts.ts). */
  readonly hosts: HostAPI;
  /** os-keypairs (keypairs.ts). */
  readonly keypairs: KeypairAPI;
  /** The rebuild action (rebuild.ts). */
  readonly rebuilds: RebuildAPI;
  /** os-volumes, Nova's proxy of Cinder's volumes (volumes-proxy.ts). */
  readonly volumesProxy: VolumesProxyAPI;
  /** /servers/{id}/tags, from 2.26 (server-tags.ts). */
  readonly tags: ServerTagsAPI;

  constructor(private readonly o: ComputeApiOptions) {
    this.policy = o.policy ?? novaEnforcer();
    this.volumes = new VolumeAttachmentAPI(this, o);
    this.swaps = new SwapVolumeAPI(this, o);
    this.rebuilds = new RebuildAPI(this, o);
    this.volumesProxy = new VolumesProxyAPI(this, o);
    this.tags = new ServerTagsAPI(this);
    this.events = new ExternalEventsAPI(this, o);
    this.services = new ServiceAPI({ db: o.db, serviceDownTime: o.serviceDownTime, can: (ctx, action) => this.can(ctx, action) });
    this.aggregates = new AggregateAPI((ctx, action) => this.can(ctx, action));
    this.migrations = new MigrationAPI({ can: (ctx, action, inst) => this.can(ctx, action, inst), server: (ctx, uuid) => this.get(ctx, uuid) });
    this.usage = new UsageAPI({ db: this.o.db, can: (ctx, action, target) => this.can(ctx, action, target) });
    this.hosts = new HostAPI({ db: o.db, rpc: o.rpc, can: (ctx, action) => this.can(ctx, action) });
    this.hypervisors = new HypervisorAPI({ db: o.db, rpc: o.rpc, serviceDownTime: o.serviceDownTime, can: (ctx, action) => this.can(ctx, action) });
    this.quotas = new QuotaAPI({
      db: o.db, defaults: { ...QUOTA_DEFAULTS, metadata_items: o.metadataItems ?? 128, ...o.quotaDefaults }, boundDefaults: new Set(o.boundDefaults ?? []),
      can: (ctx, action, projectId) => this.policy.authorize(ctx, action, { project_id: projectId }),
    });
    this.keypairs = new KeypairAPI({
      db: o.db, recheckQuota: o.recheckQuota !== false, limit: async (projectId, userId) => (await this.quotas.userLimits(projectId, userId)).key_pairs,
      can: (ctx, action, target) => this.policy.authorize(ctx, action, target),
    });
  }

  /** context.can(): the target is the server's project (and user), or the caller's own. */
  can(ctx: RequestContext, action: string, inst?: Pick<Instance, 'projectId' | 'userId'> | null): void {
    this.policy.authorize(ctx, action, inst ? { project_id: inst.projectId, user_id: inst.userId } : {});
  }

  get db(): NovaDB { return this.o.db; }
  get serviceDownTime(): number { return this.o.serviceDownTime; }
  /** A project's metadata_items limit: its own quota, else [quota] metadata_items (-1: unlimited). */
  async metadataItems(projectId: string | null): Promise<number> {
    return (projectId ? await this.quotas.limits(projectId) : await this.quotas.defaults()).metadata_items;
  }

  /**
   * os-getConsoleOutput: the guest's console log from its compute (an RPC call), its last
   * `length` lines; without the control characters Nova's API strips. No host yet: 409.
   */
  async consoleOutput(ctx: RequestContext, uuid: string, length: number | string | null): Promise<string> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-console-output', inst);
    if (!inst.host) throw new InstanceNotReady({ instance_id: inst.uuid });
    const out = await this.o.rpc.getConsoleOutput(ctx, inst, length === null ? null : Number(length)).catch(unsupported);
    return out.replace(CONSOLE_CONTROL, '');
  }

  /**
   * GET /servers/{id}/diagnostics (admin): the driver's own dict, or from 2.48 Nova's common
   * form (`common`: the Diagnostics object's data). No host yet: 409; a guest not running: 409.
   */
  async diagnostics(ctx: RequestContext, uuid: string, common: boolean): Promise<Record<string, unknown>> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-server-diagnostics', inst);
    if (!inst.host) throw new InstanceNotReady({ instance_id: inst.uuid });
    if (!common) return (await this.o.rpc.getDiagnostics(ctx, inst).catch(unsupported)) as Record<string, unknown>;
    return diagnosticsFromPrimitive(await this.o.rpc.getInstanceDiagnostics(ctx, inst).catch(unsupported));
  }

  /** The server as the caller may see it: another project's server is "not found" (admins see all). */
  async get(ctx: RequestContext, uuid: string): Promise<Instance> {
    const inst = await this.o.db.instanceGet(uuid, ctx.isAdmin ? undefined : ctx.projectId);
    if (!inst) throw new InstanceNotFound({ instance_id: uuid });
    return inst;
  }

  /**
   * The caller's servers; an admin's all-tenants list, narrowed to `projectId` when given; an
   * admin's list of `projectId` (limits of another project).
   */
  async list(ctx: RequestContext, opts: { allTenants: boolean; projectId?: string | null }): Promise<Instance[]> {
    const where: Record<string, unknown> = { deleted: 0 };
    if (ctx.isAdmin && opts.allTenants) {
      if (opts.projectId) where.projectId = opts.projectId;
    } else where.projectId = ctx.isAdmin && opts.projectId ? opts.projectId : ctx.projectId;
    return this.o.db.instances.find({ where, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  /** Enabled nova-compute services, each with whether its heartbeat is recent. */
  private async computeServices(): Promise<Array<{ host: string; up: boolean }>> {
    const rows = await this.o.db.ds.getRepository(Service).findBy({ binary: 'nova-compute', deleted: 0, disabled: false, forcedDown: false });
    return rows.map((s) => ({ host: s.host as string, up: serviceIsUp(s, this.o.serviceDownTime) }));
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

  /**
   * servicegroup is_up for one host: its own row only (every attach and detach asks). A disabled
   * compute is up (it only takes no new servers); a forced-down one is down.
   */
  async hostIsUp(host: string): Promise<boolean> {
    const s = await fastSelect(this.o.db.ds, Service).findOne({ host, binary: 'nova-compute', deleted: 0, forcedDown: false });
    return s !== null && serviceIsUp(s, this.o.serviceDownTime);
  }

  /**
   * POST /servers: up to max_count servers within the instances, cores and RAM quotas (at least
   * min_count, else TooManyInstances), all with one reservation id. A requested hostname cannot
   * serve several servers.
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
    const max = portsAllow(min, req.maxCount ?? min);
    if (req.hostname && max > 1) throw new AmbiguousHostnameForMultipleInstances();
    if (req.bootVolumes?.length) {
      this.can(ctx, 'os_compute_api:servers:create:attach_volume');
      await checkBootVolumes(this.o.cinder, caller(ctx), req.bootVolumes, max);
    }
    // As Nova's _check_requested_secgroups: without Neutron, 'default' is the one group there is.
    const unknownGroup = req.securityGroups?.find((g) => g !== 'default');
    if (unknownGroup !== undefined) {
      const msg = `Security group ${unknownGroup} not found.`;
      throw new InvalidInput({ reason: msg }, msg);
    }
    // As Nova, the key is looked up before the quota is counted.
    const key = req.keyName ? await this.keypairs.own(ctx, req.keyName) : null;
    if (req.keyName && !key) throw new InvalidInput({ reason: 'Invalid key_name provided.' }, 'Invalid key_name provided.');
    const flavor = findFlavor(req.flavorRef);
    const size = { vcpus: flavor?.vcpus ?? 0, ram: flavor?.ram ?? 0 };
    const n = await this.quotas.serversAllowed(ctx.projectId ?? '', ctx.userId, size, min, max);
    const rid = reservationId();
    const made: Array<{ inst: Instance; bdms: BlockDeviceMapping[] }> = [];
    const recorded: Instance[] = [];
    let over: TooManyInstances | null;
    try {
      for (let index = 0; index < n; index++) {
        made.push(await this.create(ctx, req, { index, count: n, reservationId: rid }, key, recorded));
        // On SQLite every step resolves at once, so a long create would hold the all-in-one's event loop.
        if (index % 16 === 15) await new Promise((r) => setImmediate(r));
      }
      // Nova's [quota] recheck_quota (its conductor's, before any build): racing creates may all
      // have passed the first count; once the servers exist they go to ERROR with the quota fault
      // instead of being built.
      over = this.o.recheckQuota === false ? null
        : await this.quotas.serversRecheck(ctx.projectId ?? '', ctx.userId, size, n).then(() => null, (e: unknown) => {
          if (e instanceof TooManyInstances) return e;
          throw e;
        });
    } catch (e) {
      if (!req.bootVolumes?.length) this.forgetRecorded(ctx, recorded);
      throw e;
    }
    // A cast that cannot go out fails its server and the ones after it (left building, their
    // compute's reconciler would fail them later anyway).
    let lost: Error | undefined;
    for (const { inst, bdms } of made) {
      const cause = over ?? lost;
      if (cause) {
        await this.buildFailed(inst, cause.message, over?.code);
      } else if (inst.host) {
        try {
          await this.build(ctx, inst, bdms);
        } catch (e) {
          lost = e as Error;
        }
      }
    }
    if (lost) throw lost;
    return { instances: made.map((m) => m.inst), reservationId: rid };
  }

  /**
   * A create that fails before any cast (the database lost half-way, say) answers an error, so
   * none of the servers it recorded may stay, as Nova's _provision_instances destroys what it
   * made. They go by the local delete, in the background, a lost database waited for (bounded);
   * if this process dies first, their compute's reconciler fails them (left building). A create
   * with boot volumes keeps that older way: its volumes are the caller's, and a local delete would
   * honour their delete_on_termination.
   */
  private forgetRecorded(ctx: RequestContext, recorded: Instance[]): void {
    const deps = { db: this.o.db, cinder: this.o.cinder, undoRetryMs: this.o.undoRetryMs ?? 0, caller };
    void (async () => {
      for (const inst of recorded) {
        await withDbRetry(() => localDelete(deps, ctx, inst), { retryOnDisconnect: true, maxRetries: 20, intervalMs: 500, maxIntervalMs: 10_000, what: `removal of server ${inst.uuid}` })
          .catch((e: unknown) => LOG.warning(`Server ${inst.uuid} of a failed create is left to its compute's reconciler: ${(e as Error).message}`, { context: ctx }));
      }
    })();
  }

  /** Casts the build of a recorded server to its compute; a cast that cannot go out leaves it in ERROR. */
  private async build(ctx: RequestContext, inst: Instance, bdms: BlockDeviceMapping[]): Promise<void> {
    try {
      await this.o.rpc.buildAndRunInstance(ctx, inst, bdms);
    } catch (e) {
      await this.buildFailed(inst, (e as Error).message);
      throw e;
    }
  }

  /** A server that will not be built: ERROR, with its fault, unless something else moved it meanwhile. */
  private async buildFailed(inst: Instance, message: string, code?: number): Promise<void> {
    await this.o.db.instanceConditionalUpdate(inst.uuid, { vmState: VM_STATES.BUILDING },
      { vmState: VM_STATES.ERROR, taskState: null, faultMessage: message, faultCode: code ?? null });
  }

  /** Records one server of a create request, the index-th of count (names get '-<index+1>' when count > 1); build() casts it. */
  private async create(ctx: RequestContext, req: CreateServerRequest, batch: { index: number; count: number; reservationId: string }, key: KeyPair | null, recorded: Instance[]): Promise<{ inst: Instance; bdms: BlockDeviceMapping[] }> {
    const allowed = await this.metadataItems(ctx.projectId);
    if (allowed >= 0 && Object.keys(req.metadata).length > allowed) throw new MetadataLimitExceeded({ allowed });
    const az = parseAvailabilityZone(req.availabilityZone);
    const { host, fault } = await this.selectHost({ host: req.requestedHost ?? az.forcedHost, node: req.requestedNode ?? az.forcedNode });
    if (!host) LOG.warning(`No host for server ${req.name}: ${fault}`, { context: ctx });
    const t = new Date();
    const repo = this.o.db.instances;
    const uuid = randomUUID();
    // As Nova, the request spec is stored before the instance, so a listed server always has one.
    await this.o.db.requestSpecCreate(uuid, { availability_zone: az.zone, scheduler_hints: req.schedulerHints ?? {} });
    // Its tags (2.52) likewise, so the server never shows without them.
    if (req.tags?.length) await this.o.db.tagsSet(uuid, req.tags);
    const inst = await repo.save(repo.create({
      uuid, displayName: batch.count > 1 ? `${req.name}-${batch.index + 1}` : req.name,
      hostname: defaultHostname(req.hostname, req.name, uuid, batch.index, batch.count), reservationId: batch.reservationId,
      // No image API to read kernel/ramdisk properties from: Nova stores '' for an image without them.
      launchIndex: batch.index, kernelId: '', ramdiskId: '', userData: req.userData ?? null,
      projectId: ctx.projectId, userId: ctx.userId, imageRef: req.imageRef,
      flavorId: req.flavorRef, vmState: host ? VM_STATES.BUILDING : VM_STATES.ERROR, taskState: host ? TASK_STATES.SCHEDULING : null,
      powerState: 0, locked: false, host, node: host, availabilityZone: az.zone ?? 'nova', rootDeviceName: '/dev/vda',
      accessIpV4: req.accessIpV4 ?? null, accessIpV6: req.accessIpV6 ?? null, displayDescription: req.description ?? null,
      autoDiskConfig: req.autoDiskConfig ?? false, metadataJson: JSON.stringify(req.metadata), faultMessage: fault, createdAt: t, updatedAt: t, deleted: 0,
      keyName: key?.name ?? null, keyData: key?.publicKey ?? null,
    })).catch(async (e: unknown) => {
      // No server came of it: its tags go (best effort; a uuid never used shows nowhere anyway).
      if (req.tags?.length) await this.o.db.tagsDelete(uuid).catch(() => undefined);
      throw e;
    });
    recorded.push(inst);
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
    return { inst, bdms: [...(root ? [root] : []), ...volumes] };
  }

  /** PUT /servers/{id}: rename, describe, set access IPs or (2.90) the hostname (Nova's update_instance; no lock check). */
  async update(ctx: RequestContext, uuid: string, u: ServerUpdate): Promise<Instance> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:servers:update', inst);
    const values: InstanceValues = {};
    if (u.name !== undefined) values.displayName = u.name;
    if (u.hostname !== undefined) values.hostname = u.hostname;
    if (u.description !== undefined) values.displayDescription = u.description;
    if (u.accessIpV4 !== undefined) values.accessIpV4 = u.accessIpV4;
    if (u.accessIpV6 !== undefined) values.accessIpV6 = u.accessIpV6;
    if (u.autoDiskConfig !== undefined) values.autoDiskConfig = u.autoDiskConfig;
    if (Object.keys(values).length) await this.o.db.instanceUpdate(uuid, values);
    return this.get(ctx, uuid);
  }

  /** DELETE /servers/{id}, or forceDelete (its own policy). */
  async delete(ctx: RequestContext, uuid: string, policy = 'os_compute_api:servers:delete'): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, policy, inst);
    this.checkLocked(ctx, inst);
    await this.recordAction(ctx, uuid, 'delete');
    // A server already 'deleting' (a delete cut short, also a local one) is its live compute's to
    // finish, even in error: its reconciler takes it up anyway, under the instance lock the cast
    // also takes, where a local delete beside it would release the same rows unlocked.
    const deleting = inst.taskState === TASK_STATES.DELETING;
    const remote = !!inst.host && (deleting || inst.vmState !== VM_STATES.ERROR) && await this.hostIsUp(inst.host);
    // Any task gives way to a delete (Nova expects no task state); the vm_state must still not be
    // error, unless the server is still 'deleting'.
    const expected = deleting ? { taskState: TASK_STATES.DELETING } : { vmState: NOT_ERROR };
    if (remote && await this.o.db.instanceConditionalUpdate(uuid, expected, { taskState: TASK_STATES.DELETING })) {
      await this.o.rpc.terminateInstance(ctx, inst, await this.o.db.bdmsByInstance(uuid));
      return;
    }
    // No compute to ask (never scheduled, errored, also meanwhile, or host down): release volumes from here.
    const now = remote ? await this.o.db.instanceGet(uuid) : inst;
    if (now) await localDelete({ db: this.o.db, cinder: this.o.cinder, undoRetryMs: this.o.undoRetryMs ?? 0, caller }, ctx, now);
  }

  /** check_instance_lock: a locked server takes actions from an admin only. */
  checkLocked(ctx: RequestContext, inst: Instance): void {
    if (inst.locked && !ctx.isAdmin) throw new InstanceIsLocked({ instance_uuid: inst.uuid });
  }

  /**
   * check_instance_host, and more: the server's compute must be up, since a cast to a dead one
   * would wait in its queue (real Nova's calls would time out instead).
   */
  async checkHostUp(inst: Instance): Promise<void> {
    if (!inst.host || !(await this.hostIsUp(inst.host))) throw new ServiceUnavailable();
  }

  /** check_instance_lock + check_instance_state: the server may take this action now. */
  checkState(ctx: RequestContext, inst: Instance, method: string, vmStates: readonly string[] = VOLUME_OP_STATES): void {
    this.checkLocked(ctx, inst);
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
   * os-stop / os-start (nova compute/api.py stop, start): lock, vm_state (active|error to stop,
   * stopped to start), no task, launched; the compute service must be up. Sets the task state
   * with a compare-and-swap on task_state NULL, records the action and casts to the host.
   */
  async powerAction(ctx: RequestContext, uuid: string, action: 'stop' | 'start'): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, `os_compute_api:servers:${action}`, inst);
    this.checkLocked(ctx, inst);
    await this.checkHostUp(inst);
    this.checkState(ctx, inst, action, action === 'stop' ? [VM_STATES.ACTIVE, VM_STATES.ERROR] : [VM_STATES.STOPPED]);
    const taskState = action === 'stop' ? TASK_STATES.POWERING_OFF : TASK_STATES.POWERING_ON;
    if (!(await this.o.db.instanceConditionalUpdate(uuid, { taskState: null }, { taskState }))) {
      const now = await this.get(ctx, uuid);
      throw new InstanceInvalidState({ method: action, instance_uuid: uuid, attr: 'task_state', state: now.taskState ?? 'None' });
    }
    await this.recordAction(ctx, uuid, action);
    const fresh = await this.get(ctx, uuid);
    if (action === 'stop') await this.o.rpc.stopInstance(ctx, fresh);
    else await this.o.rpc.startInstance(ctx, fresh);
  }

  /**
   * pause, unpause, suspend, resume (Nova's compute API): lock, vm_state, no task; the task state
   * by a compare-and-swap on task_state NULL, the action recorded, then the cast. No check of
   * the host, as in Nova: a cast to a compute that is down waits in its queue, and a restarted
   * compute finishes what its task state says (its reconciler).
   */
  async guestStateAction(ctx: RequestContext, uuid: string, action: GuestStateAction): Promise<void> {
    const a = GUEST_STATE_ACTIONS[action];
    const inst = await this.get(ctx, uuid);
    this.can(ctx, a.policy, inst);
    this.checkState(ctx, inst, action, [a.from]);
    if (!(await this.o.db.instanceConditionalUpdate(uuid, { taskState: null }, { taskState: a.task }))) {
      const now = await this.get(ctx, uuid);
      throw new InstanceInvalidState({ method: action, instance_uuid: uuid, attr: 'task_state', state: now.taskState ?? 'None' });
    }
    await this.recordAction(ctx, uuid, action);
    const fresh = await this.get(ctx, uuid);
    const rpc = this.o.rpc;
    await { pause: rpc.pauseInstance, unpause: rpc.unpauseInstance, suspend: rpc.suspendInstance, resume: rpc.resumeInstance }[action].call(rpc, ctx, fresh);
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
    this.checkLocked(ctx, inst);
    const states = [VM_STATES.ACTIVE, VM_STATES.PAUSED, VM_STATES.SUSPENDED, VM_STATES.STOPPED] as string[];
    if (!states.includes(inst.vmState ?? '')) throw new InstanceInvalidState({ method, instance_uuid: inst.uuid, attr: 'vm_state', state: inst.vmState ?? 'None' });
    if (inst.taskState !== null) throw new InstanceInvalidState({ method, instance_uuid: inst.uuid, attr: 'task_state', state: inst.taskState });
    const next = change({ ...this.metadataOf(inst) });
    const allowed = await this.metadataItems(inst.projectId);
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

  /**
   * os-resetState (Nova's admin_actions): an admin sets vm_state active or error and clears the
   * task, in any state and locked or not, recorded as action 'resetState'. Volumes keep their own
   * intents on their BDM rows, so a reset mid-operation strands none of them: a compute busy
   * with the server finishes by those, and a reset 'deleting' server can be deleted again.
   */
  async resetState(ctx: RequestContext, uuid: string, state: 'active' | 'error'): Promise<void> {
    let inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-admin-actions:reset_state', inst);
    await this.recordAction(ctx, uuid, 'resetState');
    const values = { vmState: state === 'active' ? VM_STATES.ACTIVE : VM_STATES.ERROR, taskState: null };
    // Nova's save overwrites; ours is a compare-and-swap from the state read, read again if it moved.
    for (let pass = 0; !(await this.o.db.instanceConditionalUpdate(uuid, { vmState: inst.vmState as VmState, taskState: inst.taskState as TaskState | null }, values)); pass++) {
      if (pass === 3) throw new InstanceInvalidState({ method: 'resetState', instance_uuid: uuid, attr: 'task_state', state: inst.taskState ?? 'None' });
      inst = await this.get(ctx, uuid);
    }
  }

  /** injectNetworkInfo (Nova's admin action): admin, unlocked; a cast to the server's compute. */
  async injectNetworkInfo(ctx: RequestContext, uuid: string): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-admin-actions:inject_network_info', inst);
    this.checkLocked(ctx, inst);
    // Nova's cast finds no host and answers 500; a server never placed is not ready (409).
    if (!inst.host) throw new InstanceNotReady({ instance_id: inst.uuid });
    await this.o.rpc.injectNetworkInfo(ctx, inst);
  }

  /** restore: Nova allows it only in vm_state soft-deleted, which servers never reach here. */
  async restore(ctx: RequestContext, uuid: string): Promise<never> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:os-deferred-delete:restore', inst);
    this.checkLocked(ctx, inst);
    throw new InstanceInvalidState({ method: 'restore', instance_uuid: uuid, attr: 'vm_state', state: inst.vmState ?? 'None' });
  }

  /**
   * Nova's reboot: SOFT only from active, HARD also from stopped/paused/suspended/error; task_state
   * CAS None → rebooting / rebooting_hard, action 'reboot', cast reboot_instance.
   */
  async reboot(ctx: RequestContext, uuid: string, type: 'SOFT' | 'HARD'): Promise<void> {
    const inst = await this.get(ctx, uuid);
    this.can(ctx, 'os_compute_api:servers:reboot', inst);
    this.checkLocked(ctx, inst);
    const allowed = type === 'SOFT' ? [VM_STATES.ACTIVE] : [VM_STATES.ACTIVE, VM_STATES.STOPPED, VM_STATES.PAUSED, VM_STATES.SUSPENDED, VM_STATES.ERROR];
    this.checkState(ctx, inst, 'reboot', allowed as string[]);
    await this.checkHostUp(inst);
    const taskState = type === 'SOFT' ? TASK_STATES.REBOOTING : TASK_STATES.REBOOTING_HARD;
    if (!(await this.o.db.instanceConditionalUpdate(uuid, { taskState: null }, { taskState }))) {
      const now = await this.get(ctx, uuid);
      throw new InstanceInvalidState({ method: 'reboot', instance_uuid: uuid, attr: 'task_state', state: now.taskState ?? 'None' });
    }
    await this.recordAction(ctx, uuid, 'reboot');
    await this.o.rpc.rebootInstance(ctx, await this.get(ctx, uuid), type);
  }

}
