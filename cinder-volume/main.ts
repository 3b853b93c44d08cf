// cinder-volume in-process starter: for each enabled backend a driver, a manager (start-up
// recovery first: the reconciler's first pass), an RPC server (topic cinder-volume, server
// <host>@<backend>), a heartbeat and the reconciler's periodic passes.
import type { DataSource } from 'typeorm';
import { setupTracing } from '../common/trace';
import { ConfigError } from '../common/exception';
import { getLogger } from '../common/log';
import { serveDaemonMetrics, type MetricsListener } from '../common/metrics';
import { RPCServer, Target, notifierFromConf, rpcTransportFromConf, type ServiceNotifier, type Transport } from '../common/rpc';
import { Heartbeat } from '../common/service';
import { backendConf, type CinderConf } from '../cinder-common/config';
import { openServiceDatabase } from '../cinder-common/db';
import { CinderDB } from '../cinder-common/db-api';
import { ALLOWED_EXMODS } from '../cinder-common/rpc';
import { createDriver, type VolumeDriver } from './drivers';
import { VolumeManager } from './manager';
import { QuotaCleaner } from './quota-cleaner';
import { QuotaEngine, quotaOptions } from '../cinder-common/quota';
import { UserMessages } from '../cinder-common/user-messages';
import { NovaEvents } from './nova-events';
import { VOLUME_TOPIC } from './rpcapi';
import { reportState } from './service';

const LOG = getLogger('cinder-volume');

export interface CinderVolumeOptions {
  transport?: Transport;
  dataSource?: DataSource;
  /** Replace a backend's driver (tests inject failing ones): backend name → driver. */
  drivers?: Record<string, VolumeDriver>;
  /** Serve [metrics] port (default true; the all-in-one's APIs serve its metrics instead). */
  metricsListener?: boolean;
}

export interface RunningBackend {
  name: string;
  host: string;
  driver: VolumeDriver;
  manager: VolumeManager;
}

export interface RunningCinderVolume {
  stop(): Promise<void>;
  backends: RunningBackend[];
  quotaCleaner: QuotaCleaner;
}

export async function startCinderVolume(conf: CinderConf, opts: CinderVolumeOptions = {}): Promise<RunningCinderVolume> {
  const names = conf.DEFAULT.enabled_backends;
  if (!names.length) throw new ConfigError('[DEFAULT] enabled_backends is empty: cinder-volume has nothing to serve');
  for (const n of names) {
    if (!backendConf(conf, n)) throw new ConfigError(`[DEFAULT] enabled_backends names '${n}', which is not a backend section (fake, tgt, backend1, backend2)`);
  }
  const ds = opts.dataSource ?? await openServiceDatabase(conf.database.connection, { maxRetries: conf.database.max_retries, intervalSec: conf.database.retry_interval });
  const transport = opts.transport ?? rpcTransportFromConf(conf, ALLOWED_EXMODS);
  const db = new CinderDB(ds);
  const tracing = setupTracing(conf, { service: 'cinder-volume', dataSource: ds });
  const az = conf.DEFAULT.storage_availability_zone;
  const started: Array<RunningBackend & { server: RPCServer; heartbeat: Heartbeat }> = [];
  const notifiers: ServiceNotifier[] = [];
  const quotaCleaner = new QuotaCleaner(ds);
  const messages = new UserMessages(ds, conf.DEFAULT.message_ttl);
  // The scheduler's _clean_expired_messages: expired user messages go for good.
  const messageReaper = new Heartbeat(async () => {
    LOG.info(`Deleted ${await messages.reapExpired()} expired messages.`);
  }, conf.DEFAULT.message_reap_interval, 'the expired message cleanup');

  let metrics: MetricsListener | null = null;
  const stopAll = async (): Promise<void> => {
    await metrics?.stop();
    await quotaCleaner.stop();
    await messageReaper.stop();
    for (const b of started) {
      await b.heartbeat.stop();
      await b.manager.reconciler.stop();
      await b.server.stop();
      await b.server.wait();
      await b.manager.locks.idle();
      await b.driver.shutdown().catch((e: unknown) => LOG.warning(`Stopping backend ${b.name}: ${(e as Error).message}`));
    }
    for (const n of notifiers.splice(0)) await n.close();
    await tracing.close();
    if (!opts.transport) await transport.close();
    if (!opts.dataSource) await ds.destroy();
  };

  // One Nova notifier for every backend (its token is cached across them).
  const embedded = conf.api.auth_strategy === 'keystone' && !conf.keystone_authtoken.auth_url;
  const nova = new NovaEvents({ ...conf.nova, signingSecret: embedded ? conf.api.token_secret : null, timeout: conf.DEFAULT.rpc_response_timeout });
  try {
    for (const name of names) {
      const bconf = backendConf(conf, name)!;
      const host = `${conf.DEFAULT.host}@${name}`;
      const driver = opts.drivers?.[name] ?? createDriver(bconf);
      await driver.doSetup();
      // [oslo_messaging_notifications] driver: none set, none sent (oslo's default).
      const notifications = notifierFromConf(conf, transport, `volume.${host}`);
      notifiers.push(notifications);
      const notifier = notifications.notifier;
      const manager = new VolumeManager({ host, db, driver, notifier, attachTransitionTimeout: conf.DEFAULT.attach_transition_timeout, lostCastTimeout: conf.DEFAULT.lost_cast_timeout, nova, messages,
        quota: new QuotaEngine(db.ds, quotaOptions(conf)) });
      const server = new RPCServer(transport, new Target({ topic: VOLUME_TOPIC, server: host }), [manager.endpoint()], { traceService: 'cinder-volume' });
      const heartbeat = new Heartbeat(async () => reportState(db, host, az, { ...(await driver.getStats()) }), conf.DEFAULT.report_interval,
        `cinder-volume on ${host}`);
      started.push({ name, host, driver, manager, server, heartbeat });
      await manager.initHost();
      await server.start();
      await heartbeat.start();
      manager.reconciler.start(conf.DEFAULT.periodic_interval);
    }
    quotaCleaner.start(conf.DEFAULT.reservation_clean_interval || conf.DEFAULT.reservation_expire);
    await messageReaper.start();
    metrics = await serveDaemonMetrics('cinder-volume', conf.metrics, opts.metricsListener);
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
  LOG.info(`Started cinder-volume on ${started.map((b) => `${b.host} (driver ${b.driver.name})`).join(', ')}`);
  return {
    backends: started.map(({ name, host, driver, manager }) => ({ name, host, driver, manager })),
    quotaCleaner,
    stop: stopAll,
  };
}
