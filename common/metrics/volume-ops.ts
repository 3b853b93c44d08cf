// How long nova-compute's attach and detach take, by how they ended: success, rollback (it
// failed and was undone: the volume is free again) or error (it failed and what is left is
// the reconciler's to finish).
import { Histogram } from 'prom-client';
import { registry } from './registry';

export type VolumeOpOutcome = 'success' | 'rollback' | 'error';

/** Seconds: the fake drivers take milliseconds, an iSCSI login seconds, a retried step minutes. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const histograms = {
  attach: new Histogram({
    name: 'attachd_volume_attach_duration_seconds', help: 'Volume attaches run by nova-compute, by outcome (success, rollback, error)',
    labelNames: ['outcome'], buckets: BUCKETS, registers: [registry],
  }),
  detach: new Histogram({
    name: 'attachd_volume_detach_duration_seconds', help: 'Volume detaches run by nova-compute, by outcome (success, rollback, error)',
    labelNames: ['outcome'], buckets: BUCKETS, registers: [registry],
  }),
};

/** Errors whose operation was undone before they were thrown (see volume-ops.ts). */
const rolledBack = new WeakSet<object>();

/** Marks `err` as thrown after its operation was rolled back; returns it (for `throw`). */
export function markRolledBack<E>(err: E): E {
  if (typeof err === 'object' && err !== null) rolledBack.add(err);
  return err;
}

/**
 * Times `fn`: its result names the outcome (null: nothing was done, not recorded); a throw is
 * a rollback when marked so, an error otherwise.
 */
export async function timeVolumeOp<T extends VolumeOpOutcome | null>(kind: 'attach' | 'detach', fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    const outcome = await fn();
    if (outcome) histograms[kind].observe({ outcome }, (performance.now() - t0) / 1000);
    return outcome;
  } catch (e) {
    const outcome = typeof e === 'object' && e !== null && rolledBack.has(e) ? 'rollback' : 'error';
    histograms[kind].observe({ outcome }, (performance.now() - t0) / 1000);
    throw e;
  }
}
