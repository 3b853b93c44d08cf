// Access to the real servers system tests run against: the private RabbitMQ/MariaDB that
// scripts/test.sh starts, or the ones TRANSPORT_URL / *_DATABASE_URL name. A test that needs a
// server fails under CI=true when it is missing, and is skipped (with a reason) otherwise.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { Context } from 'mocha';
import mysql from 'mysql2/promise';
import { parseDatabaseUrl } from '../../common/db';

const run = promisify(execFile);

type ServerKind = 'broker' | 'nova-db' | 'cinder-db';

const ENV_OF: Record<ServerKind, string> = {
  broker: 'TRANSPORT_URL',
  'nova-db': 'NOVA_DATABASE_URL',
  'cinder-db': 'CINDER_DATABASE_URL',
};

function firstHostPort(url: string): { host: string; port: number } {
  const u = new URL(url.split(',')[0].replace(/^[a-z0-9+]+:/i, 'http:'));
  const fallback = url.startsWith('rabbit') ? 5672 : 3306;
  return { host: u.hostname, port: u.port ? Number(u.port) : fallback };
}

function reachable(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function missing(ctx: Context | null, why: string): never {
  if (process.env.CI === 'true' || !ctx) throw new Error(`required server or tool unavailable: ${why}`);
  ctx.skip();
  throw new Error('unreachable');
}

/** A command a test drives (tgtd, the real openstack/nova/cinder clients): fails (CI) or skips when missing. */
export async function requireTool(ctx: Context | null, cmd: string, pkg: string): Promise<void> {
  try {
    await run('which', [cmd], { timeout: 10_000 });
  } catch {
    missing(ctx, `${cmd} is not installed (Debian package ${pkg}; scripts/test.sh installs it)`);
  }
}

/** A module of Debian's python3 a test imports (tempest's schemas): fails (CI) or skips when missing. */
export async function requirePythonModule(ctx: Context | null, module: string, pkg: string): Promise<void> {
  try {
    await run('/usr/bin/python3', ['-c', `import ${module}`], { timeout: 30_000 });
  } catch {
    missing(ctx, `python module ${module} is not installed (Debian package ${pkg}; scripts/test.sh installs it)`);
  }
}

/** Root, for tests that run their own tgtd: fails (CI) or skips otherwise. */
export function requireRoot(ctx: Context | null, why: string): void {
  if (process.getuid?.() !== 0) missing(ctx, `${why} needs root`);
}

/** The URL of a server this test needs; fails (CI) or skips when it is not there. */
export async function requireServer(ctx: Context | null, kind: ServerKind): Promise<string> {
  const name = ENV_OF[kind];
  const url = process.env[name];
  if (!url) missing(ctx, `${name} is not set (run the suite with npm test)`);
  const { host, port } = firstHostPort(url);
  if (!(await reachable(host, port))) missing(ctx, `${name} points at ${host}:${port}, which does not answer`);
  return url;
}

export const requireTransportUrl = (ctx: Context | null): Promise<string> => requireServer(ctx, 'broker');

/** Tests that stop or kill a server need the private ones of scripts/test.sh: fails (CI) or skips without them. */
export function requireServersDir(ctx: Context | null): string {
  const dir = process.env.ATTACHD_SERVERS_DIR;
  if (!dir) missing(ctx, 'fault tests need the private servers of scripts/test.sh (ATTACHD_SERVERS_DIR unset)');
  return dir;
}

async function control(ctx: Context | null, action: string): Promise<void> {
  const dir = requireServersDir(ctx);
  await run('bash', [join(__dirname, '../../../scripts/servers.sh'), action, dir], { timeout: 120_000 });
}

/** Stop / start the private broker (the Erlang node stays; its listeners and queues go). */
export const stopBroker = (ctx: Context | null = null): Promise<void> => control(ctx, 'broker-stop');
export const startBroker = (ctx: Context | null = null): Promise<void> => control(ctx, 'broker-start');
/** Crash the private broker (SIGKILL its Erlang VM) / boot it again on the same data: durable queues come back, transient ones do not. */
export const killBroker = (ctx: Context | null = null): Promise<void> => control(ctx, 'broker-kill');
/** Sync the broker's Mnesia log: what it committed (a durable queue just declared) survives a killBroker. */
export const syncBroker = (ctx: Context | null = null): Promise<void> => control(ctx, 'broker-sync');
export const bootBroker = (ctx: Context | null = null): Promise<void> => control(ctx, 'broker-boot');
export interface BrokerQueue {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
}

/** The private broker's queues as `rabbitmqctl list_queues` reports them (type: classic/quorum). */
export async function brokerQueues(ctx: Context | null = null): Promise<BrokerQueue[]> {
  const dir = requireServersDir(ctx);
  const { stdout } = await run('bash', [join(__dirname, '../../../scripts/servers.sh'), 'queues', dir], { timeout: 60_000 });
  // rabbitmqctl writes arguments as [name, AMQP type, value] triples.
  return (JSON.parse(stdout) as Array<Omit<BrokerQueue, 'arguments'> & { arguments: Array<[string, string, unknown]> }>).map((q) => ({
    ...q, arguments: Object.fromEntries((q.arguments ?? []).map(([k, , v]) => [k, v])),
  }));
}

/** The private broker's consumers: their queue and consumer arguments (`rabbitmqctl list_consumers`). */
export async function brokerConsumers(ctx: Context | null = null): Promise<{ queue: string; arguments: Record<string, unknown> }[]> {
  const dir = requireServersDir(ctx);
  const { stdout } = await run('bash', [join(__dirname, '../../../scripts/servers.sh'), 'consumers', dir], { timeout: 60_000 });
  return (JSON.parse(stdout) as Array<{ queue_name: string; arguments: Array<[string, string, unknown]> }>).map((c) => ({
    queue: c.queue_name, arguments: Object.fromEntries((c.arguments ?? []).map(([k, , v]) => [k, v])),
  }));
}

/** Stop / start the private MariaDB server (data kept). */
export const stopDatabase = (ctx: Context | null = null): Promise<void> => control(ctx, 'db-stop');
export const startDatabase = (ctx: Context | null = null): Promise<void> => control(ctx, 'db-start');

/** The same database and credentials as `url` (mysql://user:pass@host:port/db), through the server's local `socket`. */
export function viaSocket(url: string, socket: string): string {
  const at = url.lastIndexOf('@');
  return `${url.slice(0, at + 1)}${url.slice(at + 1).replace(/^[^/]*/, '').replace(/[?#].*$/, '')}?unix_socket=${encodeURIComponent(socket)}`;
}

/**
 * A fresh, empty database on the MariaDB server of NOVA_DATABASE_URL/CINDER_DATABASE_URL, so
 * tests never see each other's rows. Returns its URL and a drop() for after().
 */
export async function createTestDatabase(ctx: Context | null, kind: 'nova' | 'cinder', charset = 'utf8mb4'): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = await requireServer(ctx, kind === 'nova' ? 'nova-db' : 'cinder-db');
  // parseDatabaseUrl, not URL: a Galera URL lists several hosts (h1:p1,h2:p2), which URL rejects.
  const p = parseDatabaseUrl(base);
  if (p.type !== 'mysql') throw new Error(`${kind} database URL is not mysql://`);
  const name = `${kind}_t${randomBytes(5).toString('hex')}`;
  const admin = (): Promise<mysql.Connection> => mysql.createConnection({
    ...(p.socketPath ? { socketPath: p.socketPath } : { host: p.host, port: p.port }), user: p.username, password: p.password,
  });
  const conn = await admin();
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET ${charset}`);
  } finally {
    await conn.end();
  }
  // Same credentials and hosts, the new database (the path after the last '@').
  const at = Math.max(0, base.lastIndexOf('@'));
  const url = base.slice(0, at) + base.slice(at).replace(/\/[^/?#]*(?=[?#]|$)/, `/${name}`);
  return {
    url,
    drop: async () => {
      const c = await admin();
      try { await c.query(`DROP DATABASE IF EXISTS \`${name}\``); } finally { await c.end(); }
    },
  };
}
