// What keeps the event loop alive once every test has run. The check is an unref'd timer: it
// fires only if something else still holds the process open, and then names each holder (its
// kind, and the address or command that tells whose it is) and ends the run as a
// failure, so a leak shows as a red run with its owner instead of a hang.
const GRACE_MS = Number(process.env.TEST_LEAK_GRACE_MS ?? 10_000);

interface Handle {
  constructor?: { name?: string };
  spawnargs?: string[];
  pid?: number;
  remoteAddress?: string;
  remotePort?: number;
  localPort?: number;
  address?: () => unknown;
  hasRef?: () => boolean;
}

function describe(h: Handle): string {
  const kind = h.constructor?.name ?? typeof h;
  if (h.spawnargs) return `${kind} pid ${h.pid}: ${h.spawnargs.join(' ')}`;
  if (h.remotePort !== undefined) return `${kind} ${h.localPort} -> ${h.remoteAddress}:${h.remotePort}`;
  if (typeof h.address === 'function') {
    try {
      return `${kind} listening on ${JSON.stringify(h.address())}`;
    } catch {
      return kind;
    }
  }
  return kind;
}

/** Handles holding the event loop (sockets, servers, children), described; timers show only in getActiveResourcesInfo. */
export function liveHandles(): string[] {
  const p = process as unknown as { _getActiveHandles(): Handle[] };
  return p._getActiveHandles()
    .filter((h) => h.hasRef?.() !== false)
    .filter((h) => !((h as unknown) === process.stdout || (h as unknown) === process.stderr || (h as unknown) === process.stdin))
    .map(describe);
}

export function reportLeaksIfStillAlive(graceMs = GRACE_MS): void {
  setTimeout(() => {
    const held = liveHandles();
    process.stderr.write(`\nleak check: the run ended ${graceMs} ms ago but the process is still alive.\n`
      + `active resources: ${process.getActiveResourcesInfo().join(', ')}\n`
      + held.map((d) => `  - ${d}\n`).join(''));
    // mocha sets the exit code from the failures in its own 'exit' listener; this one runs after it.
    process.on('exit', () => { process.exitCode = Number(process.exitCode) || 3; });
    process.exit();
  }, graceMs).unref();
}
