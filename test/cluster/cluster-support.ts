// What the cluster tests (test/cluster/*.cluster.ts, run by scripts/cluster-test.sh) share: the
// environment that script exports, the "figure:" lines they print, and a bounded wait.

/** A variable scripts/cluster-test.sh exports (the clusters' URLs, their state directories). */
export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run scripts/cluster-test.sh`);
  return v;
}

/** One measured figure in the test's output ("figure: what: 1.23 s"). */
export function figure(what: string, ms?: number): void {
  console.log(`      figure: ${what}${ms === undefined ? '' : `: ${(ms / 1000).toFixed(2)} s`}`);
}

/** The first value `fn` gives (an error or undefined counts as not yet), within `ms`. */
export async function until<T>(fn: () => Promise<T | undefined>, ms: number, what: string, everyMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
