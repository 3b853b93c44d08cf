// Prometheus metrics (prom-client) of every service: one registry per process, served as
// GET /metrics by the APIs and on [metrics] port by nova-compute and cinder-volume.
// docs/metrics.md lists the series.
import { installRpcMetrics } from './rpc';
import { collectProcessMetrics } from './registry';
import { startMetricsListener, type MetricsListener } from './listener';

export { registry, exposition } from './registry';
export { observeHttp, metricsRoute } from './http';
export { addVolumeCounts, type VolumeCounts } from './volumes';
export { timeVolumeOp, markRolledBack, type VolumeOpOutcome } from './volume-ops';
export { startMetricsListener, type MetricsListener };
export { installRpcMetrics } from './rpc';

/** [metrics] enabled: start recording the RPC layer and the process; false when disabled. */
export function setupMetrics(conf: { enabled: boolean }): boolean {
  if (!conf.enabled) return false;
  installRpcMetrics();
  collectProcessMetrics();
  return true;
}

/**
 * nova-compute's and cinder-volume's metrics: recording, and GET /metrics on [metrics] port
 * when set. `listen` false: the all-in-one, whose APIs serve the process's metrics.
 */
export async function serveDaemonMetrics(name: string, conf: { enabled: boolean; port: number; host: string }, listen = true): Promise<MetricsListener | null> {
  if (!setupMetrics(conf) || !listen || !conf.port) return null;
  return startMetricsListener(name, conf.host, conf.port);
}
