// VolumeManager: the RPC endpoint of one cinder-volume backend (topic `cinder-volume`, server
// <host>@<backend>). It owns the driver and the volume rows of its host; state changes follow
// cinder/volume/manager.py (docs/attach-detach.md) and emit the legacy notifications.
// Every action is safe to redo (callers retry after transient failures), and everything that
// touches a volume's connection runs under that volume's lock, which the reconciler takes too.
import type { ContextDict } from '../common/context';
import { asDbConnectionError } from '../common/db/errors';
import { pausePoint } from '../common/fault/pause';
import { getLogger, getLogLevels, setLogLevels, type LogContext } from '../common/log';
import { Target, type Endpoint, type Notifier } from '../common/rpc';
import { notifyVolumeUsage } from '../cinder-common/volume-usage';
import { sanitizeHostname } from '../cinder-common/hostname';
import type { CinderDB } from '../cinder-common/db-api';
import type { Volume, VolumeAttachment } from '../cinder-common/entities';
import {
  InvalidUUID, InvalidVolume, InvalidVolumeAttachMode, RemoveExportException, SnapshotNotFound, VolumeAttachmentNotFound, VolumeBackendAPIException, VolumeNotFound,
} from '../cinder-common/exception';
import { logLevelListToPrimitive, objectData } from '../cinder-common/objects';
import { QuotaDB } from '../cinder-common/quota-db';
import { attachFlowFrom, detachSetsStatus, statusAfterDetach } from '../cinder-common/volume-status';
import type { Connector, ModelUpdate, VolumeDriver } from './drivers/driver';
import { KeyedLock } from '../common/lock';
import { retypeLocked } from './retype';
import { VolumeReconciler, type ExportReport, type PassReport, type Repair } from './reconciler';
import type { NovaEvents } from './nova-events';
import { VOLUME_RPC_API_VERSION } from './rpcapi';
import { traceMethods } from '../common/trace';
import { transactionWithRetry } from '../common/db/retry';
import { UserMessages, type MessageOwner } from '../cinder-common/user-messages';
import { Action, Detail } from '../cinder-common/message-field';
import { connectionQosSpecs } from './qos';
import { SnapshotWork } from './snapshots';
import { GroupWork } from './groups';
import { GroupSnapshotWork } from './group-snapshots';
import { ManageWork } from './manage';
import { SnapshotManageWork } from './snapshot-manage';
import { QuotaEngine } from '../cinder-common/quota';
import type { TypeQos } from '../cinder-common/qos-db';

const LOG = getLogger('cinder-volume.manager');
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

type Args = Record<string, unknown>;

export interface ManagerDeps {
  /** host@backend: the RPC server name and services.host. */
  host: string;
  db: CinderDB;
  driver: VolumeDriver;
  notifier: Notifier | null;
  /** [DEFAULT] attach_transition_timeout: seconds before a transition without progress is released. */
  attachTransitionTimeout?: number;
  /** [DEFAULT] lost_cast_timeout: seconds before a create, delete or extend without its cast is ended. */
  lostCastTimeout?: number;
  /** Tells Nova an attached volume grew (absent: Nova is not told). */
  nova?: Pick<NovaEvents, 'volumeExtended'> | null;
  /** User messages of failed creates, extends and attaches ([DEFAULT] message_ttl); absent: the default TTL. */
  messages?: UserMessages;
  /** The quota a managed volume is counted in (absent: the database's limits with the default options). */
  quota?: QuotaEngine;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** A volume id from an id or a (versioned) Volume object. */
const idOf = (v: unknown): string => (typeof v === 'string' ? v : str(objectData(v).id) ?? '');
/** Whom a user message is for: the request's project and id. */
const ownerOf = (c: ContextDict): MessageOwner => ({ projectId: str(c.project_id ?? c.tenant), requestId: str(c.request_id) });
const logCtx = (c: ContextDict): { context: LogContext } =>
  ({ context: { requestId: str(c.request_id) ?? undefined, globalRequestId: str(c.global_request_id), userId: str(c.user_id ?? c.user), projectId: str(c.project_id ?? c.tenant) } });

function attachmentPrimitive(a: VolumeAttachment): Args {
  return {
    id: a.id, volume_id: a.volumeId, instance_uuid: a.instanceUuid, attached_host: a.attachedHost, mountpoint: a.mountpoint,
    attach_status: a.attachStatus, attach_mode: a.attachMode, attach_time: a.attachTime?.toISOString() ?? null,
  };
}

/** VolumeDriver._init_standard_capabilities: the extra specs every backend understands. */
function standardCapabilities(): Record<string, { title: string; description: string; type: string }> {
  const prop = (title: string, description: string): { title: string; description: string; type: string } => ({ title, description, type: 'boolean' });
  return {
    thin_provisioning: prop('Thin Provisioning', 'Sets thin provisioning.'), compression: prop('Compression', 'Enables compression.'),
    qos: prop('QoS', 'Enables QoS.'), replication_enabled: prop('Replication', 'Enables replication.'),
  };
}

const ISCSI_VARIANTS = ['iSCSI', 'iscsi'];
const NVMEOF_VARIANTS = ['NVMe-oF', 'NVMeOF', 'nvmeof'];

export class VolumeManager {
  /** Per-volume lock (key: the volume id) of every connection change and of the reconciler's repairs. */
  readonly locks = new KeyedLock();
  readonly reconciler: VolumeReconciler;
  /** Our services row's uuid, stamped on the volumes we create (looked up once it exists). */
  private serviceUuid: string | null = null;
  private readonly messages: UserMessages;

  readonly snapshotWork: SnapshotWork;
  readonly manageWork: ManageWork;
  readonly groupWork: GroupWork;
  readonly groupSnapshotWork: GroupSnapshotWork;
  private readonly snapshotManage: SnapshotManageWork;

  constructor(private readonly d: ManagerDeps) {
    this.messages = d.messages ?? new UserMessages(d.db.ds);
    this.snapshotWork = new SnapshotWork({ db: d.db, driver: d.driver, notifier: d.notifier, messages: this.messages });
    const quota = d.quota ?? new QuotaEngine(d.db.ds);
    this.snapshotManage = new SnapshotManageWork({
      db: d.db, snapshots: this.snapshotWork.snapshots, driver: d.driver, quota,
      notify: (c, s, suffix) => this.snapshotWork.notify(c, s, suffix),
    });
    this.manageWork = new ManageWork({
      db: d.db, driver: d.driver, quota, notify: (c, v, suffix) => this.notify(c, v, suffix),
      availableValues: async () => ({ sharedTargets: await this.driverSharesTargets(), serviceUuid: await this.ownServiceUuid() }),
    });
    this.groupWork = new GroupWork({
      db: d.db, host: d.host, notifier: d.notifier, deleteVolume: (c, id) => this.deleteVolume(c, { volume: id }), createVolume: (c, id) => this.createVolume(c, { volume: id }),
    });
    this.groupSnapshotWork = new GroupSnapshotWork({
      db: d.db, createSnapshot: (c, id) => this.createSnapshot(c, { snapshot: id }), deleteSnapshot: (c, id) => this.deleteSnapshot(c, { snapshot: id }),
    });
    // The backend's side of each step is a span towards the target (docs/tracing.md).
    traceMethods(d.driver, ['createVolume', 'deleteVolume', 'createExport', 'removeExport', 'initializeConnection', 'terminateConnection'], { peer: 'target' });
    this.reconciler = new VolumeReconciler({
      host: d.host, db: d.db, driver: d.driver, locks: this.locks, transitionTimeoutSec: d.attachTransitionTimeout ?? 900,
      lostCastTimeoutSec: Math.min(d.lostCastTimeout ?? 120, d.attachTransitionTimeout ?? 900), snapshots: this.snapshotWork,
      manage: this.manageWork, groups: this.groupWork, groupSnapshots: this.groupSnapshotWork,
    });
  }

  endpoint(): Endpoint {
    const methods: Record<string, (c: ContextDict, a: Args) => Promise<unknown>> = {
      create_volume: (c, a) => this.createVolume(c, a),
      delete_volume: (c, a) => this.deleteVolume(c, a),
      manage_existing: (c, a) => this.manageExisting(c, a),
      manage_existing_snapshot: (c, a) => this.manageExistingSnapshot(c, a),
      initialize_connection: (c, a) => this.initializeConnection(c, a),
      terminate_connection: (c, a) => this.terminateConnection(c, a),
      attach_volume: (c, a) => this.attachVolume(c, a),
      detach_volume: (c, a) => this.detachVolume(c, a),
      remove_export: (c, a) => this.removeExport(c, a),
      extend_volume: (c, a) => this.extendVolume(c, a),
      retype: (c, a) => this.retype(c, a),
      accept_transfer: (c, a) => this.acceptTransfer(c, a),
      create_snapshot: (c, a) => this.createSnapshot(c, a),
      delete_snapshot: (c, a) => this.deleteSnapshot(c, a),
      create_group: (c, a) => this.groupWork.create(c, a.group).then(() => undefined),
      create_group_from_src: (c, a) => this.groupWork.create(c, a.group).then(() => undefined),
      create_group_snapshot: (c, a) => this.groupSnapshotWork.create(c, a.group_snapshot).then(() => undefined),
      delete_group_snapshot: (c, a) => this.groupSnapshotWork.delete(c, a.group_snapshot).then(() => undefined),
      delete_group: (c, a) => this.groupWork.delete(c, a.group).then(() => undefined),
      update_group: (c, a) => this.groupWork.update(c, a.group, a.add_volumes, a.remove_volumes).then(() => undefined),
      attachment_update: (c, a) => this.attachmentUpdate(c, a),
      attachment_delete: (c, a) => this.attachmentDelete(c, a),
      freeze_host: () => this.setFrozen(true),
      thaw_host: () => this.setFrozen(false),
      // workers/cleanup (3.7): what init_host would clean, now: one reconciler pass.
      do_cleanup: async () => {
        LOG.info(`Initiating service ${this.d.host} cleanup`);
        await this.reconciler.runOnce();
      },
      // os-services set-log and get-log (3.12): this process's loggers, as Cinder's Manager.
      set_log_levels: async (_c, a) => logLevels(a).set(),
      get_log_levels: async (_c, a) => logLevels(a).get(),
      get_capabilities: () => this.getCapabilities(),
      // attachd extensions (rpcapi 3.10), for cinder-api's os-volume-exports.
      get_export_report: () => this.getExportReport(),
      sync_exports: () => this.syncExports(),
    };
    // A lost database crosses RPC as oslo.db's DBConnectionError (cinder-api answers 503), not as an anonymous error.
    const guarded = Object.fromEntries(Object.entries(methods).map(([name, fn]) => [name, async (c: ContextDict, a: Args) => {
      try {
        return await fn(c, a);
      } catch (e) {
        throw asDbConnectionError(e);
      }
    }]));
    return { target: new Target({ version: VOLUME_RPC_API_VERSION }), methods: guarded };
  }

  private async load(idOrObj: unknown): Promise<Volume> {
    const id = typeof idOrObj === 'string' ? idOrObj : str(objectData(idOrObj).id);
    const v = id ? await this.d.db.volumeGet(id) : null;
    if (!v) throw new VolumeNotFound({ volume_id: id });
    return v;
  }

  /** `volume` may be a loader: the row is then read again only when notifications are on. */
  private async notify(ctxt: ContextDict, volume: Volume | (() => Promise<Volume | null>), suffix: string, extra: Args = {}): Promise<void> {
    await notifyVolumeUsage(this.d.notifier, ctxt, volume, suffix, this.d.host, extra);
  }

  /**
   * Start-up recovery (init_host): the reconciler's first pass, before the RPC server serves. A
   * failed pass (database down) does not stop the service: the periodic passes take it up.
   */
  async initHost(): Promise<PassReport | null> {
    try {
      return await this.reconciler.runOnce();
    } catch (e) {
      LOG.exception(`Start-up recovery of ${this.d.host} failed; the reconciler's next pass retries it`, e);
      return null;
    }
  }

  /**
   * get_capabilities: the driver's stats and the standard capability properties
   * (driver.init_capabilities). Our drivers' stats are always current, so `discover` changes nothing.
   */
  async getCapabilities(): Promise<Record<string, unknown>> {
    return { ...(await this.d.driver.getStats()), properties: standardCapabilities() };
  }

  /** get_export_report: the backend's exports and the drift between them and the volumes. */
  async getExportReport(): Promise<ExportReport> {
    return this.reconciler.report();
  }

  /** sync_exports: one reconciler pass, then the report as it is after it, with what was repaired. */
  async syncExports(): Promise<ExportReport & { repaired: Repair[] }> {
    const pass = await this.reconciler.runOnce();
    return { ...(await this.reconciler.report()), repaired: pass.repaired };
  }

  /** Under the volume's lock, as a reconciler repair of an interrupted create (so one in flight wins). */
  async createVolume(ctxt: ContextDict, args: Args): Promise<void> {
    await this.locks.run(idOf(args.volume), () => this.createLocked(ctxt, args));
  }

  private async createLocked(ctxt: ContextDict, args: Args): Promise<void> {
    const v = await this.load(args.volume);
    if (v.status !== 'creating') return;
    await this.notify(ctxt, v, 'create.start');
    try {
      const { model, bootable } = v.sourceVolid ? await this.cloneLocked(v, v.sourceVolid)
        : v.snapshotId ? await this.fromSnapshotLocked(v, v.snapshotId) : { model: await this.d.driver.createVolume(v), bootable: false };
      const ok = await this.d.db.volumeConditionalUpdate(v.id, { status: 'creating' }, {
        status: 'available', launchedAt: new Date(), sharedTargets: await this.driverSharesTargets(), serviceUuid: await this.ownServiceUuid(),
        ...(bootable ? { bootable: true } : {}),
        ...(model?.provider_location !== undefined ? { providerLocation: model.provider_location } : {}),
        ...(model?.provider_auth !== undefined ? { providerAuth: model.provider_auth } : {}),
      });
      if (!ok) LOG.warning(`Volume ${v.id} left 'creating' while it was being created`, logCtx(ctxt));
    } catch (e) {
      LOG.exception(`Failed to create volume ${v.id}`, e, logCtx(ctxt));
      // The user message with the status it explains: a redo that finds the volume moved writes none.
      await transactionWithRetry(this.d.db.ds, async (m) => {
        if (!await this.d.db.volumeConditionalUpdate(v.id, { status: 'creating' }, { status: 'error' }, m)) return;
        await this.messages.createIn(m, ownerOf(ctxt), Action.CREATE_VOLUME_FROM_BACKEND, { resourceUuid: v.id, detail: Detail.DRIVER_FAILED_CREATE, exception: e });
      }, { what: `failed create of ${v.id}` });
      await this.notify(ctxt, { ...v, status: 'error' }, 'create.error');
      return;
    }
    await this.notify(ctxt, async () => (await this.d.db.volumeGet(v.id)) ?? v, 'create.end');
  }

  /**
   * _create_from_source_volume, under the source's lock too (its delete waits): the driver's
   * clone, then a bootable source's image metadata copied. Redone, both are done again.
   */
  private async cloneLocked(v: Volume, sourceId: string): Promise<{ model: ModelUpdate | void; bootable: boolean }> {
    return this.locks.run(sourceId, async () => {
      const src = await this.d.db.volumeGet(sourceId);
      if (!src) throw new VolumeNotFound({ volume_id: sourceId });
      const model = await this.d.driver.createClonedVolume(v, src);
      if (src.bootable) await this.d.db.metadataReplace(v.id, (await this.d.db.metadataGet([src.id], 'image')).get(src.id) ?? {}, true);
      return { model, bootable: src.bootable };
    });
  }

  /**
   * _create_from_snapshot, under the snapshot's volume's lock (the snapshot's delete waits): the
   * driver's copy, then bootable as that volume is, with the snapshot's image metadata.
   */
  private async fromSnapshotLocked(v: Volume, snapshotId: string): Promise<{ model: ModelUpdate | void; bootable: boolean }> {
    const first = await this.snapshotWork.snapshots.get(snapshotId);
    if (!first) throw new SnapshotNotFound({ snapshot_id: snapshotId });
    return this.locks.run(first.volumeId, async () => {
      const snap = await this.snapshotWork.snapshots.get(snapshotId);
      if (!snap) throw new SnapshotNotFound({ snapshot_id: snapshotId });
      const model = await this.d.driver.createVolumeFromSnapshot(v, snap);
      const origin = await this.d.db.volumeGet(snap.volumeId);
      const bootable = !!origin?.bootable;
      if (bootable) await this.d.db.metadataReplace(v.id, await this.snapshotWork.snapshots.imageMetadataOf(snap.id), true);
      return { model, bootable };
    });
  }

  /** create_snapshot (cast), under the snapshot's volume's lock. */
  async createSnapshot(ctxt: ContextDict, args: Args): Promise<void> {
    const { id, volumeId } = await this.snapshotRef(args.snapshot);
    if (!volumeId) return;
    await this.locks.run(volumeId, () => this.snapshotWork.create(ctxt, id, ownerOf(ctxt), logCtx(ctxt)));
  }

  /** manage_existing_snapshot (cast), under the snapshot's volume's lock (snapshot-manage.ts). */
  async manageExistingSnapshot(ctxt: ContextDict, args: Args): Promise<void> {
    const { id, volumeId } = await this.snapshotRef(args.snapshot);
    if (!volumeId) return;
    await this.locks.run(volumeId, () => this.snapshotManage.manage(ctxt, id, args.ref, logCtx(ctxt)));
  }

  /**
   * delete_snapshot (cast), under the snapshot's volume's lock. An unmanage is the same cast;
   * the row's status ('unmanaging', cinder-api's) says the backend keeps its copy.
   */
  async deleteSnapshot(ctxt: ContextDict, args: Args): Promise<void> {
    const { id, volumeId } = await this.snapshotRef(args.snapshot);
    if (!volumeId) return;
    await this.locks.run(volumeId, () => this.snapshotWork.deleteById(ctxt, id, ownerOf(ctxt), logCtx(ctxt)));
  }

  /** A snapshot's id and volume id from its (versioned) object, else from its row. */
  private async snapshotRef(obj: unknown): Promise<{ id: string; volumeId: string | null }> {
    const data = objectData(obj);
    const id = str(data.id) ?? (typeof obj === 'string' ? obj : '');
    const volumeId = str(data.volume_id) ?? (await this.snapshotWork.snapshots.get(id))?.volumeId ?? null;
    return { id, volumeId };
  }

  /**
   * _driver_shares_targets: whether hosts must serialise connections to this backend's targets.
   * A driver's false is final; NVMe-oF is "unknown" (null: always lock); else only iSCSI shares.
   */
  private async driverSharesTargets(): Promise<boolean | null> {
    const stats = await this.d.driver.getStats();
    if (stats.shared_targets === false) return false;
    if (NVMEOF_VARIANTS.includes(stats.storage_protocol)) return null;
    return ISCSI_VARIANTS.includes(stats.storage_protocol);
  }

  private async ownServiceUuid(): Promise<string | null> {
    this.serviceUuid ??= (await this.d.db.serviceByHost(this.d.host, 'cinder-volume'))?.uuid ?? null;
    return this.serviceUuid;
  }

  async deleteVolume(ctxt: ContextDict, args: Args): Promise<void> {
    const id = idOf(args.volume);
    await this.locks.run(id, () => this.deleteLocked(ctxt, id, args.cascade === true, args.unmanage_only === true));
  }

  /** manage_existing (cast): docs/volume-manage.md; a volume no longer 'managing' is left alone. */
  async manageExisting(ctxt: ContextDict, args: Args): Promise<void> {
    const id = idOf(args.volume);
    await this.locks.run(id, async () => {
      const v = await this.d.db.volumeGet(id);
      if (v) await this.manageWork.manage(ctxt, v, args.ref, logCtx(ctxt));
    });
  }

  /**
   * delete_volume; with `unmanage` (or on a volume 'unmanaging') the backend keeps the object
   * (driver.unmanage). A volume whose manage failed ('error_managing_deleting') releases the one
   * volume it counted, where Cinder releases nothing and leaks it (docs/differences.md).
   */
  private async deleteLocked(ctxt: ContextDict, id: string, cascade: boolean, unmanage: boolean): Promise<void> {
    // With its type's name: the soft delete releases the per-type quota without reading it again.
    const hit = await this.d.db.volumeGetWithTypeName(id);
    if (!hit) return;
    const v = hit.volume;
    const unmanaging = unmanage || v.status === 'unmanaging';
    const what = unmanaging ? 'unmanage' : 'delete';
    await this.notify(ctxt, v, `${what}.start`);
    // A cascade's snapshots first (cinder-api set them 'deleting' with the volume); any left
    // stops it. Without cascade, cinder-api's swap found none and a snapshot create refuses a
    // volume that is 'deleting', so there is nothing to read.
    if (cascade && !await this.snapshotWork.deleteAllOf(ctxt, v.id, ownerOf(ctxt), logCtx(ctxt))) {
      await this.d.db.volumeConditionalUpdate(v.id, { status: 'deleting' }, { status: 'error_deleting' });
      return;
    }
    try {
      await this.d.driver.removeExport(v);
      if (unmanaging) await this.d.driver.unmanage(v);
      else await this.d.driver.deleteVolume(v);
    } catch (e) {
      LOG.exception(`Failed to ${what} volume ${v.id}`, e, logCtx(ctxt));
      await this.d.db.volumeConditionalUpdate(v.id, { status: v.status }, { status: unmanaging ? 'error_unmanaging' : 'error_deleting' });
      return;
    }
    await this.d.db.volumeSoftDelete(v.id, v, hit.typeName);
    await this.notify(ctxt, { ...v, status: 'deleted' }, `${what}.end`);
    LOG.info(unmanaging ? `Unmanaged volume ${v.id} successfully` : `Deleted volume ${v.id} successfully`, logCtx(ctxt));
  }

  /** The volume and its admin metadata (one read); VolumeNotFound when it is gone. */
  private async loadWithAdmin(id: string): Promise<{ volume: Volume; admin: Record<string, string> }> {
    const hit = id ? await this.d.db.volumeGetWithAdminMetadata(id) : null;
    if (!hit) throw new VolumeNotFound({ volume_id: id });
    return hit;
  }

  /** As loadWithAdmin, with the type's QoS spec read in the same statement. */
  private async loadForConnection(id: string): Promise<{ volume: Volume; admin: Record<string, string>; qos: TypeQos | null }> {
    const hit = id ? await this.d.db.volumeGetForConnection(id) : null;
    if (!hit) throw new VolumeNotFound({ volume_id: id });
    return hit;
  }

  /** Redone, the export and CHAP credentials are reused: the same connection_info. */
  async initializeConnection(ctxt: ContextDict, args: Args): Promise<unknown> {
    const id = idOf(args.volume);
    return this.locks.run(id, async () => {
      const { volume: v, admin, qos } = await this.loadForConnection(id);
      // Access mode: the attached mode, else ro for a readonly volume, else rw.
      const mode = admin.attached_mode ?? (admin.readonly === 'True' ? 'ro' : 'rw');
      const info = await this.connectionCreate(ctxt, v, qos, args.connector as Connector, mode);
      await pausePoint('cinder-volume.initialize_connection.after-export');
      LOG.info(`Initialize volume connection completed successfully for volume ${v.id}`, logCtx(ctxt));
      return info;
    });
  }

  /** Redone (or on a volume never exported), the drivers find no target and succeed. */
  async terminateConnection(ctxt: ContextDict, args: Args): Promise<void> {
    const id = idOf(args.volume_id);
    await this.locks.run(id, async () => {
      const v = await this.load(id);
      try {
        await this.d.driver.terminateConnection(v, (args.connector ?? null) as Connector | null, args.force === true);
      } catch (e) {
        LOG.exception(`Terminate volume connection failed for ${v.id}`, e, logCtx(ctxt));
        throw new VolumeBackendAPIException({ data: `Terminate volume connection failed: ${(e as Error).message}` });
      }
      await this.exportGone(v.id);
      await pausePoint('cinder-volume.terminate_connection.after-remove-export');
      LOG.info(`Terminate volume connection completed successfully for volume ${v.id}`, logCtx(ctxt));
    });
  }

  /**
   * attach_volume. Redone for the same instance (or host) it never makes a second attachment:
   * an attached one is answered as is, and one left 'attaching' (this service died before the
   * volume went in-use) is finished.
   */
  async attachVolume(ctxt: ContextDict, args: Args): Promise<unknown> {
    const volumeId = str(args.volume_id) ?? idOf(args.volume);
    return this.locks.run(volumeId, async () => {
      const { volume: v, admin } = await this.loadWithAdmin(volumeId);
      // A forced delete passes an attach in flight: the volume is not the caller's to have any
      // more, and refusing lets Nova roll its attach back instead of keeping a disk that goes.
      const beingDeleted = (): InvalidVolume => new InvalidVolume({ reason: `Volume ${v.id} is being deleted.` });
      if (v.status === 'deleting') throw beingDeleted();
      const instanceUuid = str(args.instance_uuid);
      // Recorded and matched sanitized, as Cinder's (a host of '%00' is '00').
      const rawHost = str(args.host_name);
      const hostName = rawHost === null ? null : sanitizeHostname(rawHost);
      const mode = str(args.mode) ?? 'rw';
      if (v.status === 'attaching' && admin.attached_mode && admin.attached_mode !== mode) {
        throw new InvalidVolume({ reason: 'being attached by different mode' });
      }
      const atts = await this.d.db.attachmentsOf([v.id]);
      const ours = (a: VolumeAttachment): boolean => (instanceUuid ? a.instanceUuid === instanceUuid : a.attachedHost === hostName);
      const same = atts.find((a) => a.attachStatus === 'attached' && ours(a));
      if (same) {
        await this.d.db.volumeConditionalUpdate(v.id, { status: attachFlowFrom(v.status) }, { status: 'in-use', attachStatus: 'attached' });
        return attachmentPrimitive(same);
      }
      let att = atts.find((a) => a.attachStatus === 'attaching' && ours(a));
      if (att) {
        LOG.info(`Attach volume ${v.id}: finishing attachment ${att.id} left 'attaching' by an earlier attempt`, logCtx(ctxt));
        // Killed between the attachment row and its attached_mode: write what that row says.
        if (admin.attached_mode === undefined) await this.d.db.adminMetadataSet(v.id, 'attached_mode', att.attachMode ?? mode, false);
      } else {
        if (v.status === 'in-use' && !v.multiattach && !v.migrationStatus) {
          throw new InvalidVolume({ reason: 'volume is already attached and multiple attachments are not enabled' });
        }
        await this.notify(ctxt, v, 'attach.start');
        att = await this.d.db.attachmentCreate({
          volumeId: v.id, instanceUuid, attachedHost: hostName, mountpoint: str(args.mountpoint), attachStatus: 'attaching', attachMode: mode,
        });
        await this.d.db.adminMetadataSet(v.id, 'attached_mode', mode, 'attached_mode' in admin);
        await pausePoint('cinder-volume.attach_volume.after-attachment-create');
      }
      if (instanceUuid && !UUID.test(instanceUuid)) {
        await this.d.db.attachmentConditionalUpdate(att.id, { attachStatus: 'attaching' }, { attachStatus: 'error_attaching' });
        throw new InvalidUUID({ uuid: instanceUuid });
      }
      if (admin.readonly === 'True' && mode !== 'ro') {
        const e = new InvalidVolumeAttachMode({ mode, volume_id: v.id });
        await transactionWithRetry(this.d.db.ds, async (m) => {
          if (!await this.d.db.attachmentConditionalUpdate(att.id, { attachStatus: 'attaching' }, { attachStatus: 'error_attaching' }, m)) return;
          await this.messages.createIn(m, ownerOf(ctxt), Action.ATTACH_VOLUME, { resourceUuid: v.id, exception: e });
        }, { what: `refused attach of ${v.id}` });
        throw e;
      }
      const t = new Date();
      await this.d.db.attachmentConditionalUpdate(att.id, { attachStatus: 'attaching' }, { attachStatus: 'attached', attachTime: t });
      if (!(await this.d.db.volumeConditionalUpdate(v.id, { status: attachFlowFrom(v.status) }, { status: 'in-use', attachStatus: 'attached' }))) {
        // The API's delete took the volume meanwhile (its CAS does not wait for this lock).
        const now = await this.d.db.volumeGet(v.id);
        if (!now || now.status === 'deleting') {
          await this.d.db.attachmentConditionalUpdate(att.id, { attachStatus: 'attached' }, { attachStatus: 'error_attaching' });
          throw beingDeleted();
        }
      }
      await this.notify(ctxt, async () => (await this.d.db.volumeGet(v.id)) ?? v, 'attach.end', { instance_uuid: instanceUuid, mountpoint: att.mountpoint });
      LOG.info(`Attach volume ${v.id} completed successfully`, logCtx(ctxt));
      return attachmentPrimitive({ ...att, attachStatus: 'attached', attachTime: t });
    });
  }

  /** Drop an attachment and recompute the volume's status from what is left (docs/attach-detach.md, Volume states). */
  private async finishDetach(v: Volume, attachmentId: string | null): Promise<void> {
    if (attachmentId) await this.d.db.attachmentDestroy(attachmentId);
    const remaining = await this.d.db.attachmentsOf([v.id]);
    const { status, attachStatus } = statusAfterDetach(remaining.map((a) => a.attachStatus));
    await this.d.db.volumeConditionalUpdate(v.id, { status: attachFlowFrom(v.status) }, detachSetsStatus(v, attachStatus) ? { status, attachStatus } : { attachStatus });
    // As Cinder's Volume.finish_detach: attached_mode goes on every detach, other attachments left or not.
    await this.d.db.adminMetadataDelete(v.id, 'attached_mode');
  }

  /**
   * A detach with nothing to detach (typically a redo after success): the status is made to
   * agree with the attachments left, unless an attach has begun since (its reservation stays).
   */
  private async settleAfterDetach(v: Volume): Promise<void> {
    if (['attaching', 'reserved'].includes(v.status ?? '')) return;
    const remaining = await this.d.db.attachmentsOf([v.id]);
    const { status, attachStatus } = statusAfterDetach(remaining.map((a) => a.attachStatus));
    if (status === v.status && attachStatus === v.attachStatus) return;
    await this.d.db.volumeConditionalUpdate(v.id, { status: v.status }, { status, attachStatus });
  }

  async detachVolume(ctxt: ContextDict, args: Args): Promise<void> {
    const volumeId = str(args.volume_id) ?? idOf(args.volume);
    await this.locks.run(volumeId, async () => {
      const v = await this.load(volumeId);
      const attachmentId = str(args.attachment_id);
      const live = (await this.d.db.attachmentsOf([v.id])).filter((a) => a.attachStatus !== 'detached');
      let att: VolumeAttachment | undefined;
      if (attachmentId) {
        att = live.find((a) => a.id === attachmentId);
        if (!att) {
          await this.settleAfterDetach(v);
          return;
        }
      } else {
        if (live.length > 1) throw new InvalidVolume({ reason: 'Detach volume failed: More than one attachment, but no attachment_id provided.' });
        if (!live.length) {
          await this.settleAfterDetach(v);
          return;
        }
        att = live[0];
      }
      await this.notify(ctxt, v, 'detach.start');
      if (live.length <= 1) {
        try {
          await this.d.driver.removeExport(v);
        } catch (e) {
          LOG.exception(`Detach volume ${v.id}: remove export failed`, e, logCtx(ctxt));
          throw new RemoveExportException({ volume: v.id, reason: (e as Error).message });
        }
        // After os-terminate_connection (the legacy flow's order) the row already says so.
        if (v.providerLocation !== null) await this.exportGone(v.id);
        await pausePoint('cinder-volume.detach_volume.after-remove-export');
      }
      await this.finishDetach(v, att.id);
      await this.notify(ctxt, async () => (await this.d.db.volumeGet(v.id)) ?? v, 'detach.end', { instance_uuid: att.instanceUuid });
      LOG.info(`Detach volume ${v.id} completed successfully`, logCtx(ctxt));
    });
  }

  /** _connection_create: export, save provider_*, driver connection info, the manager's keys. */
  private async connectionCreate(ctxt: ContextDict, v: Volume, qos: TypeQos | null, connector: Connector, accessMode: string): Promise<{ driver_volume_type: string; data: Args }> {
    this.d.driver.validateConnector(connector);
    // Checked before anything is exported.
    const qosSpecs = connectionQosSpecs(qos, v.volumeTypeId, v.size ?? 0);
    let model;
    try {
      model = await this.d.driver.createExport(v, connector);
    } catch (e) {
      LOG.exception(`Create export for volume ${v.id} failed`, e, logCtx(ctxt));
      throw new VolumeBackendAPIException({ data: `Create export for volume failed (${(e as Error).message}).` });
    }
    const location = { providerLocation: model.provider_location ?? null, providerAuth: model.provider_auth ?? null };
    await this.d.db.volumeUpdate(v.id, location);
    // The row as written (under the volume's lock nothing else changes it): no read back.
    const exported: Volume = { ...v, ...location };
    let info;
    try {
      info = await this.d.driver.initializeConnection(exported, connector);
    } catch (e) {
      LOG.exception(`Driver initialize connection failed for volume ${v.id}`, e, logCtx(ctxt));
      await this.d.driver.removeExport(exported).catch(() => undefined);
      throw new VolumeBackendAPIException({ data: `Driver initialize connection failed (error: ${(e as Error).message}).` });
    }
    // No `cacheable` here: the seed's "initialize the connection" answer (the legacy flow, which the seed fixes) has none.
    Object.assign(info.data, { encrypted: !!v.encryptionKeyId, qos_specs: qosSpecs, access_mode: accessMode });
    return info;
  }

  /** attachment_update (3.9): connect the attachment's host; returns the flat connection_info. */
  async attachmentUpdate(ctxt: ContextDict, args: Args): Promise<unknown> {
    const volumeId = idOf(args.vref);
    const attachmentId = str(args.attachment_id) ?? '';
    const connector = (args.connector ?? {}) as Connector;
    return this.locks.run(volumeId, async () => {
      // The attachment and its volume in one read, under the volume's lock.
      const hit = attachmentId ? await this.d.db.attachmentForConnection(attachmentId) : null;
      if (!hit?.volume || hit.volume.id !== volumeId) {
        await this.load(volumeId);
        throw new VolumeAttachmentNotFound({ filter: `attachment_id = ${attachmentId}` });
      }
      const { att, volume: v } = hit;
      let mode = str(connector.mode) ?? 'rw';
      if (att.attachMode && att.attachMode !== 'null') mode = att.attachMode;
      await this.notify(ctxt, v, 'attach.start');
      const info = await this.connectionCreate(ctxt, v, hit.qos, connector, mode);
      await pausePoint('cinder-volume.attachment_update.after-export');
      // The v3 flow answers as Zed's attachment_update does: `cacheable` from the type's extra spec (ours have none).
      const flat = { ...info.data, cacheable: info.data.cacheable ?? false, driver_volume_type: info.driver_volume_type, attachment_id: att.id };
      // The volume first, then the attachment by compare-and-swap on the status read: cinder-api
      // deletes a 'reserved' attachment, and completes one, without this lock. Had the volume
      // come last, a delete in between left it 'attaching' with no attachment.
      await this.d.db.volumeConditionalUpdate(v.id, { status: attachFlowFrom(v.status) }, { status: 'attaching', attachStatus: 'attaching' });
      const saved = await this.d.db.attachmentConditionalUpdate(att.id, { attachStatus: att.attachStatus }, {
        connectionInfo: JSON.stringify(flat), connector: JSON.stringify(connector), attachStatus: 'attaching', attachMode: mode,
        attachedHost: str(connector.host), mountpoint: str(connector.mountpoint) ?? 'na', attachTime: new Date(),
      });
      // The mode stays on the attachment row: unlike os-attach, Cinder's attachment_update
      // writes no attached_mode admin metadata (so none shows in the volume's metadata).
      if (!saved) {
        // The attachment moved meanwhile: the volume's status follows the attachments as they are.
        const left = await this.d.db.attachmentsOf([v.id]);
        const { status, attachStatus } = statusAfterDetach(left.map((a) => a.attachStatus));
        await this.d.db.volumeConditionalUpdate(v.id, { status: 'attaching' }, { status, attachStatus });
        // Deleted: as Cinder's volume_attached, which finds no attachment and raises; the export made for it goes.
        if (!left.some((a) => a.id === att.id)) {
          await this.teardownUnlessShared(ctxt, await this.load(v.id), att.id, connector);
          throw new VolumeAttachmentNotFound({ filter: `attachment_id = ${att.id}` });
        }
        LOG.warning(`Attachment ${att.id} left '${att.attachStatus}' while it was being connected`, logCtx(ctxt));
      }
      LOG.info(`attachment_update completed successfully for volume ${v.id}`, logCtx(ctxt));
      return flat;
    });
  }

  /** attachment_delete (3.9): take the host's connection (and the export) down; errors only logged. */
  async attachmentDelete(ctxt: ContextDict, args: Args): Promise<void> {
    const id = idOf(args.vref);
    await this.locks.run(id, () => this.attachmentDeleteLocked(ctxt, id, str(args.attachment_id) ?? ''));
  }

  private async attachmentDeleteLocked(ctxt: ContextDict, volumeId: string, attachmentId: string): Promise<void> {
    const v = await this.load(volumeId);
    const att = (await this.d.db.attachmentsOf([v.id])).find((a) => a.id === attachmentId);
    await this.notify(ctxt, v, 'detach.start');
    await this.teardownUnlessShared(ctxt, v, attachmentId, att?.connector ? JSON.parse(att.connector) as Connector : null);
  }

  /**
   * An attachment's host connection and the export taken down; errors only logged. A multiattach
   * volume's one export serves every attachment: it stays while another is connected.
   */
  private async teardownUnlessShared(ctxt: ContextDict, v: Volume, attachmentId: string, connector: Connector | null): Promise<void> {
    const atts = await this.d.db.attachmentsOf([v.id]);
    if (atts.some((a) => a.id !== attachmentId && a.connector && a.attachStatus !== 'detached')) {
      LOG.info(`Attachment ${attachmentId} of volume ${v.id} deleted; the export stays for the other attachments`, logCtx(ctxt));
      return;
    }
    try {
      if (connector) {
        await this.d.driver.terminateConnection(v, connector, false);
        LOG.info(`Terminate volume connection completed successfully for volume ${v.id}`, logCtx(ctxt));
      }
      await this.d.driver.removeExport(v);
      await pausePoint('cinder-volume.attachment_delete.after-remove-export');
      await this.exportGone(v.id);
    } catch (e) {
      LOG.exception(`Removing the export of volume ${v.id} failed`, e, logCtx(ctxt));
    }
  }

  /** Redone, the driver finds no export and succeeds. */
  async removeExport(ctxt: ContextDict, args: Args): Promise<void> {
    const id = idOf(args.volume_id);
    await this.locks.run(id, async () => {
      const v = await this.load(id);
      try {
        await this.d.driver.removeExport(v);
      } catch (e) {
        LOG.exception(`Remove export for volume ${v.id} failed`, e, logCtx(ctxt));
        throw new RemoveExportException({ volume: v.id, reason: (e as Error).message });
      }
      await this.exportGone(v.id);
    });
  }

  /** The target is down: forget where it was (start-up recovery re-exports only live exports). */
  private async exportGone(volumeId: string): Promise<void> {
    await this.d.db.volumeUpdate(volumeId, { providerLocation: null });
  }

  /** Under the volume's lock, as a reconciler repair of an interrupted extend (so one in flight wins); Nova is told after it. */
  async extendVolume(ctxt: ContextDict, args: Args): Promise<void> {
    const done = await this.locks.run(idOf(args.volume), () => this.extendLocked(ctxt, args));
    if (!done) return;
    const { v, newSize, servers } = done;
    if (servers.length && this.d.nova && !await this.d.nova.volumeExtended(ctxt, servers, v.id)) {
      await this.messages.create(ownerOf(ctxt), Action.EXTEND_VOLUME, { resourceUuid: v.id, detail: Detail.NOTIFY_COMPUTE_SERVICE_FAILED });
    }
    await this.notify(ctxt, { ...v, size: newSize }, 'resize.end', { size: newSize });
  }

  private async extendLocked(ctxt: ContextDict, args: Args): Promise<{ v: Volume; newSize: number; servers: string[] } | null> {
    const v = await this.load(args.volume);
    const newSize = Number(args.new_size);
    // The quota reservations cinder-api made for the increase: committed with the new size, else rolled back.
    const reservations = Array.isArray(args.reservations) ? args.reservations.filter((r): r is string => typeof r === 'string') : [];
    const quota = new QuotaDB(this.d.db.ds);
    // A late cast (the reconciler already put the volume back, or a redo): the backend is left
    // as it is and the increase's reservations go back.
    if (v.status !== 'extending') {
      LOG.warning(`Extend volume ${v.id}: it is '${v.status}', no longer extending; nothing done`, logCtx(ctxt));
      await quota.rollback(reservations);
      return null;
    }
    await this.notify(ctxt, v, 'resize.start', { size: v.size });
    try {
      await this.d.driver.extendVolume(v, newSize);
    } catch (e) {
      LOG.exception(`Extend volume ${v.id} failed`, e, logCtx(ctxt));
      // One transaction: the status that abandons the increase and its reservations' rollback.
      // Two steps split by a lost database left error_extending with the quota reserved until
      // reservation_expire; now either both happen or the volume stays extending for the
      // reconciler, which rolls them back with the status.
      await quota.tx(async (m) => {
        if (await this.d.db.volumeConditionalUpdate(v.id, { status: 'extending' }, { status: 'error_extending' }, m)) {
          await this.messages.createIn(m, ownerOf(ctxt), Action.EXTEND_VOLUME, { resourceUuid: v.id, detail: Detail.DRIVER_FAILED_EXTEND });
        }
        await quota.rollbackIn(m, reservations);
      }, `failed extend of ${v.id}`);
      return null;
    }
    await pausePoint('cinder-volume.extend_volume.after-backend-extend');
    const attachments = (await this.d.db.attachmentsOf([v.id])).filter((a) => a.attachStatus === 'attached');
    await quota.withCommit(reservations, (m) => this.d.db.volumeConditionalUpdate(v.id, { status: 'extending' },
      { size: newSize, status: attachments.length ? 'in-use' : 'available', previousStatus: null }, m), (ok) => ok);
    // An in-use volume grew under its servers: Nova must rescan and tell the guests (Cinder's manager does this here).
    const servers = [...new Set(attachments.map((a) => a.instanceUuid).filter((u): u is string => !!u))];
    return { v, newSize, servers };
  }

  /**
   * accept_transfer: the backend's part of a transfer. Our backends tie nothing to the owner
   * (CHAP credentials are per volume), so there is no model update; cinder-api moves the row.
   */
  async acceptTransfer(ctxt: ContextDict, args: Args): Promise<null> {
    const v = await this.load(args.volume_id);
    LOG.info(`Transfer volume ${v.id} completed successfully.`, logCtx(ctxt));
    return null;
  }

  /** retype (cinder-volume/retype.ts), under the volume's lock as the reconciler's undo of a lost one. */
  async retype(ctxt: ContextDict, args: Args): Promise<void> {
    const done = await this.locks.run(idOf(args.volume), async () => retypeLocked(this.d, await this.load(args.volume), args, logCtx(ctxt)));
    if (done) await this.notify(ctxt, done, 'retype', { volume_type: done.volumeTypeId });
  }

  /**
   * freeze_host / thaw_host (os-services freeze, thaw): our drivers have no management plane
   * to tell, so only the service row changes, as Cinder's manager does after the driver's
   * hook: frozen disables scheduling with reason "frozen", thawed enables it again.
   */
  async setFrozen(frozen: boolean): Promise<boolean> {
    await this.d.db.services.update({ host: this.d.host, binary: 'cinder-volume', deleted: false },
      { disabled: frozen, disabledReason: frozen ? 'frozen' : '', modifiedAt: new Date() });
    LOG.info(frozen ? 'Set backend status to frozen successfully.' : 'Thawed backend successfully.');
    return true;
  }
}

/** A LogLevel request's work: set (a bad level throws, which a cast only logs, as Cinder's) or read the levels. */
function logLevels(a: Args): { set(): void; get(): Record<string, unknown> } {
  const r = objectData(a.log_request);
  const prefix = typeof r.prefix === 'string' ? r.prefix : null;
  return {
    set: () => setLogLevels(prefix, String(r.level ?? '')),
    get: () => logLevelListToPrimitive(getLogLevels(prefix)),
  };
}
