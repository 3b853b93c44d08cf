// cinder-volume (no API listener) with [metrics] port serves GET /metrics there, on loopback:
// its RPC dispatches show up; other paths and methods are refused; stopping closes the port.
import { expect } from 'chai';
import { freePort, waitFor } from '../../support/processes';
import { scrape, total } from '../../support/metrics';
import { startCinder, type Cinder } from './cinder-stack';

describe('cinder-volume [metrics] port', function () {
  this.timeout(30_000);
  let stack: Cinder | null = null;

  after(async () => {
    await stack?.stop();
  });

  it('serves the process registry on [metrics] host:port, GET /metrics only, until stopped', async () => {
    const port = await freePort();
    stack = await startCinder({ metrics: { port } });
    const url = `http://127.0.0.1:${port}/metrics`;
    const dispatched = async (): Promise<number> =>
      total(await scrape(url), 'attachd_rpc_dispatch_duration_seconds_count', { topic: 'cinder-volume', method: 'create_volume', outcome: 'success' });
    const before = await dispatched();
    await stack.createVolume();
    await waitFor(async () => (await dispatched()) === before + 1, 10_000, 'create_volume dispatch counted');
    const m = await scrape(url);
    // Node's own series come along under their standard names.
    expect(total(m, 'process_cpu_user_seconds_total')).to.be.greaterThan(0);

    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).to.equal(404);
    expect((await fetch(url, { method: 'POST' })).status).to.equal(405);
    await stack.stop();
    stack = null;
    const gone = await fetch(url).then(() => 'answered', (e: unknown) => (e as Error).message);
    expect(gone).to.equal('fetch failed');
  });
});
