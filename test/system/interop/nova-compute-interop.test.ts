// Our nova-compute driven by the real Python oslo.messaging the way Nova's nova-api casts to it
// (nova/compute/rpcapi.py, version 6.0): attach_volume(instance, bdm) and
// detach_volume(instance, volume_id, attachment_id) with nova_object primitives and the
// caller's flattened context (its token is what the compute forwards to Cinder), through the
// seed's legacy flow and through the attachments API (a BDM carrying an attachment_id).
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { NovaDB } from '../../../nova-common/db-api';
import { waitFor } from '../../support/processes';
import { requireTransportUrl } from '../../support/servers';
import { CinderFixture } from '../../functional/nova/cinder-fixture';
import { activeServer, startNova, type Nova } from '../../functional/nova/harness';
import { pythonOsloAvailable, run } from './peers';

const novaObject = (name: string, version: string, data: Record<string, unknown>): Record<string, unknown> => ({
  'nova_object.name': name, 'nova_object.namespace': 'nova', 'nova_object.version': version, 'nova_object.data': data, 'nova_object.changes': [],
});

describe('interop: Python oslo.messaging client -> our nova-compute (Nova\'s compute RPC API)', function () {
  this.timeout(90_000);
  let url: string;
  let exchange: string;
  let host: string;
  let cinder: CinderFixture;
  let nova: Nova;

  before(async function () {
    url = await requireTransportUrl(this);
    if (!pythonOsloAvailable()) {
      if (process.env.CI === 'true') throw new Error('python3-oslo.messaging is not installed');
      this.skip();
    }
    exchange = `nc_${randomBytes(4).toString('hex')}`;
    host = `nc-${randomBytes(3).toString('hex')}`;
    cinder = new CinderFixture();
    const curl = await cinder.start();
    nova = await startNova({ DEFAULT: { transport_url: url, control_exchange: exchange, host }, cinder: { endpoint: `${curl}/v3/%(project_id)s` } });
  });
  after(async () => {
    await nova?.stop();
    await cinder?.stop();
  });

  const ctxt = {
    user_id: 'demo', project_id: 'demo', auth_token: 'demo:demo', request_id: 'req-0d7c1c8e-59a4-4f0f-9a51-7f3e2b1c4d5e',
    global_request_id: null, is_admin: false, roles: ['member'], read_only: false, show_deleted: false, user_name: 'demo', project_name: 'demo',
  };
  const pyCast = (method: string, args: Record<string, unknown>) => run('py', [
    'call', '--cast', '--url', url, '--control-exchange', exchange, '--topic', 'compute', '--server', host, '--version', '6.0',
    '--method', method, '--args', JSON.stringify(args), '--context', JSON.stringify(ctxt),
  ], 60_000);

  it('attach_volume and detach_volume cast from Python run the compute-side attach steps (build the connector … mark attached) and their detach mirror', async () => {
    const sid = await activeServer(nova, 'py-attach');
    const v = cinder.create('demo');
    // What nova-api did before casting ("reserve the device", "reserve the volume"): the BDM row, os-reserve.
    v.status = 'attaching';
    const bdm = await new NovaDB(nova.ds).bdmCreate({
      instanceUuid: sid, sourceType: 'volume', destinationType: 'volume', volumeId: v.id, deviceName: '/dev/vdb', bootIndex: null,
    });
    const instance = novaObject('Instance', '2.7', { uuid: sid, host, node: host, vm_state: 'active', project_id: 'demo', user_id: 'demo' });
    const sent = await pyCast('attach_volume', {
      instance, bdm: novaObject('BlockDeviceMapping', '1.20', { id: bdm.id, instance_uuid: sid, volume_id: v.id, device_name: '/dev/vdb', source_type: 'volume', destination_type: 'volume' }),
    });
    expect(sent.last, sent.stderr).to.deep.equal({ ok: true, result: null });
    await waitFor(() => cinder.volumes.get(v.id)?.status === 'in-use', 20_000, 'in-use');
    const row = await new NovaDB(nova.ds).bdmByVolumeAndInstance(v.id, sid);
    const info = JSON.parse(row?.connectionInfo ?? '{}') as { serial?: string; data?: { device_path?: string } };
    expect(info.serial).to.equal(v.id);
    expect(info.data?.device_path).to.match(/^\/dev\/disk\/by-path\/ip-.+-iscsi-iqn\..+-lun-\d+$/);
    // The compute made the seed's calls to Cinder ("initialize the connection", "mark attached") for the Python caller.
    expect(cinder.calls.map((c) => c.action).filter((a) => a.startsWith('os-'))).to.include.members(['os-initialize_connection', 'os-attach']);

    v.status = 'detaching'; // what nova-api's os-begin_detaching did before its cast
    const det = await pyCast('detach_volume', { instance, volume_id: v.id, attachment_id: null });
    expect(det.last, det.stderr).to.deep.equal({ ok: true, result: null });
    await waitFor(() => cinder.volumes.get(v.id)?.status === 'available', 20_000, 'available');
    await waitFor(async () => (await new NovaDB(nova.ds).bdmByVolumeAndInstance(v.id, sid)) === null, 10_000, 'the BDM row soft-deleted');
    expect(cinder.calls.map((c) => c.action)).to.include.members(['os-terminate_connection', 'os-detach']);
  });

  it('attach_volume cast from Python with a BDM carrying an attachment_id runs the attachments flow; detach deletes that attachment', async () => {
    const sid = await activeServer(nova, 'py-v3');
    const v = cinder.create('demo');
    // What Python nova-api did before casting: the BDM row and attachment_create.
    const attachmentId = cinder.reserveAttachment(v.id, sid);
    const bdm = await new NovaDB(nova.ds).bdmCreate({
      instanceUuid: sid, sourceType: 'volume', destinationType: 'volume', volumeId: v.id, deviceName: '/dev/vdb', bootIndex: null,
    });
    const instance = novaObject('Instance', '2.7', { uuid: sid, host, node: host, vm_state: 'active', project_id: 'demo', user_id: 'demo' });
    const before = cinder.calls.length;
    const sent = await pyCast('attach_volume', {
      instance, bdm: novaObject('BlockDeviceMapping', '1.20', {
        id: bdm.id, instance_uuid: sid, volume_id: v.id, device_name: '/dev/vdb', source_type: 'volume', destination_type: 'volume', attachment_id: attachmentId,
      }),
    });
    expect(sent.last, sent.stderr).to.deep.equal({ ok: true, result: null });
    await waitFor(() => cinder.volumes.get(v.id)?.status === 'in-use', 20_000, 'in-use');
    const row = await waitFor(async () => {
      const r = await new NovaDB(nova.ds).bdmByVolumeAndInstance(v.id, sid);
      return r?.attachState === null ? r : null;
    }, 10_000, 'row settled');
    expect(row?.attachmentId).to.equal(attachmentId);
    const info = JSON.parse(row?.connectionInfo ?? '{}') as { driver_volume_type?: string; serial?: string; data?: Record<string, unknown> };
    expect(info.driver_volume_type).to.equal('iscsi');
    expect(info.serial).to.equal(v.id);
    expect(info.data).to.not.have.property('attachment_id');
    const calls = cinder.calls.slice(before);
    expect(calls.map((c) => c.action)).to.deep.equal(['attachment_update', 'attachment_complete']);
    expect((calls[0].body as { attachment: { connector: Record<string, unknown> } }).attachment.connector).to.include({ mountpoint: '/dev/vdb' });

    v.status = 'detaching';
    const det = await pyCast('detach_volume', { instance, volume_id: v.id, attachment_id: attachmentId });
    expect(det.last, det.stderr).to.deep.equal({ ok: true, result: null });
    await waitFor(() => cinder.volumes.get(v.id)?.status === 'available', 20_000, 'available');
    expect(cinder.v3Attachments.has(attachmentId)).to.equal(false);
    expect(cinder.calls.slice(before).map((c) => c.action)).to.not.include.members(['os-initialize_connection', 'os-attach', 'os-detach']);
  });
});
