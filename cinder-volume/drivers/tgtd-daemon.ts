// The private tgtd of a tgt backend (tgt_control_port set), known by a pid file. Like a system
// service it runs in its own session and outlives a SIGKILL of cinder-volume; the next start
// adopts it, targets intact, instead of starting a second one that cannot bind its control
// socket while the first one answers tgtadm. A graceful stop of cinder-volume stops it.
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';
import { getLogger } from '../../common/log';

const run = promisify(execFile);
const LOG = getLogger('cinder-volume.tgt');
const ANSWER_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

export interface TgtdSpec {
  controlPort: number;
  /** `<ip>:<port>` of the iSCSI portal. */
  portal: string;
  pidFile: string;
}

/** State and start time (field 22, ticks since boot) of a process or thread from its stat file. */
function statOf(path: string): { state: string; start: string } | null {
  try {
    const line = readFileSync(path, 'utf8');
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], start: fields[19] };
  } catch {
    return null;
  }
}

const dead = (state: string): boolean => state === 'Z' || state === 'X';

/** Start time of a live process, or null (zombies count as gone: init may reap them late). */
function startOf(pid: number): string | null {
  const st = statOf(`/proc/${pid}/stat`);
  return st && !dead(st.state) ? st.start : null;
}

/**
 * Whether the process `pid` that started at `start` (pids get reused) has a live thread left: a
 * killed tgtd shows a zombie leader while its other threads, still holding its sockets, exit.
 */
function stillRunning(pid: number, start: string): boolean {
  if (statOf(`/proc/${pid}/stat`)?.start !== start) return false;
  try {
    return readdirSync(`/proc/${pid}/task`).some((tid) => {
      const st = statOf(`/proc/${pid}/task/${tid}/stat`);
      return st !== null && !dead(st.state);
    });
  } catch {
    return false;
  }
}

/** argv of a live process, or null. */
function argvOf(pid: number): string[] | null {
  try {
    if (startOf(pid) === null) return null;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return argv.length ? argv : null;
  } catch {
    return null;
  }
}

/** Whether `pid` is a live tgtd started with control port `port` (-C P or --control-port P). */
export function isTgtdOn(pid: number, port: number): boolean {
  const argv = argvOf(pid);
  if (!argv || basename(argv[0]) !== 'tgtd') return false;
  const p = String(port);
  return argv.some((a, i) => ((a === '-C' || a === '--control-port') && argv[i + 1] === p) || a === `-C${p}` || a === `--control-port=${p}`);
}

/** The live tgtd processes of a control port, from /proc. */
export function findTgtds(port: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => isTgtdOn(pid, port));
}

/** Whether a tgtd answers tgtadm on this control port. */
async function answers(port: number): Promise<boolean> {
  return run('tgtadm', ['-C', String(port), '--lld', 'iscsi', '--mode', 'target', '--op', 'show'], { timeout: 5000 })
    .then(() => true, () => false);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Poll `check` until true (→ true) or `ms` passed (→ false). */
async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Atomic: a reader never sees a half-written pid. */
function writePid(file: string, pid: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${pid}\n`);
  renameSync(`${file}.tmp`, file);
}

function removePidFileOf(file: string, pid: number): void {
  if (readPid(file) === pid) rmSync(file, { force: true });
}

/** tgtd's own output since `offset`, for start-up errors. */
function logSince(file: string, offset: number): string {
  try {
    const text = readFileSync(file, 'utf8').slice(offset).trim();
    return text.length > 2000 ? `…${text.slice(-2000)}` : text || '(no output)';
  } catch {
    return '(no output)';
  }
}

export class Tgtd {
  private constructor(readonly pid: number, private readonly start: string, private readonly spec: TgtdSpec) {}

  /** Adopt the tgtd of this control port (pid file first, then /proc), or start one. */
  static async acquire(spec: TgtdSpec): Promise<Tgtd> {
    const { controlPort: port, pidFile } = spec;
    let pid = readPid(pidFile);
    if (pid !== null && !isTgtdOn(pid, port)) {
      rmSync(pidFile, { force: true });
      LOG.info(`Removed stale pid file ${pidFile}: pid ${pid} is not a tgtd on control port ${port}`);
      pid = null;
    }
    if (pid === null) {
      // An orphan whose pid file is gone or names another process.
      const found = findTgtds(port);
      if (found.length > 1) throw new Error(`several tgtd processes (pids ${found.join(', ')}) use control port ${port}: stop all but one`);
      pid = found[0] ?? null;
    }
    if (pid !== null) {
      const p = pid;
      const start = startOf(p);
      if (start === null || !(await within(ANSWER_TIMEOUT_MS, async () => !isTgtdOn(p, port) || answers(port))) || !isTgtdOn(p, port)) {
        throw new Error(`tgtd (pid ${p}) with control port ${port} does not answer tgtadm (or exited while we waited): stop it, or choose another tgt_control_port`);
      }
      if (readPid(pidFile) !== p) writePid(pidFile, p);
      LOG.info(`Adopted tgtd (pid ${p}, control port ${port})`);
      return new Tgtd(p, start, spec);
    }
    if (await answers(port)) {
      throw new Error(`something answers tgtadm on control port ${port}, but no tgtd with -C ${port} is visible in /proc: stop it, or choose another tgt_control_port`);
    }
    return Tgtd.start(spec);
  }

  /** A new tgtd in its own session, output to `<pid file>.log`; resolves once tgtadm answers. */
  private static async start(spec: TgtdSpec): Promise<Tgtd> {
    const { controlPort: port, pidFile, portal } = spec;
    const logFile = `${pidFile.replace(/\.pid$/, '')}.log`;
    mkdirSync(dirname(pidFile), { recursive: true });
    let offset = 0;
    try { offset = statSync(logFile).size; } catch { /* new log */ }
    // Not a pipe to us: tgtd must keep its stderr once cinder-volume is gone.
    const fd = openSync(logFile, 'a');
    let exit: string | null = null;
    let child;
    try {
      child = spawn('tgtd', ['-f', '-C', String(port), '--iscsi', `portal=${portal}`], { detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    child.once('error', (e) => { exit = `could not be started: ${e.message}`; });
    child.once('exit', (code, sig) => { exit = `exited with ${code ?? sig}`; });
    child.unref();
    const pid = child.pid;
    // Read at once: the child is ours until it exits, so the pid names it.
    const start = pid === undefined ? null : startOf(pid);
    if (pid !== undefined) writePid(pidFile, pid);
    const up = await within(ANSWER_TIMEOUT_MS, async () => exit !== null || answers(port));
    if (exit !== null || pid === undefined || start === null) {
      if (pid !== undefined) removePidFileOf(pidFile, pid);
      throw new Error(`tgtd (control port ${port}) ${exit ?? 'could not be started'}: ${logSince(logFile, offset)}`);
    }
    if (!up) {
      signal(pid, 'SIGKILL');
      await within(5000, () => !stillRunning(pid, start));
      removePidFileOf(pidFile, pid);
      throw new Error(`tgtd (pid ${pid}) did not answer on control port ${port} within ${ANSWER_TIMEOUT_MS / 1000} s: ${logSince(logFile, offset)}`);
    }
    LOG.info(`tgtd started (pid ${pid}, control port ${port}, portal ${portal})`);
    return new Tgtd(pid, start, spec);
  }

  /** tgtd's own stop, then SIGTERM, then SIGKILL, each with a bounded wait; then the pid file goes. */
  async stop(): Promise<void> {
    const { controlPort: port, pidFile } = this.spec;
    const gone = (): boolean => !stillRunning(this.pid, this.start);
    // tgtd refuses its own stop while targets exist (tgtadm exits 22), and then ignores SIGTERM too.
    const asked = await run('tgtadm', ['-C', String(port), '--lld', 'iscsi', '--op', 'delete', '--mode', 'system'], { timeout: 5000 })
      .then(() => true, () => false);
    for (const [sig, ms] of [[null, asked ? 5000 : 0], ['SIGTERM', 2000], ['SIGKILL', 5000]] as const) {
      if (sig && !gone()) signal(this.pid, sig);
      if (await within(ms, gone)) {
        removePidFileOf(pidFile, this.pid);
        LOG.info(`Stopped tgtd (pid ${this.pid}, control port ${port})`);
        return;
      }
    }
    throw new Error(`tgtd (pid ${this.pid}, control port ${port}) is still running after SIGKILL`);
  }
}
