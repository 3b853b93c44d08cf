// bench:metrics — what the RPC metrics hooks cost per call, without a broker's noise: an
// RPCClient and RPCServer in this process on fake:// (same encoding and dispatch as on
// RabbitMQ), closed-loop calls, rounds alternating hooks off / on; medians of CPU µs per call
// (client + server, both here) and calls/s. bench:rpc (BENCH_METRICS=0/1) is the same on a
// real broker. Knobs (bounded): BENCH_CALLS (per round, 20000), BENCH_ROUNDS (5), BENCH_C (8).
import { randomUUID } from 'node:crypto';
import { setupLogging } from '../common/log';
import { rpcMetricsObserver } from '../common/metrics/rpc';
import { addRpcObserver, getRpcTransport, RPCClient, RPCServer, Target } from '../common/rpc';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const CALLS = Math.min(env('BENCH_CALLS', 20000), 200_000);
const ROUNDS = Math.min(env('BENCH_ROUNDS', 5), 20);
const C = Math.min(env('BENCH_C', 8), 256);

const CONNECTOR = { ip: '192.168.10.21', host: 'compute-01', initiator: 'iqn.1994-05.com.redhat:6d1f0c3a9b2e', multipath: false, platform: 'x86_64', os_type: 'linux' };
const INFO = { driver_volume_type: 'iscsi', data: { target_iqn: 'iqn.2010-10.org.openstack:volume-6f1c2a7e', target_portal: '192.168.10.5:3260', target_lun: 1 } };

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  setupLogging({ silent: true });
  const transport = getRpcTransport(`fake://bench-metrics-${randomUUID()}`);
  const target = new Target({ topic: 'bench_metrics', server: 'b1' });
  const server = new RPCServer(transport, target, [{ methods: { initialize_connection: () => INFO } }], { executorSize: 64 });
  await server.start();
  const client = new RPCClient(transport, target, { timeout: 30 });
  const ctx = { user_id: 'u1', project_id: 'p1', request_id: 'req-bench', roles: ['admin'], is_admin: true };
  const round = async (n: number): Promise<{ rate: number; cpu: number }> => {
    let started = 0;
    const cpu0 = cpuNow();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: C }, async () => {
      while (started < n) {
        started++;
        await client.call(ctx, 'initialize_connection', { connector: CONNECTOR });
      }
    }));
    return { rate: n / ((performance.now() - t0) / 1000), cpu: (cpuNow() - cpu0) / n };
  };
  await round(Math.min(2000, CALLS));
  const off: Array<{ rate: number; cpu: number }> = [];
  const on: Array<{ rate: number; cpu: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    off.push(await round(CALLS));
    const remove = addRpcObserver(rpcMetricsObserver);
    on.push(await round(CALLS));
    remove();
  }
  const f = (x: number): string => x.toFixed(1);
  const [cOff, cOn] = [median(off.map((x) => x.cpu)), median(on.map((x) => x.cpu))];
  console.log([
    `RPC metrics hooks on fake:// (client and server in one process): ${ROUNDS} rounds of ${CALLS} calls at c=${C}, medians`,
    '| hooks | calls/s | CPU µs/call (client + server) |',
    '|---|---|---|',
    `| off | ${f(median(off.map((x) => x.rate)))} | ${f(cOff)} |`,
    `| on | ${f(median(on.map((x) => x.rate)))} | ${f(cOn)} |`,
    `hooks cost ${f(cOn - cOff)} µs/call (${f(((cOn - cOff) / cOff) * 100)} %)`,
  ].join('\n'));
  await server.stop();
  await transport.close();
}

main().catch((err: unknown) => {
  console.error(`bench:metrics failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
