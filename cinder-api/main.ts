// cinder-api in-process starter: DB, RPC transport, HTTP listener.
import type { DataSource } from 'typeorm';
import { addVolumeCounts, metricsRoute, setupMetrics } from '../common/metrics';
import { createAuth, serveApi, traceRoutes, type AuthOptions, brokerHealth, databaseHealth, type FetchLike, type LocalRoutes } from '../common/api';
import { setupTracing } from '../common/trace';
import type { Enforcer } from '../common/policy';
import { Notifier, notifierFromConf, notifierOptions, rpcTransportFromConf, type Transport } from '../common/rpc';
import type { CinderConf } from '../cinder-common/config';
import { openServiceDatabase } from '../cinder-common/db';
import { CinderDB } from '../cinder-common/db-api';
import { ALLOWED_EXMODS } from '../cinder-common/rpc';
import { QuotaEngine, quotaOptions } from '../cinder-common/quota';
import { UserMessages } from '../cinder-common/user-messages';
import { VolumeAPI as VolumeRPCAPI } from '../cinder-volume/rpcapi';
import { buildCinderApiApp } from './plugin';
import { cinderEnforcer } from './policy';
import { VolumeAPI } from './volume/api';

export { cinderApiPlugin, buildCinderApiApp, type CinderApiPluginOptions } from './plugin';
export { VolumeAPI } from './volume/api';

export interface CinderApiDeps {
  transport?: Transport;
  dataSource?: DataSource;
  /** Where callers in this process (the all-in-one's Nova) reach this API without a socket, and where this API reaches Nova. */
  localRoutes?: LocalRoutes;
}

/**
 * The volume business layer wired to a DataSource and transport (for the plugin), enforcing
 * Cinder's policies with [oslo_policy] policy_file over the defaults (read here unless an
 * enforcer built from it is given; a bad file is a ConfigError). A transport made with
 * cinder-common/rpc.ts's ALLOWED_EXMODS gets cinder-volume's exceptions back as themselves.
 */
export function createVolumeApi(
  conf: CinderConf, dataSource: DataSource, transport: Transport, enforcer?: Enforcer, notifier?: Notifier, fetch?: FetchLike,
): VolumeAPI {
  return new VolumeAPI({
    enforcer: enforcer ?? cinderEnforcer(conf.oslo_policy.policy_file),
    db: new CinderDB(dataSource), rpc: new VolumeRPCAPI(transport, { timeout: conf.DEFAULT.rpc_response_timeout }),
    serviceDownTime: conf.DEFAULT.service_down_time, defaultTypeName: conf.DEFAULT.default_volume_type,
    defaultGroupTypeName: conf.DEFAULT.default_group_type,
    defaultAz: conf.DEFAULT.storage_availability_zone,
    // [oslo_messaging_notifications] driver: none set, none sent (oslo's default).
    notifier: notifier ?? new Notifier(transport, notifierOptions(conf, `volume.${conf.DEFAULT.host}`)),
    nova: { ...conf.nova, timeout: conf.DEFAULT.rpc_response_timeout, fetch },
    quota: new QuotaEngine(dataSource, quotaOptions(conf)),
    messages: new UserMessages(dataSource, conf.DEFAULT.message_ttl),
    host: conf.DEFAULT.host,
  });
}

export interface RunningCinderApi {
  stop(): Promise<void>;
  url: string;
  port: number;
  volumes: VolumeAPI;
}

/** How cinder-api authenticates, from [api] and [keystone_authtoken]. */
function cinderAuthOptions(conf: CinderConf): AuthOptions {
  return { strategy: conf.api.auth_strategy, tokenSecret: conf.api.token_secret, keystoneAuthtoken: conf.keystone_authtoken };
}

export async function startCinderApi(conf: CinderConf, opts: CinderApiDeps & { port?: number } = {}): Promise<RunningCinderApi> {
  // The policy file first: a bad one stops the start (one line naming the rule and the file) before any connection.
  const enforcer = cinderEnforcer(conf.oslo_policy.policy_file);
  // So does an unusable identity setup (a forgeable secret).
  createAuth(cinderAuthOptions(conf));
  const ds = opts.dataSource ?? await openServiceDatabase(conf.database.connection, { maxRetries: conf.database.max_retries, intervalSec: conf.database.retry_interval });
  const transport = opts.transport ?? rpcTransportFromConf(conf, ALLOWED_EXMODS);
  const notifications = notifierFromConf(conf, transport, `volume.${conf.DEFAULT.host}`);
  const volumes = createVolumeApi(conf, ds, transport, enforcer, notifications.notifier, opts.localRoutes?.fetch);
  const app = await buildCinderApiApp({
    volumes, maxLimit: conf.api.max_limit,
    auth: cinderAuthOptions(conf), health: [databaseHealth(ds), brokerHealth(transport)],
  });
  let dropCounts = (): void => undefined;
  if (setupMetrics(conf.metrics)) {
    metricsRoute(app);
    const db = new CinderDB(ds);
    dropCounts = addVolumeCounts(() => db.volumeCountsByStatus());
  }
  const tracing = setupTracing(conf, { service: 'cinder-api', dataSource: ds });
  traceRoutes(app, tracing, ['/v3', '/v3/:project_id']);
  const served = await serveApi(app, 'cinder-api', conf.DEFAULT.osapi_volume_listen, opts.port ?? conf.DEFAULT.osapi_volume_listen_port, async () => {
    dropCounts();
    await tracing.close();
    await notifications.close();
    if (!opts.transport) await transport.close();
    if (!opts.dataSource) await ds.destroy();
  }, opts.localRoutes);
  return { ...served, volumes };
}
