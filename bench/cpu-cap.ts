// A CPU budget for one benchmark process, as if it ran on a node of its own that size: the
// multi-process curve on a 2-core box otherwise measures the box (every process shares the same
// two cores), not whether more nova-api processes and computes add throughput. Linux cgroups,
// as root: the v2 `cpu.max` where the unified hierarchy offers the cpu controller, else v1's
// `cpu.cfs_quota_us`. A short period (10 ms) keeps the throttling pauses short.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PERIOD_US = 10_000;

interface Hierarchy { root: string; v2: boolean }

/** Where a cpu controller is mounted and writable, or null (with why). */
function hierarchy(): Hierarchy | { error: string } {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' '));
  for (const m of mounts) {
    const sep = m.indexOf('-');
    if (sep < 0) continue;
    const [fs, , opts] = m.slice(sep + 1);
    const root = m[4];
    if (fs === 'cgroup2' && existsSync(join(root, 'cgroup.subtree_control'))) {
      const enabled = readFileSync(join(root, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      if (enabled.includes('cpu')) return { root, v2: true };
    }
    if (fs === 'cgroup' && opts?.split(',').includes('cpu')) return { root, v2: false };
  }
  return { error: 'no cgroup cpu controller is mounted (v2 with +cpu in cgroup.subtree_control, or v1 cpu)' };
}

/**
 * Puts process `pid` (all its threads) in a cgroup of its own limited to `cores` CPUs; returns
 * what removes that cgroup once the process has exited. Throws when cgroups are not writable.
 */
export function capCpu(pid: number, cores: number, tag: string): () => void {
  if (!(cores > 0 && cores <= 64)) throw new Error(`CPU budget ${cores}: want a number of cores in (0, 64]`);
  const h = hierarchy();
  if ('error' in h) throw new Error(`cannot cap CPU: ${h.error}`);
  const dir = join(h.root, `attachd-bench-${tag}-${pid}`);
  mkdirSync(dir);
  const quota = Math.round(cores * PERIOD_US);
  if (h.v2) {
    writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
  } else {
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
  }
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  // The kernel answers where the process now is: a refused move must not pass for a budget.
  const name = `/attachd-bench-${tag}-${pid}`;
  if (!readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').some((l) => l.endsWith(`:${name}`))) {
    throw new Error(`process ${pid} is not in ${dir} after the move`);
  }
  return () => {
    try {
      rmdirSync(dir);
    } catch { /* still has a process, or gone already */ }
  };
}
