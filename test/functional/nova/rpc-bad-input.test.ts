// A mistyped compute RPC message is refused by nova-compute with a clear error before any of
// it reaches SQL (an id that is not an integer, an instance uuid that is not a uuid), and the
// compute keeps serving.
import { expect } from 'chai';
import { RequestContext } from '../../../common/context';
import { RemoteError, RPCClient, Target } from '../../../common/rpc';
import { activeServer, startNova, type Nova } from './harness';

describe('nova-compute: mistyped RPC arguments', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  const call = async (method: string, args: Record<string, unknown>): Promise<RemoteError> => {
    const client = new RPCClient(nova.transport, new Target({ topic: 'compute', server: 'compute1', version: '6.0' }), { timeout: 5 });
    try {
      await client.call(new RequestContext({ userId: 'demo', projectId: 'demo' }), method, args);
    } catch (e) {
      if (e instanceof RemoteError) return e;
      throw e;
    }
    throw new Error(`${method} did not fail`);
  };
  const obj = (data: Record<string, unknown>) => ({ 'nova_object.name': 'X', 'nova_object.namespace': 'nova', 'nova_object.version': '1.0', 'nova_object.data': data });

  it('refuses a bdm id or an instance uuid of the wrong type with a TypeError naming the field', async () => {
    const sid = await activeServer(nova, 'typed');
    let e = await call('attach_volume', { instance: obj({ uuid: sid }), bdm: obj({ id: 'NaN' }) });
    expect(e.excType).to.equal('TypeError');
    expect(e.value).to.contain('bdm.id must be an integer, got "NaN"');
    e = await call('detach_volume', { instance: obj({ uuid: { drop: 'table' } }), volume_id: 'v', attachment_id: null });
    expect(e.value).to.contain('instance.uuid must be a UUID');
    // Still serving: a well-formed cast for a server that is not there is a no-op, and the server is intact.
    expect((await nova.req('GET', `/v2.1/servers/${sid}`)).status).to.equal(200);
  });
});
