// oslo's QManager (use_queue_manager): reply and fanout queue names that come out the same
// after a restart, `<hostname>:<processname>:<n>` with n = 1, 2, ... in the order the process
// asks, instead of a random uuid. A restarted service declares the queues it had before (no
// queue churn on the broker, nothing left to expire). The counter lives in
// /dev/shm/<hostname>_<processname>_qmanager as "<pgrp>:<n>:<start time>", written under a
// lock, so processes of one name on one host never get the same n; it starts over when the
// process group (or its start time) differs, i.e. the service restarted.
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK_WAIT_MS = 2000;
/** A lock file older than this was left by a process that died holding it. */
const LOCK_STALE_MS = 10_000;

/** Process group id and its leader's start time (jiffies since boot), from /proc. */
function processGroup(): { pg: number; start: number } {
  try {
    const pg = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[2]);
    const id = pg || process.pid;
    const start = Number(readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1].split(' ')[19]);
    return { pg: id, start };
  } catch {
    return { pg: process.pid, start: 0 };
  }
}

const pauseSync = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };

export class QManager {
  readonly file: string;
  private readonly group = processGroup();

  constructor(readonly hostname: string, readonly processname: string, dir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()) {
    this.file = join(dir, `${hostname}_${processname}_qmanager`.replace(/\//g, '_'));
  }

  /** The next name: `<hostname>:<processname>:<n>`. */
  get(): string {
    return `${this.hostname}:${this.processname}:${this.locked(() => this.next())}`;
  }

  private next(): number {
    let n = 0;
    try {
      const [pg, counter, start] = readFileSync(this.file, 'utf8').trim().split(':').map(Number);
      if (pg === this.group.pg && start === this.group.start && Number.isInteger(counter)) n = counter;
    } catch {
      // No file yet (or unreadable): start at 1.
    }
    n++;
    writeFileSync(this.file, `${this.group.pg}:${n}:${this.group.start}`);
    return n;
  }

  /** Runs fn holding `<file>.lock` (O_EXCL): names are asked for rarely, a short spin is fine. */
  private locked<T>(fn: () => T): T {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        closeSync(openSync(lock, 'wx'));
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        try {
          if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS || Date.now() > deadline) unlinkSync(lock);
        } catch {
          // Released meanwhile.
        }
        pauseSync(5);
      }
    }
    try {
      return fn();
    } finally {
      try {
        unlinkSync(lock);
      } catch {
        // Already gone.
      }
    }
  }
}
