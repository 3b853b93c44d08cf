// In-process nova-api + nova-compute for tests: one SQLite (or given) database, one fake://
// (or given) transport, noauth2 tokens "user:project".
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../common/config';
import { migrateDatabase } from '../../../common/db';
import { rpcTransportFromConf, type Transport } from '../../../common/rpc';
import { startNovaApi, type RunningNovaApi } from '../../../nova-api/main';
import { NOVA_SCHEMA, type NovaConf } from '../../../nova-common/config';
import { openNovaDatabase } from '../../../nova-common/db';
import { ALLOWED_EXMODS } from '../../../nova-common/rpc';
import { startNovaCompute, type NovaComputeOptions, type RunningNovaCompute } from '../../../nova-compute/main';
import { waitFor } from '../../support/processes';
import { CinderFixture } from './cinder-fixture';
import { startCinder, type Cinder } from '../cinder/cinder-stack';

// Response bodies are whatever the API sent; tests assert on them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export type Overrides = Record<string, Record<string, unknown>>;

export function novaConf(overrides: Overrides = {}): NovaConf {
  const defaults: Overrides = {
    DEFAULT: { transport_url: `fake://nova-${randomBytes(4).toString('hex')}`, host: 'compute1', rpc_response_timeout: 5, report_interval: 1 },
    database: { connection: 'sqlite://:memory:' },
    api: { auth_strategy: 'noauth2' },
  };
  for (const [g, vals] of Object.entries(overrides)) defaults[g] = { ...(defaults[g] ?? {}), ...vals };
  return loadConfig(NOVA_SCHEMA, { defaults, env: {} }) as unknown as NovaConf;
}

export interface Nova {
  conf: NovaConf;
  ds: DataSource;
  transport: Transport;
  api: RunningNovaApi;
  compute: RunningNovaCompute;
  req(method: string, path: string, opts?: { body?: unknown; token?: string; version?: string; headers?: Record<string, string>; url?: string }): Promise<{ status: number; body: Json; headers: Headers }>;
  /** Another nova-api with its own DB pool and transport (as a second API process would have). */
  extraApi(): Promise<RunningNovaApi>;
  /** Another nova-compute named `host` on the same database and transport; stopped with the rest (stopping it first is fine). */
  extraCompute(host: string): Promise<RunningNovaCompute>;
  stop(): Promise<void>;
}

export async function startNova(overrides: Overrides = {}, computeOpts: NovaComputeOptions = {}): Promise<Nova> {
  const conf = novaConf(overrides);
  const ds = await openNovaDatabase(conf.database.connection);
  await migrateDatabase(ds);
  const transport = rpcTransportFromConf(conf, ALLOWED_EXMODS);
  const compute = await startNovaCompute(conf, { transport, dataSource: ds, ...computeOpts });
  const api = await startNovaApi(conf, { transport, dataSource: ds, port: overrides.DEFAULT?.osapi_compute_listen_port !== undefined ? undefined : 0 });
  const extras: RunningNovaApi[] = [];
  const computes: RunningNovaCompute[] = [];
  return {
    conf, ds, transport, api, compute,
    async extraCompute(host) {
      const c = await startNovaCompute({ ...conf, DEFAULT: { ...conf.DEFAULT, host } }, { transport, dataSource: ds });
      let stopped: Promise<void> | null = null;
      const once = { ...c, stop: () => (stopped ??= c.stop()) };
      computes.push(once);
      return once;
    },
    async extraApi() {
      const a = await startNovaApi(conf, { port: 0, ...(conf.DEFAULT.transport_url.startsWith('fake') ? { transport } : {}),
        ...(conf.database.connection.startsWith('sqlite') ? { dataSource: ds } : {}) });
      extras.push(a);
      return a;
    },
    async req(method, path, o = {}) {
      const headers: Record<string, string> = { 'X-Auth-Token': o.token ?? 'demo:demo', ...(o.headers ?? {}) };
      if (o.version) headers['X-OpenStack-Nova-API-Version'] = o.version;
      if (o.body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(`${o.url ?? api.url}${path}`, {
        method, headers, body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    async stop() {
      for (const a of extras) await a.stop();
      for (const c of computes) await c.stop();
      await api.stop();
      await compute.stop();
      await transport.close();
      await ds.destroy();
    },
  };
}

/** Create a server and wait until it is ACTIVE; returns its id. */
export async function activeServer(nova: Nova, name = 'srv', token = 'demo:demo'): Promise<string> {
  const r = await nova.req('POST', '/v2.1/servers', { token, body: { server: { name, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1' } } });
  if (r.status !== 202) throw new Error(`server create: ${r.status} ${JSON.stringify(r.body)}`);
  const id = r.body.server.id as string;
  await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${id}`, { token })).body.server.status === 'ACTIVE', 10_000, `server ${id} ACTIVE`, 20);
  return id;
}

/**
 * Registers before/after hooks (call it inside a describe) for nova (SQLite + fake://) in front
 * of a Cinder fixture; the returned holder is filled once `before` ran.
 */
export function novaWithCinderFixture(): { nova: Nova; cinder: CinderFixture } {
  const s = {} as { nova: Nova; cinder: CinderFixture };
  before(async () => {
    s.cinder = new CinderFixture();
    const url = await s.cinder.start();
    s.nova = await startNova({ cinder: { endpoint: `${url}/v3/%(project_id)s` } });
  });
  after(async () => {
    await s.nova?.stop();
    await s.cinder?.stop();
  });
  return s;
}

/**
 * The same with the real cinder-api and cinder-volume in process (SQLite + fake://) behind Nova's
 * cinder client.
 */
export function novaWithRealCinder(): { nova: Nova; cinder: Cinder } {
  const s = {} as { nova: Nova; cinder: Cinder };
  before(async () => {
    s.cinder = await startCinder({ DEFAULT: { rpc_response_timeout: 3 } });
    s.nova = await startNova({ cinder: { endpoint: `${s.cinder.api.url}/v3/%(project_id)s` } });
  });
  after(async () => {
    await s.nova?.stop();
    await s.cinder?.stop().catch(() => undefined);
  });
  return s;
}
