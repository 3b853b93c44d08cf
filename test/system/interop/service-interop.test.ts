// Our cinder-volume served to the real Python oslo.messaging the way Cinder's own cinder-api
// calls it (cinder/volume/rpcapi.py): topic cinder-volume, server <host>@<backend>, version
// 3.x, the volume as a versioned-object primitive, the caller's context flattened.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { requireTransportUrl } from '../../support/servers';
import { startCinder, type Cinder } from '../../functional/cinder/cinder-stack';
import { pythonOsloAvailable, run } from './peers';

const CONNECTOR = { ip: '127.0.0.1', host: 'py-compute', initiator: 'iqn.1994-05.com.redhat:py-compute', multipath: false, platform: 'x86_64', os_type: 'linux' };

describe('interop: Python oslo.messaging client -> our cinder-volume (Cinder\'s volume RPC API)', function () {
  this.timeout(90_000);
  let url: string;
  let exchange: string;
  let cinder: Cinder;
  let server: string;

  before(async function () {
    url = await requireTransportUrl(this);
    if (!pythonOsloAvailable()) {
      if (process.env.CI === 'true') throw new Error('python3-oslo.messaging is not installed');
      this.skip();
    }
    exchange = `svc_${randomBytes(4).toString('hex')}`;
    const host = `cv-${randomBytes(3).toString('hex')}`;
    cinder = await startCinder({ DEFAULT: { transport_url: url, control_exchange: exchange, host } });
    server = `${host}@fake`;
  });
  after(async () => {
    await cinder?.stop();
  });

  const ctxt = { user_id: 'demo', project_id: 'demo', request_id: 'req-5f0c7a53-2c52-4b8a-9d1e-3c6a1f0b9e21', is_admin: false, roles: ['member'] };
  const volumeObject = (id: string): Record<string, unknown> => ({
    'versioned_object.name': 'Volume', 'versioned_object.namespace': 'cinder', 'versioned_object.version': '1.8',
    'versioned_object.data': { id, size: 1, status: 'attaching', host: `${server}#fake` }, 'versioned_object.changes': [],
  });
  const pyCall = (method: string, args: Record<string, unknown>, version = '3.0') => run('py', [
    'call', '--url', url, '--control-exchange', exchange, '--topic', 'cinder-volume', '--server', server,
    '--version', version, '--method', method, '--args', JSON.stringify(args), '--context', JSON.stringify(ctxt), '--timeout', '20',
  ], 60_000);

  it('initialize_connection, attach_volume, terminate_connection and detach_volume as cinder-api sends them', async () => {
    const id = await cinder.createVolume(1, 'demo:demo', 'py');
    expect((await cinder.action(id, 'os-reserve', null)).status).to.equal(202);

    const init = await pyCall('initialize_connection', { volume: volumeObject(id), connector: CONNECTOR }, '3.3');
    expect(init.last, JSON.stringify(init.last)).to.include({ ok: true });
    const info = init.last.result as { driver_volume_type: string; data: Record<string, unknown> };
    expect(info.driver_volume_type).to.equal('iscsi');
    expect(info.data).to.include({ target_iqn: `iqn.2010-10.org.openstack:volume-${id}`, target_lun: 1, auth_method: 'CHAP', access_mode: 'rw', volume_id: id });

    const instance = '3f0c2d5e-8a1b-4c7d-9e6f-0a1b2c3d4e5f';
    const att = await pyCall('attach_volume', { volume_id: id, instance_uuid: instance, host_name: null, mountpoint: '/dev/vdb', mode: 'rw', volume: volumeObject(id) });
    expect(att.last, att.stderr).to.include({ ok: true });
    const vol = await cinder.show(id);
    expect(vol.status).to.equal('in-use');
    expect(vol.attachments).to.have.length(1);
    expect(vol.attachments[0]).to.include({ server_id: instance, device: '/dev/vdb' });

    const term = await pyCall('terminate_connection', { volume_id: id, connector: CONNECTOR, force: false, volume: volumeObject(id) });
    expect(term.last, term.stderr).to.include({ ok: true, result: null });
    const det = await pyCall('detach_volume', { volume_id: id, attachment_id: vol.attachments[0].attachment_id, volume: volumeObject(id) });
    expect(det.last, det.stderr).to.include({ ok: true });
    expect((await cinder.show(id)).status).to.equal('available');
  });

  it('errors cross as oslo remote errors: unknown volume, unknown method, newer major version', async () => {
    const missing = await pyCall('initialize_connection', { volume: volumeObject('0b7f5b8e-1c1d-4e55-a1a2-9f3e4d5c6b7a'), connector: CONNECTOR });
    // The Python side cannot import cinder.exception: a RemoteError naming the class.
    expect(missing.last).to.include({ ok: false, remote: true, error_class: 'RemoteError', exc_type: 'VolumeNotFound' });
    expect(String(missing.last.message)).to.include('Volume 0b7f5b8e-1c1d-4e55-a1a2-9f3e4d5c6b7a could not be found.');
    const nsm = await pyCall('no_such_method', {});
    expect(nsm.last).to.include({ ok: false, error_class: 'RemoteError', exc_type: 'NoSuchMethod' });
    const major = await pyCall('initialize_connection', { volume: volumeObject('x'), connector: CONNECTOR }, '4.0');
    expect(major.last).to.include({ ok: false, error_class: 'RemoteError', exc_type: 'UnsupportedVersion' });
    expect(String(major.last.message)).to.contain('Endpoint does not support RPC version 4.0. Attempted method: initialize_connection');
  });
});
