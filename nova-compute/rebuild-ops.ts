// The compute's part of a rebuild (Nova's _rebuild_default_impl on the server's own host): the
// guest is powered off and destroyed, then spawned again from the server's (new) image with
// every attached volume on the same device. Each step is safe to redo, so a rebuild cut short is
// redone whole from its task state.
//
// Unlike Nova, the volumes' host connections and Cinder attachments are kept: Nova's libvirt
// destroy disconnects them, so it makes each volume a new attachment first and connects it
// again. Here only the guest changes, so a rebuild never leaves Cinder half-way and needs no
// intent on the block device rows (docs/differences.md).
import { pausePoint } from '../common/fault/pause';
import type { NovaDB } from '../nova-common/db-api';
import type { BlockDeviceMapping, Instance } from '../nova-common/entities';
import { BDM_STATES } from '../nova-common/bdm-states';
import { POWER_STATES, REBUILD_TASKS, TASK_STATES, VM_STATES, type TaskState } from '../nova-common/objects';
import type { ComputeDriver } from './virt/driver';

export interface RebuildDeps {
  db: NovaDB;
  driver: ComputeDriver;
}

const TASKS: TaskState[] = [...REBUILD_TASKS];

/** The volumes the guest has: settled rows (or past os-attach) with their saved connection. */
export function guestVolumes(bdms: BlockDeviceMapping[]): BlockDeviceMapping[] {
  return bdms.filter((b) => b.volumeId && b.connectionInfo && b.deviceName
    && (b.attachState === null || b.attachState === BDM_STATES.ATTACH_COMMITTING));
}

/**
 * Rebuild the guest of `instance` (in a rebuild task state); false when the task moved on
 * meanwhile (a delete), leaving the row as it is. A server that was stopped ends stopped, as Nova's.
 */
export async function rebuildGuest(d: RebuildDeps, instance: Instance): Promise<boolean> {
  const uuid = instance.uuid;
  const stopped = instance.vmState === VM_STATES.STOPPED;
  await d.driver.powerOff(instance);
  await d.driver.destroy(instance);
  await pausePoint('nova-compute.rebuild.after-destroy');
  if (!(await d.db.instanceConditionalUpdate(uuid, { taskState: TASKS }, { taskState: TASK_STATES.REBUILD_BLOCK_DEVICE_MAPPING }))) return false;
  const volumes = guestVolumes(await d.db.bdmsByInstance(uuid));
  if (!(await d.db.instanceConditionalUpdate(uuid, { taskState: TASKS }, { taskState: TASK_STATES.REBUILD_SPAWNING }))) return false;
  await d.driver.spawn(instance);
  await pausePoint('nova-compute.rebuild.after-spawn');
  for (const b of volumes) await d.driver.attachVolume(instance, JSON.parse(b.connectionInfo as string) as Record<string, unknown>, b.deviceName as string);
  if (stopped) await d.driver.powerOff(instance);
  return d.db.instanceConditionalUpdate(uuid, { taskState: TASKS }, {
    vmState: stopped ? VM_STATES.STOPPED : VM_STATES.ACTIVE, powerState: stopped ? POWER_STATES.SHUTDOWN : POWER_STATES.RUNNING,
    taskState: null, launchedAt: new Date(), faultMessage: null, faultCode: null,
  });
}
