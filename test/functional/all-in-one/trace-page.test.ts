// The all-in-one's trace page for real requests (fake:// + SQLite, in process): the seed's
// attach, an attach that fails at initialize_connection and rolls back, and a detach. With
// TRACE_PAGES_DIR set, the pages are also written there (scripts/trace-browser-test.sh opens
// them in headless Chromium).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllInOneConfig, startAllInOne, type RunningAllInOne } from '../../../all-in-one/main';
import { VolumeBackendAPIException } from '../../../cinder-common/exception';
import type { FakeDriver } from '../../../cinder-volume/drivers/fake';
import { freePort, waitFor, writeConfig } from '../../support/processes';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';

describe('all-in-one trace page (seed attach, attach rolled back at initialize, detach)', function () {
  this.timeout(60_000);
  let aio: RunningAllInOne;
  let dataDir = '';

  const send = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: any; id: string }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await fetch(url, { method, headers: { 'X-Auth-Token': 'admin:admin', 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null, id: r.headers.get('x-openstack-request-id') ?? '' };
  };
  const N = (): string => `${aio.computeUrl}/v2.1`;
  const C = (): string => `${aio.volumeUrl}/v3`;
  const volumeStatus = async (id: string): Promise<string> => (await send('GET', `${C()}/volumes/${id}`)).json.volume.status;
  const page = async (reqId: string, name: string): Promise<string> => {
    const r = await fetch(`${aio.traceUrl}${reqId}`);
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.contain('text/html');
    const html = await r.text();
    if (process.env.TRACE_PAGES_DIR) writeFileSync(join(process.env.TRACE_PAGES_DIR, `${name}.html`), html);
    return html;
  };
  const arrows = (html: string): string[] => [...html.matchAll(/class="message" data-kind="(\w+)" data-from="([\w-]+)" data-to="([\w-]+)" data-status="(\w+)" data-rollback="(\w+)"/g)]
    .map((m) => `${m[1]} ${m[2]}->${m[3]}${m[4] === 'error' ? ' error' : ''}${m[5] === 'true' ? ' rollback' : ''}`);
  const lifelines = (html: string): string[] => [...html.matchAll(/data-lifeline="([\w-]+)"/g)].map((m) => m[1]);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-trace-'));
    const config = writeConfig('attachd.conf', `[DEFAULT]\nosapi_compute_listen_port = ${await freePort()}\nosapi_volume_listen_port = ${await freePort()}\n` +
      '[api]\nauth_strategy = noauth2\n[workarounds]\nuse_legacy_volume_attach_flow = true\n[trace]\nenabled = true\n');
    const conf = loadAllInOneConfig({ configFiles: [config], dataDir, env: { TRANSPORT_URL: '', NOVA_DATABASE_URL: '', CINDER_DATABASE_URL: '' } });
    aio = await startAllInOne(conf, dataDir);
  });
  after(async () => {
    await aio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('draws the seed\'s attach, the attach rolled back at initialize_connection, and the detach', async () => {
    expect(aio.traceUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/traces\/[0-9a-f]{32}\/$/);
    const srv = (await send('POST', `${N()}/servers`, { server: { name: 'vm1', imageRef: IMAGE, flavorRef: '1' } })).json.server.id as string;
    const vol = (await send('POST', `${C()}/volumes`, { volume: { size: 1, name: 'vol1' } })).json.volume.id as string;
    const bad = (await send('POST', `${C()}/volumes`, { volume: { size: 1, name: 'vol2' } })).json.volume.id as string;
    await waitFor(async () => (await volumeStatus(vol)) === 'available' && (await volumeStatus(bad)) === 'available', 10_000, 'volumes available', 50);
    await waitFor(async () => (await send('GET', `${N()}/servers/${srv}`)).json.server.status === 'ACTIVE', 10_000, 'server ACTIVE', 50);

    const attach = await send('POST', `${N()}/servers/${srv}/os-volume_attachments`, { volumeAttachment: { volumeId: vol, device: '/dev/vdb' } });
    expect(attach.status).to.equal(200);
    await waitFor(async () => (await volumeStatus(vol)) === 'in-use', 10_000, 'in-use', 50);
    await waitFor(async () => (await page(attach.id, 'attach')).includes('reply attach_volume') && arrows(await page(attach.id, 'attach')).includes('rest nova-compute->cinder-api'), 10_000, 'attach traced', 50);
    const a = await page(attach.id, 'attach');
    expect(lifelines(a)).to.deep.equal(['client', 'nova-api', 'nova-compute', 'hypervisor', 'broker', 'cinder-api', 'cinder-volume', 'target', 'database']);
    expect(arrows(a)).to.include.members(['rest client->nova-api', 'rpc nova-api->broker', 'rpc broker->nova-compute', 'rest nova-api->cinder-api',
      'rest nova-compute->cinder-api', 'rpc cinder-api->broker', 'rpc broker->cinder-volume', 'driver cinder-volume->target',
      'driver nova-compute->target', 'driver nova-compute->hypervisor', 'db nova-compute->database']);
    for (const label of ['os-reserve', 'cast attach_volume', 'os-initialize_connection', 'call initialize_connection', 'connectVolume', 'attachVolume', 'os-attach']) {
      expect(a, label).to.contain(label);
    }
    expect(arrows(a).filter((x) => x.includes('error') || x.includes('rollback'))).to.deep.equal([]);

    const driver = aio.volume.backends[0].driver as FakeDriver;
    driver.failNext.set('initializeConnection', new VolumeBackendAPIException({ data: 'target busy' }));
    const failing = await send('POST', `${N()}/servers/${srv}/os-volume_attachments`, { volumeAttachment: { volumeId: bad, device: '/dev/vdc' } });
    expect(failing.status).to.equal(200);
    await waitFor(async () => arrows(await page(failing.id, 'attach-rollback')).some((x) => x.startsWith('rest nova-compute->cinder-api') && x.endsWith('rollback')), 10_000, 'rollback traced', 50);
    await waitFor(async () => (await volumeStatus(bad)) === 'available', 10_000, 'rolled back', 50);
    const f = await page(failing.id, 'attach-rollback');
    const fa = arrows(f);
    expect(fa).to.include.members(['driver cinder-volume->target error', 'rpc broker->cinder-volume error', 'rest nova-compute->cinder-api error']);
    expect(f).to.match(/✗ VolumeBackendAPIException/);
    expect(f).to.contain('↺ rollback attach');
    expect(f).to.contain('↺ POST /v3/:project_id/volumes/:id/action os-unreserve');
    expect(fa.filter((x) => x.includes('rollback')).every((x) => !x.startsWith('rest client'))).to.equal(true);

    const detach = await send('DELETE', `${N()}/servers/${srv}/os-volume_attachments/${vol}`);
    expect(detach.status).to.equal(202);
    await waitFor(async () => (await volumeStatus(vol)) === 'available', 10_000, 'detached', 50);
    await waitFor(async () => (await page(detach.id, 'detach')).includes('os-detach'), 10_000, 'detach traced', 50);
    const d = await page(detach.id, 'detach');
    for (const label of ['os-begin_detaching', 'cast detach_volume', 'detachVolume', 'disconnectVolume', 'os-terminate_connection', 'os-detach']) {
      expect(d, label).to.contain(label);
    }

    // The list links every request to its page.
    const list = await (await fetch(aio.traceUrl as string)).text();
    for (const id of [attach.id, failing.id, detach.id]) expect(list).to.contain(`href="${aio.traceUrl}${id}"`.replace(/^href="http:\/\/[^/]+/, 'href="'));
  });
});

describe('all-in-one with the default [trace] (off, as osprofiler)', function () {
  this.timeout(60_000);
  let aio: RunningAllInOne;
  let dataDir = '';
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-notrace-'));
    const config = writeConfig('attachd.conf', `[DEFAULT]\nosapi_compute_listen_port = ${await freePort()}\nosapi_volume_listen_port = ${await freePort()}\n` +
      '[api]\nauth_strategy = noauth2\n');
    aio = await startAllInOne(loadAllInOneConfig({ configFiles: [config], dataDir, env: { TRANSPORT_URL: '', NOVA_DATABASE_URL: '', CINDER_DATABASE_URL: '' } }), dataDir);
  });
  after(async () => {
    await aio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('records no spans and serves no trace page; request ids still answer', async () => {
    expect(aio.traceUrl).to.equal(null);
    const r = await fetch(`${aio.volumeUrl}/v3/volumes`, { method: 'POST', headers: { 'X-Auth-Token': 'admin:admin', 'Content-Type': 'application/json' }, body: JSON.stringify({ volume: { size: 1 } }) });
    expect(r.status).to.equal(202);
    const reqId = r.headers.get('x-openstack-request-id') ?? '';
    expect(reqId).to.match(/^req-[0-9a-f-]{36}$/);
    const spans = await fetch(`${aio.volumeUrl}/v3/os-traces/${reqId}`, { headers: { 'X-Auth-Token': 'admin:admin' } });
    const body = await spans.json() as { spans?: unknown[] };
    expect(spans.status).to.equal(200);
    expect(body.spans).to.deep.equal([]);
  });
});
