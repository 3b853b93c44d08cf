// GET /metrics of the all-in-one (in-process, fake:// and SQLite): after an attach, a detach
// and an attach the guest refuses (rolled back), both APIs serve the process's one registry
// without a token, and the series moved with the right labels: REST by route pattern and
// code, RPC by topic and method, attach/detach durations by outcome, volumes by status read
// from the cinder database. No id or token shows in any label.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllInOneConfig, startAllInOne, type RunningAllInOne } from '../../../all-in-one/main';
import { startCinderApi } from '../../../cinder-api/main';
import { freePort, waitFor, writeConfig } from '../../support/processes';
import { scrape, total, type Sample } from '../../support/metrics';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const TOKEN = 'admin:admin';

describe('metrics of the all-in-one (GET /metrics)', function () {
  this.timeout(60_000);
  let aio: RunningAllInOne | null = null;
  let dataDir = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-metrics-'));
    const config = writeConfig('attachd.conf', `[DEFAULT]\nosapi_compute_listen_port = ${await freePort()}\nosapi_volume_listen_port = ${await freePort()}\n` +
      '[api]\nauth_strategy = noauth2\n');
    aio = await startAllInOne(loadAllInOneConfig({ configFiles: [config], dataDir, env: {} }), dataDir);
  });
  after(async () => {
    await aio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const req = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const r = await fetch(url, {
      method, headers: { 'X-Auth-Token': TOKEN, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const volumeStatus = async (id: string): Promise<string> => (await req('GET', `${aio!.volumeUrl}/v3/admin/volumes/${id}`)).body.volume.status as string;
  const server = async (name: string, metadata: Record<string, string> = {}): Promise<string> => {
    const r = await req('POST', `${aio!.computeUrl}/v2.1/servers`, { server: { name, imageRef: IMAGE, flavorRef: '1', metadata } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const id = r.body.server.id as string;
    await waitFor(async () => (await req('GET', `${aio!.computeUrl}/v2.1/servers/${id}`)).body.server.status === 'ACTIVE', 20_000, `${name} ACTIVE`);
    return id;
  };

  it('counts the attach and detach: REST by route and code, RPC by topic and method, durations by outcome, volumes by status', async () => {
    const N = `${aio!.computeUrl}/v2.1`;
    const before: Sample[] = await scrape(`${aio!.computeUrl}/metrics`);
    const r = await req('POST', `${aio!.volumeUrl}/v3/admin/volumes`, { volume: { size: 1, name: 'm1' } });
    expect(r.status).to.equal(202);
    const vol = r.body.volume.id as string;
    await waitFor(async () => (await volumeStatus(vol)) === 'available', 10_000, 'volume available');
    const vm = await server('vm-metrics');
    const vmFail = await server('vm-metrics-fail', { fake_fail: 'attach_volume' });

    expect((await req('POST', `${N}/servers/${vm}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } })).status).to.equal(200);
    await waitFor(async () => (await volumeStatus(vol)) === 'in-use', 20_000, 'volume in-use');
    expect((await req('DELETE', `${N}/servers/${vm}/os-volume_attachments/${vol}`)).status).to.equal(202);
    await waitFor(async () => (await volumeStatus(vol)) === 'available', 20_000, 'volume available after detach');
    // The guest refuses this one: nova-compute rolls the attach back and the volume is free again.
    expect((await req('POST', `${N}/servers/${vmFail}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } })).status).to.equal(200);
    await waitFor(async () => (await req('GET', `${N}/servers/${vmFail}/os-volume_attachments`)).body.volumeAttachments.length === 0
      && (await volumeStatus(vol)) === 'available', 20_000, 'attach rolled back');
    // Not found (a URL no route has): one series whatever the URL.
    expect((await req('GET', `${N}/no-such-thing/${vol}`)).status).to.equal(404);

    // No token needed, as Prometheus scrapes; both listeners answer the one registry.
    const after = await scrape(`${aio!.computeUrl}/metrics`);
    const fromCinder = await scrape(`${aio!.volumeUrl}/metrics`);
    const delta = (name: string, labels: Record<string, string>): number => total(after, name, labels) - total(before, name, labels);

    const attachRoute = { api: 'nova-api', method: 'POST', route: '/v2.1/servers/:server_id/os-volume_attachments', code: '200' };
    expect(delta('attachd_http_requests_total', attachRoute)).to.equal(2);
    expect(delta('attachd_http_request_duration_seconds_count', attachRoute)).to.equal(2);
    expect(delta('attachd_http_requests_total', { api: 'nova-api', method: 'DELETE', route: '/v2.1/servers/:server_id/os-volume_attachments/:volume_id', code: '202' })).to.equal(1);
    expect(delta('attachd_http_requests_total', { api: 'cinder-api', method: 'POST', route: '/v3/:project_id/volumes', code: '202' })).to.equal(1);
    expect(delta('attachd_http_requests_total', { api: 'nova-api', route: 'unmatched', code: '404' })).to.equal(1);

    expect(delta('attachd_rpc_casts_total', { topic: 'compute', method: 'attach_volume', outcome: 'success' })).to.equal(2);
    expect(delta('attachd_rpc_casts_total', { topic: 'compute', method: 'detach_volume', outcome: 'success' })).to.equal(1);
    expect(delta('attachd_rpc_dispatch_duration_seconds_count', { topic: 'compute', method: 'attach_volume', outcome: 'success' })).to.equal(1);
    expect(delta('attachd_rpc_dispatch_duration_seconds_count', { topic: 'compute', method: 'attach_volume', outcome: 'error' })).to.equal(1);
    expect(delta('attachd_rpc_dispatch_duration_seconds_count', { topic: 'compute', method: 'detach_volume', outcome: 'success' })).to.equal(1);
    // cinder-api's calls to cinder-volume during the attach, answered.
    expect(delta('attachd_rpc_call_duration_seconds_count', { topic: 'cinder-volume', outcome: 'success' })).to.be.greaterThan(0);
    expect(delta('attachd_rpc_timeouts_total', {})).to.equal(0);

    expect(delta('attachd_volume_attach_duration_seconds_count', { outcome: 'success' })).to.equal(1);
    expect(delta('attachd_volume_attach_duration_seconds_count', { outcome: 'rollback' })).to.equal(1);
    expect(delta('attachd_volume_attach_duration_seconds_count', { outcome: 'error' })).to.equal(0);
    expect(delta('attachd_volume_detach_duration_seconds_count', { outcome: 'success' })).to.equal(1);

    // Read from the cinder database at scrape time: the one volume, available again.
    expect(total(after, 'attachd_volumes', { status: 'available' })).to.equal(1);
    expect(total(after, 'attachd_volumes', { status: 'in-use' })).to.equal(0);
    expect(total(fromCinder, 'attachd_volumes', { status: 'available' })).to.equal(1);
    expect(total(fromCinder, 'attachd_rpc_casts_total', { topic: 'compute', method: 'detach_volume' })).to.be.greaterThan(0);

    const labelValues = after.flatMap((s) => Object.values(s.labels)).join(' ');
    for (const secret of [vol, vm, vmFail, TOKEN]) expect(labelValues).to.not.include(secret);
  });

  it('[metrics] enabled = false: no /metrics route (401 without a token, as any unknown URL; 404 with one)', async () => {
    const conf = loadAllInOneConfig({ configFiles: [writeConfig('attachd.conf', '[api]\nauth_strategy = noauth2\n[metrics]\nenabled = false\n')], dataDir, env: {} });
    const api = await startCinderApi({ ...conf.cinder, database: { ...conf.cinder.database, connection: `sqlite://${join(dataDir, 'cinder.sqlite')}` } }, { port: 0 });
    try {
      expect((await fetch(`${api.url}/metrics`)).status).to.equal(401);
      const r = await fetch(`${api.url}/metrics`, { headers: { 'X-Auth-Token': TOKEN } });
      expect(r.status).to.equal(404);
      expect(await r.json()).to.have.property('itemNotFound');
    } finally {
      await api.stop();
    }
  });
});
