// nova-compute with [metrics] port serves GET /metrics there (loopback): the build it ran is
// counted by method and outcome; stopping closes the port.
import { expect } from 'chai';
import { freePort, waitFor } from '../../support/processes';
import { scrape, total } from '../../support/metrics';
import { activeServer, startNova, type Nova } from './harness';

describe('nova-compute [metrics] port', function () {
  this.timeout(30_000);
  let nova: Nova | null = null;

  after(async () => {
    await nova?.stop();
  });

  it('serves the process registry on [metrics] host:port until stopped', async () => {
    const port = await freePort();
    nova = await startNova({ metrics: { port } });
    const url = `http://127.0.0.1:${port}/metrics`;
    const built = async (): Promise<number> =>
      total(await scrape(url), 'attachd_rpc_dispatch_duration_seconds_count', { topic: 'compute', method: 'build_and_run_instance', outcome: 'success' });
    const before = await built();
    await activeServer(nova);
    await waitFor(async () => (await built()) === before + 1, 10_000, 'build_and_run_instance dispatch counted');
    await nova.stop();
    nova = null;
    expect(await fetch(url).then(() => 'answered', (e: unknown) => (e as Error).message)).to.equal('fetch failed');
  });
});
