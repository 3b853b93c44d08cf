// The seeded REST fuzzer (scripts/fuzz/) against the all-in-one in-process (fake:// + SQLite):
// a small fixed seed and count, so CI keeps the APIs honest — no 5xx, every 4xx in the fault
// format, nothing left in flight once the system has settled.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllInOneConfig, startAllInOne, type RunningAllInOne } from '../../../all-in-one/main';
import { sqliteQueries, type Queries } from '../../../scripts/fuzz/audit';
import { PROJECTS, TOKENS } from '../../../scripts/fuzz/main';
import { report, runFuzz } from '../../../scripts/fuzz/run';
import { freePort, writeConfig } from '../../support/processes';

describe('the REST fuzzer on the all-in-one (seed 20261205, 300 requests)', function () {
  this.timeout(60_000);
  let aio: RunningAllInOne | null = null;
  let queries: Queries | null = null;
  let dataDir = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-fuzz-'));
    const config = writeConfig('attachd-fuzz.conf', `[DEFAULT]\nosapi_compute_listen_port = ${await freePort()}\nosapi_volume_listen_port = ${await freePort()}\n` +
      '[api]\nauth_strategy = noauth2\n[trace]\nenabled = false\n');
    aio = await startAllInOne(loadAllInOneConfig({ configFiles: [config], dataDir, env: {} }), dataDir);
    queries = sqliteQueries(join(dataDir, 'nova.sqlite'), join(dataDir, 'cinder.sqlite'));
  });
  after(async () => {
    await queries?.close();
    await aio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('gets no 5xx, only faults in the OpenStack format, and leaves nothing stuck', async () => {
    const res = await runFuzz({ novaUrl: `${aio!.computeUrl}/v2.1`, cinderUrl: aio!.volumeUrl, tokens: TOKENS, projects: PROJECTS, queries: queries! },
      { seed: 20261205, requests: 300, seconds: 20, settleSeconds: 15 });
    expect(res.sent).to.equal(300);
    // It did reach the attach path and refuse bad input, not just 404s.
    expect(res.byStatus['200'] ?? 0).to.be.greaterThan(20);
    expect(res.byStatus['400'] ?? 0).to.be.greaterThan(20);
    expect(res.failures, report(res)).to.deep.equal([]);
  });
});
