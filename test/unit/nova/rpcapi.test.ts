// The compute RPC wire contract, read off the broker (test/support/rpc-wire.ts): for every
// method of nova-compute/rpcapi.ts, cast or call, the target server (compute.<instance.host>),
// the version and Nova's kwarg names (table-driven, as nova's test_rpcapi.py).
import { expect } from 'chai';
import { RequestContext } from '../../../common/context';
import { getRpcTransport, MessagingTimeout, type Transport } from '../../../common/rpc';
import type { BlockDeviceMapping, Instance } from '../../../nova-common/entities';
import { ComputeAPI } from '../../../nova-compute/rpcapi';
import { WireTap } from '../../support/rpc-wire';

const URL = 'fake://nova-rpcapi-contract';

describe('nova compute rpcapi: the wire contract', () => {
  let transport: Transport;
  const tap = new WireTap(URL, 'openstack', 'compute.nvs-1');
  const instance = { id: 7, uuid: '9de3d836-be91-4348-9fc1-b67d8623157f', host: 'nvs-1', node: 'nvs-1', projectId: 'p', userId: 'u', imageRef: 'img' } as Instance;
  const bdm = { id: 6, volumeId: 'b5ce6d0f-e7db-41cb-a5f1-5c47454248c1', deviceName: '/dev/vdb', instanceUuid: instance.uuid, attachmentId: 'a1' } as BlockDeviceMapping;
  const NEW = '0b4a2b1e-53d4-4a36-9c3e-5f1d6c2b7a90';

  before(async () => {
    transport = getRpcTransport(URL);
    await tap.start();
  });
  after(async () => {
    await tap.stop();
    await transport.close();
  });

  const cases: Array<[string, (api: ComputeAPI, ctx: RequestContext) => Promise<void>, string[]]> = [
    ['attach_volume', (api, ctx) => api.attachVolume(ctx, instance, bdm), ['instance', 'bdm']],
    ['detach_volume', (api, ctx) => api.detachVolume(ctx, instance, bdm.volumeId as string, 'a1'), ['instance', 'volume_id', 'attachment_id']],
    ['swap_volume', (api, ctx) => api.swapVolume(ctx, instance, bdm.volumeId as string, NEW, 'a2'), ['instance', 'old_volume_id', 'new_volume_id', 'new_attachment_id']],
    ['build_and_run_instance', (api, ctx) => api.buildAndRunInstance(ctx, instance, [bdm]), ['instance', 'host', 'image', 'request_spec', 'filter_properties',
      'accel_uuids', 'admin_password', 'injected_files', 'requested_networks', 'security_groups', 'block_device_mapping', 'node', 'limits', 'host_list']],
    ['terminate_instance', (api, ctx) => api.terminateInstance(ctx, instance, [bdm]), ['instance', 'bdms']],
    ['stop_instance', (api, ctx) => api.stopInstance(ctx, instance), ['instance', 'clean_shutdown']],
    ['start_instance', (api, ctx) => api.startInstance(ctx, instance), ['instance']],
    ['reboot_instance', (api, ctx) => api.rebootInstance(ctx, instance, 'SOFT'), ['instance', 'block_device_info', 'reboot_type']],
    ['rebuild_instance', (api, ctx) => api.rebuildInstance(ctx, instance, { imageRef: NEW, origImageRef: null, newPass: null, bdms: [bdm] }),
      ['instance', 'new_pass', 'injected_files', 'image_ref', 'orig_image_ref', 'orig_sys_metadata', 'bdms', 'recreate', 'on_shared_storage',
        'preserve_ephemeral', 'migration', 'scheduled_node', 'limits', 'request_spec', 'accel_uuids']],
    ['pause_instance', (api, ctx) => api.pauseInstance(ctx, instance), ['instance']],
    ['unpause_instance', (api, ctx) => api.unpauseInstance(ctx, instance), ['instance']],
    ['suspend_instance', (api, ctx) => api.suspendInstance(ctx, instance), ['instance']],
    ['resume_instance', (api, ctx) => api.resumeInstance(ctx, instance), ['instance']],
    ['inject_network_info', (api, ctx) => api.injectNetworkInfo(ctx, instance), ['instance']],
    ['external_instance_event', (api, ctx) => api.externalInstanceEvent(ctx, [instance],
      [{ instanceUuid: instance.uuid, name: 'volume-extended', status: 'completed', tag: bdm.volumeId as string }]), ['instances', 'events']],
  ];
  for (const [method, send, keys] of cases) {
    it(`${method}: a cast to compute.<instance.host> at 6.0 with Nova's kwargs`, async () => {
      const ctx = new RequestContext({ userId: 'u', projectId: 'p', authToken: 'u:p' });
      await send(new ComputeAPI(transport), ctx);
      const m = await tap.next();
      expect([m.kind, m.method, m.version]).to.deep.equal(['cast', method, '6.0']);
      expect(Object.keys(m.args).sort()).to.deep.equal([...keys].sort());
      expect(m.context).to.include({ request_id: ctx.requestId, auth_token: 'u:p', project_id: 'p', user_id: 'u' });
      const inst = m.args.instance ?? (m.args.instances as unknown[])[0];
      expect((inst as Record<string, unknown>)['nova_object.name']).to.equal('Instance');
      if (m.args.events) {
        expect((m.args.events as Array<Record<string, unknown>>)[0]).to.deep.include({ 'nova_object.name': 'InstanceExternalEvent', 'nova_object.version': '1.5' });
      }
    });
  }

  const calls: Array<[string, (api: ComputeAPI, ctx: RequestContext) => Promise<unknown>, Record<string, unknown>]> = [
    ['get_host_uptime', (api, ctx) => api.getHostUptime(ctx, 'nvs-1'), {}],
    ['set_host_enabled', (api, ctx) => api.setHostEnabled(ctx, 'nvs-1', false), { enabled: false }],
    ['host_maintenance_mode', (api, ctx) => api.hostMaintenanceMode(ctx, 'nvs-1', true), { host: 'nvs-1', mode: true }],
    ['host_power_action', (api, ctx) => api.hostPowerAction(ctx, 'nvs-1', 'reboot'), { action: 'reboot' }],
  ];
  for (const [method, send, args] of calls) {
    it(`${method}: a call to compute.<host> at 6.0 with Nova's kwargs`, async () => {
      // Nobody answers here: the call ends in MessagingTimeout once the message is out.
      await send(new ComputeAPI(transport, { timeout: 0.2 }), new RequestContext({ userId: 'u', projectId: 'p' })).catch((e: unknown) => {
        if (!(e instanceof MessagingTimeout)) throw e;
      });
      const m = await tap.next();
      expect([m.kind, m.method, m.version]).to.deep.equal(['call', method, '6.0']);
      expect(m.args).to.deep.equal(args);
    });
  }

  it("get_console_output: a call to compute.<instance.host> at 6.0 with Nova's kwargs (the instance, tail_length)", async () => {
    await new ComputeAPI(transport, { timeout: 0.2 }).getConsoleOutput(new RequestContext({ userId: 'u', projectId: 'p' }), instance, 3).catch((e: unknown) => {
      if (!(e instanceof MessagingTimeout)) throw e;
    });
    const m = await tap.next();
    expect([m.kind, m.method, m.version]).to.deep.equal(['call', 'get_console_output', '6.0']);
    expect(Object.keys(m.args).sort()).to.deep.equal(['instance', 'tail_length']);
    expect(m.args.tail_length).to.equal(3);
    expect((m.args.instance as Record<string, unknown>)['nova_object.name']).to.equal('Instance');
  });

  for (const [method, send] of [
    ['get_diagnostics', (api: ComputeAPI, ctx: RequestContext) => api.getDiagnostics(ctx, instance)],
    ['get_instance_diagnostics', (api: ComputeAPI, ctx: RequestContext) => api.getInstanceDiagnostics(ctx, instance)],
  ] as const) {
    it(`${method}: a call to compute.<instance.host> at 6.0 with Nova's kwargs (the instance)`, async () => {
      await send(new ComputeAPI(transport, { timeout: 0.2 }), new RequestContext({ userId: 'u', projectId: 'p' })).catch((e: unknown) => {
        if (!(e instanceof MessagingTimeout)) throw e;
      });
      const m = await tap.next();
      expect([m.kind, m.method, m.version, Object.keys(m.args)]).to.deep.equal(['call', method, '6.0', ['instance']]);
      expect((m.args.instance as Record<string, unknown>)['nova_object.name']).to.equal('Instance');
    });
  }

  it('the methods pinned are every method the rpcapi has', () => {
    const own = Object.getOwnPropertyNames(ComputeAPI.prototype).filter((n) => !['constructor', 'cctxt', 'hostCall'].includes(n));
    const snake = own.map((n) => n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    expect(snake.sort()).to.deep.equal([...cases.map(([m]) => m), ...calls.map(([m]) => m), 'get_console_output', 'get_diagnostics', 'get_instance_diagnostics'].sort());
  });
});
