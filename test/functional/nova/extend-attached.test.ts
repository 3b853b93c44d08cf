// Extending an attached volume across both projects (tempest's test_extend_attached_volume):
// cinder-api refuses an in-use extend below 3.42 and takes it from 3.42; cinder-volume extends,
// then tells Nova through os-server-external-events (volume-extended); nova-api records the
// extend_volume action and casts external_instance_event; the compute runs
// compute_extend_volume: BDM volume_size, the connector's and the guest's new size.
import { expect } from 'chai';
import { BlockDeviceMapping } from '../../../nova-common/entities';
import type { FakeConnector } from '../../../nova-compute/connectors';
import type { FakeDriver } from '../../../nova-compute/virt/fake';
import { startCinder, type Cinder } from '../cinder/cinder-stack';
import { freePort, waitFor } from '../../support/processes';
import { activeServer, startNova, type Nova } from './harness';

describe('extend an attached volume: cinder → os-server-external-events → nova-compute', function () {
  this.timeout(60_000);
  let cinder: Cinder;
  let nova: Nova;

  before(async () => {
    const port = await freePort();
    cinder = await startCinder({ DEFAULT: { rpc_response_timeout: 3 }, nova: { endpoint_template: `http://127.0.0.1:${port}/v2.1` } });
    nova = await startNova({ DEFAULT: { osapi_compute_listen_port: port }, cinder: { endpoint: `${cinder.api.url}/v3/%(project_id)s` } });
  });
  after(async () => {
    await nova?.stop();
    await cinder?.stop().catch(() => undefined);
  });

  const extend = (id: string, size: number, version: string) =>
    cinder.req('POST', `/v3/demo/volumes/${id}/action`, { body: { 'os-extend': { new_size: size } }, headers: { 'OpenStack-API-Version': `volume ${version}` } });

  it('refuses an in-use extend below 3.42, then extends it and Nova sees the new size', async () => {
    const sid = await activeServer(nova);
    const vid = await cinder.createVolume(1);
    expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vid } } })).status).to.equal(200);
    await waitFor(async () => (await cinder.show(vid)).status === 'in-use', 10_000, 'in-use', 20);
    await waitFor(async () => !!(await nova.ds.getRepository(BlockDeviceMapping).findOneBy({ volumeId: vid }))?.connectionInfo, 5_000, 'connection_info', 20);

    let r = await extend(vid, 2, '3.41');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: Volume ${vid} status must be '{'status': 'available'}' to extend, currently in-use.`);

    r = await extend(vid, 2, '3.42');
    expect(r.status).to.equal(202);
    await waitFor(async () => (await cinder.show(vid)).size === 2, 10_000, 'size 2', 20);
    expect((await cinder.show(vid)).status).to.equal('in-use');

    // The owner sees the action; the admin sees its compute event end in Success.
    let action: { request_id: string } | undefined;
    await waitFor(async () => {
      const list = (await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions`)).body.instanceActions as Array<{ action: string; request_id: string }>;
      action = list.find((a) => a.action === 'extend_volume');
      return !!action;
    }, 10_000, 'extend_volume action', 20);
    let event: { event: string; result: string; finish_time: string | null } | undefined;
    await waitFor(async () => {
      const a = (await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions/${action!.request_id}`, { token: 'admin:admin' })).body.instanceAction;
      event = (a.events as Array<typeof event>).find((e) => e?.event === 'compute_extend_volume' && e.finish_time);
      return !!event;
    }, 10_000, 'compute_extend_volume finished', 20);
    expect(event!.result).to.equal('Success');

    const bdm = await nova.ds.getRepository(BlockDeviceMapping).findOneByOrFail({ volumeId: vid, deleted: 0 });
    expect(bdm.volumeSize).to.equal(2);
    const devicePath = JSON.parse(bdm.connectionInfo as string).data.device_path as string;
    expect((nova.compute.connector as FakeConnector).extended).to.include(devicePath);
    const inst = await nova.ds.query('SELECT id, uuid FROM instances WHERE uuid = ?', [sid]) as Array<{ id: number; uuid: string }>;
    const disk = (nova.compute.driver as FakeDriver).listDisks({ id: inst[0].id, uuid: sid } as never).find((d) => d.serial === vid);
    expect(disk?.sizeBytes).to.equal(2 * 1024 ** 3);
  });

  it('os-server-external-events: admin only, from 2.51 for volume-extended, a code per event (200, 207)', async () => {
    const sid = await activeServer(nova, 'ev');
    const post = (events: unknown[], o: { token?: string; version?: string } = {}) =>
      nova.req('POST', '/v2.1/os-server-external-events', { token: o.token ?? 'admin:admin', version: o.version ?? '2.51', body: { events } });
    const vid = '5e3f9a1c-0d8b-4c55-9c1e-2f7a6b1d0e42';
    let r = await post([{ name: 'volume-extended', server_uuid: sid, tag: vid }], { token: 'demo:demo' });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow os_compute_api:os-server-external-events:create to be performed.");
    r = await post([{ name: 'volume-extended', server_uuid: sid, tag: vid }], { version: '2.50' });
    expect(r.status).to.equal(400);
    r = await post([{ name: 'volume-extended', server_uuid: sid, tag: vid }]);
    expect(r.status).to.equal(200);
    expect(r.body.events).to.deep.equal([{ name: 'volume-extended', server_uuid: sid, tag: vid, status: 'completed', code: 200 }]);
    const missing = '0b4a2b1e-53d4-4a36-9c3e-5f1d6c2b7a90';
    r = await post([{ name: 'volume-extended', server_uuid: sid }, { name: 'volume-extended', server_uuid: missing, tag: vid }]);
    expect(r.status).to.equal(207);
    expect(r.body.events.map((e: { code: number; status: string }) => [e.code, e.status])).to.deep.equal([[400, 'failed'], [404, 'failed']]);
    // The volume is not on the server: the compute logs it and the event still ends (Success, as Nova's early return).
    await waitFor(async () => {
      const list = (await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions`)).body.instanceActions as Array<{ action: string }>;
      return list.some((a) => a.action === 'extend_volume');
    }, 5_000, 'action recorded', 20);
  });
});
