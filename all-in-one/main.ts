// nova-api, nova-compute, cinder-api and cinder-volume in one process over one transport.
// The embedded default needs no servers: fake:// transport, SQLite files under the data
// directory, fake virt/connector/volume drivers, noauth2. Config files and the environment
// (TRANSPORT_URL, NOVA_DATABASE_URL, CINDER_DATABASE_URL) move it onto RabbitMQ + MariaDB and
// the real drivers. Both services read the same files, so the two databases are named in
// [nova_database] and [cinder_database] (a [database] section would be shared by both).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ini from 'ini';
import type { DataSource } from 'typeorm';
import { LocalRoutes } from '../common/api/local-fetch';
import { loadConfig } from '../common/config';
import { ConfigError } from '../common/exception';
import { getLogger } from '../common/log';
import { rpcTransportFromConf, type Transport } from '../common/rpc';
import { startCinderApi, type RunningCinderApi } from '../cinder-api/main';
import { CINDER_SCHEMA, type CinderConf } from '../cinder-common/config';
import { openCinderDatabase } from '../cinder-common/db';
import { ALLOWED_EXMODS as CINDER_EXMODS } from '../cinder-common/rpc';
import { startCinderVolume, type RunningCinderVolume } from '../cinder-volume/main';
import { startNovaApi, type RunningNovaApi } from '../nova-api/main';
import { NOVA_SCHEMA, type NovaConf } from '../nova-common/config';
import { openNovaDatabase } from '../nova-common/db';
import { ALLOWED_EXMODS as NOVA_EXMODS } from '../nova-common/rpc';
import { startNovaCompute, type RunningNovaCompute } from '../nova-compute/main';
import { ensureAdminPassword, ensureTokenSecret } from './secrets';

const LOG = getLogger('attachd-all');

export interface AllInOneOptions {
  configFiles: string[];
  /** SQLite files and fake volumes live here unless the config names other places. */
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

export interface AllInOneConf {
  nova: NovaConf;
  cinder: CinderConf;
}

const loopback = (host: string): string => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);

/** [nova_database] / [cinder_database] connection from the files (last file wins). */
function databaseSections(files: readonly string[]): { nova?: string; cinder?: string } {
  const out: { nova?: string; cinder?: string } = {};
  for (const file of files) {
    let data: Record<string, Record<string, unknown>>;
    try {
      data = ini.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    } catch (e) {
      throw new ConfigError(`Cannot read config file ${file}: ${(e as Error).message}`);
    }
    if (data.database && typeof data.database === 'object' && 'connection' in data.database) {
      throw new ConfigError(`[database] connection in ${file} would be shared by nova and cinder: use [nova_database] and [cinder_database] with attachd-all`);
    }
    if (typeof data.nova_database?.connection === 'string') out.nova = data.nova_database.connection;
    if (typeof data.cinder_database?.connection === 'string') out.cinder = data.cinder_database.connection;
  }
  return out;
}

/** Both services' configuration with the all-in-one's defaults below files and env. */
export function loadAllInOneConfig(opts: AllInOneOptions): AllInOneConf {
  const dataDir = resolve(opts.dataDir);
  const dbs = databaseSections(opts.configFiles);
  // The embedded identity (keystone strategy) by default: a fresh all-in-one accepts no token an
  // outsider could make (its secret and admin password are made at first start).
  // Spans in memory: one process holds all four services' spans (docs/tracing.md).
  const base = { DEFAULT: { transport_url: 'fake://' }, trace: { store: 'memory' } };
  const cinder = loadConfig(CINDER_SCHEMA, {
    configFiles: opts.configFiles, env: opts.env,
    defaults: {
      ...base,
      database: { connection: dbs.cinder ?? `sqlite://${join(dataDir, 'cinder.sqlite')}` },
      fake: { volumes_dir: join(dataDir, 'volumes') }, tgt: { volumes_dir: join(dataDir, 'volumes') },
    },
  }) as CinderConf;
  const volumeHost = `${loopback(cinder.DEFAULT.osapi_volume_listen)}:${cinder.DEFAULT.osapi_volume_listen_port}`;
  const nova = loadConfig(NOVA_SCHEMA, {
    configFiles: opts.configFiles, env: opts.env,
    defaults: {
      ...base,
      database: { connection: dbs.nova ?? `sqlite://${join(dataDir, 'nova.sqlite')}` },
      cinder: { endpoint: `http://${volumeHost}/v3/%(project_id)s` },
      // As devstack sets it since Cinder's OSSA-2023-003 check: Nova's own detaches carry its
      // service token, so Cinder does not ask Nova back about each attachment it deletes. With
      // the embedded identity the token is one Nova signs itself (nova-common/volume/service-auth.ts).
      service_user: { send_service_user_token: true },
    },
  }) as NovaConf;
  if (nova.DEFAULT.transport_url !== cinder.DEFAULT.transport_url) throw new ConfigError('nova and cinder must share one transport_url in attachd-all');
  // Cinder asks this nova-api about attachments Nova may hold (no catalog to find it in otherwise).
  if (!cinder.nova.endpoint_template) {
    const computeHost = `${loopback(nova.DEFAULT.osapi_compute_listen)}:${nova.DEFAULT.osapi_compute_listen_port}`;
    (cinder.nova as { endpoint_template: string | null }).endpoint_template = `http://${computeHost}/v2.1`;
  }
  return { nova, cinder };
}

export interface RunningAllInOne {
  stop(): Promise<void>;
  computeUrl: string;
  volumeUrl: string;
  conf: AllInOneConf;
  /** cinder-volume's backends (tests reach the fake driver's failNext through it). */
  volume: RunningCinderVolume;
  /** The trace page (recent requests), when tracing is on; its key is made at each start. */
  traceUrl: string | null;
  /** The admin password made at this first start (shown once), null otherwise. */
  firstStartAdminPassword: string | null;
  /** How the services here reach each other's APIs in process (bench:requests times it). */
  localRoutes: LocalRoutes;
}

/**
 * The embedded identity's secret and admin user: from the config when given, else made at the
 * first start in the data directory (mode 600) and reused after.
 */
function embeddedIdentity(conf: AllInOneConf, dataDir: string): { adminHash: string | null; firstStartPassword: string | null } {
  const n = conf.nova;
  if (n.api.auth_strategy !== 'keystone' || n.keystone_authtoken.auth_url) return { adminHash: null, firstStartPassword: null };
  const secret = n.api.token_secret ?? conf.cinder.api.token_secret ?? ensureTokenSecret(dataDir);
  // Both sides sign and check with the one secret (the config objects are read-only by type).
  (n.api as { token_secret: string | null }).token_secret = secret;
  (conf.cinder.api as { token_secret: string | null }).token_secret = secret;
  const admin = ensureAdminPassword(dataDir, n.identity.admin_password);
  return { adminHash: admin.hash, firstStartPassword: admin.firstStartPassword };
}

/** Migrate both databases, then start the volume side before the compute side that calls it. */
export async function startAllInOne(conf: AllInOneConf, dataDir: string): Promise<RunningAllInOne> {
  mkdirSync(resolve(dataDir), { recursive: true });
  const identity = embeddedIdentity(conf, resolve(dataDir));
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) {
      await fn().catch((e: unknown) => LOG.warning(`While stopping: ${(e as Error).message}`));
    }
  };
  try {
    const novaDs: DataSource = await openNovaDatabase(conf.nova.database.connection, { migrate: true });
    cleanups.push(() => novaDs.destroy());
    const cinderDs: DataSource = await openCinderDatabase(conf.cinder.database.connection, { migrate: true });
    cleanups.push(() => cinderDs.destroy());
    // One transport for both projects: it rebuilds the failures of both.
    const transport: Transport = rpcTransportFromConf(conf.nova, [...NOVA_EXMODS, ...CINDER_EXMODS]);
    // Nova's calls to this process's own cinder-api skip the loopback socket.
    const local = new LocalRoutes();
    cleanups.push(() => transport.close());
    // Stopped in reverse: the APIs stop taking requests first, then the RPC servers drain.
    const volume: RunningCinderVolume = await startCinderVolume(conf.cinder, { transport, dataSource: cinderDs, metricsListener: false });
    cleanups.push(() => volume.stop());
    // On fake:// no other nova-api can reach this compute: what its rows record, this process did.
    const apiInProcess = /^fake:/.test(conf.nova.DEFAULT.transport_url ?? '');
    const compute: RunningNovaCompute = await startNovaCompute(conf.nova, { transport, dataSource: novaDs, metricsListener: false, httpFetch: local.fetch, apiInProcess, deferReconciler: true });
    cleanups.push(() => compute.stop());
    const cinderApi: RunningCinderApi = await startCinderApi(conf.cinder, { transport, dataSource: cinderDs, localRoutes: local });
    cleanups.push(() => cinderApi.stop());
    // The page reads without a token (a browser has none): an unguessable path stands in for it.
    const tracePageKey = conf.nova.trace.enabled ? randomBytes(16).toString('hex') : undefined;
    const novaApi: RunningNovaApi = await startNovaApi(conf.nova, { transport, dataSource: novaDs, httpFetch: local.fetch, localRoutes: local, adminPasswordHash: identity.adminHash ?? undefined, tracePageKey });
    cleanups.push(() => novaApi.stop());
    // What the last run left half-done, now that the cinder-api it calls serves (the daemons'
    // start pass runs before their RPC server; here the compute's casts are already taken).
    await compute.reconciler.start();
    const traceUrl = tracePageKey ? `${novaApi.url}/traces/${tracePageKey}/` : null;
    return { stop: stopAll, computeUrl: novaApi.url, volumeUrl: cinderApi.url, conf, volume, traceUrl, firstStartAdminPassword: identity.firstStartPassword, localRoutes: local };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
