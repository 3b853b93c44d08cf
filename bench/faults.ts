// npm run bench:faults — for each fault of the fault-injection suite, how long the cluster
// drifts once the fault is over: from the killed service being back (or the database / broker
// being back) until the audit of test/system/faults/drift.ts finds nothing. Prints a table;
// it asserts nothing (the timed bound is checked by the tests). Needs root (tgtd) and the
// servers of scripts/servers.sh (TRANSPORT_URL, NOVA_DATABASE_URL, CINDER_DATABASE_URL,
// ATTACHD_SERVERS_DIR). FAULTS_ONLY=<regex> picks faults by name.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { drift, fullDrift, waitNoDrift } from '../test/system/faults/drift';
import { ATTACH_STEPS, ATTACH_STEPS_V3, DETACH_STEPS, DETACH_STEPS_V3, EXTEND_STEPS, SWAP_STEPS, faultCluster, killAt, type Flow } from '../test/system/faults/fault-cluster';
import { startLoad, type Pair } from '../test/system/faults/load';
import { bootBroker, killBroker, startDatabase, stopDatabase } from '../test/support/servers';

const LIMIT_MS = 120_000;

async function main(): Promise<void> {
  const only = process.env.FAULTS_ONLY ? new RegExp(process.env.FAULTS_ONLY) : null;
  const controlRoot = mkdtempSync(join(tmpdir(), 'attachd-bench-faults-'));
  // FAULTS_FLOW=legacy measures the seed's flow; the attachments flow (with swap) by default.
  const cinderFlow: Flow = process.env.FAULTS_FLOW === 'legacy' ? 'legacy' : 'attachments';
  const { cluster, opts } = faultCluster(controlRoot, cinderFlow);
  const ctx = { skip: () => { throw new Error('a server or tool is missing (run with the servers of scripts/servers.sh, as root)'); } } as unknown as Context;
  const rows: Array<[string, string]> = [];
  const record = (name: string, ms: number | string): void => {
    rows.push([name, typeof ms === 'number' ? `${ms}` : ms]);
    process.stderr.write(`${name}: ${typeof ms === 'number' ? `${ms} ms` : ms}\n`);
  };
  const converge = async (): Promise<number | string> => waitNoDrift(cluster, LIMIT_MS).catch((e: Error) => `not converged: ${e.message.split('\n')[0]}`);
  try {
    await cluster.start(ctx, opts);
    const server = await cluster.createServer('bench');
    const attach = (vid: string) => cluster.req('nova', 'POST', `/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } });
    const detach = (vid: string) => cluster.req('nova', 'DELETE', `/v2.1/servers/${server}/os-volume_attachments/${vid}`);
    const swap = (from: string, to: string) =>
      cluster.req('nova', 'PUT', `/v2.1/servers/${server}/os-volume_attachments/${from}`, { volumeAttachment: { volumeId: to } }, { 'X-Auth-Token': 'admin:demo' });
    const plan = cinderFlow === 'legacy' ? [['attach', ATTACH_STEPS], ['detach', DETACH_STEPS]] as const
      : [['attach', ATTACH_STEPS_V3], ['detach', DETACH_STEPS_V3], ['swap', SWAP_STEPS]] as const;
    for (const [flow, steps] of plan) {
      for (const [svc, point] of steps) {
        const name = `kill -9 ${svc} at ${point}`;
        if (only && !only.test(name)) continue;
        const vid = await cluster.createVolume();
        if (flow !== 'attach') {
          await attach(vid);
          await cluster.waitVolume(vid, 'in-use');
          await waitNoDrift(cluster, LIMIT_MS);
        }
        const other = flow === 'swap' ? await cluster.createVolume() : '';
        await killAt(cluster, controlRoot, svc, point, () => (flow === 'attach' ? attach(vid) : flow === 'detach' ? detach(vid) : swap(vid, other)));
        record(name, await converge());
        if ((await drift(cluster)).length) break; // the rest would measure this fault's leftovers
        // A swap leaves one of its two volumes on the server: detach it, so the next step starts clean.
        for (const v of flow === 'swap' ? [vid, other] : []) {
          if ((await cluster.volumeStatus(v)) === 'in-use') await detach(v).then(() => cluster.waitVolume(v, 'available'));
        }
      }
    }
    // An extend (Cinder alone): its quota and status too (fullDrift); a killed cinder-api's lost
    // cast waits out the suite's lost_cast_timeout.
    for (const [svc, point] of cinderFlow === 'attachments' ? EXTEND_STEPS : []) {
      const name = `kill -9 ${svc} at ${point}`;
      if (only && !only.test(name)) continue;
      const vid = await cluster.createVolume();
      await killAt(cluster, controlRoot, svc, point, () => cluster.req('cinder', 'POST', `/volumes/${vid}/action`, { 'os-extend': { new_size: 2 } }));
      record(name, await waitNoDrift(cluster, LIMIT_MS, fullDrift).catch((e: Error) => `not converged: ${e.message.split('\n')[0]}`));
    }
    const pairs: Pair[] = [];
    for (let i = 0; i < 8; i++) pairs.push({ server: await cluster.createServer(`bload${i}`), volume: await cluster.createVolume() });
    for (const [name, fault, heal] of [
      ['MariaDB stopped 10 s under load', () => stopDatabase(ctx), () => startDatabase(ctx)],
      ['RabbitMQ node killed -9 under load', () => killBroker(ctx), () => bootBroker(ctx)],
    ] as const) {
      if (only && !only.test(name)) continue;
      const load = startLoad(cluster, pairs, { maxMs: 60_000 });
      await cluster.waitVolume(pairs[0].volume, 'in-use', 30_000).catch(() => undefined);
      await fault();
      if (name.startsWith('MariaDB')) await new Promise((r) => setTimeout(r, 10_000));
      await heal();
      // From the server being back: the load stops (its requests in flight finish), then drift must go.
      const t0 = Date.now();
      await load.stop();
      const ms = await converge();
      record(name, typeof ms === 'number' ? Date.now() - t0 : ms);
    }
  } finally {
    await startDatabase(ctx).catch(() => undefined);
    await cluster.stop();
    rmSync(controlRoot, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r[0].length), 5);
  process.stdout.write(`${'fault'.padEnd(width)}  ms until no drift\n`);
  for (const [n, v] of rows) process.stdout.write(`${n.padEnd(width)}  ${v}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:faults: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
