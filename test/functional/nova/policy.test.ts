// nova-api's policies (Zed defaults) for readers, members and admins with signed tokens of the
// embedded identity, the admin-only actions, a policy file override, and the two create gaps:
// a 2.74 host from a non-admin (403) and block_device_mapping_v2 volumes (used, never dropped).
import { expect } from 'chai';
import { signToken } from '../../../common/api';
import { BlockDeviceMapping } from '../../../nova-common/entities';
import { waitFor, writeConfig } from '../../support/processes';
import { CinderFixture } from './cinder-fixture';
import { startNova, type Json, type Nova } from './harness';

const SECRET = 'policy-test-secret-of-at-least-32-characters';
const token = (project: string, roles: string[]): string =>
  signToken({ user_id: `u-${project}`, user_name: `u-${project}`, project_id: project, project_name: project, roles, exp: Date.now() / 1000 + 3600 }, SECRET);
const READER = token('p1', ['reader']);
const MEMBER = token('p1', ['member', 'reader']);
const OTHER = token('p2', ['member', 'reader']);
const ADMIN = token('admin', ['admin', 'member', 'reader']);
const denied = (action: string): Json => ({ forbidden: { code: 403, message: `Policy doesn't allow ${action} to be performed.` } });

describe('nova-api policy (Zed defaults): readers read, members act in their project, admins everywhere', function () {
  this.timeout(60_000);
  let cinder: CinderFixture;
  let nova: Nova;
  let server = '';

  before(async () => {
    cinder = new CinderFixture();
    const url = await cinder.start();
    nova = await startNova({ api: { auth_strategy: 'keystone', token_secret: SECRET }, cinder: { endpoint: `${url}/v3/%(project_id)s` } });
    server = await create(MEMBER, 'pol');
  });
  after(async () => {
    await nova?.stop();
    await cinder?.stop();
  });

  async function create(tok: string, name: string, extra: Record<string, unknown> = {}, version?: string): Promise<string> {
    const r = await nova.req('POST', '/v2.1/servers', { token: tok, version, body: { server: { name, flavorRef: '1', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', ...extra } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const id = r.body.server.id as string;
    await waitFor(async () => ['ACTIVE', 'ERROR'].includes((await nova.req('GET', `/v2.1/servers/${id}`, { token: ADMIN })).body.server.status), 10_000, 'built', 20);
    return id;
  }

  it('a reader reads the server and its attachments and is refused every write with Nova\'s text', async () => {
    expect((await nova.req('GET', `/v2.1/servers/${server}`, { token: READER })).status).to.equal(200);
    expect((await nova.req('GET', '/v2.1/servers/detail', { token: READER })).status).to.equal(200);
    expect((await nova.req('GET', `/v2.1/servers/${server}/os-volume_attachments`, { token: READER })).status).to.equal(200);
    const v = cinder.create('p1');
    const writes: Array<[string, string, unknown, string]> = [
      ['POST', '/v2.1/servers', { server: { name: 'x', flavorRef: '1' } }, 'os_compute_api:servers:create'],
      ['POST', `/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: v.id } }, 'os_compute_api:os-volumes-attachments:create'],
      ['PUT', `/v2.1/servers/${server}`, { server: { name: 'y' } }, 'os_compute_api:servers:update'],
      ['POST', `/v2.1/servers/${server}/action`, { reboot: { type: 'SOFT' } }, 'os_compute_api:servers:reboot'],
      ['POST', `/v2.1/servers/${server}/action`, { 'os-stop': null }, 'os_compute_api:servers:stop'],
      ['POST', `/v2.1/servers/${server}/action`, { lock: null }, 'os_compute_api:os-lock-server:lock'],
      ['POST', `/v2.1/servers/${server}/action`, { rebuild: { imageRef: '70a599e0-31e7-49b7-b260-868f441e862b' } }, 'os_compute_api:servers:rebuild'],
      ['POST', `/v2.1/servers/${server}/action`, { pause: null }, 'os_compute_api:os-pause-server:pause'],
      ['POST', `/v2.1/servers/${server}/action`, { unpause: null }, 'os_compute_api:os-pause-server:unpause'],
      ['POST', `/v2.1/servers/${server}/action`, { suspend: null }, 'os_compute_api:os-suspend-server:suspend'],
      ['POST', `/v2.1/servers/${server}/action`, { resume: null }, 'os_compute_api:os-suspend-server:resume'],
      ['POST', `/v2.1/servers/${server}/metadata`, { metadata: { a: 'b' } }, 'os_compute_api:server-metadata:create'],
      ['DELETE', `/v2.1/servers/${server}`, undefined, 'os_compute_api:servers:delete'],
    ];
    for (const [method, path, body, action] of writes) {
      const r = await nova.req(method, path, { token: READER, body });
      expect([r.status, r.body], `${method} ${path}`).to.deep.equal([403, denied(action)]);
    }
    expect(v.status).to.equal('available');
  });

  it("a reader lists and checks a server's tags and is refused their changes", async () => {
    const tags = `/v2.1/servers/${server}/tags`;
    expect((await nova.req('GET', tags, { token: READER, version: '2.26' })).status).to.equal(200);
    expect((await nova.req('GET', `${tags}/x`, { token: READER, version: '2.26' })).status).to.equal(404);
    for (const [method, path, body, action] of [['PUT', tags, { tags: ['a'] }, 'update_all'], ['DELETE', tags, undefined, 'delete_all'],
      ['PUT', `${tags}/a`, undefined, 'update'], ['DELETE', `${tags}/a`, undefined, 'delete']] as Array<[string, string, unknown, string]>) {
      const r = await nova.req(method, path, { token: READER, body, version: '2.26' });
      expect([r.status, r.body], `${method} ${path}`).to.deep.equal([403, denied(`os_compute_api:os-server-tags:${action}`)]);
    }
    expect((await nova.req('PUT', `${tags}/a`, { token: MEMBER, version: '2.26' })).status).to.equal(201);
  });

  it('a member of another project does not see the server (404), and an admin sees everything', async () => {
    expect((await nova.req('GET', `/v2.1/servers/${server}`, { token: OTHER })).status).to.equal(404);
    expect((await nova.req('DELETE', `/v2.1/servers/${server}/os-volume_attachments/x`, { token: OTHER })).status).to.equal(404);
    const admin = await nova.req('GET', `/v2.1/servers/${server}`, { token: ADMIN });
    expect(admin.status).to.equal(200);
    expect(admin.body.server).to.have.property('OS-EXT-SRV-ATTR:host');
    expect((await nova.req('GET', `/v2.1/servers/${server}`, { token: MEMBER })).body.server).to.not.have.property('OS-EXT-SRV-ATTR:host');
  });

  it('admin-only actions are 403 for a member: all_tenants, AZ detail, swap, forced host, 2.74 host', async () => {
    const r1 = await nova.req('GET', '/v2.1/servers?all_tenants=1', { token: MEMBER });
    expect([r1.status, r1.body]).to.deep.equal([403, denied('os_compute_api:servers:index:get_all_tenants')]);
    expect((await nova.req('GET', '/v2.1/servers?all_tenants=1', { token: ADMIN })).status).to.equal(200);
    expect((await nova.req('GET', '/v2.1/os-availability-zone/detail', { token: MEMBER })).body).to.deep.equal(denied('os_compute_api:os-availability-zone:detail'));
    const swap = await nova.req('PUT', `/v2.1/servers/${server}/os-volume_attachments/${cinder.create('p1').id}`, { token: MEMBER, body: { volumeAttachment: { volumeId: cinder.create('p1').id } } });
    expect([swap.status, swap.body]).to.deep.equal([403, denied('os_compute_api:os-volumes-attachments:swap')]);
    const forced = await nova.req('POST', '/v2.1/servers', { token: MEMBER, body: { server: { name: 'f', flavorRef: '1', availability_zone: 'nova:compute1' } } });
    expect([forced.status, forced.body]).to.deep.equal([403, denied('os_compute_api:servers:create:forced_host')]);
    const host = await nova.req('POST', '/v2.1/servers', { token: MEMBER, version: '2.74', body: { server: { name: 'h', flavorRef: '1', host: 'compute1' } } });
    expect([host.status, host.body]).to.deep.equal([403, denied('compute:servers:create:requested_destination')]);
    // Below 2.74 the field does not exist; an admin's unknown host is 400; a known one is used.
    const old = await nova.req('POST', '/v2.1/servers', { token: ADMIN, version: '2.73', body: { server: { name: 'h', flavorRef: '1', host: 'compute1' } } });
    expect(old.status).to.equal(400);
    expect(old.body.badRequest.message).to.contain("Additional properties are not allowed ('host' was unexpected)");
    const unknown = await nova.req('POST', '/v2.1/servers', { token: ADMIN, version: '2.74', body: { server: { name: 'h', flavorRef: '1', host: 'nowhere' } } });
    expect([unknown.status, unknown.body]).to.deep.equal([400, { badRequest: { code: 400, message: 'Compute host nowhere could not be found.' } }]);
    const placed = await create(ADMIN, 'h', { host: 'compute1' }, '2.74');
    expect((await nova.req('GET', `/v2.1/servers/${placed}`, { token: ADMIN })).body.server['OS-EXT-SRV-ATTR:host']).to.equal('compute1');
  });

  it('an admin\'s all_tenants list keeps to the project_id (or tenant_id) asked; all_tenants is read as a strict boolean', async () => {
    const other = await create(OTHER, 'other-project');
    const ids = async (q: string, tok = ADMIN): Promise<string[]> => {
      const r = await nova.req('GET', `/v2.1/servers${q}`, { token: tok });
      expect(r.status, `${q}: ${JSON.stringify(r.body)}`).to.equal(200);
      return (r.body.servers as Json[]).map((x) => x.id as string);
    };
    expect(await ids('?all_tenants=1')).to.include.members([server, other]);
    for (const q of ['?all_tenants=1&project_id=p2', '?all_tenants=True&tenant_id=p2', '?all_tenants&project_id=p2', '/detail?all_tenants=yes&project_id=p2']) {
      expect(await ids(q), q).to.deep.equal([other]);
    }
    // Without all_tenants Nova drops the project filter: the caller's own project.
    expect(await ids('?project_id=p2')).to.not.include(other);
    expect((await nova.req('GET', '/v2.1/servers?all_tenants=1&project_id=p1', { token: MEMBER })).status).to.equal(403);
    for (const off of ['0', 'f', 'N', 'FALSE', 'off']) expect(await ids(`?all_tenants=${off}`, MEMBER), off).to.deep.equal([server]);
    const bad = await nova.req('GET', '/v2.1/servers?all_tenants=garbage', { token: ADMIN });
    expect([bad.status, bad.body.badRequest?.message]).to.deep.equal([400,
      "Invalid input received: Unrecognized value 'garbage', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"]);
  });

  it('block_device_mapping_v2: another project\'s volume is 400, an unsupported mapping is 400, a usable one is attached before ACTIVE', async () => {
    const theirs = cinder.create('p2');
    const bdm = (uuid: string, extra: Record<string, unknown> = {}) => [{ source_type: 'volume', destination_type: 'volume', uuid, boot_index: 1, ...extra }];
    const r = await nova.req('POST', '/v2.1/servers', { token: MEMBER, body: { server: { name: 'b', flavorRef: '1', block_device_mapping_v2: bdm(theirs.id) } } });
    expect([r.status, r.body]).to.deep.equal([400, { badRequest: { code: 400, message: `Volume ${theirs.id} could not be found.` } }]);
    expect(theirs.status).to.equal('available');
    const blank = await nova.req('POST', '/v2.1/servers', { token: MEMBER, body: { server: { name: 'b', flavorRef: '1',
      block_device_mapping_v2: [{ source_type: 'blank', destination_type: 'volume', volume_size: 1 }] } } });
    expect(blank.status).to.equal(400);
    expect(blank.body.badRequest.message).to.match(/^Block Device Mapping is Invalid: source_type blank with destination_type volume is not supported/);
    const mine = cinder.create('p1');
    const sid = await create(MEMBER, 'bfv-data', { block_device_mapping_v2: bdm(mine.id, { device_name: '/dev/vdc', delete_on_termination: true }) });
    expect((await nova.req('GET', `/v2.1/servers/${sid}`, { token: MEMBER })).body.server.status).to.equal('ACTIVE');
    expect(mine.status).to.equal('in-use');
    const rows = await nova.ds.getRepository(BlockDeviceMapping).findBy({ volumeId: mine.id, deleted: 0 });
    expect(rows.map((b) => [b.deviceName, b.attachState, b.deleteOnTermination])).to.deep.equal([['/dev/vdc', null, true]]);
    const boot = cinder.create('p1');
    const bfv = await create(MEMBER, 'bfv-root', { imageRef: undefined, block_device_mapping_v2: bdm(boot.id, { boot_index: 0 }) });
    expect(boot.status).to.equal('in-use');
    const att = await nova.req('GET', `/v2.1/servers/${bfv}/os-volume_attachments`, { token: MEMBER });
    expect(att.body.volumeAttachments.map((a: Json) => [a.volumeId, a.device])).to.deep.equal([[boot.id, '/dev/vda']]);
  });

  it('a policy file overrides a default rule by rule', async () => {
    const file = writeConfig('policy.yaml', '"os_compute_api:servers:index": "!"\n');
    const other = await startNova({ api: { auth_strategy: 'keystone', token_secret: SECRET }, oslo_policy: { policy_file: file } });
    try {
      const r = await other.req('GET', '/v2.1/servers', { token: ADMIN });
      expect([r.status, r.body]).to.deep.equal([403, denied('os_compute_api:servers:index')]);
      expect((await other.req('GET', '/v2.1/servers/detail', { token: ADMIN })).status).to.equal(200);
    } finally {
      await other.stop();
    }
  });
});
