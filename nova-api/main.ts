// nova-api in-process starter: DB, RPC transport, Cinder client, HTTP listener.
import { AttachFlowChooser } from '../nova-common/volume/attach-flow';
import type { DataSource } from 'typeorm';
import type { FetchLike, LocalRoutes } from '../common/api';
import { metricsRoute, setupMetrics } from '../common/metrics';
import {
  brokerHealth, createAuth, databaseHealth, serveApi, traceRoutes, tracePageRoutes, usesExternalKeystone, type AuthOptions,
} from '../common/api';
import { parseUsers, type IdentityOptions, type IdentityUser } from './stubs/keystone';
import { rpcTransportFromConf, type Transport } from '../common/rpc';
import { setupTracing } from '../common/trace';
import { cinderEndpoint, type NovaConf } from '../nova-common/config';
import { openServiceDatabase } from '../nova-common/db';
import { NovaDB } from '../nova-common/db-api';
import { ALLOWED_EXMODS } from '../nova-common/rpc';
import { CinderAPI } from '../nova-common/volume/cinder';
import { novaServiceAuth, novaServiceTokens } from '../nova-common/volume/service-auth';
import { ComputeAPI as ComputeRPCAPI } from '../nova-compute/rpcapi';
import { buildNovaApiApp } from './app';
import { ComputeAPI } from './compute/api';
import { HostlessDeletes } from './compute/hostless-deletes';
import { BINDING, type QuotaLimits } from './compute/quotas';
import { novaEnforcer } from './policy';

export { novaApiPlugin, buildNovaApiApp, type NovaApiPluginOptions } from './app';
export { ComputeAPI } from './compute/api';

export interface NovaApiDeps {
  transport?: Transport;
  dataSource?: DataSource;
  /** How requests to cinder-api go out (the all-in-one's own cinder-api is reached in process). */
  httpFetch?: FetchLike;
  /** Where callers in this process reach this API without a socket. */
  localRoutes?: LocalRoutes;
}

/** Most seconds an API request retries undoing a failed attach. */
const API_UNDO_RETRY_MAX_S = 15;

/** Broker reconnect attempts (about a second each) an API request's cast waits for. */
const API_CAST_RETRY = 10;

/**
 * The compute business layer wired to a DataSource and transport (for the plugin); a transport
 * made with nova-common/rpc.ts's ALLOWED_EXMODS gets compute's exceptions back as themselves.
 */
/** The [quota] options as os-quota-sets names them (injected_file_path_length is ..._bytes there). */
function quotaDefaults(conf: NovaConf): Partial<QuotaLimits> {
  const q = conf.quota;
  const set = Object.fromEntries(BINDING.filter((r) => q[r] !== null).map((r) => [r, q[r]]));
  return {
    ...set, metadata_items: q.metadata_items, injected_files: q.injected_files,
    injected_file_content_bytes: q.injected_file_content_bytes, injected_file_path_bytes: q.injected_file_path_length,
    key_pairs: q.key_pairs, server_groups: q.server_groups, server_group_members: q.server_group_members,
  };
}

export function createComputeApi(conf: NovaConf, dataSource: DataSource, transport: Transport, httpFetch?: FetchLike): ComputeAPI {
  const cinder = cinderClient(conf, httpFetch);
  return new ComputeAPI({
    db: new NovaDB(dataSource), cinder, attachFlow: new AttachFlowChooser(cinder, conf.workarounds.use_legacy_volume_attach_flow),
    // A request never waits on a dead broker for good: after this many reconnects it is a 503.
    rpc: new ComputeRPCAPI(transport, { timeout: conf.DEFAULT.rpc_response_timeout, retry: API_CAST_RETRY }),
    serviceDownTime: conf.DEFAULT.service_down_time, maxDiskDevices: conf.compute.max_disk_devices_to_attach,
    metadataItems: conf.quota.metadata_items, quotaDefaults: quotaDefaults(conf), policy: novaEnforcer(conf.oslo_policy.policy_file),
    boundDefaults: BINDING.filter((r) => conf.quota[r] !== null),
    recheckQuota: conf.quota.recheck_quota,
    // A request waits this long at most for an outage to end before it leaves the undo to the compute.
    undoRetryMs: apiUndoRetryMs(conf),
    pendingTimeoutMs: conf.compute.pending_volume_op_timeout * 1000,
  });
}

const apiUndoRetryMs = (conf: NovaConf): number => Math.min(conf.compute.volume_op_retry_timeout, API_UNDO_RETRY_MAX_S) * 1000;

const cinderClient = (conf: NovaConf, httpFetch?: FetchLike): CinderAPI =>
  new CinderAPI(cinderEndpoint(conf), conf.cinder.http_timeout, novaServiceTokens(conf), httpFetch);

/** The pass that finishes hostless servers' deletes cut short, every volume_reconcile_interval. */
function startHostlessDeletes(conf: NovaConf, ds: DataSource, httpFetch?: FetchLike): HostlessDeletes {
  const finisher = new HostlessDeletes({
    db: new NovaDB(ds), cinder: cinderClient(conf, httpFetch), auth: novaServiceAuth(conf),
    ageMs: conf.compute.pending_volume_op_timeout * 1000, undoRetryMs: apiUndoRetryMs(conf),
  });
  finisher.start(conf.compute.volume_reconcile_interval);
  return finisher;
}

/** How nova-api authenticates, from [api] and [keystone_authtoken]. */
export function authOptions(conf: { api: { auth_strategy: string; token_secret: string | null }; keystone_authtoken: AuthOptions['keystoneAuthtoken'] }): AuthOptions {
  return { strategy: conf.api.auth_strategy, tokenSecret: conf.api.token_secret, keystoneAuthtoken: conf.keystone_authtoken };
}

/** [identity] admin_password: the user admin of project admin with the admin role. */
function adminUser(conf: NovaConf, passwordHash?: string): IdentityUser[] {
  if (passwordHash) return [{ name: 'admin', passwordHash, project: 'admin', roles: ['admin', 'member', 'reader'] }];
  const pw = conf.identity.admin_password;
  return pw ? [{ name: 'admin', password: pw, project: 'admin', roles: ['admin', 'member', 'reader'] }] : [];
}

/** The identity endpoint's users and catalog: compute and image here, volume at [cinder] endpoint. */
function identityOptions(conf: NovaConf, adminPasswordHash?: string): IdentityOptions {
  return {
    users: [...adminUser(conf, adminPasswordHash), ...parseUsers(conf.identity.users)], secret: conf.api.token_secret,
    mode: conf.api.auth_strategy === 'noauth2' ? 'noauth2' : 'keystone', ttl: conf.identity.token_expiration,
    computeUrl: (base) => `${base}/v2.1`, imageUrl: (base) => `${base}/image`, volumeUrl: cinderEndpoint(conf).template ?? undefined,
  };
}

export interface RunningNovaApi {
  stop(): Promise<void>;
  url: string;
  port: number;
  compute: ComputeAPI;
}

export async function startNovaApi(conf: NovaConf, opts: NovaApiDeps & { port?: number; adminPasswordHash?: string; tracePageKey?: string } = {}): Promise<RunningNovaApi> {
  const auth = authOptions(conf);
  // An unusable identity setup (a forgeable secret) stops the start before any connection.
  createAuth(auth);
  const ds = opts.dataSource ?? await openServiceDatabase(conf.database.connection, { maxRetries: conf.database.max_retries, intervalSec: conf.database.retry_interval });
  const transport = opts.transport ?? rpcTransportFromConf(conf, ALLOWED_EXMODS);
  const compute = createComputeApi(conf, ds, transport, opts.httpFetch);
  // With an external Keystone there is no embedded identity to serve.
  const app = await buildNovaApiApp({
    compute, maxLimit: conf.api.max_limit, auth, health: [databaseHealth(ds), brokerHealth(transport)],
    identity: conf.identity.enabled && !usesExternalKeystone(auth) ? identityOptions(conf, opts.adminPasswordHash) : undefined,
  });
  if (setupMetrics(conf.metrics)) metricsRoute(app);
  const tracing = setupTracing(conf, { service: 'nova-api', dataSource: ds });
  traceRoutes(app, tracing, ['/v2.1']);
  if (opts.tracePageKey) tracePageRoutes(app, tracing, opts.tracePageKey);
  const hostless = startHostlessDeletes(conf, ds, opts.httpFetch);
  const served = await serveApi(app, 'nova-api', conf.DEFAULT.osapi_compute_listen, opts.port ?? conf.DEFAULT.osapi_compute_listen_port, async () => {
    await hostless.stop();
    await tracing.close();
    if (!opts.transport) await transport.close();
    if (!opts.dataSource) await ds.destroy();
  }, opts.localRoutes);
  return { ...served, compute };
}
