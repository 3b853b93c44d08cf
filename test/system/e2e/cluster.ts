// The four services as separate OS processes (compiled bins) over the private RabbitMQ and
// MariaDB: cinder-volume (tgt backend), cinder-api, nova-compute (iscsi connector), nova-api.
// Each test file gets fresh databases and its own ports; everything is stopped in stop().
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Context } from 'mocha';
import mysql from 'mysql2/promise';
import { freePort, spawnDaemon, waitFor, writeConfig, type Daemon } from '../../support/processes';
import { createTestDatabase, requireRoot, requireTransportUrl } from '../../support/servers';
import { queueDrift } from '../../support/queue-audit';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');

export const PROJECT = 'demo';
export const TOKEN = `${PROJECT}:${PROJECT}`;

export interface ClusterOptions {
  /** nova-compute's volume connector: iscsi (real CHAP login against tgt) or fake. */
  connector?: 'iscsi' | 'fake';
  /** RPC timeout of every service (seconds), short so failure paths finish quickly. */
  rpcTimeout?: number;
  /** Extra lines appended to nova.conf / cinder.conf (e.g. reconciler intervals). */
  novaConf?: string[];
  cinderConf?: string[];
  /** Extra environment of each daemon, by name (e.g. test pause-point control). */
  daemonEnv?: (name: string) => NodeJS.ProcessEnv;
}

export class Cluster {
  readonly daemons = new Map<string, Daemon>();
  novaUrl = '';
  cinderUrl = '';
  novaDb: { url: string; drop: () => Promise<void> } | null = null;
  cinderDb: { url: string; drop: () => Promise<void> } | null = null;
  private configs = new Map<string, string>();
  private tgtControlPort = 0;
  private volumesDir = '';
  private host = '';
  private env: NodeJS.ProcessEnv = {};
  private daemonEnv: (name: string) => NodeJS.ProcessEnv = () => ({});

  /** Start everything; skips (or fails under CI) when a server or tgtd is missing. */
  async start(ctx: Context, opts: ClusterOptions = {}): Promise<void> {
    const transportUrl = await requireTransportUrl(ctx);
    requireRoot(ctx, 'the e2e test (tgtd)');
    this.novaDb = await createTestDatabase(ctx, 'nova');
    this.cinderDb = await createTestDatabase(ctx, 'cinder');
    const novaPort = await freePort();
    const cinderPort = await freePort();
    const iscsiPort = await freePort();
    // tgtd takes control ports up to 32767 only.
    this.tgtControlPort = 2000 + (iscsiPort % 28000);
    this.volumesDir = mkdtempSync(join(tmpdir(), 'e2e-volumes-'));
    this.novaUrl = `http://127.0.0.1:${novaPort}`;
    this.cinderUrl = `http://127.0.0.1:${cinderPort}`;
    const timeout = opts.rpcTimeout ?? 5;
    if (opts.daemonEnv) this.daemonEnv = opts.daemonEnv;
    const host = `e2e-${novaPort}`;
    this.host = host;
    this.env = { TRANSPORT_URL: transportUrl, NOVA_DATABASE_URL: this.novaDb.url, CINDER_DATABASE_URL: this.cinderDb.url };
    this.configs.set('nova', writeConfig('nova.conf', [
      '[DEFAULT]', `host = ${host}`, `rpc_response_timeout = ${timeout}`, 'report_interval = 2',
      'osapi_compute_listen = 127.0.0.1', `osapi_compute_listen_port = ${novaPort}`,
      '[api]', 'auth_strategy = noauth2',
      '[cinder]', `endpoint = ${this.cinderUrl}/v3/%(project_id)s`, 'http_timeout = 60',
      '[compute]', `volume_connector = ${opts.connector ?? 'iscsi'}`,
      // Lost dependencies give up quickly and the reconciler comes round often: failure paths finish fast.
      'volume_op_retry_timeout = 10', 'volume_reconcile_interval = 2', 'pending_volume_op_timeout = 5',
      ...(opts.novaConf ?? []),
      // Off by default; the suites read an attach's spans across the four processes.
      '[trace]', 'enabled = true',
    ].join('\n')));
    this.configs.set('cinder', writeConfig('cinder.conf', [
      cinderConfig({ host, cinderPort, iscsiPort, timeout, control: this.tgtControlPort, volumesDir: this.volumesDir }),
      ...(opts.cinderConf ?? []),
      '[trace]', 'enabled = true',
    ].join('\n')));

    await this.manage('nova-manage', 'nova');
    await this.manage('cinder-manage', 'cinder');
    for (const name of ['cinder-volume', 'cinder-api', 'nova-compute', 'nova-api']) await this.startDaemon(name);
  }

  private async manage(bin: string, project: string): Promise<void> {
    await run(process.execPath, [join(BIN, `${bin}.js`), '--config-file', this.configs.get(project) as string, 'db', 'sync'],
      { env: { ...process.env, ...this.env }, timeout: 60_000 });
  }

  /** Start `name` (nova-api, nova-compute, cinder-api, cinder-volume), with extra environment if given. */
  async startDaemon(name: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Daemon> {
    const cfg = this.configs.get(name.split('-')[0]) as string;
    const d = await spawnDaemon(name, ['--config-file', cfg], { env: { ...this.env, ...this.daemonEnv(name), ...env }, timeoutMs });
    this.daemons.set(name, d);
    return d;
  }

  /** SIGKILL the daemon (no cleanup of any kind) and wait until it is gone. */
  async kill9(name: string): Promise<void> {
    const d = this.daemons.get(name);
    this.daemons.delete(name);
    if (!d || d.proc.exitCode !== null || d.proc.signalCode !== null) return;
    const gone = new Promise((r) => d.proc.once('exit', r));
    d.proc.kill('SIGKILL');
    await gone;
  }

  /** The config file a service family reads (nova or cinder). */
  configOf(project: 'nova' | 'cinder'): string {
    return this.configs.get(project) as string;
  }

  get controlPort(): number {
    return this.tgtControlPort;
  }

  /** The broker's side of an audit: this cluster's own host queues are consumed and empty. */
  queueDrift(): Promise<string[]> {
    return queueDrift(this.env.TRANSPORT_URL as string, [`compute.${this.host}`, `cinder-volume.${this.host}@tgt`]);
  }

  get serverEnv(): NodeJS.ProcessEnv {
    return { ...this.env };
  }

  async stopDaemon(name: string): Promise<number | null> {
    const d = this.daemons.get(name);
    this.daemons.delete(name);
    return d ? d.stop() : null;
  }

  async stop(): Promise<void> {
    for (const name of ['nova-api', 'nova-compute', 'cinder-api', 'cinder-volume']) await this.stopDaemon(name).catch(() => undefined);
    await this.novaDb?.drop().catch(() => undefined);
    await this.cinderDb?.drop().catch(() => undefined);
    if (this.volumesDir) rmSync(this.volumesDir, { recursive: true, force: true });
  }

  /** Everything the daemons logged (for failure messages). */
  logs(): string {
    return [...this.daemons.values()].map((d) => `--- ${d.name}\n${d.output().slice(-4000)}`).join('\n');
  }

  async req(service: 'nova' | 'cinder', method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const base = service === 'nova' ? this.novaUrl : `${this.cinderUrl}/v3/${PROJECT}`;
    const r = await fetch(`${base}${path}`, {
      method, headers: { 'X-Auth-Token': TOKEN, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
  }

  async volumeStatus(id: string): Promise<string> {
    return (await this.req('cinder', 'GET', `/volumes/${id}`)).body.volume.status as string;
  }

  async createVolume(size = 1): Promise<string> {
    const r = await this.req('cinder', 'POST', '/volumes', { volume: { size, name: `e2e-${Date.now()}` } });
    if (r.status !== 202) throw new Error(`volume create ${r.status} ${JSON.stringify(r.body)}`);
    const id = r.body.volume.id as string;
    await waitFor(async () => (await this.volumeStatus(id)) === 'available', 30_000, `volume ${id} available`, 200);
    return id;
  }

  async createServer(name = 'e2e-srv', metadata: Record<string, string> = {}): Promise<string> {
    const r = await this.req('nova', 'POST', '/v2.1/servers', { server: { name, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1', metadata } });
    if (r.status !== 202) throw new Error(`server create ${r.status} ${JSON.stringify(r.body)}`);
    const id = r.body.server.id as string;
    await waitFor(async () => (await this.req('nova', 'GET', `/v2.1/servers/${id}`)).body.server.status === 'ACTIVE', 30_000, `server ${id} ACTIVE`, 200);
    return id;
  }

  async waitVolume(id: string, status: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.volumeStatus(id)) === status, timeoutMs, `volume ${id} ${status}`, 200);
  }

  /** The tgt targets still exported for these volumes (empty once detached). */
  async exportsOf(volumeIds: string[]): Promise<string[]> {
    const { stdout } = await run('tgtadm', ['-C', String(this.tgtControlPort), '--lld', 'iscsi', '--op', 'show', '--mode', 'target'], { timeout: 10_000 });
    return volumeIds.filter((id) => stdout.includes(`volume-${id}`));
  }

  async novaQuery<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.query<T>((this.novaDb as { url: string }).url, sql, params);
  }

  async cinderQuery<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.query<T>((this.cinderDb as { url: string }).url, sql, params);
  }

  private async query<T>(url: string, sql: string, params: unknown[]): Promise<T[]> {
    const u = new URL(url);
    const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password), database: u.pathname.slice(1), dateStrings: false });
    try {
      const [rows] = await c.query(sql, params);
      return rows as T[];
    } finally {
      await c.end();
    }
  }
}

/** cinder.conf: the tgt backend with a private tgtd (own control port) on a private portal. */
function cinderConfig(o: { host: string; cinderPort: number; iscsiPort: number; timeout: number; control: number; volumesDir: string }): string {
  return [
    '[DEFAULT]', `host = ${o.host}`, `rpc_response_timeout = ${o.timeout}`, 'report_interval = 2', 'enabled_backends = tgt',
    // The suites create more than Cinder's default 10 volumes per project: no quota limits.
    'use_default_quota_class = false', 'quota_volumes = -1', 'quota_gigabytes = -1',
    'osapi_volume_listen = 127.0.0.1', `osapi_volume_listen_port = ${o.cinderPort}`,
    '[api]', 'auth_strategy = noauth2',
    '[tgt]', 'volume_driver = tgt', `volumes_dir = ${o.volumesDir}`, 'target_ip_address = 127.0.0.1', `target_port = ${o.iscsiPort}`,
    `tgt_control_port = ${o.control}`, 'tgt_start_daemon = true',
  ].join('\n');
}
