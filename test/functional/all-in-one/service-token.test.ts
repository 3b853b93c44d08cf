// The all-in-one's Nova sends its service token with the user's ([service_user]
// send_service_user_token, on by default here as devstack sets it): Cinder's OSSA-2023-003 check
// then lets Nova's own attachment_delete through without asking nova-api back. Set off, Cinder
// asks (GET os-volume_attachments as the user), as it asks for any user's request.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllInOneConfig, startAllInOne, type RunningAllInOne } from '../../../all-in-one/main';
import { addSpanSink, type SpanRecord } from '../../../common/trace';
import { freePort, waitFor, writeConfig } from '../../support/processes';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
/** cinder-api's question to Nova (2.89), named as its client span is. */
const ASKS_NOVA = /^GET \/servers\/\{id\}\/os-volume_attachments\/\{id\}$/;

for (const send of [null, false] as const) describe(`all-in-one, embedded identity: Nova's detach with send_service_user_token ${send ?? 'unset (default)'}`, function () {
  this.timeout(60_000);
  let aio: RunningAllInOne | null = null;
  let dataDir = '';
  let token = '';
  let N = '';
  let C = '';
  const spans: SpanRecord[] = [];
  let removeSink: () => void = () => undefined;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const req = async (method: string, url: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }> => {
    const r = await fetch(url, {
      method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', 'X-OpenStack-Nova-API-Version': '2.89' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-service-token-'));
    const config = writeConfig('attachd.conf', [
      '[DEFAULT]', `osapi_compute_listen_port = ${await freePort()}`, `osapi_volume_listen_port = ${await freePort()}`,
      ...(send === null ? [] : ['[service_user]', `send_service_user_token = ${send}`]),
      // The spans show which requests were made.
      '[trace]', 'enabled = true',
    ].join('\n'));
    aio = await startAllInOne(loadAllInOneConfig({ configFiles: [config], dataDir, env: {} }), dataDir);
    removeSink = addSpanSink({ add: (s) => { spans.push(s); } });
    const login = await req('POST', `${aio.computeUrl}/identity/v3/auth/tokens`, {
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', password: aio.firstStartAdminPassword, domain: { name: 'Default' } } } },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    });
    expect(login.status, JSON.stringify(login.body)).to.equal(201);
    token = login.headers.get('x-subject-token') as string;
    N = `${aio.computeUrl}/v2.1`;
    C = `${aio.volumeUrl}/v3/${login.body.token.project.id}`;
  });
  after(async () => {
    removeSink();
    await aio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(send === false ? 'Cinder asks nova-api about the attachment before deleting it' : 'Cinder deletes the attachment without asking nova-api back', async () => {
    const vol = (await req('POST', `${C}/volumes`, { volume: { size: 1 } })).body.volume.id as string;
    const srv = (await req('POST', `${N}/servers`, { server: { name: 's', imageRef: IMAGE, flavorRef: '1' } })).body.server.id as string;
    await waitFor(async () => (await req('GET', `${N}/servers/${srv}`)).body.server.status === 'ACTIVE', 20_000, 'server ACTIVE', 20);
    await waitFor(async () => (await req('GET', `${C}/volumes/${vol}`)).body.volume.status === 'available', 20_000, 'volume available', 20);
    const att = await req('POST', `${N}/servers/${srv}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } });
    expect(att.status, JSON.stringify(att.body)).to.equal(200);
    await waitFor(async () => (await req('GET', `${C}/volumes/${vol}`)).body.volume.status === 'in-use', 20_000, 'volume in-use', 20);
    spans.length = 0;
    expect((await req('DELETE', `${N}/servers/${srv}/os-volume_attachments/${vol}`)).status).to.equal(202);
    await waitFor(async () => (await req('GET', `${C}/volumes/${vol}`)).body.volume.status === 'available', 20_000, 'volume available', 20);
    const names = spans.map((s) => s.name);
    expect(names, 'Nova deleted the attachment').to.include('DELETE /attachments/{id}');
    expect(names.some((n) => ASKS_NOVA.test(n)), names.join(', ')).to.equal(send === false);
  });
});
