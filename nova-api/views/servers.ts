// Server bodies (nova api/openstack/compute/views/servers.py), fields by microversion.
import { createHash } from 'node:crypto';
import { pyDateTime, type APIVersion } from '../../common/api';
import type { BlockDeviceMapping, Instance, RequestSpecData } from '../../nova-common/entities';
import { findFlavor } from '../../nova-common/flavors';
import { MV } from '../microversions';

const TASK_STATUS: Record<string, string> = { deleting: 'ACTIVE', rebooting: 'REBOOT', 'rebooting_hard': 'HARD_REBOOT' };
/** Nova's status map shows a rebuild as REBUILD whether the server was active, stopped or in error. */
const REBUILD_TASKS = new Set(['rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning']);
const VM_STATUS: Record<string, string> = {
  active: 'ACTIVE', building: 'BUILD', stopped: 'SHUTOFF', paused: 'PAUSED', suspended: 'SUSPENDED', rescued: 'RESCUE',
  resized: 'VERIFY_RESIZE', 'soft-delete': 'SOFT_DELETED', deleted: 'DELETED', error: 'ERROR', shelved: 'SHELVED',
  shelved_offloaded: 'SHELVED_OFFLOADED',
};

const PROGRESS_STATUSES = ['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING'];

/** OS-DCF:diskConfig as Nova shows it: AUTO when the server asked for it, else MANUAL. */
export const diskConfig = (i: Instance): 'AUTO' | 'MANUAL' => (i.autoDiskConfig ? 'AUTO' : 'MANUAL');

export function serverStatus(i: Instance): string {
  if (i.taskState && REBUILD_TASKS.has(i.taskState) && ['active', 'stopped', 'error'].includes(i.vmState ?? '')) return 'REBUILD';
  if (i.vmState === 'active' && i.taskState && TASK_STATUS[i.taskState]) return TASK_STATUS[i.taskState];
  return VM_STATUS[i.vmState ?? ''] ?? 'UNKNOWN';
}

const ts = (d: Date | null): string | null => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);
const usg = pyDateTime;

export interface ViewCtx {
  /** e.g. http://127.0.0.1:8774 (+ mount prefix). */
  base: string;
  projectInUrl: string | null;
  version: APIVersion;
  isAdmin: boolean;
  /** host_status (2.16) of a server as the caller may see it, when the policy shows any. */
  hostStatus?: (i: Instance) => string | undefined;
}

function links(c: ViewCtx, kind: string, id: string, projectId: string | null): Array<Record<string, string>> {
  const proj = c.projectInUrl ?? projectId ?? '';
  return [
    { rel: 'self', href: `${c.base}/v2.1/${proj ? `${proj}/` : ''}${kind}/${id}` },
    { rel: 'bookmark', href: `${c.base}/${proj ? `${proj}/` : ''}${kind}/${id}` },
  ];
}

export function serverSummary(i: Instance, c: ViewCtx): Record<string, unknown> {
  return { id: i.uuid, name: i.displayName, links: links(c, 'servers', i.uuid, i.projectId) };
}

function metadataOf(i: Instance): Record<string, string> {
  try {
    const m = JSON.parse(i.metadataJson ?? '{}') as unknown;
    return m && typeof m === 'object' ? (m as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Keys Nova's update view leaves out below 2.75 (servers.py update: show_* flags off). */
const EXTENDED_KEYS = ['OS-EXT-AZ:availability_zone', 'config_drive', 'key_name', 'OS-SRV-USG:launched_at', 'OS-SRV-USG:terminated_at',
  'OS-EXT-STS:task_state', 'OS-EXT-STS:vm_state', 'OS-EXT-STS:power_state', 'os-extended-volumes:volumes_attached', 'security_groups',
  'OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:hypervisor_hostname', 'OS-EXT-SRV-ATTR:instance_name', 'OS-EXT-SRV-ATTR:reservation_id',
  'OS-EXT-SRV-ATTR:launch_index', 'OS-EXT-SRV-ATTR:hostname', 'OS-EXT-SRV-ATTR:kernel_id', 'OS-EXT-SRV-ATTR:ramdisk_id',
  'OS-EXT-SRV-ATTR:root_device_name', 'OS-EXT-SRV-ATTR:user_data', 'server_groups', 'host_status'];

/**
 * The request spec as show (and update) read it: a server without one is not pinned and has no
 * hints ({}); the list view passes its own (hints null when missing), as Nova's detail does.
 */
const NO_SPEC: RequestSpecData = { availability_zone: null, scheduler_hints: {} };

/** The body PUT /servers/{id} returns: the detail view, trimmed as Nova trims it before 2.75. */
export function serverUpdated(i: Instance, bdms: BlockDeviceMapping[], c: ViewCtx, spec: RequestSpecData = NO_SPEC, tags: readonly string[] = []): Record<string, unknown> {
  const out = serverDetail(i, bdms, c, spec, tags);
  if (!c.version.atLeast(MV.STRICT_QUERY)) for (const k of EXTENDED_KEYS) delete out[k];
  return out;
}

/**
 * The body a rebuild answers (servers.py _action_rebuild): trimmed as an update's below 2.75,
 * but with key_name from 2.54 and server_groups from 2.71; never the user data.
 */
export function serverRebuilt(i: Instance, bdms: BlockDeviceMapping[], c: ViewCtx, spec: RequestSpecData = NO_SPEC, tags: readonly string[] = []): Record<string, unknown> {
  const out = serverDetail(i, bdms, c, spec, tags);
  if (!c.version.atLeast(MV.STRICT_QUERY)) {
    const kept = new Set([...(c.version.atLeast('2.54') ? ['key_name'] : []), ...(c.version.atLeast('2.71') ? ['server_groups'] : [])]);
    for (const k of EXTENDED_KEYS) if (!kept.has(k)) delete out[k];
  }
  delete out['OS-EXT-SRV-ATTR:user_data'];
  // From 2.57 the rebuild's answer carries the server's user_data, unprefixed and to anyone.
  if (c.version.atLeast('2.57')) out.user_data = i.userData ?? null;
  return out;
}

/** `tags`: the server's tags (shown from 2.26). */
export function serverDetail(i: Instance, bdms: BlockDeviceMapping[], c: ViewCtx, spec: RequestSpecData = NO_SPEC, tags: readonly string[] = []): Record<string, unknown> {
  const v = c.version;
  const fl = findFlavor(i.flavorId);
  const flavor = v.atLeast(MV.FLAVOR_EMBEDDED)
    ? { vcpus: fl?.vcpus ?? 1, ram: fl?.ram ?? 512, disk: fl?.disk ?? 1, ephemeral: 0, swap: 0, original_name: fl?.name ?? i.flavorId ?? 'm1.tiny', extra_specs: {} }
    : { id: fl?.id ?? i.flavorId ?? '1', links: [{ rel: 'bookmark', href: `${c.base}/${c.projectInUrl ?? i.projectId ?? ''}/flavors/${i.flavorId ?? '1'}` }] };
  // 2.98 embeds the image properties Nova copied to system metadata at create (those naming
  // ImageMetaProps fields); no image we boot has any, so the set is empty.
  const image = i.imageRef
    ? { id: i.imageRef, links: [{ rel: 'bookmark', href: `${c.base}/${c.projectInUrl ?? i.projectId ?? ''}/images/${i.imageRef}` }],
      ...(v.atLeast(MV.IMAGE_PROPERTIES) ? { properties: {} } : {}) }
    : '';
  const volumes = bdms.filter((b) => b.volumeId).map((b) => (v.atLeast('2.3')
    ? { id: b.volumeId, delete_on_termination: !!b.deleteOnTermination } : { id: b.volumeId }));
  const out: Record<string, unknown> = {
    id: i.uuid, name: i.displayName, status: serverStatus(i), tenant_id: i.projectId, user_id: i.userId,
    metadata: metadataOf(i), hostId: i.host ? hostId(i) : '', image, flavor,
    created: ts(i.createdAt), updated: ts(i.updatedAt ?? i.createdAt), addresses: {}, accessIPv4: i.accessIpV4 ?? '', accessIPv6: i.accessIpV6 ?? '',
    links: links(c, 'servers', i.uuid, i.projectId), 'OS-DCF:diskConfig': diskConfig(i),
    'OS-EXT-AZ:availability_zone': i.availabilityZone ?? 'nova', config_drive: '', key_name: i.keyName ?? null,
    'OS-SRV-USG:launched_at': usg(i.launchedAt), 'OS-SRV-USG:terminated_at': usg(i.terminatedAt),
    'OS-EXT-STS:task_state': i.taskState, 'OS-EXT-STS:vm_state': i.vmState, 'OS-EXT-STS:power_state': i.powerState ?? 0,
    'os-extended-volumes:volumes_attached': volumes, security_groups: [{ name: 'default' }],
  };
  // Nova shows progress only while a server is (or could be) making some.
  if (PROGRESS_STATUSES.includes(out.status as string)) out.progress = i.vmState === 'building' ? 0 : 100;
  // The extended server attributes (admin by policy); 2.3 added the ec2-era ones.
  if (c.isAdmin) {
    out['OS-EXT-SRV-ATTR:host'] = i.host;
    out['OS-EXT-SRV-ATTR:instance_name'] = `instance-${i.id.toString(16).padStart(8, '0')}`;
    out['OS-EXT-SRV-ATTR:hypervisor_hostname'] = i.node;
    if (v.atLeast(MV.EXTENDED_ATTRS)) {
      Object.assign(out, {
        'OS-EXT-SRV-ATTR:reservation_id': i.reservationId, 'OS-EXT-SRV-ATTR:launch_index': i.launchIndex,
        'OS-EXT-SRV-ATTR:hostname': i.hostname, 'OS-EXT-SRV-ATTR:kernel_id': i.kernelId, 'OS-EXT-SRV-ATTR:ramdisk_id': i.ramdiskId,
        'OS-EXT-SRV-ATTR:root_device_name': i.rootDeviceName, 'OS-EXT-SRV-ATTR:user_data': i.userData,
      });
    }
  }
  const hs = v.atLeast(MV.HOST_STATUS) ? c.hostStatus?.(i) : undefined;
  if (hs !== undefined) out.host_status = hs;
  if (v.atLeast(MV.LOCKED)) out.locked = !!i.locked;
  if (v.atLeast(MV.DESCRIPTION)) out.description = i.displayDescription ?? null;
  if (v.atLeast(MV.TAGS)) out.tags = [...tags];
  if (v.atLeast(MV.TRUSTED_CERTS)) out.trusted_image_certificates = null;
  // 2.90 shows the hostname to those the extended attributes are hidden from.
  if (v.atLeast(MV.HOSTNAME) && !c.isAdmin) out['OS-EXT-SRV-ATTR:hostname'] = i.hostname;
  if (v.atLeast(MV.SERVER_GROUPS)) out.server_groups = [];
  if (v.atLeast(MV.LOCKED_REASON)) out.locked_reason = i.lockedReason ?? null;
  if (v.atLeast(MV.PINNED_AZ)) out.pinned_availability_zone = spec.availability_zone;
  if (v.atLeast(MV.SCHEDULER_HINTS)) out.scheduler_hints = spec.scheduler_hints;
  if (serverStatus(i) === 'ERROR' && i.faultMessage) {
    out.fault = { code: i.faultCode ?? 500, created: ts(i.updatedAt ?? i.createdAt), message: i.faultMessage };
  }
  return out;
}

/** Nova's hostId: sha224(project_id + host) hex; a stable opaque token. */
function hostId(i: Instance): string {
  return createHash('sha224').update(`${i.projectId ?? ''}${i.host ?? ''}`).digest('hex');
}
