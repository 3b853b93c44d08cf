// Run our daemons as real child processes (compiled bin/*.js) for multi-process tests.
// Every daemon logs "Started <name>" once it serves; spawnDaemon waits for that line.
import { randomInt } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Daemon {
  name: string;
  proc: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** SIGTERM, wait for exit (SIGKILL after `graceMs`); resolves to the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const BIN = join(__dirname, '../../bin');

/** A free TCP port on 127.0.0.1 (bound then released). */
/**
 * A loopback port for a test server, below the kernel's ephemeral range (32768+): a port the OS
 * hands out stays free until a daemon binds it later, because no outgoing connection (to the
 * broker, the database…) can be given it meanwhile. Never the same port twice in one run.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const port = 10_000 + randomInt(20_000);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port between 10000 and 29999');
}

const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const tempDirs: string[] = [];
process.once('exit', () => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Write an INI config file into a fresh temp dir (removed when the test run exits); returns its path. */
export function writeConfig(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'attachd-cfg-'));
  tempDirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Start `bin/<name>.js` with args; resolve once it logged "Started <name>" (or fail with its output). */
export function spawnDaemon(name: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; ready?: RegExp } = {}): Promise<Daemon> {
  const proc = spawn(process.execPath, [join(BIN, `${name}.js`), ...args], {
    env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const daemon: Daemon = {
    name, proc,
    output: () => out,
    async stop(graceMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  const ready = opts.ready ?? new RegExp(`Started ${name}\\b`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not start in time; output:\n${out}`));
    }, opts.timeoutMs ?? 30_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (process.env.TEST_LOG === '1') process.stderr.write(`[${name}] ${b.toString()}`);
      if (ready.test(out)) { clearTimeout(timer); resolve(daemon); }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready; output:\n${out}`));
    });
  });
}

/** Poll `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 20_000, what = 'condition', intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
