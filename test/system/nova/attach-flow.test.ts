// The seed's attach/detach flow in one process: nova-api + nova-compute over fake://, SQLite,
// the fake virt driver and connector, and a Cinder stand-in with Cinder's state machine.
import { expect } from 'chai';
import { BlockDeviceMapping, InstanceAction, InstanceActionEvent, Service } from '../../../nova-common/entities';
import type { FakeConnector } from '../../../nova-compute/connectors';
import { FakeDriver } from '../../../nova-compute/virt/fake';
import { NotificationListener, Target, type Notification } from '../../../common/rpc';
import { waitFor } from '../../support/processes';
import { createTestDatabase, requireTransportUrl } from '../../support/servers';
import { CinderFixture } from '../../functional/nova/cinder-fixture';
import { activeServer, novaWithCinderFixture, startNova, type Nova, type Overrides } from '../../functional/nova/harness';

type Backend = (ctx: Mocha.Context) => Promise<{ overrides: Overrides; cleanup: () => Promise<void> }>;

const BACKENDS: Array<[string, Backend]> = [
  ['SQLite + fake://', async () => ({ overrides: {}, cleanup: async () => undefined })],
  ['MariaDB + RabbitMQ', async (ctx) => {
    const transportUrl = await requireTransportUrl(ctx);
    const db = await createTestDatabase(ctx, 'nova');
    return { overrides: { DEFAULT: { transport_url: transportUrl, host: `compute-${Date.now()}` }, database: { connection: db.url } }, cleanup: db.drop };
  }],
];

for (const [backend, setup] of BACKENDS) describe(`nova attach/detach flow (${backend}, fake drivers, Cinder fixture)`, function () {
  this.timeout(60_000);
  let cinder: CinderFixture;
  let nova: Nova;
  let cleanup: () => Promise<void> = async () => undefined;

  beforeEach(async function () {
    const b = await setup(this);
    cleanup = b.cleanup;
    cinder = new CinderFixture();
    const url = await cinder.start();
    // The attach test listens for compute.instance.volume.* (no driver: none are sent).
    nova = await startNova({ ...b.overrides, cinder: { endpoint: `${url}/v3/%(project_id)s` }, oslo_messaging_notifications: { driver: 'messagingv2' } });
  });
  afterEach(async () => {
    await nova?.stop();
    await cinder?.stop();
    await cleanup();
  });

  const attach = (sid: string, volumeId: string, device?: string, version?: string) =>
    nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: device ? { volumeId, device } : { volumeId } }, version });
  const status = (id: string): string | undefined => cinder.volumes.get(id)?.status;
  const bdmRows = (volumeId: string) => nova.ds.getRepository(BlockDeviceMapping).findBy({ volumeId });

  it('serves the version documents without a token', async () => {
    for (const p of ['/v2.1', '/v2.1/']) {
      const r = await fetch(`${nova.api.url}${p}`);
      expect(r.status).to.equal(200);
      const body = await r.json() as { version: { id: string; version: string } };
      expect(body.version.id).to.equal('v2.1');
    }
    const root = await (await fetch(`${nova.api.url}/`)).json() as { versions: unknown[] };
    expect(root.versions).to.have.length(2);
  });

  it('attaches (auto → /dev/vdb, requested /dev/vdc), saves connection_info in the row, detaches', async () => {
    const notes: Notification[] = [];
    const listener = new NotificationListener(nova.transport, [new Target({ topic: 'notifications' })], { onMessage: (n) => { notes.push(n); } }, { pool: `t-${Date.now()}` });
    await listener.start();
    const sid = await activeServer(nova);
    const v1 = cinder.create('demo');
    const v2 = cinder.create('demo');
    const r1 = await attach(sid, v1.id);
    expect(r1.status).to.equal(200);
    expect(r1.body).to.deep.equal({ volumeAttachment: { id: v1.id, serverId: sid, volumeId: v1.id, device: '/dev/vdb' } });
    expect(r1.headers.get('x-openstack-nova-api-version')).to.equal('2.1');
    const r2 = await attach(sid, v2.id, '/dev/vdc');
    expect(r2.body.volumeAttachment.device).to.equal('/dev/vdc');
    await waitFor(() => status(v1.id) === 'in-use' && status(v2.id) === 'in-use', 10_000, 'both in-use', 20);
    await waitFor(async () => (await bdmRows(v2.id))[0]?.connectionInfo, 5_000, 'connection_info saved', 20);

    const [row] = await bdmRows(v1.id);
    expect(row).to.include({ deviceName: '/dev/vdb', volumeId: v1.id, instanceUuid: sid, sourceType: 'volume', destinationType: 'volume',
      deleteOnTermination: false, snapshotId: null, volumeSize: null, noDevice: null, deleted: 0, deletedAt: null });
    expect(row.updatedAt).to.be.instanceOf(Date);
    const info = JSON.parse(row.connectionInfo as string);
    expect(info.driver_volume_type).to.equal('iscsi');
    expect(info.serial).to.equal(v1.id);
    expect(info.data).to.include({ access_mode: 'rw', target_discovered: false, encrypted: false, qos_specs: null, target_lun: 1,
      target_portal: '127.0.0.1:3260', target_iqn: `iqn.2010-10.org.openstack:volume-${v1.id}`, volume_id: v1.id,
      auth_method: 'CHAP', auth_username: 'user1', auth_password: 'pass1',
      device_path: `/dev/disk/by-path/ip-127.0.0.1:3260-iscsi-iqn.2010-10.org.openstack:volume-${v1.id}-lun-1` });

    const xml = (nova.compute.driver as FakeDriver).domainXml({ uuid: sid } as never) as string;
    expect(xml).to.contain('<target dev="vdb" bus="virtio"/>').and.contain('<target dev="vdc" bus="virtio"/>');
    expect(xml).to.contain(`<source dev="${info.data.device_path}"/>`);

    const list = await nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments`);
    expect(list.body.volumeAttachments).to.deep.include(r1.body.volumeAttachment);
    const show = await nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments/${v2.id}`, { version: '2.89' });
    expect(show.body.volumeAttachment).to.include({ volumeId: v2.id, serverId: sid, device: '/dev/vdc', tag: null, delete_on_termination: false, attachment_id: null });
    expect(show.body.volumeAttachment).to.not.have.property('id');
    const server = await nova.req('GET', `/v2.1/servers/${sid}`);
    expect(server.body.server['os-extended-volumes:volumes_attached'].map((x: { id: string }) => x.id)).to.have.members([v1.id, v2.id]);

    const actions = await nova.ds.getRepository(InstanceAction).findBy({ instanceUuid: sid, action: 'attach_volume' });
    expect(actions).to.have.length(2);
    expect(actions[0].requestId).to.match(/^req-/);
    const events = await nova.ds.getRepository(InstanceActionEvent).findBy({ actionId: actions[0].id });
    expect(events.map((e) => [e.event, e.result])).to.deep.equal([['compute_attach_volume', 'Success']]);
    const ia = await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions/${actions[0].requestId}`, { version: '2.51' });
    expect(ia.body.instanceAction).to.include({ action: 'attach_volume', request_id: actions[0].requestId, instance_uuid: sid });
    expect(ia.body.instanceAction.events[0]).to.include({ event: 'compute_attach_volume', result: 'Success' });
    expect((await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions`)).body.instanceActions.map((a: { action: string }) => a.action))
      .to.include.members(['create', 'attach_volume']);

    for (const v of [v1, v2]) {
      const d = await nova.req('DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${v.id}`);
      expect(d.status).to.equal(202);
    }
    await waitFor(() => status(v1.id) === 'available' && status(v2.id) === 'available', 10_000, 'both available', 20);
    await waitFor(async () => (await bdmRows(v2.id))[0]?.deleted !== 0, 5_000, 'BDM soft-deleted', 20);
    for (const v of [v1, v2]) {
      const [b] = await bdmRows(v.id);
      expect(b.deleted).to.equal(b.id);
      expect(b.deletedAt).to.be.instanceOf(Date);
      expect(v.exported).to.equal(false);
    }
    expect((nova.compute.connector as FakeConnector).connected.size).to.equal(0);
    expect((await nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments`)).body.volumeAttachments).to.deep.equal([]);
    await waitFor(() => notes.filter((n) => n.eventType === 'compute.instance.volume.detach').length === 2, 5_000, 'detach notifications', 20);
    await listener.stop();
    const attachNotes = notes.filter((n) => n.eventType === 'compute.instance.volume.attach');
    expect(attachNotes.map((n) => (n.payload as { volume_id: string }).volume_id)).to.have.members([v1.id, v2.id]);
    expect(attachNotes[0].publisherId).to.equal(`compute.${nova.conf.DEFAULT.host}`);
    expect(attachNotes[0].ctxt).to.not.have.property('auth_token');
  });

  it('rejects an in-use volume with the seed message', async () => {
    const s1 = await activeServer(nova, 's1');
    const s2 = await activeServer(nova, 's2');
    const v = cinder.create('demo');
    expect((await attach(s1, v.id)).status).to.equal(200);
    await waitFor(() => status(v.id) === 'in-use', 10_000, 'in-use', 20);
    for (const sid of [s2, s1]) {
      const r = await attach(sid, v.id);
      expect(r.status).to.equal(400);
      expect(r.body).to.deep.equal({ badRequest: { code: 400, message: "Invalid volume: status must be 'available'" } });
    }
    expect(await bdmRows(v.id)).to.have.length(1);
  });

  it('10 concurrent attaches of 10 volumes to one server (two nova-api) get 10 distinct devices', async () => {
    const sid = await activeServer(nova);
    const other = await nova.extraApi();
    const vols = Array.from({ length: 10 }, () => cinder.create('demo'));
    const res = await Promise.all(vols.map((v, i) => (i % 2
      ? nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: v.id } }, url: other.url })
      : attach(sid, v.id))));
    expect(res.map((r) => r.status)).to.deep.equal(Array(10).fill(200));
    const devices = res.map((r) => r.body.volumeAttachment.device as string);
    expect(new Set(devices).size).to.equal(10);
    expect(devices).to.not.include('/dev/vda');
    await waitFor(() => vols.every((v) => status(v.id) === 'in-use'), 15_000, 'all in-use', 20);
  });

  it('10 concurrent attaches of one volume to 10 servers: exactly one succeeds', async () => {
    const servers: string[] = [];
    for (let i = 0; i < 10; i++) servers.push(await activeServer(nova, `s${i}`));
    const v = cinder.create('demo');
    const other = await nova.extraApi();
    const res = await Promise.all(servers.map((sid, i) => (i % 2
      ? nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: v.id } }, url: other.url })
      : attach(sid, v.id))));
    expect(res.filter((r) => r.status === 200)).to.have.length(1);
    expect(res.filter((r) => r.status === 400)).to.have.length(9);
    await waitFor(() => status(v.id) === 'in-use', 10_000, 'in-use', 20);
    expect((await bdmRows(v.id)).filter((b) => b.deleted === 0)).to.have.length(1);
  });

  // A statement that commits while the connection drops: the database did it, the caller cannot tell.
  const committedThenLost = <A extends unknown[], R>(fn: (...a: A) => Promise<R>): ((...a: A) => Promise<R>) => {
    let lost = false;
    return async (...a: A) => {
      const r = await fn(...a);
      if (lost) return r;
      lost = true;
      throw Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });
    };
  };

  it('the BDM INSERT committed but its answer lost: 503, and the row is withdrawn before the answer', async () => {
    const sid = await activeServer(nova);
    const v = cinder.create('demo');
    const db = nova.api.compute.db;
    db.bdmCreate = committedThenLost(db.bdmCreate.bind(db));
    const r = await attach(sid, v.id);
    expect(r.status).to.equal(503);
    expect(await bdmRows(v.id)).to.deep.equal([]);
    expect(status(v.id)).to.equal('available');
    expect((await attach(sid, v.id)).status).to.equal(200);
    await waitFor(() => status(v.id) === 'in-use', 10_000, 'in-use', 20);
  });

  it('a rollback whose hiding UPDATE committed but lost its answer still drops the row', async () => {
    const [s1, s2] = [await activeServer(nova, 's1'), await activeServer(nova, 's2')];
    const v = cinder.create('demo');
    expect((await attach(s1, v.id)).status).to.equal(200);
    await waitFor(() => status(v.id) === 'in-use', 10_000, 'in-use', 20);
    const db = nova.api.compute.db;
    db.bdmHide = committedThenLost(db.bdmHide.bind(db));
    expect((await attach(s2, v.id)).status).to.equal(400);
    expect((await bdmRows(v.id)).map((b) => b.instanceUuid)).to.deep.equal([s1]);
  });

  it('initialize the connection failing → reservation undone (unreserve), no BDM row', async () => {
    const sid = await activeServer(nova);
    const v = cinder.create('demo');
    cinder.failNext.set('os-initialize_connection', { code: 500, message: 'Unable to fetch connection information from backend.' });
    expect((await attach(sid, v.id)).status).to.equal(200);
    await waitFor(() => cinder.calls.some((c) => c.action === 'os-unreserve'), 10_000, 'unreserve', 20);
    await waitFor(async () => (await bdmRows(v.id)).length === 0, 5_000, 'BDM gone', 20);
    expect(status(v.id)).to.equal('available');
  });

  it('attach to the guest failing → host disconnected, unreserved, no BDM row', async () => {
    const sid = await activeServer(nova);
    const driver = nova.compute.driver as FakeDriver;
    driver.attachVolume = async () => { throw new Error('libvirt: internal error: unable to execute QEMU command device_add'); };
    const v = cinder.create('demo');
    expect((await attach(sid, v.id)).status).to.equal(200);
    await waitFor(async () => cinder.calls.some((c) => c.action === 'os-unreserve') && (await bdmRows(v.id)).length === 0, 10_000, 'rolled back', 20);
    expect(status(v.id)).to.equal('available');
    expect((nova.compute.connector as FakeConnector).connected.size).to.equal(0);
    expect(cinder.calls.map((c) => c.action)).to.not.include('os-attach');
    const events = await nova.ds.getRepository(InstanceActionEvent).findBy({ event: 'compute_attach_volume' });
    expect(events.map((e) => e.result)).to.deep.equal(['Error']);
  });

  it('the guest detach failing → os-roll_detaching, volume back in-use, BDM kept', async () => {
    const r = await nova.req('POST', '/v2.1/servers', { body: { server: { name: 'df', flavorRef: '1', metadata: { fake_fail: 'detach_volume' } } } });
    const sid = r.body.server.id as string;
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).body.server.status === 'ACTIVE', 10_000, 'ACTIVE', 20);
    const v = cinder.create('demo');
    expect((await attach(sid, v.id)).status).to.equal(200);
    await waitFor(() => status(v.id) === 'in-use', 10_000, 'in-use', 20);
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${v.id}`)).status).to.equal(202);
    await waitFor(() => cinder.calls.some((c) => c.action === 'os-roll_detaching'), 10_000, 'roll_detaching', 20);
    expect(status(v.id)).to.equal('in-use');
    expect((await bdmRows(v.id)).filter((b) => b.deleted === 0)).to.have.length(1);
  });

  it('deleting a server with attached volumes leaves every volume available', async () => {
    const sid = await activeServer(nova);
    const vols = [cinder.create('demo'), cinder.create('demo')];
    for (const v of vols) expect((await attach(sid, v.id)).status).to.equal(200);
    await waitFor(() => vols.every((v) => status(v.id) === 'in-use'), 10_000, 'in-use', 20);
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 10_000, 'server gone', 20);
    expect(vols.map((v) => status(v.id))).to.deep.equal(['available', 'available']);
  });

  it('answers bad input with 4xx faults', async () => {
    const sid = await activeServer(nova);
    const v = cinder.create('demo');
    const bad = async (body: unknown, code = 400) => {
      const r = await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body });
      expect(r.status, JSON.stringify(r.body)).to.equal(code);
      return r.body;
    };
    expect((await bad({ volumeAttachment: { volumeId: v.id, device: 'vdb' } })).badRequest.message).to.contain('does not match');
    await bad({ volumeAttachment: {} });
    // Nova's validator prints str() of the value, then jsonschema's repr-quoted reason.
    expect((await bad({ volumeAttachment: { volumeId: 'nope' } })).badRequest.message).to.equal("Invalid input for field/attribute volumeId. Value: nope. 'nope' is not a 'uuid'");
    expect((await bad({ volumeAttachment: { volumeId: v.id, device: 5 } })).badRequest.message).to.equal("Invalid input for field/attribute device. Value: 5. 5 is not of type 'string', 'null'");
    await bad({ volumeAttachment: { volumeId: v.id, extra: 1 } });
    await bad({});
    await bad('{not json');
    const missing = await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: '0b4f0b0e-0000-4000-8000-000000000000' } } });
    expect(missing.status).to.equal(404);
    expect(missing.body.itemNotFound.message).to.equal('Volume 0b4f0b0e-0000-4000-8000-000000000000 could not be found.');
    expect(await bdmRows('0b4f0b0e-0000-4000-8000-000000000000')).to.have.length(0);
    expect((await nova.req('GET', `/v2.1/servers/${sid}`, { token: 'other:other' })).status).to.equal(404);
    expect((await nova.req('GET', '/v2.1/servers/srv1')).status).to.equal(404);
    expect((await nova.req('GET', `/v2.1/servers/${sid}`, { version: '2.999' })).status).to.equal(406);
    expect((await nova.req('GET', `/v2.1/servers/${sid}`, { version: 'abc' })).status).to.equal(400);
    expect((await nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments/${v.id}`)).body.itemNotFound.message)
      .to.equal(`Instance ${sid} is not attached to volume ${v.id}`);
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${v.id}`)).status).to.equal(404);
    // The device is taken → 409; the tenant in the URL must be the caller's.
    const v2 = cinder.create('demo');
    expect((await attach(sid, v.id, '/dev/vdb')).status).to.equal(200);
    expect((await attach(sid, v2.id, '/dev/vdb')).status).to.equal(409);
    expect((await nova.req('GET', `/v2.1/other/servers/${sid}`)).status).to.equal(400);
    expect((await nova.req('GET', `/v2.1/demo/servers/${sid}`)).status).to.equal(200);
  });
});

describe('nova attach: [compute] max_disk_devices_to_attach', function () {
  this.timeout(30_000);
  let cinder: CinderFixture;
  let nova: Nova;
  before(async () => {
    cinder = new CinderFixture();
    const url = await cinder.start();
    nova = await startNova({ cinder: { endpoint: `${url}/v3/%(project_id)s` }, compute: { max_disk_devices_to_attach: 3 } });
  });
  after(async () => {
    await nova?.stop();
    await cinder?.stop();
  });

  it('answers 403 TooManyDiskDevices once root + attached disks reach the maximum, leaving the volume available', async () => {
    const sid = await activeServer(nova);
    const vols = [cinder.create('demo'), cinder.create('demo'), cinder.create('demo')];
    for (const v of vols.slice(0, 2)) {
      expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: v.id } } })).status).to.equal(200);
    }
    const r = await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vols[2].id } } });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal('The maximum allowed number of disk devices (3) to attach to a single instance has been exceeded.');
    expect(cinder.volumes.get(vols[2].id)?.status).to.equal('available');
  });
});

describe('nova attach/detach with the compute service down', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();

  it('answers 409 "Service is unavailable at this time." and leaves nothing behind', async () => {
    const sid = await activeServer(s.nova);
    const v = s.cinder.create('demo');
    await s.nova.compute.stop();
    await s.nova.ds.getRepository(Service).update({ binary: 'nova-compute' }, { lastSeenUp: new Date(Date.now() - 3600_000) });
    const r = await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: v.id } } });
    expect(r.status).to.equal(409);
    expect(r.body.conflictingRequest.message).to.equal('Service is unavailable at this time.');
    expect(s.cinder.volumes.get(v.id)?.status).to.equal('available');
    expect(await s.nova.ds.getRepository(BlockDeviceMapping).findBy({ volumeId: v.id })).to.have.length(0);
    s.nova.compute.stop = async () => undefined;
  });
});
