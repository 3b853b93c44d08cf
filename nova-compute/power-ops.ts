// The compute's power operations, one row each: the RPC method, its instance-action event, the
// legacy notification, the task state nova-api set, and the states the guest ends in. Nova's
// stop/start/reboot_instance and pause/unpause/suspend/resume_instance all take this shape
// (driver call, then vm_state, power_state and task None saved against the expected task).
import type { Instance } from '../nova-common/entities';
import { POWER_STATES, TASK_STATES, VM_STATES, type TaskState, type VmState } from '../nova-common/objects';
import type { ComputeDriver } from './virt/driver';

export interface PowerOp {
  event: string;
  /** compute.instance.<notice>.start / .end */
  notice: string;
  /** The task state(s) nova-api set for it. */
  tasks: TaskState[];
  vmState: VmState;
  powerState: number;
  run: (driver: ComputeDriver, instance: Instance) => Promise<void>;
}

const op = (method: string, notice: string, tasks: TaskState[], vmState: VmState, powerState: number, run: PowerOp['run']): [string, PowerOp] =>
  [method, { event: `compute_${method}`, notice, tasks, vmState, powerState, run }];

export const POWER_OPS: ReadonlyMap<string, PowerOp> = new Map([
  op('stop_instance', 'power_off', [TASK_STATES.POWERING_OFF], VM_STATES.STOPPED, POWER_STATES.SHUTDOWN, (d, i) => d.powerOff(i)),
  op('start_instance', 'power_on', [TASK_STATES.POWERING_ON], VM_STATES.ACTIVE, POWER_STATES.RUNNING, (d, i) => d.powerOn(i)),
  // The driver has no separate reboot: the guest is power-cycled.
  op('reboot_instance', 'reboot', [TASK_STATES.REBOOTING, TASK_STATES.REBOOTING_HARD], VM_STATES.ACTIVE, POWER_STATES.RUNNING,
    async (d, i) => { await d.powerOff(i); await d.powerOn(i); }),
  op('pause_instance', 'pause', [TASK_STATES.PAUSING], VM_STATES.PAUSED, POWER_STATES.PAUSED, (d, i) => d.pause(i)),
  op('unpause_instance', 'unpause', [TASK_STATES.UNPAUSING], VM_STATES.ACTIVE, POWER_STATES.RUNNING, (d, i) => d.unpause(i)),
  op('suspend_instance', 'suspend', [TASK_STATES.SUSPENDING], VM_STATES.SUSPENDED, POWER_STATES.SUSPENDED, (d, i) => d.suspend(i)),
  op('resume_instance', 'resume', [TASK_STATES.RESUMING], VM_STATES.ACTIVE, POWER_STATES.RUNNING, (d, i) => d.resume(i)),
]);

/** The RPC method whose task state this is (what a restarted compute runs again), or undefined. */
export function powerOpOfTask(task: string | null): string | undefined {
  for (const [method, p] of POWER_OPS) if (p.tasks.includes(task as TaskState)) return method;
  return undefined;
}
