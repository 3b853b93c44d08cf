// bench:profile — reads a V8 CPU profile (bench:attach's BENCH_PROF=DIR writes one per service
// process) and prints where the busy time went: by package (a node_modules package, Node's own
// modules, the project's top folders, native code and GC), the functions with the most self
// time, and, with --inclusive REGEX, the share of samples that have a matching function anywhere
// on their stack (what winston's `log` costs with everything it calls, say). Shares are of the
// busy time: idle samples are left out.
//   npm run bench:profile -- FILE.cpuprofile [--top N] [--inclusive REGEX]
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function packageOf(url: string): string {
  if (!url) return '(native, GC)';
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node core';
  const d = /dist\/([^/]+)/.exec(url);
  return d ? `attachd ${d[1]}/` : url.slice(0, 40);
}

function main(): void {
  const opts: Record<string, string> = {};
  const files: string[] = [];
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--')) opts[args[i]] = args[++i] ?? '';
    else files.push(args[i]);
  }
  const file = files[0];
  if (!file) {
    process.stderr.write('usage: npm run bench:profile -- FILE.cpuprofile [--top N] [--inclusive REGEX]\n');
    process.exit(2);
  }
  const top = Number(opts['--top'] ?? 20);
  const inclusive = opts['--inclusive'];
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  p.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
  let idle = 0;
  let total = 0;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number): void => { m.set(k, (m.get(k) ?? 0) + v); };
  for (const [id, t] of self) {
    const cf = nodes.get(id)!.callFrame;
    total += t;
    if (cf.functionName === '(idle)') { idle += t; continue; }
    add(byPackage, packageOf(cf.url), t);
    add(byFunction, `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`, t);
  }
  const busy = total - idle;
  const pct = (v: number): string => `${((100 * v) / busy).toFixed(1).padStart(5)}%`;
  process.stdout.write(`${file}: ${(busy / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle\n\nby package:\n`);
  for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(v)}  ${k}\n`);
  process.stdout.write('\nself time by function:\n');
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(v)}  ${k}\n`);
  if (inclusive) {
    const re = new RegExp(inclusive);
    let hit = 0;
    for (const [id, t] of self) {
      for (let j: number | undefined = id; j !== undefined; j = parent.get(j)) {
        if (re.test(nodes.get(j)!.callFrame.functionName)) { hit += t; break; }
      }
    }
    process.stdout.write(`\ninclusive /${inclusive}/: ${pct(hit)} of busy time\n`);
  }
}

main();
