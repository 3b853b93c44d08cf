// The compute RPC wire contract: method, call/cast, server and version (table-driven, as
// nova's test_rpcapi.py).
import { expect } from 'chai';
import { RequestContext } from '../../../common/context';
import { RPCServer, Target, getRpcTransport, type Transport } from '../../../common/rpc';
import type { BlockDeviceMapping, Instance } from '../../../nova-common/entities';
import { COMPUTE_RPC_API_VERSION, ComputeAPI } from '../../../nova-compute/rpcapi';
import { waitFor } from '../../support/processes';

describe('nova compute rpcapi', () => {
  let transport: Transport;
  let server: RPCServer;
  const got: Array<{ method: string; ctxt: Record<string, unknown>; args: Record<string, unknown> }> = [];
  const instance = { id: 7, uuid: '9de3d836-be91-4348-9fc1-b67d8623157f', host: 'nvs-1', projectId: 'p', userId: 'u' } as Instance;
  const bdm = { id: 6, volumeId: 'b5ce6d0f-e7db-41cb-a5f1-5c47454248c1', deviceName: '/dev/vdb', instanceUuid: instance.uuid } as BlockDeviceMapping;

  before(async () => {
    transport = getRpcTransport('fake://nova-rpcapi-test');
    const record = (method: string) => (ctxt: Record<string, unknown>, args: Record<string, unknown>) => { got.push({ method, ctxt, args }); };
    server = new RPCServer(transport, new Target({ topic: 'compute', server: 'nvs-1' }), [{
      target: new Target({ version: COMPUTE_RPC_API_VERSION }),
      methods: { attach_volume: record('attach_volume'), detach_volume: record('detach_volume'),
        build_and_run_instance: record('build_and_run_instance'), terminate_instance: record('terminate_instance') },
    }]);
    await server.start();
  });
  after(async () => {
    await server.stop();
    await transport.close();
  });

  const cases: Array<[string, (api: ComputeAPI, ctx: RequestContext) => Promise<void>, string[]]> = [
    ['attach_volume', (api, ctx) => api.attachVolume(ctx, instance, bdm), ['instance', 'bdm']],
    ['detach_volume', (api, ctx) => api.detachVolume(ctx, instance, bdm.volumeId as string, null), ['instance', 'volume_id', 'attachment_id']],
    ['terminate_instance', (api, ctx) => api.terminateInstance(ctx, instance, [bdm]), ['instance', 'bdms']],
  ];
  for (const [method, send, keys] of cases) {
    it(`casts ${method} to compute.<instance.host> at 6.0 with Nova's kwargs`, async () => {
      got.length = 0;
      const ctx = new RequestContext({ userId: 'u', projectId: 'p', authToken: 'u:p' });
      await send(new ComputeAPI(transport), ctx);
      await waitFor(() => got.length === 1, 5000, method);
      expect(got[0].method).to.equal(method);
      expect(got[0].args).to.have.all.keys(...keys);
      expect(got[0].ctxt.request_id).to.equal(ctx.requestId);
      expect(got[0].ctxt.auth_token).to.equal('u:p');
      expect((got[0].args.instance as Record<string, unknown>)['nova_object.name']).to.equal('Instance');
    });
  }
});
