// Spawning interop peers: our bin/rpc-peer (compiled) and the Python oslo.messaging harness
// py_peer.py. Both speak JSON lines on stdout.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export type PeerKind = 'ts' | 'py';

export const PYTHON = '/usr/bin/python3';
// Compiled location: <outDir>/test/system/interop/peers.js; sources are read from the repo root.
const REPO = join(__dirname, '../../../..');
const PY_PEER = join(REPO, 'test/system/interop/py_peer.py');
const TS_PEER = join(__dirname, '../../../bin/rpc-peer.js');

let pythonOk: boolean | null = null;

/** Whether Debian's python3-oslo.messaging is importable. */
export function pythonOsloAvailable(): boolean {
  if (pythonOk === null) {
    const r = spawnSync(PYTHON, ['-c', 'import oslo_messaging'], { timeout: 20_000 });
    pythonOk = r.status === 0;
  }
  return pythonOk;
}

/** The Python peer is needed: under CI=true its absence fails the suite; elsewhere the tests skip. */
export function requirePythonOslo(ctx: { skip(): void }): void {
  if (pythonOsloAvailable()) return;
  if (process.env.CI === 'true') throw new Error('python3-oslo.messaging is not installed');
  ctx.skip();
}

function command(kind: PeerKind, args: string[]): [string, string[]] {
  return kind === 'py' ? [PYTHON, [PY_PEER, ...args]] : [process.execPath, [TS_PEER, ...args]];
}

export type Line = Record<string, unknown>;

function lineReader(child: ChildProcess, onLine: (l: Line) => void): void {
  let buf = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!text) continue;
      try {
        onLine(JSON.parse(text) as Line);
      } catch {
        onLine({ event: 'garbage', text });
      }
    }
  });
}

export interface RunResult {
  code: number | null;
  lines: Line[];
  stderr: string;
  /** The last JSON line (a call's outcome). */
  last: Line;
  ms: number;
}

/** Runs a peer to completion (bounded by `timeoutMs`: killed after that). */
export function run(kind: PeerKind, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  const [cmd, argv] = command(kind, args);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RPC_PEER_QUIET: '1' } });
    const lines: Line[] = [];
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => { stderr += c; });
    lineReader(child, (l) => lines.push(l));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, lines, stderr, last: lines[lines.length - 1] ?? {}, ms: Date.now() - t0 });
    });
  });
}

/** A long-running `serve` or `listen` peer. */
export class Peer {
  readonly lines: Line[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  private exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  /** `env` is added to the environment (e.g. RPC_PEER_QUIET: '0', RPC_PEER_DEBUG: '1' to read its log on stderr). */
  constructor(readonly kind: PeerKind, args: string[], env: NodeJS.ProcessEnv = {}) {
    const [cmd, argv] = command(kind, args);
    this.child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RPC_PEER_QUIET: '1', ...env } });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (c: string) => { this.stderr += c; });
    lineReader(this.child, (l) => {
      this.lines.push(l);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((r) => this.child.on('close', (code) => {
      for (const w of this.waiters.splice(0)) w();
      r(code);
    }));
  }

  events(name: string): Line[] {
    return this.lines.filter((l) => l.event === name);
  }

  /** Waits until `pred` holds over the lines seen so far (or throws after timeoutMs). */
  async waitFor(pred: (lines: Line[]) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.lines)) {
      if (this.child.exitCode !== null) throw new Error(`${this.kind} peer exited (${this.child.exitCode}) before ${what}: ${this.stderr.slice(-2000)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.kind} peer: timed out waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  ready(timeoutMs = 30_000): Promise<void> {
    return this.waitFor((ls) => ls.some((l) => l.event === 'ready'), timeoutMs, 'ready');
  }

  /** SIGTERM; resolves with the exit code (SIGKILL after timeoutMs). */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }

  /** Waits for the process to end by itself. */
  async exit(timeoutMs = 30_000): Promise<number | null> {
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}
