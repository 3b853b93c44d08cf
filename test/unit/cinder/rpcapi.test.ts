// The volume RPC wire contract: method, call/cast, server (<host>@<backend>, pool cut off),
// version and Cinder's kwarg names (table-driven, as cinder's test_rpcapi.py).
import { expect } from 'chai';
import { RequestContext } from '../../../common/context';
import { RPCServer, Target, getRpcTransport, type Transport } from '../../../common/rpc';
import type { Volume } from '../../../cinder-common/entities';
import { VOLUME_RPC_API_VERSION, VolumeAPI } from '../../../cinder-volume/rpcapi';
import { waitFor } from '../../support/processes';

describe('cinder volume rpcapi', () => {
  let transport: Transport;
  let server: RPCServer;
  const got: Array<{ method: string; args: Record<string, unknown> }> = [];
  const volume = { id: '951be889-b794-4723-9ac9-efde61cacf3a', host: 'node1@tgt#tgt', size: 1, status: 'available' } as Volume;
  const METHODS = ['create_volume', 'delete_volume', 'initialize_connection', 'terminate_connection', 'attach_volume', 'detach_volume',
    'remove_export', 'extend_volume', 'attachment_update', 'attachment_delete', 'get_export_report', 'sync_exports'];

  before(async () => {
    transport = getRpcTransport('fake://cinder-rpcapi-test');
    const methods = Object.fromEntries(METHODS.map((m) => [m, (_c: Record<string, unknown>, args: Record<string, unknown>) => {
      got.push({ method: m, args });
      return m === 'initialize_connection' ? { driver_volume_type: 'iscsi', data: {} } : null;
    }]));
    server = new RPCServer(transport, new Target({ topic: 'cinder-volume', server: 'node1@tgt' }),
      [{ target: new Target({ version: VOLUME_RPC_API_VERSION }), methods }]);
    await server.start();
  });
  after(async () => {
    await server.stop();
    await transport.close();
  });

  const cases: Array<[string, 'call' | 'cast', (api: VolumeAPI, ctx: RequestContext) => Promise<unknown>, string[]]> = [
    ['create_volume', 'cast', (a, c) => a.createVolume(c, volume, {}), ['volume', 'request_spec', 'filter_properties', 'allow_reschedule']],
    ['delete_volume', 'cast', (a, c) => a.deleteVolume(c, volume), ['volume', 'unmanage_only', 'cascade']],
    ['initialize_connection', 'call', (a, c) => a.initializeConnection(c, volume, { initiator: 'iqn.x' }), ['connector', 'volume']],
    ['terminate_connection', 'call', (a, c) => a.terminateConnection(c, volume, null, true), ['volume_id', 'connector', 'force']],
    ['attach_volume', 'call', (a, c) => a.attachVolume(c, volume, { instanceUuid: 'i', hostName: null, mountpoint: '/dev/vdb', mode: 'rw' }),
      ['volume_id', 'instance_uuid', 'host_name', 'mountpoint', 'mode', 'volume']],
    ['detach_volume', 'call', (a, c) => a.detachVolume(c, volume, null), ['volume_id', 'attachment_id', 'volume']],
    ['remove_export', 'cast', (a, c) => a.removeExport(c, volume), ['volume_id']],
    ['extend_volume', 'cast', (a, c) => a.extendVolume(c, volume, 2), ['volume', 'new_size', 'reservations']],
    ['attachment_update', 'call', (a, c) => a.attachmentUpdate(c, volume, { initiator: 'iqn.x' }, 'att-1'), ['vref', 'connector', 'attachment_id']],
    ['attachment_delete', 'call', (a, c) => a.attachmentDelete(c, volume, 'att-1'), ['attachment_id', 'vref']],
    // attachd extensions (3.10), addressed to a backend rather than a volume
    ['get_export_report', 'call', (a, c) => a.getExportReport(c, 'node1@tgt'), []],
    ['sync_exports', 'call', (a, c) => a.syncExports(c, 'node1@tgt'), []],
  ];
  for (const [method, kind, send, keys] of cases) {
    it(`${kind}s ${method} to cinder-volume.node1@tgt with Cinder's kwargs`, async () => {
      got.length = 0;
      const api = new VolumeAPI(transport, { timeout: 5 });
      await send(api, new RequestContext({ userId: 'u', projectId: 'p' }));
      await waitFor(() => got.length > 0, 2000, method, 5);
      expect(got[0].method).to.equal(method);
      expect(Object.keys(got[0].args).sort()).to.deep.equal([...keys].sort());
      const obj = got[0].args.volume ?? got[0].args.vref;
      // oslo.versionedobjects' own serial namespace (Cinder does not override it as Nova does).
      if (obj) expect(obj as Record<string, unknown>).to.include({ 'versioned_object.name': 'Volume', 'versioned_object.namespace': 'cinder' });
    });
  }

  it('refuses a volume without a host', async () => {
    const api = new VolumeAPI(transport, { timeout: 1 });
    let err: Error | null = null;
    try { await api.removeExport(new RequestContext(), { ...volume, host: null } as Volume); } catch (e) { err = e as Error; }
    expect(err?.message).to.match(/has no host/);
  });
});
