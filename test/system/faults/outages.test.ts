// Outages under load: MariaDB stopped for 10 s, and the RabbitMQ node killed with SIGKILL and
// booted again, while 8 workers loop attach/detach on a four-process cluster. While a server is
// gone the APIs answer 503, never another 5xx; afterwards, without restarting anything, the
// cluster has no drift within the bound and every volume attaches and detaches again.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../support/processes';
import { bootBroker, killBroker, startDatabase, stopDatabase } from '../../support/servers';
import { waitNoDrift } from './drift';
import { CONVERGE_MS, faultCluster, type Flow } from './fault-cluster';
import { serverErrors, startLoad, type Pair } from './load';

const OUTAGE_MS = 10_000;
const WORKERS = 8;

for (const flow of ['attachments', 'legacy'] as Flow[]) describe(`faults (${flow} flow): MariaDB and RabbitMQ outages under an attach/detach load`, function () {
  this.timeout(10 * 60_000);
  const controlRoot = mkdtempSync(join(tmpdir(), 'attachd-outage-'));
  const { cluster, opts } = faultCluster(controlRoot, flow);
  const pairs: Pair[] = [];

  before(async function () {
    await cluster.start(this, opts);
    for (let i = 0; i < WORKERS; i++) pairs.push({ server: await cluster.createServer(`load${i}`), volume: await cluster.createVolume() });
  });
  after(async () => {
    await startDatabase().catch(() => undefined);
    await cluster.stop();
    rmSync(controlRoot, { recursive: true, force: true });
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(cluster.logs());
  });

  /** Let the load run past the fault, stop it, and check the aftermath. */
  async function underLoad(fault: () => Promise<void>): Promise<void> {
    const load = startLoad(cluster, pairs, { maxMs: 120_000 });
    try {
      await waitFor(() => load.cycles() >= WORKERS, 60_000, 'the load to run', 100);
      await fault();
      // The load goes on by itself after the outage: another round of cycles completes.
      const after = load.cycles();
      await waitFor(() => load.cycles() >= after + WORKERS, 90_000, 'the load to run again after the outage', 100);
    } catch (e) {
      await load.stop();
      throw e;
    }
    const res = await load.stop();
    expect(serverErrors(res), JSON.stringify([...res.statuses])).to.deep.equal([]);
    expect(res.alreadyAttached, res.evidence.join('\n')).to.equal(0);
    await waitNoDrift(cluster, CONVERGE_MS + 20_000);
    for (const p of pairs) {
      const a = await cluster.req('nova', 'POST', `/v2.1/servers/${p.server}/os-volume_attachments`, { volumeAttachment: { volumeId: p.volume } });
      if (a.status === 200) await cluster.waitVolume(p.volume, 'in-use');
      expect((await cluster.req('nova', 'DELETE', `/v2.1/servers/${p.server}/os-volume_attachments/${p.volume}`)).status).to.equal(202);
      await cluster.waitVolume(p.volume, 'available');
    }
    await waitNoDrift(cluster, CONVERGE_MS);
  }

  it('MariaDB stopped for 10 s: 503 while it is down, no drift after, no restart needed', async () => {
    await underLoad(async () => {
      await stopDatabase();
      try {
        // The outage lasts this long by design; the load keeps hitting the APIs meanwhile.
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        const r = await cluster.req('nova', 'GET', `/v2.1/servers/${pairs[0].server}/os-volume_attachments`);
        expect(r.status).to.equal(503);
        expect(r.body.serviceUnavailable.code).to.equal(503);
      } finally {
        await startDatabase();
      }
    });
  });

  it('the RabbitMQ node killed with SIGKILL and booted again: no drift after, no restart needed', async () => {
    await underLoad(async () => {
      await killBroker();
      await bootBroker();
    });
  });
});
