// The os-volume-exports extension (admin only) over HTTP on two fake backends + SQLite: the
// report lists each backend's exports and drift, os-sync repairs it, members get Cinder's
// policy 403, a backend that is down or silent is listed "down". And the outage rule on the
// RPC path: cinder-volume's lost database crosses RPC as DBConnectionError, so cinder-api
// answers 503, not 500.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { CinderDB } from '../../../cinder-common/db-api';
import type { FakeDriver } from '../../../cinder-volume/drivers';
import type { VolumeManager } from '../../../cinder-volume/manager';
import { startCinder, type Cinder, type Json } from '../../functional/cinder/cinder-stack';

const CONNECTOR = { ip: '10.0.0.4', host: 'compute1', initiator: 'iqn.1993-08.org.debian:01:audit' };
const ADMIN = 'admin:demo';

describe('cinder-api os-volume-exports (attachd extension)', function () {
  this.timeout(30_000);
  let c: Cinder;
  let db: CinderDB;
  before(async () => {
    c = await startCinder({ DEFAULT: { enabled_backends: ['fake', 'backend1'], rpc_response_timeout: 2 } });
    db = new CinderDB(c.ds);
  });
  after(async () => { await c?.stop(); });

  const backend = (host: string) => c.volume.backends.find((b) => b.host === host)!;
  const fakeOf = (host: string) => backend(host).driver as FakeDriver;
  const hostOf = async (id: string): Promise<string> => ((await db.volumeGet(id))?.host ?? '').split('#')[0];
  const get = (token = ADMIN) => c.req('GET', `/v3/${token.split(':')[1]}/os-volume-exports`, { token });
  const sync = (body: unknown = { 'os-sync': {} }, token = ADMIN) => c.req('POST', `/v3/${token.split(':')[1]}/os-volume-exports/action`, { token, body });
  const byHost = (body: Json): Record<string, Json> => Object.fromEntries(body.backends.map((b: Json) => [b.host, b]));

  it('members are refused with the policy text', async () => {
    let r = await get('demo:demo');
    expect(r.status).to.equal(403);
    expect(r.body).to.deep.equal({ forbidden: { code: 403, message: "Policy doesn't allow volume_extension:volume_exports:index to be performed." } });
    r = await sync(undefined, 'demo:demo');
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow volume_extension:volume_exports:sync to be performed.");
  });

  it('reports each backend\'s exports and drift; os-sync repairs it and says what it did', async () => {
    let r = await get();
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ backends: [
      { host: 'cinder1@backend1', state: 'up', exports: [], drift: [] },
      { host: 'cinder1@fake', state: 'up', exports: [], drift: [] },
    ] });

    // A leaked export (reserved, connected, unreserved without terminate) and an export nobody owns.
    const leaked = await c.createVolume(1, ADMIN);
    const global = `req-${randomUUID()}`;
    expect((await c.req('POST', `/v3/demo/volumes/${leaked}/action`, { token: ADMIN, body: { 'os-reserve': null }, headers: { 'X-OpenStack-Request-ID': global } })).status).to.equal(202);
    expect((await c.action(leaked, 'os-initialize_connection', { connector: CONNECTOR }, ADMIN)).status).to.equal(200);
    expect((await c.action(leaked, 'os-unreserve', null, ADMIN)).status).to.equal(202);
    const leakHost = await hostOf(leaked);
    const otherHost = leakHost === 'cinder1@fake' ? 'cinder1@backend1' : 'cinder1@fake';
    const stranger = randomUUID();
    fakeOf(otherHost).exports.add(stranger);

    r = await get();
    expect(r.status).to.equal(200);
    let hosts = byHost(r.body);
    expect(hosts[leakHost]).to.deep.equal({ host: leakHost, state: 'up', exports: [leaked], drift: [
      { volume_id: leaked, problem: 'export-without-attachment', detail: "exported while 'available' with no live attachment", request_id: global },
    ] });
    expect(hosts[otherHost].exports).to.deep.equal([stranger]);
    expect(hosts[otherHost].drift).to.deep.equal([
      { volume_id: stranger, problem: 'unknown-volume', detail: 'export of a volume that does not exist or is deleted', request_id: null },
    ]);

    r = await sync();
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    hosts = byHost(r.body);
    expect(hosts[leakHost]).to.deep.include({ state: 'up', exports: [], drift: [] });
    expect(hosts[leakHost].repaired).to.deep.equal([{ volume_id: leaked, problem: 'export-without-attachment',
      detail: "exported while 'available' with no live attachment", request_id: global, action: 'removed the export' }]);
    expect(hosts[otherHost]).to.deep.include({ state: 'up', exports: [], drift: [] });
    expect(hosts[otherHost].repaired.map((x: Json) => [x.volume_id, x.action])).to.deep.equal([[stranger, 'removed the export']]);
    expect(fakeOf(leakHost).exports.has(leaked)).to.equal(false);

    r = await get();
    expect(r.body.backends.map((b: Json) => [b.host, b.exports, b.drift])).to.deep.equal([['cinder1@backend1', [], []], ['cinder1@fake', [], []]]);
  });

  it('bad os-sync bodies are 400', async () => {
    let r = await sync({ 'os-bogus': {} });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('There is no such action: os-bogus. Verify the request body and Content-Type header and try again.');
    r = await sync({});
    expect(r.body.badRequest.message).to.equal('Malformed request body');
    r = await sync({ 'os-sync': { force: true } });
    expect(r.status).to.equal(400);
    r = await sync({ 'os-sync': null });
    expect(r.status).to.equal(200);
  });

  it('a backend that is down, or up by its heartbeat but silent, is listed "down" (200, no 500)', async () => {
    const t = new Date();
    const rows = [
      { host: 'cinder1@ghost', updatedAt: t }, // heartbeat fresh, nobody serves its RPC server
      { host: 'cinder1@dead', updatedAt: new Date(t.getTime() - 3600_000) },
    ].map((s) => ({ ...s, uuid: randomUUID(), binary: 'cinder-volume', topic: 'cinder-volume', reportCount: 1, deleted: false, createdAt: t }));
    await db.services.insert(rows);
    try {
      for (const r of [await get(), await sync()]) {
        expect(r.status).to.equal(200);
        const hosts = byHost(r.body);
        expect(hosts['cinder1@ghost']).to.deep.equal({ host: 'cinder1@ghost', state: 'down', exports: [], drift: [] });
        expect(hosts['cinder1@dead']).to.deep.equal({ host: 'cinder1@dead', state: 'down', exports: [], drift: [] });
        expect(hosts['cinder1@fake'].state).to.equal('up');
      }
    } finally {
      await db.services.delete({ host: 'cinder1@ghost' });
      await db.services.delete({ host: 'cinder1@dead' });
    }
  });

  describe("cinder-volume's database unreachable", () => {
    const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    /** Make cinder-volume's own database handle fail (cinder-api's keeps working). */
    const breakVolumeDb = (m: VolumeManager): (() => void) => {
      const vdb = (m as unknown as { d: { db: CinderDB } }).d.db;
      // Every read the manager starts a request with.
      const reads = ['volumeGet', 'volumeGetWithAdminMetadata', 'volumeGetForConnection', 'attachmentWithVolume', 'attachmentForConnection'] as const;
      for (const m of reads) (vdb as unknown as Record<string, unknown>)[m] = async () => { throw refused(); };
      return () => { for (const m of reads) delete (vdb as unknown as Record<string, unknown>)[m]; };
    };

    it('crosses RPC as DBConnectionError: os-initialize_connection, os-attach and attachment update answer 503', async () => {
      const id = await c.createVolume(1, ADMIN);
      expect((await c.action(id, 'os-reserve', null, ADMIN)).status).to.equal(202);
      const other = await c.createVolume(1, ADMIN);
      const v327 = { 'OpenStack-API-Version': 'volume 3.27' };
      const att = await c.req('POST', '/v3/demo/attachments', { token: ADMIN, body: { attachment: { volume_uuid: other } }, headers: v327 });
      expect(att.status).to.equal(200);
      const restore = [...new Set([await hostOf(id), await hostOf(other)])].map((h) => breakVolumeDb(backend(h).manager));
      try {
        let r = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR }, ADMIN);
        expect(r.status, JSON.stringify(r.body)).to.equal(503);
        expect(r.body.serviceUnavailable.code).to.equal(503);
        expect(r.headers.get('retry-after')).to.be.a('string');
        r = await c.action(id, 'os-attach', { instance_uuid: 'a1b2c3d4-0000-4000-8000-000000000000', mountpoint: '/dev/vdb' }, ADMIN);
        expect(r.status, JSON.stringify(r.body)).to.equal(503);
        r = await c.req('PUT', `/v3/demo/attachments/${att.body.attachment.id}`, { token: ADMIN, body: { attachment: { connector: CONNECTOR } }, headers: v327 });
        expect(r.status, JSON.stringify(r.body)).to.equal(503);
      } finally {
        restore.forEach((f) => f());
      }
      // and once it is back, the retried call succeeds
      const r = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR }, ADMIN);
      expect(r.status).to.equal(200);
    });
  });
});
