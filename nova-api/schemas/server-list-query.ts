// What Nova checks of a server list's query beyond each value's schema (schemas/servers.py
// query_params_v21 … v275, servers.py _get_servers): from 2.75 no key outside the schema (keys
// starting with '_' pass the schema, to be refused after); the joined-table keys and '_' keys
// are "Invalid filter field" for who may use every filter (others' are dropped first); and the
// status filter as vm and task states (common.task_and_vm_state_from_status).
import { badRequest, forbidden, violation, type JsonSchema } from '../../common/api';
import type { APIVersion } from '../../common/api/microversion';
import type { Instance } from '../../nova-common/entities';

const V21 = ['user_id', 'project_id', 'tenant_id', 'launch_index', 'image_ref', 'image', 'kernel_id', 'ramdisk_id', 'hostname', 'key_name',
  'power_state', 'vm_state', 'task_state', 'host', 'node', 'flavor', 'reservation_id', 'launched_at', 'terminated_at', 'availability_zone',
  'name', 'display_name', 'description', 'display_description', 'locked_by', 'uuid', 'root_device_name', 'config_drive', 'access_ip_v4',
  'access_ip_v6', 'auto_disk_config', 'progress', 'sort_key', 'sort_dir', 'all_tenants', 'soft_deleted', 'deleted', 'status',
  'changes-since', 'ip', 'ip6', 'created_at', 'limit', 'marker'];
const JOINED = ['block_device_mapping', 'services', 'metadata', 'system_metadata', 'info_cache', 'security_groups', 'pci_devices'];
const V275_KEYS = [...V21, ...JOINED, 'tags', 'tags-any', 'not-tags', 'not-tags-any', 'changes-before', 'locked'];
const V275: JsonSchema = {
  type: 'object', properties: Object.fromEntries(V275_KEYS.map((k) => [k, {}])), additionalProperties: false, patternProperties: { '^_': {} },
};

/** The keys Nova refuses: unknown ones from 2.75, joined-table and '_' ones for `allFilters`. */
export function checkListKeys(q: Record<string, unknown>, v: APIVersion, allFilters: boolean): void {
  if (v.atLeast('2.75')) {
    const bad = violation(V275, q);
    if (bad) throw badRequest(bad.message);
  }
  if (!allFilters) return;
  const field = Object.keys(q).find((k) => JOINED.includes(k) || k.startsWith('_'));
  if (field !== undefined) throw badRequest(`Invalid filter field: ${field}.`);
}

/** Each vm_state's statuses by task state ('default': any other task), as Nova's _STATE_MAP (database spellings). */
const REBUILD = { rebuilding: 'REBUILD', rebuild_block_device_mapping: 'REBUILD', rebuild_spawning: 'REBUILD' };
const RESIZE = { resize_prep: 'RESIZE', resize_migrating: 'RESIZE', resize_migrated: 'RESIZE', resize_finish: 'RESIZE' };
const STATE_MAP: Record<string, Record<string, string>> = {
  active: {
    default: 'ACTIVE', rebooting: 'REBOOT', reboot_pending: 'REBOOT', reboot_started: 'REBOOT', rebooting_hard: 'HARD_REBOOT',
    reboot_pending_hard: 'HARD_REBOOT', reboot_started_hard: 'HARD_REBOOT', updating_password: 'PASSWORD', ...REBUILD, migrating: 'MIGRATING', ...RESIZE,
  },
  building: { default: 'BUILD' },
  stopped: { default: 'SHUTOFF', ...RESIZE, ...REBUILD },
  resized: { default: 'VERIFY_RESIZE', resize_reverting: 'REVERT_RESIZE' },
  paused: { default: 'PAUSED', migrating: 'MIGRATING' },
  suspended: { default: 'SUSPENDED' },
  rescued: { default: 'RESCUE' },
  error: { default: 'ERROR', ...REBUILD },
  deleted: { default: 'DELETED' },
  'soft-delete': { default: 'SOFT_DELETED' },
  shelved: { default: 'SHELVED' },
  shelved_offloaded: { default: 'SHELVED_OFFLOADED' },
};

/**
 * The status filter (each value any case, a repeated one any of them) as the vm and task states
 * it names; a status naming none is 400 from 2.38 and an empty list below (null). 'DELETED'
 * alone is for admins (403 otherwise); the list holds no deleted server, so it finds none.
 */
export function statusFilter(statuses: string[], v: APIVersion, isAdmin: boolean): ((i: Instance) => boolean) | null {
  const want = new Set(statuses.map((s) => s.toLowerCase()));
  const vmStates = new Set<string>();
  const tasks = new Set<string>();
  for (const [vm, map] of Object.entries(STATE_MAP)) {
    for (const [task, status] of Object.entries(map)) {
      if (want.has(status.toLowerCase())) { vmStates.add(vm); tasks.add(task); }
    }
  }
  if (!vmStates.size) {
    if (v.atLeast('2.38')) throw badRequest('Invalid status value');
    return null;
  }
  if (vmStates.size === 1 && vmStates.has('deleted') && !isAdmin) throw forbidden('Only administrators may list deleted instances');
  // A 'default' among them leaves the task state unfiltered.
  const anyTask = tasks.has('default');
  return (i) => vmStates.has(i.vmState ?? '') && (anyTask || tasks.has(i.taskState ?? ''));
}

