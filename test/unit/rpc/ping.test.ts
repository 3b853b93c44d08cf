// rpc_ping_enabled: every RPC server answers oslo_rpc_server_ping with "pong" (oslo's
// PingEndpoint: no namespace, version 1.0, any arguments); off by default; an endpoint that
// has the method already keeps it.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { loadConfig, COMMON_OPTS } from '../../../common/config';
import {
  getRpcTransport, rpcTransportFromConf, RemoteError, RPCClient, RPCServer, Target, type Transport,
} from '../../../common/rpc';

describe('oslo_rpc_server_ping (rpc_ping_enabled)', () => {
  const transports: Transport[] = [];
  const servers: RPCServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const t of transports.splice(0)) await t.close();
  });
  const setup = async (ping: boolean | undefined, methods: Record<string, () => unknown> = { hello: () => 'hi' }): Promise<RPCClient> => {
    const url = `fake://ping-${randomUUID()}`;
    const st = getRpcTransport(url, { rpcPingEnabled: ping });
    const ct = getRpcTransport(url);
    transports.push(st, ct);
    const server = new RPCServer(st, new Target({ topic: 'compute', server: 'h1' }), [{ target: new Target({ version: '6.2' }), methods }]);
    servers.push(server);
    await server.start();
    return new RPCClient(ct, new Target({ topic: 'compute', server: 'h1' }), { timeout: 5 });
  };
  const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => e);
  /** The server-side exception class a failure names (RemoteError: not registered here). */
  const remoteType = (e: unknown): string | null => (e instanceof RemoteError ? e.excType : e instanceof Error ? e.name : null);

  it('answers "pong" when enabled, whatever the arguments', async () => {
    const client = await setup(true);
    expect(await client.call({}, 'oslo_rpc_server_ping')).to.equal('pong');
    expect(await client.call({}, 'oslo_rpc_server_ping', { anything: 1 })).to.equal('pong');
    // The project's own endpoint is untouched.
    expect(await client.prepare({ version: '6.0' }).call({}, 'hello')).to.equal('hi');
  });

  it('is version 1.0 with no namespace, as oslo\'s PingEndpoint', async () => {
    const client = await setup(true);
    expect(await client.prepare({ version: '1.0' }).call({}, 'oslo_rpc_server_ping')).to.equal('pong');
    for (const version of ['1.3', '2.0']) {
      const err = await failure(client.prepare({ version }).call({}, 'oslo_rpc_server_ping'));
      expect(remoteType(err), version).to.equal('UnsupportedVersion');
    }
    const ns = await failure(client.prepare({ namespace: 'baseapi' }).call({}, 'oslo_rpc_server_ping'));
    expect(remoteType(ns)).to.equal('UnsupportedVersion');
  });

  it('is absent by default', async () => {
    const client = await setup(undefined);
    const err = await failure(client.call({}, 'oslo_rpc_server_ping'));
    expect(remoteType(err)).to.equal('UnsupportedVersion');
  });

  it('an endpoint\'s own oslo_rpc_server_ping wins', async () => {
    const client = await setup(true, { oslo_rpc_server_ping: () => 'mine' });
    expect(await client.prepare({ version: '6.0' }).call({}, 'oslo_rpc_server_ping')).to.equal('mine');
    const err = await failure(client.call({}, 'oslo_rpc_server_ping'));
    expect(remoteType(err)).to.equal('UnsupportedVersion');
  });

  it('[DEFAULT] rpc_ping_enabled reaches the transport (default false)', async () => {
    const conf = (v?: boolean) => loadConfig(COMMON_OPTS, {
      defaults: { DEFAULT: { transport_url: `fake://ping-${randomUUID()}`, ...(v === undefined ? {} : { rpc_ping_enabled: v }) } }, env: {},
    });
    const off = rpcTransportFromConf(conf());
    const on = rpcTransportFromConf(conf(true));
    transports.push(off, on);
    expect(off.rpcPingEnabled).to.equal(false);
    expect(on.rpcPingEnabled).to.equal(true);
  });
});
