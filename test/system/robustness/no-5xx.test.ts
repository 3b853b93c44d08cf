// Bad input never earns a 5xx: malformed, mistyped, oversized and out-of-range bodies, query
// strings and microversion headers against every write route of both APIs, on MariaDB (its
// column widths and strict mode are where an unchecked value turns into a database error).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllInOneConfig, startAllInOne, type RunningAllInOne } from '../../../all-in-one/main';
import { freePort, waitFor, writeConfig } from '../../support/processes';
import { createTestDatabase } from '../../support/servers';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const X = (n: number, c = 'x'): string => c.repeat(n);

function badBodies(vol: string, srv: string): unknown[] {
  return [
    null, [], 'x', 1, true, {}, { a: 1 }, '{bad', '',
    { server: null }, { server: { name: 5 } }, { server: { name: X(300), flavorRef: '1', imageRef: IMAGE } },
    { server: { name: 'a', flavorRef: {}, imageRef: 5 } }, { server: { name: 'a', flavorRef: '1', imageRef: IMAGE, metadata: 5 } },
    { server: { name: 'a', flavorRef: '1', imageRef: IMAGE, metadata: { k: X(300) } } },
    { server: { name: 'a', flavorRef: '1', imageRef: IMAGE, availability_zone: X(300) } },
    { server: { name: 'a', flavorRef: X(300), imageRef: X(300) } }, { server: { name: 'a', flavorRef: '1', imageRef: IMAGE, min_count: 3, max_count: 2 } },
    { server: { name: 'a', accessIPv4: X(300), accessIPv6: 5, description: X(300) } },
    { volumeAttachment: null }, { volumeAttachment: { volumeId: 1 } }, { volumeAttachment: { volumeId: vol, device: 5 } },
    { volumeAttachment: { volumeId: vol, device: `/dev/vd${X(300)}` } }, { volumeAttachment: { volumeId: vol, tag: X(300) } },
    { volume: null }, { volume: { size: 'abc' } }, { volume: { size: 1e300 } }, { volume: { size: -1 } },
    { volume: { size: 1, name: X(300), description: X(300) } }, { volume: { size: 1, availability_zone: X(300) } },
    { volume: { size: 1, volume_type: X(300) } }, { volume: { size: 1, metadata: { k: { a: 1 } } } }, { volume: { size: 1, metadata: { k: X(300) } } },
    { metadata: null }, { metadata: { [X(300)]: 'v' } }, { metadata: { k: 1 } }, { meta: { k: 'v', k2: 'v' } }, { meta: { k: X(300) } },
    { 'os-attach': null }, { 'os-attach': { instance_uuid: 5, mountpoint: [] } }, { 'os-attach': { instance_uuid: srv, mountpoint: '/dev/vdb', host_name: X(300) } },
    { 'os-attach': { instance_uuid: X(300), mountpoint: '/dev/vdb' } }, { 'os-attach': { instance_uuid: srv, mountpoint: '/dev/vdb', mode: X(300) } },
    { 'os-initialize_connection': { connector: 'x' } }, { 'os-initialize_connection': { connector: { initiator: X(300), host: X(300), ip: X(300) } } },
    { 'os-terminate_connection': { connector: [] } }, { 'os-reset_status': { status: X(300) } },
    { 'os-reset_status': { status: 'available', attach_status: X(300), migration_status: X(300) } }, { 'os-extend': { new_size: 'x' } },
    { 'os-force_detach': { attachment_id: 5 } }, { 'os-detach': { attachment_id: {} } }, { 'os-set_bootable': { bootable: 'maybe' } },
    { attachment: null }, { attachment: { volume_uuid: 5 } }, { attachment: { volume_uuid: vol, instance_uuid: srv, connector: { initiator: X(300), host: X(300) }, mode: X(300) } },
    { reboot: { type: X(300) } }, { lock: { locked_reason: X(300) } }, { lock: 5 }, { 'os-stop': 5 }, { forceDelete: 5 },
  ];
}

describe('no 5xx on bad input (both APIs, MariaDB)', function () {
  this.timeout(180_000);
  let aio: RunningAllInOne | null = null;
  const dbs: Array<{ drop: () => Promise<void> }> = [];
  let dataDir = '';

  before(async function () {
    const nova = await createTestDatabase(this, 'nova');
    const cinder = await createTestDatabase(this, 'cinder');
    dbs.push(nova, cinder);
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-no5xx-'));
    // Input handling, not identity, is under test here: noauth2's "admin:admin" is the caller.
    const config = writeConfig('attachd.conf', `[DEFAULT]\nosapi_compute_listen_port = ${await freePort()}\nosapi_volume_listen_port = ${await freePort()}\n[api]\nauth_strategy = noauth2\n`);
    const conf = loadAllInOneConfig({ configFiles: [config], dataDir, env: { NOVA_DATABASE_URL: nova.url, CINDER_DATABASE_URL: cinder.url } });
    aio = await startAllInOne(conf, dataDir);
  });
  after(async () => {
    await aio?.stop();
    for (const d of dbs) await d.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every malformed request with a 4xx fault', async () => {
    const N = `${aio!.computeUrl}/v2.1`;
    const C = `${aio!.volumeUrl}/v3`;
    const send = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> => {
      const r = await fetch(url, {
        method, headers: { 'X-Auth-Token': 'admin:admin', 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: r.status, text: await r.text() };
    };
    const srv = (JSON.parse((await send('POST', `${N}/servers`, { server: { name: 'f', imageRef: IMAGE, flavorRef: '1' } })).text) as { server: { id: string } }).server.id;
    const vol = (JSON.parse((await send('POST', `${C}/volumes`, { volume: { size: 1 } })).text) as { volume: { id: string } }).volume.id;
    await waitFor(async () => (JSON.parse((await send('GET', `${C}/volumes/${vol}`)).text) as { volume: { status: string } }).volume.status === 'available', 10_000, 'available');
    const failures: string[] = [];
    const check = (what: string, r: { status: number; text: string }): void => {
      if (r.status >= 500) failures.push(`${r.status} ${what}: ${r.text.slice(0, 200)}`);
      else if (r.status >= 400) expect(Object.keys(JSON.parse(r.text) as object), what).to.have.length(1); // {"<fault>": {code, message}}
    };
    const writes: Array<[string, string]> = [
      ['POST', `${N}/servers`], ['PUT', `${N}/servers/${srv}`], ['POST', `${N}/servers/${srv}/action`],
      ['POST', `${N}/servers/${srv}/os-volume_attachments`], ['PUT', `${N}/servers/${srv}/os-volume_attachments/${vol}`],
      ['POST', `${N}/servers/${srv}/metadata`], ['PUT', `${N}/servers/${srv}/metadata`], ['PUT', `${N}/servers/${srv}/metadata/k`],
      ['POST', `${C}/volumes`], ['PUT', `${C}/volumes/${vol}`], ['POST', `${C}/volumes/${vol}/action`],
      ['POST', `${C}/volumes/${vol}/metadata`], ['PUT', `${C}/volumes/${vol}/metadata`], ['PUT', `${C}/volumes/${vol}/metadata/k`],
      ['POST', `${C}/attachments`], ['PUT', `${C}/attachments/x`], ['POST', `${C}/attachments/x/action`],
    ];
    const versions: Array<Record<string, string>> = [{}, { 'OpenStack-API-Version': 'compute latest' }, { 'OpenStack-API-Version': 'volume 3.27' }];
    for (const [m, u] of writes) {
      for (const b of badBodies(vol, srv)) {
        for (const h of versions) check(`${m} ${u} ${JSON.stringify(b)?.slice(0, 80)} ${JSON.stringify(h)}`, await send(m, u, b, h));
      }
    }
    const reads = [
      `${N}/servers?limit=abc`, `${N}/servers?limit=-1`, `${N}/servers?marker=zzz`, `${N}/servers/detail?sort_key=bogus`,
      `${N}/servers?changes-since=notadate`, `${N}/servers?flavor=${X(300)}`, `${N}/servers/detail?limit=99999999999999999999`,
      `${N}/servers/${srv}/os-volume_attachments?limit=x&offset=-5`, `${N}/servers/${X(5000)}`, `${N}/servers/%ZZ`,
      `${N}/servers/${srv}/os-instance-actions/zz`, `${N}/flavors?minDisk=abc`, `${N}/flavors?minRam=-1&limit=1e400`, `${N}/flavors/zzz`, `${N}/limits?reserved=x`,
      `${C}/volumes?limit=abc`, `${C}/volumes/detail?sort=zz:qq`, `${C}/volumes?marker=nope`, `${C}/volumes?offset=-1`,
      `${C}/volumes/detail?metadata=notjson`, `${C}/volumes/%ZZ`, `${C}/attachments?limit=x`, `${C}/volumes/summary?all_tenants=maybe`,
      `${C}/volumes?created_at=gt:notdate`, `${C}/volumes/${vol}/metadata/${X(300)}`,
    ];
    const headers: Array<Record<string, string>> = [...versions, { 'OpenStack-API-Version': 'compute 2.999' }, { 'OpenStack-API-Version': 'volume abc' }, { 'X-OpenStack-Nova-API-Version': '2.x' }];
    for (const u of reads) for (const h of headers) check(`GET ${u.slice(0, 120)} ${JSON.stringify(h)}`, await send('GET', u, undefined, h));
    for (const u of [`${N}/servers/${srv}/os-volume_attachments/zz`, `${C}/volumes/zz`, `${C}/attachments/zz`, `${N}/servers/zz`, `${C}/volumes/${vol}/metadata/zz`]) {
      for (const h of headers) check(`DELETE ${u} ${JSON.stringify(h)}`, await send('DELETE', u, undefined, h));
    }
    expect(failures).to.deep.equal([]);
  });
});
