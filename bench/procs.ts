// What the attach benchmark needs from the processes it measures: spawning them with their log
// in a file, waiting until they serve, and their CPU time and RSS read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = join(__dirname, '../bin');
const TICK_S = 0.01; // USER_HZ is 100 on Linux

export interface Proc {
  name: string;
  pid: number;
  child?: ChildProcess;
  stop(): Promise<void>;
}

/** A free loopback port (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * What a bin's `#!/usr/bin/env -S [VAR=VALUE…] node …` line runs it with (the daemons' memory
 * settings, docs/performance.md), so a bin started as `node bin.js` runs as installed.
 */
export function launchOf(file: string): { env: Record<string, string>; flags: string[] } {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0];
  const words = /^#!\S*env -S\s+(.*)$/.exec(first)?.[1].trim().split(/\s+/) ?? [];
  const at = words.indexOf('node');
  const env = Object.fromEntries(words.slice(0, Math.max(0, at)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { env, flags: at < 0 ? [] : words.slice(at + 1) };
}

/** Starts bin/<bin>.js with its output in `log`; resolves once `ready` answers true. */
export async function startBin(name: string, bin: string, args: string[], env: NodeJS.ProcessEnv, log: string, ready: () => Promise<boolean>): Promise<Proc> {
  const fd = openSync(log, 'a');
  // BENCH_PROF=DIR: each process writes a V8 CPU profile into DIR when it exits.
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const file = join(BIN, `${bin}.js`);
  const launch = launchOf(file);
  const child = spawn(process.execPath, [...launch.flags, ...prof, file, ...args], { env: { ...process.env, ...launch.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<never>((_, reject) => child.once('exit', (c) => reject(new Error(`${name} exited (${c}) before it was ready; see ${log}`))));
  const deadline = Date.now() + 60_000;
  const poll = async (): Promise<void> => {
    while (Date.now() < deadline) {
      if (await ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name} not ready within 60 s; see ${log}`);
  };
  try {
    await Promise.race([poll(), exited]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  exited.catch(() => undefined);
  return {
    name, pid: child.pid as number, child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => { clearTimeout(t); resolve(); });
      child.kill('SIGTERM');
    }),
  };
}

/** `root` and all its live descendants (a real cinder-api forks its workers). */
export function treePids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch { /* gone */ }
  }
  const out: number[] = [];
  for (const stack = [root]; stack.length;) {
    const p = stack.pop() as number;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** CPU seconds (user + system) a process tree has used so far. */
export function cpuSeconds(root: number): number {
  let total = 0;
  for (const pid of treePids(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) * TICK_S; // utime and stime, fields 14 and 15 of stat(5)
    } catch { /* gone */ }
  }
  return total;
}

/**
 * Memory of a process tree, in MB: the resident set size, and the proportional set size (PSS:
 * pages shared with other processes, such as the interpreter's own binary, counted as a share).
 */
export function memoryMb(root: number): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of treePids(root)) {
    try {
      const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(t)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(t)?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}
