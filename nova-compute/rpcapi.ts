// Client side of the compute RPC API (topic `compute`, server = instance.host): wire only.
//
// Version history (our numbering follows Nova's 6.x line so a peer reading the wire sees the
// same method names, kwargs and versions — docs/wire-format.md, Who uses it):
//   6.0 - attach_volume(instance, bdm), detach_volume(instance, volume_id, attachment_id),
//         build_and_run_instance(instance, ...), terminate_instance(instance, bdms),
//         stop_instance(instance, clean_shutdown), start_instance(instance),
//         reboot_instance(instance, block_device_info, reboot_type),
//         swap_volume(instance, old_volume_id, new_volume_id, new_attachment_id),
//         external_instance_event(instances, events) (Nova has it at 6.0: no bump; we act on
//         volume-extended only, running extend_volume as event compute_extend_volume),
//         get_host_uptime(), set_host_enabled(enabled), host_maintenance_mode(host, mode),
//         host_power_action(action) (calls; Nova has them since 5.0),
//         get_console_output(instance, tail_length) (a call; Nova's since 5.0),
//         get_diagnostics(instance) → the driver's dict, get_instance_diagnostics(instance) →
//         a Diagnostics object (calls; Nova's since 5.0),
//         pause_instance(instance), unpause_instance(instance), suspend_instance(instance),
//         resume_instance(instance) (casts; Nova's since 5.0),
//         inject_network_info(instance) (a cast; Nova's since 5.0),
//         rebuild_instance(instance, new_pass, injected_files, image_ref, orig_image_ref,
//         orig_sys_metadata, bdms, recreate, on_shared_storage, preserve_ephemeral, migration,
//         scheduled_node, limits, request_spec, accel_uuids) (a cast; Nova's 6.0 kwargs, which
//         Nova's conductor sends; reimage_boot_volume is 6.1's, never sent here)
import type { Transport } from '../common/rpc';
import { RPCClient, Target } from '../common/rpc';
import type { RequestContext } from '../common/context';
import type { BlockDeviceMapping, Instance } from '../nova-common/entities';
import { bdmToPrimitive, externalEventToPrimitive, instanceToPrimitive, type ExternalEvent } from '../nova-common/objects';

export const COMPUTE_TOPIC = 'compute';
export const COMPUTE_RPC_API_VERSION = '6.0';

export class ComputeAPI {
  private readonly client: RPCClient;

  /** retry: broker reconnect attempts a send may wait for (null: forever, oslo's default). */
  constructor(transport: Transport, opts: { timeout?: number; versionCap?: string | null; retry?: number | null } = {}) {
    this.client = new RPCClient(transport, new Target({ topic: COMPUTE_TOPIC, version: COMPUTE_RPC_API_VERSION }),
      { timeout: opts.timeout, versionCap: opts.versionCap ?? null, retry: opts.retry ?? null });
  }

  private cctxt(instance: Instance): RPCClient {
    if (!instance.host) throw new Error(`instance ${instance.uuid} has no host`);
    return this.client.prepare({ server: instance.host, version: '6.0' });
  }

  async attachVolume(ctx: RequestContext, instance: Instance, bdm: BlockDeviceMapping): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'attach_volume', { instance: instanceToPrimitive(instance), bdm: bdmToPrimitive(bdm) });
  }

  async buildAndRunInstance(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[]): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'build_and_run_instance', {
      instance: instanceToPrimitive(instance), host: instance.host, image: { id: instance.imageRef }, request_spec: null,
      filter_properties: {}, accel_uuids: [], admin_password: null, injected_files: [], requested_networks: null,
      security_groups: ['default'], block_device_mapping: bdms.map(bdmToPrimitive), node: instance.node, limits: null, host_list: null,
    });
  }

  async detachVolume(ctx: RequestContext, instance: Instance, volumeId: string, attachmentId: string | null): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'detach_volume', { instance: instanceToPrimitive(instance), volume_id: volumeId, attachment_id: attachmentId });
  }

  /** Events for servers on one host (the first instance's, or `host`), as nova-api's external_instance_event. */
  async externalInstanceEvent(ctx: RequestContext, instances: Instance[], events: ExternalEvent[], host?: string): Promise<void> {
    const server = host ?? instances[0]?.host;
    if (!server) throw new Error('external_instance_event needs a host');
    await this.client.prepare({ server, version: '6.0' }).cast(ctx, 'external_instance_event', {
      instances: instances.map(instanceToPrimitive), events: events.map(externalEventToPrimitive),
    });
  }

  /** The host's `uptime` line (a call: the caller waits for it). */
  async getHostUptime(ctx: RequestContext, host: string): Promise<string> {
    return this.hostCall(ctx, host, 'get_host_uptime', {});
  }

  /** os-hosts' update and power actions: the driver's answer, as text. */
  async setHostEnabled(ctx: RequestContext, host: string, enabled: boolean): Promise<string> {
    return this.hostCall(ctx, host, 'set_host_enabled', { enabled });
  }

  async hostMaintenanceMode(ctx: RequestContext, host: string, mode: boolean): Promise<string> {
    return this.hostCall(ctx, host, 'host_maintenance_mode', { host, mode });
  }

  async hostPowerAction(ctx: RequestContext, host: string, action: string): Promise<string> {
    return this.hostCall(ctx, host, 'host_power_action', { action });
  }

  /** The guest's console log, its last tail_length lines (all when null). */
  async getConsoleOutput(ctx: RequestContext, instance: Instance, tailLength: number | null): Promise<string> {
    return String(await this.cctxt(instance).call(ctx, 'get_console_output', { instance: instanceToPrimitive(instance), tail_length: tailLength }));
  }

  private async hostCall(ctx: RequestContext, host: string, method: string, args: Record<string, unknown>): Promise<string> {
    return String(await this.client.prepare({ server: host, version: '6.0' }).call(ctx, method, args));
  }

  async rebootInstance(ctx: RequestContext, instance: Instance, rebootType: 'SOFT' | 'HARD'): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'reboot_instance', { instance: instanceToPrimitive(instance), block_device_info: null, reboot_type: rebootType });
  }

  /** rebuild_instance to the server's own host (not an evacuation: recreate false). */
  async rebuildInstance(ctx: RequestContext, instance: Instance, r: { imageRef: string; origImageRef: string | null; newPass: string | null; bdms: BlockDeviceMapping[] }): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'rebuild_instance', {
      instance: instanceToPrimitive(instance), new_pass: r.newPass, injected_files: [], image_ref: r.imageRef, orig_image_ref: r.origImageRef,
      orig_sys_metadata: {}, bdms: r.bdms.map(bdmToPrimitive), recreate: false, on_shared_storage: false, preserve_ephemeral: false,
      migration: null, scheduled_node: null, limits: {}, request_spec: null, accel_uuids: [],
    });
  }

  async getDiagnostics(ctx: RequestContext, instance: Instance): Promise<unknown> {
    return this.cctxt(instance).call(ctx, 'get_diagnostics', { instance: instanceToPrimitive(instance) });
  }

  async getInstanceDiagnostics(ctx: RequestContext, instance: Instance): Promise<unknown> {
    return this.cctxt(instance).call(ctx, 'get_instance_diagnostics', { instance: instanceToPrimitive(instance) });
  }

  async injectNetworkInfo(ctx: RequestContext, instance: Instance): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'inject_network_info', { instance: instanceToPrimitive(instance) });
  }

  async pauseInstance(ctx: RequestContext, instance: Instance): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'pause_instance', { instance: instanceToPrimitive(instance) });
  }

  async unpauseInstance(ctx: RequestContext, instance: Instance): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'unpause_instance', { instance: instanceToPrimitive(instance) });
  }

  async suspendInstance(ctx: RequestContext, instance: Instance): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'suspend_instance', { instance: instanceToPrimitive(instance) });
  }

  async resumeInstance(ctx: RequestContext, instance: Instance): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'resume_instance', { instance: instanceToPrimitive(instance) });
  }

  async startInstance(ctx: RequestContext, instance: Instance): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'start_instance', { instance: instanceToPrimitive(instance) });
  }

  async stopInstance(ctx: RequestContext, instance: Instance): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'stop_instance', { instance: instanceToPrimitive(instance), clean_shutdown: true });
  }

  async swapVolume(ctx: RequestContext, instance: Instance, oldVolumeId: string, newVolumeId: string, newAttachmentId: string | null): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'swap_volume', {
      instance: instanceToPrimitive(instance), old_volume_id: oldVolumeId, new_volume_id: newVolumeId, new_attachment_id: newAttachmentId,
    });
  }

  async terminateInstance(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[]): Promise<void> {
    await this.cctxt(instance).cast(ctx, 'terminate_instance', { instance: instanceToPrimitive(instance), bdms: bdms.map(bdmToPrimitive) });
  }
}
