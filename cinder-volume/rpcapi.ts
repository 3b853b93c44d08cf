// Client side of the volume RPC API (topic `cinder-volume`, server = <host>@<backend> of the
// volume's host with the #pool cut off): wire only, names/kwargs/versions as Cinder's
// (docs/wire-format.md, Who uses it), so a Python peer reads the same messages.
//
// Version history (Cinder's 3.x line; we implement this subset):
//   3.0 - create_volume(volume, request_spec, filter_properties, allow_reschedule),
//         delete_volume(volume, unmanage_only, cascade), initialize_connection(connector, volume),
//         terminate_connection(volume_id, connector, force), remove_export(volume_id),
//         extend_volume(volume, new_size, reservations),
//         retype(volume, new_type_id, host, migration_policy, reservations, old_reservations),
//         accept_transfer(volume_id, new_user, new_project) (call; Cinder's 3.16 adds no_snapshots,
//         which we do not send: no volume here has snapshots, and our endpoint is 3.12)
//         freeze_host(), thaw_host() (os-services freeze/thaw, called on server <host>@<backend>)
//         get_capabilities(discover) → the backend's stats and properties (GET capabilities/{host})
//   3.3 - attach_volume also takes `volume`
//   3.4 - detach_volume also takes `volume`
//   3.5 - retype's host also names its cluster_name
//   3.7 - do_cleanup(cleanup_request) (cast; workers/cleanup): the backend cleans up at once
//   3.9 - attachment_update(vref, connector, attachment_id) → flat connection_info,
//         attachment_delete(attachment_id, vref) (the v3 attachments API)
//   3.10 - attachd extensions, not in Cinder (a Python cinder-volume answers NoSuchMethod):
//         get_export_report() → {host, exports, drift}, sync_exports() → the same after one
//         reconciler pass, plus `repaired`; called on server <host>@<backend> of each service
//         (cinder-api's os-volume-exports)
//   3.0 (served since attachd's snapshots) - create_snapshot(snapshot) (cast to the volume's
//         backend; Cinder's goes through its scheduler, which this project's cinder-api stands
//         in for), delete_snapshot(snapshot, unmanage_only) (cast)
//   3.0 (served since attachd's volume manage) - manage_existing(ref, volume) (cast to the
//         volume's backend, as create_volume), and delete_volume's unmanage_only;
//         manage_existing_snapshot(snapshot, ref) (cast to its volume's backend) and
//         delete_snapshot's unmanage_only
//   3.0 (served since attachd's groups) - create_group(group), delete_group(group),
//         update_group(group, add_volumes, remove_volumes),
//         create_group_from_src(group, group_snapshot, source_group),
//         create_group_snapshot(group_snapshot), delete_group_snapshot(group_snapshot) (casts to the group's backend; Cinder's
//         create goes through its scheduler, which cinder-api stands in for). The volume ids are
//         comma-separated strings, as Cinder's.
//   3.12 - set_log_levels(log_request) (cast), get_log_levels(log_request) → LogLevelList, as
//         Cinder's 3.12 (os-services set-log and get-log); on server <host>@<backend>
import type { RequestContext } from '../common/context';
import { RPCClient, Target, type Transport } from '../common/rpc';
import type { Group, GroupSnapshot, Snapshot, Volume } from '../cinder-common/entities';
import { cleanupRequestToPrimitive, groupSnapshotToPrimitive, groupToPrimitive, logLevelsFromPrimitive, logLevelToPrimitive, serviceHostOf, snapshotToPrimitive, volumeToPrimitive } from '../cinder-common/objects';

export const VOLUME_TOPIC = 'cinder-volume';
export const VOLUME_RPC_API_VERSION = '3.12';

export class VolumeAPI {
  private readonly client: RPCClient;

  constructor(transport: Transport, opts: { timeout?: number; versionCap?: string | null } = {}) {
    this.client = new RPCClient(transport, new Target({ topic: VOLUME_TOPIC, version: '3.0' }),
      { timeout: opts.timeout, versionCap: opts.versionCap ?? null });
  }

  private cctxt(volume: Volume, version = '3.0'): RPCClient {
    if (!volume.host) throw new Error(`volume ${volume.id} has no host`);
    return this.client.prepare({ server: serviceHostOf(volume.host), version });
  }

  async createVolume(ctx: RequestContext, volume: Volume, requestSpec: Record<string, unknown>): Promise<void> {
    await this.cctxt(volume).cast(ctx, 'create_volume', {
      volume: volumeToPrimitive(volume), request_spec: requestSpec, filter_properties: {}, allow_reschedule: false,
    });
  }

  async deleteVolume(ctx: RequestContext, volume: Volume, cascade = false, unmanageOnly = false): Promise<void> {
    await this.cctxt(volume).cast(ctx, 'delete_volume', { volume: volumeToPrimitive(volume), unmanage_only: unmanageOnly, cascade });
  }

  private groupCctxt(g: Group): RPCClient {
    if (!g.host) throw new Error(`group ${g.id} has no host`);
    return this.client.prepare({ server: serviceHostOf(g.host), version: '3.0' });
  }

  async createGroup(ctx: RequestContext, g: Group, volumeTypeIds: string[]): Promise<void> {
    await this.groupCctxt(g).cast(ctx, 'create_group', { group: groupToPrimitive(g, volumeTypeIds) });
  }

  async createGroupFromSrc(ctx: RequestContext, g: Group, volumeTypeIds: string[], source: Group | null, sourceTypeIds: string[], snapshot: GroupSnapshot | null = null): Promise<void> {
    await this.groupCctxt(g).cast(ctx, 'create_group_from_src', {
      group: groupToPrimitive(g, volumeTypeIds), group_snapshot: snapshot ? groupSnapshotToPrimitive(snapshot) : null,
      source_group: source ? groupToPrimitive(source, sourceTypeIds) : null,
    });
  }

  /** To the group's backend (Cinder's group_snapshot.service_topic_queue). */
  async createGroupSnapshot(ctx: RequestContext, gs: GroupSnapshot, g: Group): Promise<void> {
    await this.groupCctxt(g).cast(ctx, 'create_group_snapshot', { group_snapshot: groupSnapshotToPrimitive(gs) });
  }

  async deleteGroupSnapshot(ctx: RequestContext, gs: GroupSnapshot, g: Group): Promise<void> {
    await this.groupCctxt(g).cast(ctx, 'delete_group_snapshot', { group_snapshot: groupSnapshotToPrimitive(gs) });
  }

  async deleteGroup(ctx: RequestContext, g: Group, volumeTypeIds: string[]): Promise<void> {
    await this.groupCctxt(g).cast(ctx, 'delete_group', { group: groupToPrimitive(g, volumeTypeIds) });
  }

  async updateGroup(ctx: RequestContext, g: Group, volumeTypeIds: string[], addVolumes: string | null, removeVolumes: string | null): Promise<void> {
    await this.groupCctxt(g).cast(ctx, 'update_group', { group: groupToPrimitive(g, volumeTypeIds), add_volumes: addVolumes, remove_volumes: removeVolumes });
  }

  async manageExisting(ctx: RequestContext, volume: Volume, ref: unknown): Promise<void> {
    await this.cctxt(volume).cast(ctx, 'manage_existing', { ref, volume: volumeToPrimitive(volume) });
  }

  async initializeConnection(ctx: RequestContext, volume: Volume, connector: unknown): Promise<unknown> {
    return this.cctxt(volume).call(ctx, 'initialize_connection', { connector, volume: volumeToPrimitive(volume) });
  }

  async terminateConnection(ctx: RequestContext, volume: Volume, connector: unknown, force = false): Promise<void> {
    await this.cctxt(volume).call(ctx, 'terminate_connection', { volume_id: volume.id, connector, force });
  }

  async attachVolume(ctx: RequestContext, volume: Volume, a: { instanceUuid: string | null; hostName: string | null; mountpoint: string; mode: string }): Promise<unknown> {
    return this.cctxt(volume, '3.3').call(ctx, 'attach_volume', {
      volume_id: volume.id, instance_uuid: a.instanceUuid, host_name: a.hostName, mountpoint: a.mountpoint, mode: a.mode,
      volume: volumeToPrimitive(volume),
    });
  }

  async detachVolume(ctx: RequestContext, volume: Volume, attachmentId: string | null): Promise<unknown> {
    return this.cctxt(volume, '3.4').call(ctx, 'detach_volume', { volume_id: volume.id, attachment_id: attachmentId, volume: volumeToPrimitive(volume) });
  }

  async attachmentUpdate(ctx: RequestContext, volume: Volume, connector: unknown, attachmentId: string): Promise<unknown> {
    return this.cctxt(volume, '3.9').call(ctx, 'attachment_update', { vref: volumeToPrimitive(volume), connector, attachment_id: attachmentId });
  }

  async attachmentDelete(ctx: RequestContext, volume: Volume, attachmentId: string): Promise<void> {
    await this.cctxt(volume, '3.9').call(ctx, 'attachment_delete', { attachment_id: attachmentId, vref: volumeToPrimitive(volume) });
  }

  /** attachd extension (3.10): the exports of backend `host` (<host>@<backend>) and their drift from the volumes. */
  async getExportReport(ctx: RequestContext, host: string): Promise<unknown> {
    return this.client.prepare({ server: host, version: '3.10' }).call(ctx, 'get_export_report', {});
  }

  /** attachd extension (3.10): one reconciler pass on backend `host`, then its report. */
  async syncExports(ctx: RequestContext, host: string): Promise<unknown> {
    return this.client.prepare({ server: host, version: '3.10' }).call(ctx, 'sync_exports', {});
  }

  /** freeze_host (3.0, call): the backend disables itself ("frozen"); true when done. */
  async freezeHost(ctx: RequestContext, host: string): Promise<unknown> {
    return this.client.prepare({ server: serviceHostOf(host) }).call(ctx, 'freeze_host', {});
  }

  /** thaw_host (3.0, call): false when the backend refused to thaw. */
  async thawHost(ctx: RequestContext, host: string): Promise<unknown> {
    return this.client.prepare({ server: serviceHostOf(host) }).call(ctx, 'thaw_host', {});
  }

  /** do_cleanup (3.7, cast) on service `host`: clean up what it left unfinished (workers/cleanup). */
  async doCleanup(ctx: RequestContext, host: string, request: Parameters<typeof cleanupRequestToPrimitive>[0]): Promise<void> {
    await this.client.prepare({ server: serviceHostOf(host), version: '3.7' }).cast(ctx, 'do_cleanup', { cleanup_request: cleanupRequestToPrimitive(request) });
  }

  /** set_log_levels (3.12, cast) on service `host`: its loggers under `prefix` to `level`. */
  async setLogLevels(ctx: RequestContext, host: string, prefix: string | null, level: string | null): Promise<void> {
    await this.client.prepare({ server: serviceHostOf(host), version: '3.12' }).cast(ctx, 'set_log_levels', { log_request: logLevelToPrimitive(prefix, level) });
  }

  /** get_log_levels (3.12, call) on service `host`: its loggers under `prefix` with their levels. */
  async getLogLevels(ctx: RequestContext, host: string, prefix: string | null): Promise<Record<string, string>> {
    const out = await this.client.prepare({ server: serviceHostOf(host), version: '3.12' }).call(ctx, 'get_log_levels', { log_request: logLevelToPrimitive(prefix, null) });
    return logLevelsFromPrimitive(out);
  }

  /** get_capabilities (3.0, call) on `backend` (<host>@<backend> or a cluster): its stats with `properties`. */
  async getCapabilities(ctx: RequestContext, backend: string, discover: boolean): Promise<unknown> {
    return this.client.prepare({ server: backend }).call(ctx, 'get_capabilities', { discover });
  }

  async removeExport(ctx: RequestContext, volume: Volume): Promise<void> {
    await this.cctxt(volume).cast(ctx, 'remove_export', { volume_id: volume.id });
  }

  /** retype (cast): `host` is the target backend ({host, cluster_name, capabilities}); the reservations are the new type's and the old one's. */
  async retype(ctx: RequestContext, volume: Volume, newTypeId: string, host: { host: string; cluster_name: string | null; capabilities: Record<string, unknown> },
    migrationPolicy: string, reservations: string[], oldReservations: string[]): Promise<void> {
    await this.cctxt(volume, '3.5').cast(ctx, 'retype', {
      volume: volumeToPrimitive(volume), new_type_id: newTypeId, host, migration_policy: migrationPolicy, reservations, old_reservations: oldReservations,
    });
  }

  /** accept_transfer (call): the backend's part of a transfer; returns its model update (none here). */
  async acceptTransfer(ctx: RequestContext, volume: Volume, newUser: string | null, newProject: string | null): Promise<unknown> {
    return this.cctxt(volume).call(ctx, 'accept_transfer', { volume_id: volume.id, new_user: newUser, new_project: newProject });
  }

  /** create_snapshot (cast) on the backend of `volume`, the snapshot's. */
  async createSnapshot(ctx: RequestContext, volume: Volume, snapshot: Snapshot): Promise<void> {
    await this.cctxt(volume).cast(ctx, 'create_snapshot', { snapshot: snapshotToPrimitive(snapshot) });
  }

  /** delete_snapshot (cast) on the backend of `volume`, the snapshot's. */
  async deleteSnapshot(ctx: RequestContext, volume: Volume, snapshot: Snapshot, unmanageOnly = false): Promise<void> {
    await this.cctxt(volume).cast(ctx, 'delete_snapshot', { snapshot: snapshotToPrimitive(snapshot), unmanage_only: unmanageOnly });
  }

  async manageExistingSnapshot(ctx: RequestContext, volume: Volume, snapshot: Snapshot, ref: unknown): Promise<void> {
    await this.cctxt(volume).cast(ctx, 'manage_existing_snapshot', { snapshot: snapshotToPrimitive(snapshot), ref });
  }

  async extendVolume(ctx: RequestContext, volume: Volume, newSize: number, reservations: string[] = []): Promise<void> {
    await this.cctxt(volume).cast(ctx, 'extend_volume', { volume: volumeToPrimitive(volume), new_size: newSize, reservations });
  }
}
