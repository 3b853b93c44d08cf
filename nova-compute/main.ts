// nova-compute in-process starter: DB, RPC server (topic compute, server = host), heartbeat.
import type { DataSource } from 'typeorm';
import type { FetchLike } from '../common/api/local-fetch';
import { getLogger } from '../common/log';
import { serveDaemonMetrics, type MetricsListener } from '../common/metrics';
import { RPCServer, Target, notifierFromConf, rpcTransportFromConf, type Transport } from '../common/rpc';
import { Heartbeat } from '../common/service';
import { setupTracing } from '../common/trace';
import { cinderEndpoint, type NovaConf } from '../nova-common/config';
import { openServiceDatabase } from '../nova-common/db';
import { NovaDB } from '../nova-common/db-api';
import { ALLOWED_EXMODS } from '../nova-common/rpc';
import { CinderAPI } from '../nova-common/volume/cinder';
import { connectorProperties, createConnector, initiatorName, type VolumeConnector } from './connectors';
import { ComputeManager } from './manager';
import { VolumeReconciler } from './reconciler';
import { novaServiceAuth, novaServiceTokens } from '../nova-common/volume/service-auth';
import { COMPUTE_TOPIC } from './rpcapi';
import { reportState } from './service';
import { ResourceTracker } from './resource-tracker';
import { FakeDriver } from './virt/fake';
import type { ComputeDriver } from './virt/driver';
import { VolumeOps } from './volume-ops';

const LOG = getLogger('nova-compute');

export interface NovaComputeOptions {
  transport?: Transport;
  dataSource?: DataSource;
  /** Replace the drivers (tests inject failing ones). */
  driver?: ComputeDriver;
  connector?: VolumeConnector;
  /** Serve [metrics] port (default true; the all-in-one's APIs serve its metrics instead). */
  metricsListener?: boolean;
  /** How requests to cinder-api go out (the all-in-one's own cinder-api is reached in process). */
  httpFetch?: FetchLike;
  /**
   * The only nova-api is in this process and starts after this compute (the all-in-one): the
   * reconciler takes over at once what nova-api was doing when the process last stopped, instead
   * of waiting pending_volume_op_timeout for an owner that cannot come back.
   */
  apiInProcess?: boolean;
  /**
   * Leave the reconciler's start (its start pass, then the periodic ones) to the caller: the
   * all-in-one starts it once its own cinder-api serves, which the start pass calls.
   */
  deferReconciler?: boolean;
}

export interface RunningNovaCompute {
  stop(): Promise<void>;
  manager: ComputeManager;
  tracker: ResourceTracker;
  driver: ComputeDriver;
  connector: VolumeConnector;
  host: string;
  reconciler: VolumeReconciler;
}

export async function startNovaCompute(conf: NovaConf, opts: NovaComputeOptions = {}): Promise<RunningNovaCompute> {
  const host = conf.DEFAULT.host;
  const ds = opts.dataSource ?? await openServiceDatabase(conf.database.connection, { maxRetries: conf.database.max_retries, intervalSec: conf.database.retry_interval });
  const ownDs = !opts.dataSource;
  const transport = opts.transport ?? rpcTransportFromConf(conf, ALLOWED_EXMODS);
  const ownTransport = !opts.transport;
  const db = new NovaDB(ds);
  const tracing = setupTracing(conf, { service: 'nova-compute', dataSource: ds });
  const initiator = initiatorName(conf.compute.initiator_name, host);
  const connector = opts.connector ?? createConnector(conf.compute.volume_connector, initiator, conf.compute.iscsi_tool_timeout);
  const driver = opts.driver ?? new FakeDriver();
  const cinder = new CinderAPI(cinderEndpoint(conf), conf.cinder.http_timeout, novaServiceTokens(conf), opts.httpFetch);
  const pendingTimeoutMs = conf.compute.pending_volume_op_timeout * 1000;
  const volumeOps = new VolumeOps({
    db, cinder, driver, connector, pendingTimeoutMs,
    connectorProperties: () => connectorProperties({ ip: conf.DEFAULT.my_ip, host, initiator }),
  });
  // [oslo_messaging_notifications] driver: none set, none sent (as Nova with oslo's defaults).
  const notifications = notifierFromConf(conf, transport, `compute.${host}`);
  const notifier = notifications.notifier;
  const auth = novaServiceAuth(conf);
  const d = conf.DEFAULT;
  const tracker = new ResourceTracker({
    ds, host, driver, hostIp: d.my_ip, reserved: { memoryMb: d.reserved_host_memory_mb, diskMb: d.reserved_host_disk_mb, cpus: d.reserved_host_cpus },
  });
  // Nova's update_available_resource periodic task: 0 is its default spacing, negative none.
  const resources = new Heartbeat(() => tracker.update(), d.update_resources_interval === 0 ? 60 : Math.max(d.update_resources_interval, 0), `the compute node record of ${host}`);
  const manager = new ComputeManager({
    host, db, driver, volumeOps, notifier, tracker, retryBudgetMs: conf.compute.volume_op_retry_timeout * 1000, adminCaller: (rid) => auth.adminCaller(rid),
  });
  const reconciler = new VolumeReconciler({
    host, db, manager, volumeOps, auth,
    intervalSec: conf.compute.volume_reconcile_interval, pendingTimeoutMs,
    ...(opts.apiInProcess ? { apiStartedAfter: new Date() } : {}),
  });
  const server = new RPCServer(transport, new Target({ topic: COMPUTE_TOPIC, server: host }), [manager.endpoint()], { traceService: 'nova-compute' });
  const heartbeat = new Heartbeat(() => reportState(ds, host), conf.DEFAULT.report_interval, `nova-compute on ${host}`);
  let metrics: MetricsListener | null = null;
  try {
    // As Nova's init_host: what a previous run left half-done is settled before new work.
    if (!opts.deferReconciler) await reconciler.start();
    await server.start();
    await heartbeat.start();
    if (d.update_resources_interval >= 0) await resources.start();
    else await tracker.refresh();
    metrics = await serveDaemonMetrics('nova-compute', conf.metrics, opts.metricsListener);
  } catch (e) {
    await heartbeat.stop().catch(() => undefined);
    await resources.stop().catch(() => undefined);
    await reconciler.stop().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await notifications.close().catch(() => undefined);
    await tracing.close();
    if (ownTransport) await transport.close().catch(() => undefined);
    if (ownDs) await ds.destroy().catch(() => undefined);
    throw e;
  }
  LOG.info(`Started nova-compute on host ${host} (driver ${conf.compute.compute_driver}, connector ${connector.protocol})`);
  return {
    manager, tracker, driver, connector, host, reconciler,
    async stop() {
      await metrics?.stop();
      await reconciler.stop();
      await heartbeat.stop();
      await resources.stop();
      await server.stop();
      await server.wait();
      await manager.locks.idle();
      await notifications.close();
      await tracing.close();
      if (ownTransport) await transport.close();
      if (ownDs) await ds.destroy();
    },
  };
}
