// cinder-volume as a service: notifications of the create/attach/detach flow (publisher
// volume.<host>@<backend>, no token in the context), heartbeat-based scheduling (a backend
// down or too small → the volume goes to error), delete through the backend.
import { expect } from 'chai';
import { NotificationListener, Target, type Notification } from '../../../common/rpc';
import type { FakeDriver } from '../../../cinder-volume/drivers';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from './cinder-stack';

describe('cinder-volume service behaviour', function () {
  let c: Cinder;
  let listener: NotificationListener;
  const notes: Notification[] = [];
  before(async () => {
    c = await startCinder({ fake: { total_capacity_gb: 10 }, oslo_messaging_notifications: { driver: 'messagingv2' } });
    listener = new NotificationListener(c.transport, [new Target({ topic: 'notifications' })], { onMessage: (n) => { notes.push(n); } },
      { pool: `cinder-t-${Date.now()}` });
    await listener.start();
  });
  after(async () => {
    await listener?.stop();
    await c?.stop();
  });

  it('emits volume.create/attach/detach start+end from volume.<host>@<backend> without the token', async () => {
    const id = await c.createVolume();
    await c.action(id, 'os-reserve', null);
    await c.action(id, 'os-attach', { instance_uuid: '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2', mountpoint: '/dev/vdb' });
    await c.action(id, 'os-detach', {});
    const want = ['volume.create.start', 'volume.create.end', 'volume.attach.start', 'volume.attach.end', 'volume.detach.start', 'volume.detach.end'];
    await waitFor(() => want.every((e) => notes.some((n) => n.eventType === e && (n.payload as { volume_id: string }).volume_id === id)), 5000, 'notifications', 20);
    const mine = notes.filter((n) => (n.payload as { volume_id: string }).volume_id === id).map((n) => n.eventType);
    expect(mine).to.deep.equal(want);
    for (const n of notes) {
      expect(n.publisherId).to.match(/^volume\.cinder1(@fake)?$/);
      expect(n.ctxt).to.not.have.property('auth_token');
    }
    const end = notes.find((n) => n.eventType === 'volume.attach.end')!.payload as Record<string, unknown>;
    expect(end).to.include({ volume_id: id, status: 'in-use', tenant_id: 'demo', size: 1 });
  });

  it('the API notifies volume.reset_status.start/end (publisher volume.<host>)', async () => {
    const id = await c.createVolume();
    expect((await c.action(id, 'os-reset_status', { status: 'error' }, 'admin:demo')).status).to.equal(202);
    await waitFor(() => notes.some((n) => n.eventType === 'volume.reset_status.end' && (n.payload as { volume_id: string }).volume_id === id), 5000, 'reset notes', 20);
    const mine = notes.filter((n) => n.eventType.startsWith('volume.reset_status') && (n.payload as { volume_id: string }).volume_id === id);
    expect(mine.map((n) => n.eventType)).to.deep.equal(['volume.reset_status.start', 'volume.reset_status.end']);
    expect(mine[0].publisherId).to.equal('volume.cinder1');
    expect((mine[1].payload as { status: string }).status).to.equal('error');
  });

  it('schedules only onto a backend with room: too big → error', async () => {
    const r = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 11 } } });
    expect(r.status).to.equal(202);
    expect(r.body.volume.status).to.equal('creating');
    await waitFor(async () => (await c.show(r.body.volume.id)).status === 'error', 5000, 'error', 20);
    // an errored, never-scheduled volume is deleted by the API itself
    expect((await c.req('DELETE', `/v3/demo/volumes/${r.body.volume.id}`)).status).to.equal(202);
    expect((await c.req('GET', `/v3/demo/volumes/${r.body.volume.id}`)).status).to.equal(404);
  });

  it('a backend failure while creating → error; while deleting → error_deleting', async () => {
    const fake = c.volume.backends[0].driver as FakeDriver;
    fake.failNext.set('createVolume', new Error('no space'));
    const r = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1 } } });
    await waitFor(async () => (await c.show(r.body.volume.id)).status === 'error', 5000, 'error', 20);
    const id = await c.createVolume();
    expect(fake.volumes.has(id)).to.equal(true);
    fake.failNext.set('deleteVolume', new Error('busy'));
    expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
    await waitFor(async () => (await c.show(id)).status === 'error_deleting', 5000, 'error_deleting', 20);
    expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(400);
    expect((await c.action(id, 'os-reset_status', { status: 'error' }, 'admin:demo')).status).to.equal(202);
    expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
    await waitFor(async () => (await c.req('GET', `/v3/demo/volumes/${id}`)).status === 404, 5000, 'deleted', 20);
    expect(fake.volumes.has(id)).to.equal(false);
  });

  it('heartbeats into services with the driver stats; schedules by availability zone', async () => {
    const rows = await c.ds.query("SELECT host, `binary`, topic, report_count, capabilities FROM services") as Array<Record<string, unknown>>;
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ host: 'cinder1@fake', binary: 'cinder-volume', topic: 'cinder-volume' });
    expect(JSON.parse(String(rows[0].capabilities))).to.include({ volume_backend_name: 'fake', total_capacity_gb: 10 });
    expect(await c.api.volumes.pickBackend(1, null, {})).to.deep.equal({ host: 'cinder1@fake#fake', az: 'nova' });
    expect(await c.api.volumes.pickBackend(1, 'elsewhere', {})).to.equal(null);
    // CapabilitiesFilter: unscoped and capabilities: specs must match what the backend reports; other scopes are ignored.
    const pass: Array<Record<string, string>> = [{ volume_backend_name: 'fake' }, { 'capabilities:storage_protocol': '<in> iSC' }, { multiattach: '<is> True' },
      { total_capacity_gb: '>= 10' }, { storage_protocol: '<or> FC <or> iSCSI' }, { storage_protocol: 'iscsi' }, { 'RESKEY:anything': 'x' }, { 'vendor:thing': 'y' }];
    for (const specs of pass) {
      expect(await c.api.volumes.pickBackend(1, null, specs), JSON.stringify(specs)).to.deep.equal({ host: 'cinder1@fake#fake', az: 'nova' });
    }
    // A plain value is compared as text (a reported number never equals one); '<or>' splits on spaces.
    const fail: Array<Record<string, string>> = [{ volume_backend_name: 'other' }, { 'capabilities:volume_backend_name': 'other' }, { key1: 'value1' },
      { total_capacity_gb: '10' }, { total_capacity_gb: '>= 100' }, { multiattach: '<is> False' }, { vendor_name: '<or> LVM <or> Open Source' }, { storage_protocol: 'FC' }];
    for (const specs of fail) {
      expect(await c.api.volumes.pickBackend(1, null, specs), JSON.stringify(specs)).to.equal(null);
    }
  });

  it('serves several backends from one cinder-volume (one RPC server and services row each)', async () => {
    const two = await startCinder({ DEFAULT: { enabled_backends: ['fake', 'backend1'] } });
    try {
      expect(two.volume.backends.map((b) => b.host)).to.deep.equal(['cinder1@fake', 'cinder1@backend1']);
      const hosts = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const id = await two.createVolume(1, 'admin:demo');
        const v = await two.show(id, 'admin:demo');
        hosts.add(v['os-vol-host-attr:host']);
        expect((await two.action(id, 'os-initialize_connection', { connector: { initiator: 'iqn.x' } }, 'admin:demo')).status).to.equal(200);
      }
      // the emptier backend wins each time, so both get volumes
      expect([...hosts].sort()).to.deep.equal(['cinder1@backend1#backend1', 'cinder1@fake#fake']);
    } finally {
      await two.stop();
    }
  });
});
