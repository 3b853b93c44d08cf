// What an Instance / BlockDeviceMapping looks like on the RPC wire: Nova's versioned-object
// envelope (nova_object.name/namespace/version/data) with Nova's field names. The receiver
// reloads the row by uuid/id; the payload is for logs, peers and compatibility.
import type { BlockDeviceMapping, Instance } from './entities';

type Dict = Record<string, unknown>;

const iso = (d: Date | null): string | null => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);

function envelope(name: string, version: string, data: Dict): Dict {
  return { 'nova_object.name': name, 'nova_object.namespace': 'nova', 'nova_object.version': version, 'nova_object.data': data };
}

export function instanceToPrimitive(i: Instance): Dict {
  return envelope('Instance', '2.7', {
    id: i.id, uuid: i.uuid, display_name: i.displayName, hostname: i.hostname, project_id: i.projectId, user_id: i.userId,
    vm_state: i.vmState, task_state: i.taskState, power_state: i.powerState, locked: i.locked, host: i.host, node: i.node,
    availability_zone: i.availabilityZone, root_device_name: i.rootDeviceName, image_ref: i.imageRef,
    launched_at: iso(i.launchedAt), created_at: iso(i.createdAt),
  });
}

export function bdmToPrimitive(b: BlockDeviceMapping): Dict {
  return envelope('BlockDeviceMapping', '1.20', {
    id: b.id, uuid: b.uuid, instance_uuid: b.instanceUuid, source_type: b.sourceType, destination_type: b.destinationType,
    device_name: b.deviceName, boot_index: b.bootIndex, volume_id: b.volumeId, delete_on_termination: b.deleteOnTermination,
    tag: b.tag, attachment_id: b.attachmentId, device_type: b.deviceType, disk_bus: b.diskBus,
  });
}

/** An InstanceExternalEvent (nova/objects/external_event.py) as nova-api accepted it. */
export interface ExternalEvent {
  instanceUuid: string;
  name: string;
  status: string;
  tag: string | null;
}

export function externalEventToPrimitive(e: ExternalEvent): Dict {
  return envelope('InstanceExternalEvent', '1.5', { instance_uuid: e.instanceUuid, name: e.name, status: e.status, tag: e.tag, data: {} });
}

/** The data dict of a received object (or the dict itself when a peer sent a plain one). */
export function objectData(v: unknown): Dict {
  if (!v || typeof v !== 'object') return {};
  const d = (v as Dict)['nova_object.data'];
  return d && typeof d === 'object' ? (d as Dict) : (v as Dict);
}

export const VM_STATES = {
  ACTIVE: 'active', BUILDING: 'building', PAUSED: 'paused', SUSPENDED: 'suspended', STOPPED: 'stopped', RESCUED: 'rescued',
  RESIZED: 'resized', SOFT_DELETED: 'soft-delete', DELETED: 'deleted', ERROR: 'error', SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved_offloaded',
} as const;

export type VmState = (typeof VM_STATES)[keyof typeof VM_STATES];

/** The task states (nova/compute/task_states.py) the API and the compute set here. */
export const TASK_STATES = {
  SCHEDULING: 'scheduling', DELETING: 'deleting', POWERING_OFF: 'powering-off', POWERING_ON: 'powering-on',
  REBOOTING: 'rebooting', REBOOTING_HARD: 'rebooting_hard', PAUSING: 'pausing', UNPAUSING: 'unpausing',
  SUSPENDING: 'suspending', RESUMING: 'resuming', REBUILDING: 'rebuilding',
  REBUILD_BLOCK_DEVICE_MAPPING: 'rebuild_block_device_mapping', REBUILD_SPAWNING: 'rebuild_spawning',
} as const;

/** The task states of a rebuild, in order: the compute redoes the whole rebuild from any of them. */
export const REBUILD_TASKS = [TASK_STATES.REBUILDING, TASK_STATES.REBUILD_BLOCK_DEVICE_MAPPING, TASK_STATES.REBUILD_SPAWNING] as const;

export type TaskState = (typeof TASK_STATES)[keyof typeof TASK_STATES];

export const POWER_STATES = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, SUSPENDED: 7 } as const;
/** nova.compute.power_state.STATE_MAP: a power state's name in messages. */
export const POWER_STATE_NAMES: Record<number, string> = { 0: 'pending', 1: 'running', 3: 'paused', 4: 'shutdown', 6: 'crashed', 7: 'suspended' };

/** An instance's diagnostics (nova/objects/diagnostics.py), as a driver reports them; counts are derived. */
export interface InstanceDiagnostics {
  state: string;
  driver: string;
  hypervisor: string | null;
  hypervisor_os: string | null;
  uptime: number | null;
  config_drive: boolean;
  memory_details: { maximum: number | null; used: number | null };
  cpu_details: Array<{ id: number | null; time: number | null; utilisation: number | null }>;
  nic_details: Array<Record<string, string | number | null>>;
  disk_details: Array<{ read_bytes: number | null; read_requests: number | null; write_bytes: number | null; write_requests: number | null; errors_count: number | null }>;
}

/** Diagnostics 1.0 on the wire: each detail its own object (CpuDiagnostics, MemoryDiagnostics…), the counts filled in. */
export function diagnosticsToPrimitive(d: InstanceDiagnostics): Dict {
  return envelope('Diagnostics', '1.0', {
    state: d.state, driver: d.driver, hypervisor: d.hypervisor, hypervisor_os: d.hypervisor_os, uptime: d.uptime, config_drive: d.config_drive,
    memory_details: envelope('MemoryDiagnostics', '1.0', { ...d.memory_details }),
    cpu_details: d.cpu_details.map((c) => envelope('CpuDiagnostics', '1.0', { ...c })),
    nic_details: d.nic_details.map((n) => envelope('NicDiagnostics', '1.0', { ...n })),
    disk_details: d.disk_details.map((x) => envelope('DiskDiagnostics', '1.0', { ...x })),
    num_cpus: d.cpu_details.length, num_nics: d.nic_details.length, num_disks: d.disk_details.length,
  });
}

/** The data of a Diagnostics primitive, each nested object unwrapped (what nova-api's view reads). */
export function diagnosticsFromPrimitive(p: unknown): Dict {
  const data = (o: unknown): Dict => ((o as Dict | null)?.['nova_object.data'] ?? o ?? {}) as Dict;
  const d = data(p);
  const list = (k: string): Dict[] => (Array.isArray(d[k]) ? (d[k] as unknown[]).map(data) : []);
  return { ...d, memory_details: d.memory_details ? data(d.memory_details) : null, cpu_details: list('cpu_details'), nic_details: list('nic_details'), disk_details: list('disk_details') };
}
