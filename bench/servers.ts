// The servers the benchmarks run on: those the environment names (TRANSPORT_URL,
// NOVA_DATABASE_URL, CINDER_DATABASE_URL), else a private pair from scripts/servers.sh; a fresh
// pair of databases per layout, reached through MariaDB's local socket when BENCH_DB allows it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Servers } from './layouts';
import type { Proc } from './procs';
import { createTestDatabase, viaSocket } from '../test/support/servers';

const ROOT = join(__dirname, '../..');

/** Uses the servers the environment names, or starts a private pair; returns how to stop it. */
export function servers(work: string): () => void {
  if (process.env.TRANSPORT_URL && process.env.NOVA_DATABASE_URL && process.env.CINDER_DATABASE_URL) return () => undefined;
  const dir = join(work, 'servers');
  process.stderr.write('bench: starting a private RabbitMQ and MariaDB (scripts/servers.sh)…\n');
  execFileSync('bash', [join(ROOT, 'scripts/servers.sh'), 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (const line of readFileSync(join(dir, 'env'), 'utf8').split('\n')) {
    const m = /^export (\w+)=(.*)$/.exec(line);
    if (m) process.env[m[1]] = m[2];
  }
  return () => execFileSync('bash', [join(ROOT, 'scripts/servers.sh'), 'stop', dir], { stdio: 'ignore' });
}

/** The private MariaDB's socket, when BENCH_DB allows it and it is there; else null (TCP). */
export function dbSocket(): string | null {
  if ((process.env.BENCH_DB ?? 'socket') !== 'socket' || !process.env.ATTACHD_SERVERS_DIR) return null;
  const sock = join(process.env.ATTACHD_SERVERS_DIR, 'db', 'mysqld.sock');
  return existsSync(sock) ? sock : null;
}

export async function freshServers(): Promise<Servers & { drop(): Promise<void> }> {
  const [n, c] = [await createTestDatabase(null, 'nova'), await createTestDatabase(null, 'cinder')];
  const sock = dbSocket();
  return { transportUrl: process.env.TRANSPORT_URL as string, novaDb: sock ? viaSocket(n.url, sock) : n.url, cinderDb: sock ? viaSocket(c.url, sock) : c.url, drop: async () => { await n.drop(); await c.drop(); } };
}

/** The private servers' processes (scripts/servers.sh keeps their pids); none for servers elsewhere. */
export function serverProcs(): Proc[] {
  const dir = process.env.ATTACHD_SERVERS_DIR;
  const read = (name: string, file: string): Proc[] => {
    try {
      return [{ name, pid: Number(readFileSync(join(dir as string, file), 'utf8').trim()), stop: async () => undefined }];
    } catch {
      return [];
    }
  };
  return dir ? [...read('MariaDB', 'db/mysqld.pid'), ...read('RabbitMQ', 'rabbit/pid')] : [];
}
