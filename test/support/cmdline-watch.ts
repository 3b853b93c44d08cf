// Watches every process's command line (/proc/<pid>/cmdline, which any local user can read)
// while a test runs, to prove that no secret ever appears there. The sampling runs in a worker
// thread, in a tight loop over /proc, so it goes on while the test's own event loop is busy and
// catches short-lived commands (a tgtadm call lasts a few milliseconds). It keeps one CPU busy
// while it runs: start it just before the work under test and stop it right after.
//
//   const watch = await watchCmdlines();
//   ... the work under test ...
//   const lines = await watch.stop();
//   expect(linesContaining(lines, [password])).to.deep.equal([]);
import { Worker } from 'node:worker_threads';

// Runs in the worker until the shared stop flag is set, then posts the distinct command lines
// (argv joined with spaces). ctl[0]: stop flag, ctl[1]: completed full sweeps over /proc,
// ctl[2]: distinct command lines seen so far that contain one of workerData.needles.
// A full sweep reads every process's cmdline (about a millisecond for a hundred processes): too
// slow alone to be sure of seeing a command that lives a millisecond or two. So between full
// sweeps (every FULL_MS) the loop follows the kernel's last allocated pid
// (/proc/sys/kernel/ns_last_pid) and re-reads the cmdline of each new pid for HOT_MS: a child
// shows its parent's argv until its exec, then its own, and the loop sees both.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { closeSync, openSync, readSync, readdirSync } = require('node:fs');
const ctl = new Int32Array(workerData.shared);
const FULL_MS = 10, HOT_MS = 1000, GONE_MS = 20, MAX_NEW = 4096;
const seen = new Set();
const needles = workerData.needles;
function note(raw) {
  if (seen.has(raw)) return;
  seen.add(raw);
  if (needles.some((n) => raw.includes(n))) Atomics.add(ctl, 2, 1);
}
const hot = new Map(); // pid -> when we first knew it
const buf = Buffer.alloc(256 * 1024);
const now = () => performance.now();
// open/read/close into one buffer: fewer system calls than readFileSync.
function read(path) {
  let fd;
  try { fd = openSync(path, 'r'); } catch { return null; }
  try {
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r <= 0 || (n += r) === buf.length) break;
    }
    return buf.toString('utf8', 0, n);
  } catch { return null; } finally { closeSync(fd); }
}
// null: no such process (any more); '': a kernel thread or a zombie.
const cmdline = (pid) => read('/proc/' + pid + '/cmdline');
function lastPid() {
  const t = read('/proc/sys/kernel/ns_last_pid');
  const n = t === null ? NaN : parseInt(t, 10);
  return Number.isInteger(n) ? n : null;
}
function full() {
  let pids;
  try { pids = readdirSync('/proc'); } catch { pids = []; }
  for (const pid of pids) {
    const c = pid.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const raw = cmdline(pid);
    if (raw) note(raw);
  }
  Atomics.add(ctl, 1, 1);
}
let last = lastPid();
let nextFull = 0;
while (Atomics.load(ctl, 0) === 0) {
  let t = now();
  if (t >= nextFull) {
    full();
    t = now();
    nextFull = t + FULL_MS;
  }
  if (last === null) continue;
  const l = lastPid();
  if (l !== null && l !== last) {
    // Forward: the new pids; after a wrap (or a burst) the next full sweep covers the gap.
    const from = l > last && l - last <= MAX_NEW ? last + 1 : Math.max(1, l - 64);
    for (let p = from; p <= l; p++) if (!hot.has(p)) hot.set(p, t);
    last = l;
  }
  for (const [p, since] of hot) {
    const raw = cmdline(p);
    if (raw) note(raw);
    if (t - since > HOT_MS || (raw === null && t - since > GONE_MS)) hot.delete(p);
  }
}
parentPort.postMessage([...seen].map((raw) => raw.replace(/\\0+$/, '').split('\\0').join(' ')));
`;

export interface CmdlineWatcher {
  /** Completed full sweeps over /proc so far. */
  readonly sweeps: number;
  /** Distinct command lines seen so far that contain one of the `needles` given at the start. */
  readonly hits: number;
  /** Stop sampling; resolves to every distinct command line seen (argv joined with spaces). */
  stop(): Promise<string[]>;
}

/**
 * Start watching; resolves once the first sweep over /proc is done. `needles`: substrings whose
 * command lines `hits` counts while the watch runs (a test can repeat a short-lived command
 * until the watcher has caught it, rather than hope one run falls between two samples).
 */
export async function watchCmdlines(needles: string[] = []): Promise<CmdlineWatcher> {
  const shared = new SharedArrayBuffer(12);
  const ctl = new Int32Array(shared);
  const worker = new Worker(WORKER, { eval: true, workerData: { shared, needles } });
  const result = new Promise<string[]>((resolve, reject) => {
    worker.once('message', (lines: string[]) => resolve(lines));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`cmdline watcher exited (${code}) before reporting`)));
  });
  result.catch(() => undefined); // reported by stop()
  const deadline = Date.now() + 10_000;
  while (Atomics.load(ctl, 1) === 0) {
    if (Date.now() > deadline) {
      Atomics.store(ctl, 0, 1);
      await worker.terminate();
      throw new Error('cmdline watcher made no sweep over /proc within 10 s');
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  let stopped: Promise<string[]> | null = null;
  return {
    get sweeps() {
      return Atomics.load(ctl, 1);
    },
    get hits() {
      return Atomics.load(ctl, 2);
    },
    stop() {
      if (!stopped) {
        Atomics.store(ctl, 0, 1);
        stopped = result.finally(() => worker.terminate());
      }
      return stopped;
    },
  };
}

/**
 * The command lines that contain any of the secrets, each secret replaced by `***` so an
 * assertion message does not print it.
 */
export function linesContaining(lines: string[], secrets: string[]): string[] {
  const real = secrets.filter((s) => s.length > 0);
  return lines.filter((l) => real.some((s) => l.includes(s))).map((l) => real.reduce((acc, s) => acc.split(s).join('***'), l));
}
