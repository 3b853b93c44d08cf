// Keys users choose (metadata, extra properties) that are also names on Object.prototype:
// `constructor`, `__proto__`, `toString`, `hasOwnProperty`. Nova and Cinder store them as any
// other key, and refuse them as any other unknown property. They once gave 500s (class-
// transformer), were dropped (`__proto__`, `toString`) or found where absent (`key in dict`).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllInOneConfig, startAllInOne, type RunningAllInOne } from '../../../all-in-one/main';
import { freePort, waitFor, writeConfig } from '../../support/processes';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

describe('user keys named like Object.prototype members (all-in-one)', function () {
  this.timeout(60_000);
  let aio: RunningAllInOne | null = null;
  let dataDir = '';
  let N = '';
  let C = '';
  let vol = '';
  let srv = '';

  // Bodies are sent as written: a JS object literal could not even hold a `__proto__` key.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const req = async (method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> => {
    const r = await fetch(url, {
      method, headers: { 'X-Auth-Token': 'admin:admin', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body, signal: AbortSignal.timeout(20_000),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const own = (o: unknown, k: string): unknown => (Object.hasOwn(o as object, k) ? (o as Record<string, unknown>)[k] : undefined);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-user-keys-'));
    const config = writeConfig('attachd.conf', `[DEFAULT]\nosapi_compute_listen_port = ${await freePort()}\nosapi_volume_listen_port = ${await freePort()}\n[api]\nauth_strategy = noauth2\n`);
    aio = await startAllInOne(loadAllInOneConfig({ configFiles: [config], dataDir, env: {} }), dataDir);
    [N, C] = [`${aio.computeUrl}/v2.1`, `${aio.volumeUrl}/v3/admin`];
    vol = (await req('POST', `${C}/volumes`, '{"volume": {"size": 1}}')).body.volume.id as string;
    srv = (await req('POST', `${N}/servers`, `{"server": {"name": "k", "imageRef": "${IMAGE}", "flavorRef": "1"}}`)).body.server.id as string;
    await waitFor(async () => (await req('GET', `${N}/servers/${srv}`)).body.server.status === 'ACTIVE', 20_000, 'server ACTIVE');
  });
  after(async () => {
    await aio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  for (const k of KEYS) {
    it(`keeps a volume metadata key named ${k}`, async () => {
      const u = `${C}/volumes/${vol}/metadata`;
      expect((await req('GET', `${u}/${k}`)).status, 'absent key').to.equal(404);
      const made = await req('POST', u, `{"metadata": {"${k}": "v"}}`);
      expect(made.status, JSON.stringify(made.body)).to.equal(200);
      expect(own(made.body.metadata, k)).to.equal('v');
      expect(own((await req('GET', u)).body.metadata, k)).to.equal('v');
      expect(own((await req('GET', `${C}/volumes/${vol}`)).body.volume.metadata, k)).to.equal('v');
      const one = await req('PUT', `${u}/${k}`, `{"meta": {"${k}": "w"}}`);
      expect(one.status, JSON.stringify(one.body)).to.equal(200);
      expect(own(one.body.meta, k)).to.equal('w');
      expect(own((await req('GET', `${u}/${k}`)).body.meta, k)).to.equal('w');
      expect((await req('DELETE', `${u}/${k}`)).status).to.equal(200);
      expect((await req('GET', `${u}/${k}`)).status, 'deleted key').to.equal(404);
    });

    it(`keeps a server metadata key named ${k}`, async () => {
      const u = `${N}/servers/${srv}/metadata`;
      expect((await req('GET', `${u}/${k}`)).status, 'absent key').to.equal(404);
      const made = await req('POST', u, `{"metadata": {"${k}": "v"}}`);
      expect(made.status, JSON.stringify(made.body)).to.equal(200);
      expect(own(made.body.metadata, k)).to.equal('v');
      const one = await req('PUT', `${u}/${k}`, `{"meta": {"${k}": "w"}}`);
      expect(one.status, JSON.stringify(one.body)).to.equal(200);
      expect(own((await req('GET', `${u}/${k}`)).body.meta, k)).to.equal('w');
      expect((await req('DELETE', `${u}/${k}`)).status).to.equal(204);
    });
  }

  it('keeps such keys in the metadata a volume and a server are made with', async () => {
    const v = await req('POST', `${C}/volumes`, '{"volume": {"size": 1, "metadata": {"constructor": "c", "__proto__": "p"}}}');
    expect(v.status, JSON.stringify(v.body)).to.equal(202);
    const shown = (await req('GET', `${C}/volumes/${v.body.volume.id as string}`)).body.volume.metadata;
    expect([own(shown, 'constructor'), own(shown, '__proto__')]).to.deep.equal(['c', 'p']);
    const s = await req('POST', `${N}/servers`, `{"server": {"name": "m", "imageRef": "${IMAGE}", "flavorRef": "1", "metadata": {"constructor": "c"}}}`);
    expect(s.status, JSON.stringify(s.body)).to.equal(202);
    expect(own((await req('GET', `${N}/servers/${s.body.server.id as string}/metadata`)).body.metadata, 'constructor')).to.equal('c');
  });

  it('refuses them as unknown properties where a schema allows none: 400, not 500', async () => {
    const reboot = await req('POST', `${N}/servers/${srv}/action`, '{"reboot": {"type": "HARD", "constructor": 1}}');
    expect(reboot.status, JSON.stringify(reboot.body)).to.equal(400);
    expect(reboot.body.badRequest.message).to.include("'constructor' was unexpected");
    // From 2.73 the lock body has a schema (locked_reason only); below it Nova reads none.
    const lock = await req('POST', `${N}/servers/${srv}/action`, '{"lock": {"__proto__": {"a": 1}}}', { 'OpenStack-API-Version': 'compute 2.73' });
    expect(lock.status, JSON.stringify(lock.body)).to.equal(400);
    expect(lock.body.badRequest.message).to.include("'__proto__' was unexpected");
    const quota = await req('PUT', `${C}/os-quota-sets/admin`, '{"quota_set": {"constructor": 1}}');
    expect(quota.status, JSON.stringify(quota.body)).to.equal(400);
    expect(quota.body.badRequest.message).to.include('Bad key(s) in quota set: constructor');
  });
});
