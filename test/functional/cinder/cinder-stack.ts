// In-process cinder-api + cinder-volume for tests: one SQLite (or given) database, one fake://
// (or given) transport, noauth2 tokens "user:project" (user "admin" is admin). The reconciler
// makes only its start pass (periodic_interval 0) unless a test asks for more. For other roles,
// start it with KEYSTONE_AUTH (the keystone strategy with a known [api] token_secret) and sign
// tokens with the roles wanted (signedToken); policyFile writes an [oslo_policy] policy_file.
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { signToken } from '../../../common/api';
import { loadConfig } from '../../../common/config';
import { migrateDatabase } from '../../../common/db';
import { rpcTransportFromConf, type Transport } from '../../../common/rpc';
import { startCinderApi, type RunningCinderApi } from '../../../cinder-api/main';
import { CINDER_SCHEMA, type CinderConf } from '../../../cinder-common/config';
import { openCinderDatabase } from '../../../cinder-common/db';
import { ALLOWED_EXMODS } from '../../../cinder-common/rpc';
import { startCinderVolume, type CinderVolumeOptions, type RunningCinderVolume } from '../../../cinder-volume/main';
import { waitFor, writeConfig } from '../../support/processes';

// Response bodies are whatever the API sent; tests assert on them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export type Overrides = Record<string, Record<string, unknown>>;

export function cinderConf(overrides: Overrides = {}): CinderConf {
  const defaults: Overrides = {
    DEFAULT: {
      transport_url: `fake://cinder-${randomBytes(4).toString('hex')}`, host: 'cinder1', rpc_response_timeout: 5, report_interval: 1, periodic_interval: 0,
      // Suites create more than Cinder's 10 volumes per project: no quota limits unless a test
      // asks for Cinder's defaults (QUOTA_DEFAULTS_ON).
      use_default_quota_class: false, quota_volumes: -1, quota_gigabytes: -1,
    },
    database: { connection: 'sqlite://:memory:' },
    api: { auth_strategy: 'noauth2' },
  };
  for (const [g, vals] of Object.entries(overrides)) defaults[g] = { ...(defaults[g] ?? {}), ...vals };
  return loadConfig(CINDER_SCHEMA, { defaults, env: {} }) as unknown as CinderConf;
}

export interface Res {
  status: number;
  body: Json;
  headers: Headers;
}

export interface Cinder {
  conf: CinderConf;
  ds: DataSource;
  transport: Transport;
  api: RunningCinderApi;
  volume: RunningCinderVolume;
  req(method: string, path: string, opts?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<Res>;
  /** POST {"<action>": arg} to /v3/<project>/volumes/<id>/action. */
  action(id: string, action: string, arg: unknown, token?: string): Promise<Res>;
  /** Create a volume and wait until it is available; returns its id. */
  createVolume(size?: number, token?: string, name?: string): Promise<string>;
  show(id: string, token?: string): Promise<Json>;
  stop(): Promise<void>;
}

/** Overrides that keep Cinder's quota defaults (the `default` quota class: 10 volumes, 1000 GB). */
export const QUOTA_DEFAULTS_ON: Overrides = { DEFAULT: { use_default_quota_class: true, quota_volumes: 10, quota_gigabytes: 1000 } };

/** The [api] token_secret of KEYSTONE_AUTH: a test value, at least 32 characters as the keystone strategy requires. */
export const TEST_TOKEN_SECRET = 'attachd-cinder-policy-tests-0123456789abcdef';

/** Overrides for a stack on the keystone strategy (embedded identity's signed tokens) instead of noauth2. */
export const KEYSTONE_AUTH: Overrides = { api: { auth_strategy: 'keystone', token_secret: TEST_TOKEN_SECRET } };

/** A token of a KEYSTONE_AUTH stack for `user` in `project` with exactly these roles (e.g. ['reader']). */
export function signedToken(user: string, project: string, roles: string[]): string {
  return signToken({ user_id: user, user_name: user, project_id: project, project_name: project, roles, exp: Math.floor(Date.now() / 1000) + 3600 },
    TEST_TOKEN_SECRET);
}

/** Overrides naming a fresh YAML policy file of these rules ([oslo_policy] policy_file). */
export function policyFile(rules: Record<string, string> | string): Overrides {
  const text = typeof rules === 'string' ? rules : Object.entries(rules).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join('\n');
  return { oslo_policy: { policy_file: writeConfig('policy.yaml', `${text}\n`) } };
}

/** The project of a noauth2 token ("user:project") or of a signed one (its claims). */
export function projectOf(token: string): string {
  const [body, sig] = token.split('.', 2);
  if (sig && !token.includes(':')) {
    try {
      return (JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { project_id: string }).project_id;
    } catch {
      // not a signed token after all
    }
  }
  return token.split(':')[1] ?? token;
}

export async function startCinder(overrides: Overrides = {}, volumeOpts: CinderVolumeOptions = {}): Promise<Cinder> {
  const conf = cinderConf(overrides);
  const ds = await openCinderDatabase(conf.database.connection);
  await migrateDatabase(ds);
  const transport = rpcTransportFromConf(conf, ALLOWED_EXMODS);
  const volume = await startCinderVolume(conf, { transport, dataSource: ds, ...volumeOpts });
  const api = await startCinderApi(conf, { transport, dataSource: ds, port: overrides.DEFAULT?.osapi_volume_listen_port !== undefined ? undefined : 0 });
  const c: Cinder = {
    conf, ds, transport, api, volume,
    async req(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token !== null) headers['X-Auth-Token'] = o.token ?? 'demo:demo';
      if (o.body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(`${api.url}${path}`, {
        method, headers, body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    action(id, action, arg, token = 'demo:demo') {
      return c.req('POST', `/v3/${projectOf(token)}/volumes/${id}/action`, { token, body: { [action]: arg } });
    },
    async show(id, token = 'demo:demo') {
      return (await c.req('GET', `/v3/${projectOf(token)}/volumes/${id}`, { token })).body.volume;
    },
    async createVolume(size = 1, token = 'demo:demo', name = 'vol') {
      const r = await c.req('POST', `/v3/${projectOf(token)}/volumes`, { token, body: { volume: { size, name } } });
      if (r.status !== 202) throw new Error(`volume create: ${r.status} ${JSON.stringify(r.body)}`);
      const id = r.body.volume.id as string;
      await waitFor(async () => (await c.show(id, token)).status === 'available', 10_000, `volume ${id} available`, 20);
      return id;
    },
    async stop() {
      await api.stop();
      await volume.stop();
      await transport.close();
      await ds.destroy();
    },
  };
  return c;
}
