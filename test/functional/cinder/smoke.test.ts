import { expect } from 'chai';
import { startCinder, type Cinder } from './cinder-stack';

describe('cinder smoke', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  it('creates, reserves, connects, attaches, detaches and deletes', async () => {
    const id = await c.createVolume(1);
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    const init = await c.action(id, 'os-initialize_connection', { connector: { ip: '127.0.0.1', host: 'h', initiator: 'iqn.1993-08.org.debian:01:abc' } });
    expect(init.status, JSON.stringify(init.body)).to.equal(200);
    const info = (init.body as { connection_info: { driver_volume_type: string; data: Record<string, unknown> } }).connection_info;
    expect(info.driver_volume_type).to.equal('iscsi');
    expect(info.data.target_iqn).to.equal(`iqn.2010-10.org.openstack:volume-${id}`);
    const at = await c.action(id, 'os-attach', { instance_uuid: '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2', mountpoint: '/dev/vdb', mode: 'rw' });
    expect(at.status, JSON.stringify(at.body)).to.equal(202);
    const shown = await c.show(id, 'admin:demo');
    expect(shown.status).to.equal('in-use');
    expect(shown.attachments).to.have.length(1);
    expect((await c.action(id, 'os-begin_detaching', null)).status).to.equal(202);
    expect((await c.action(id, 'os-terminate_connection', { connector: { initiator: 'x' } })).status).to.equal(202);
    const d = await c.action(id, 'os-detach', {});
    expect(d.status, JSON.stringify(d.body)).to.equal(202);
    expect((await c.show(id)).status).to.equal('available');
    expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
  });
});
