// The attachment-deletion safety check of Cinder 21.3.1 (bug #2004555 / OSSA-2023-003) on os-detach, os-terminate_connection, os-force_detach and
// DELETE /attachments: what a user without a service token may take down, and the 409 otherwise.
import { expect } from 'chai';
import Fastify from 'fastify';
import { KEYSTONE_AUTH, signedToken, startCinder, type Cinder, type Res } from './cinder-stack';

const CONNECTOR = { ip: '127.0.0.1', host: 'compute1', initiator: 'iqn.1993-08.org.debian:01:chk', mountpoint: '/dev/vdb' };
const SERVER = '0b3c8f7e-5d7a-4c55-9a86-2f1f0c6e9d11';
const MISSING = '951be889-b794-4723-9ac9-efde61cacf3a';
const ADMIN = 'admin:demo';
const CONFLICT = { conflictingRequest: { code: 409, message: 'ConflictNovaUsingAttachment: Detach volume from instance  using the Compute API' } };

describe('cinder-api attachment deletion check (OSSA-2023-003)', function () {
  let c: Cinder;
  let nova: FakeNova;
  before(async () => {
    nova = await fakeNova();
    c = await startCinder({ nova: { endpoint_template: nova.url } });
  });
  after(async () => {
    await c?.stop();
    await nova?.close();
  });

  const att = (method: string, path: string, body?: unknown): Promise<Res> =>
    c.req(method, `/v3/demo${path}`, { body, headers: { 'OpenStack-API-Version': 'volume 3.44' } });

  /** A volume attached the legacy way (os-attach: the attachment has no connection_info). */
  const legacyAttached = async (): Promise<string> => {
    const id = await c.createVolume();
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb' })).status).to.equal(202);
    return id;
  };

  it('os-detach naming an attachment that does not exist is refused (409), and nothing changes', async () => {
    const id = await legacyAttached();
    const r = await c.action(id, 'os-detach', { attachment_id: MISSING });
    expect(r.status).to.equal(409);
    expect(r.body).to.deep.equal(CONFLICT);
    const v = await c.show(id);
    expect(v.status).to.equal('in-use');
    expect(v.attachments).to.have.length(1);
    // the check comes before the maintenance check
    expect((await c.action(id, 'os-reset_status', { status: 'maintenance' }, ADMIN)).status).to.equal(202);
    expect((await c.action(id, 'os-detach', { attachment_id: MISSING })).status).to.equal(409);
  });

  it('a legacy attachment (no connection_info) may be detached by the user; so may a volume with none', async () => {
    const id = await legacyAttached();
    expect((await c.action(id, 'os-terminate_connection', { connector: CONNECTOR })).status).to.equal(202);
    expect((await c.action(id, 'os-detach', {})).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('available');
    expect((await c.action(id, 'os-terminate_connection', { connector: CONNECTOR })).status).to.equal(202);
    expect((await c.action(id, 'os-detach', {})).status).to.equal(202);
  });

  it('more than one attachment and none named: terminate, detach and force_detach are refused', async () => {
    const id = await c.createVolume();
    // the same instance may reserve a reserved volume again (live migration): two attachments
    for (let i = 0; i < 2; i++) {
      const r = await att('POST', '/attachments', { attachment: { volume_uuid: id, instance_uuid: SERVER } });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
    }
    expect((await att('GET', `/attachments?volume_id=${id}`)).body.attachments).to.have.length(2);
    for (const [action, arg, token] of [['os-terminate_connection', { connector: CONNECTOR }, 'demo:demo'], ['os-detach', {}, 'demo:demo'],
      ['os-force_detach', {}, ADMIN]] as const) {
      const r = await c.action(id, action, arg, token);
      expect(r.status, action).to.equal(409);
      expect(r.body, action).to.deep.equal(CONFLICT);
    }
    expect((await att('GET', `/attachments?volume_id=${id}`)).body.attachments).to.have.length(2);
  });

  it('a connected attachment Nova does not hold may be deleted; mismatched ids are 400', async () => {
    const id = await c.createVolume();
    let r = await att('POST', '/attachments', { attachment: { volume_uuid: id, instance_uuid: SERVER, connector: CONNECTOR } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const aid = r.body.attachment.id;
    expect(r.body.attachment.connection_info).to.include({ attachment_id: aid, cacheable: false });
    const other = await c.createVolume();
    r = await c.action(other, 'os-detach', { attachment_id: aid });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid input received: Mismatched volume and attachment');
    r = await att('DELETE', `/attachments/${aid}`);
    expect(r.status).to.equal(200);
    expect((await c.show(id)).status).to.equal('available');
    expect(nova.asked).to.deep.equal([[SERVER, id, '2.89']]);
  });
});

describe('cinder-api attachment deletion check: an attachment Nova holds needs a service token', function () {
  let c: Cinder;
  let nova: FakeNova;
  const MEMBER = signedToken('u1', 'demo', ['member', 'reader']);
  const SERVICE = signedToken('nova', 'service', ['service', 'admin']);
  before(async () => {
    nova = await fakeNova();
    c = await startCinder({ ...KEYSTONE_AUTH, nova: { endpoint_template: nova.url } });
  });
  after(async () => {
    await c?.stop();
    await nova?.close();
  });

  it('refuses the user (409 naming the server), lets Nova\'s service token through, and answers 503 when Nova cannot be asked', async () => {
    const id = await c.createVolume(1, MEMBER);
    const r = await c.req('POST', '/v3/demo/attachments', { token: MEMBER, headers: { 'OpenStack-API-Version': 'volume 3.44' },
      body: { attachment: { volume_uuid: id, instance_uuid: SERVER, connector: CONNECTOR } } });
    const aid = r.body.attachment.id as string;
    nova.holds.set(`${SERVER}/${id}`, aid);
    const del = (headers: Record<string, string> = {}) => c.req('DELETE', `/v3/demo/attachments/${aid}`, { token: MEMBER, headers: { 'OpenStack-API-Version': 'volume 3.44', ...headers } });
    const refused = await del();
    expect([refused.status, refused.body]).to.deep.equal([409, { conflictingRequest: { code: 409, message: `ConflictNovaUsingAttachment: Detach volume from instance ${SERVER} using the Compute API` } }]);
    expect((await c.action(id, 'os-detach', { attachment_id: aid }, MEMBER)).status).to.equal(409);
    nova.down = true;
    expect((await del()).status).to.equal(503);
    nova.down = false;
    // A service token without the service role does not count; Nova's does.
    expect((await del({ 'X-Service-Token': signedToken('x', 'demo', ['member']) })).status).to.equal(409);
    expect((await del({ 'X-Service-Token': 'forged' })).status).to.equal(401);
    const ok = await del({ 'X-Service-Token': SERVICE });
    expect(ok.status).to.equal(200);
    expect((await c.show(id, MEMBER)).status).to.equal('available');
  });
});

interface FakeNova {
  url: string;
  /** "<server>/<volume>" → the attachment id Nova's BDM holds. */
  holds: Map<string, string>;
  asked: Array<[string, string, string]>;
  down: boolean;
  close(): Promise<void>;
}

/** Nova's os-volume_attachments show at 2.89, as Cinder asks it. */
async function fakeNova(): Promise<FakeNova> {
  const app = Fastify();
  const n: FakeNova = { url: '', holds: new Map(), asked: [], down: false, close: () => app.close() };
  app.get('/v2.1/servers/:sid/os-volume_attachments/:vid', async (req, reply) => {
    const { sid, vid } = req.params as { sid: string; vid: string };
    n.asked.push([sid, vid, String(req.headers['x-openstack-nova-api-version'])]);
    if (n.down) return reply.code(503).send({ serviceUnavailable: { code: 503, message: 'down' } });
    const held = n.holds.get(`${sid}/${vid}`);
    if (!held) return reply.code(404).send({ itemNotFound: { code: 404, message: `Instance ${sid} is not attached to volume ${vid}` } });
    return { volumeAttachment: { id: vid, volumeId: vid, serverId: sid, device: '/dev/vdb', attachment_id: held } };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  n.url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v2.1`;
  return n;
}
