// The volume RPC wire contract, read off the broker (test/support/rpc-wire.ts): for every method,
// call or cast, the server (<host>@<backend>, pool cut off), the version and Cinder's kwarg
// names (table-driven, as cinder's test_rpcapi.py).
import { expect } from 'chai';
import { RequestContext } from '../../../common/context';
import { MessagingTimeout, getRpcTransport, type Transport } from '../../../common/rpc';
import type { Group, GroupSnapshot, Snapshot, Volume } from '../../../cinder-common/entities';
import { VolumeAPI } from '../../../cinder-volume/rpcapi';
import { WireTap } from '../../support/rpc-wire';

const URL = 'fake://cinder-rpcapi-contract';

describe('cinder volume rpcapi: the wire contract', () => {
  let transport: Transport;
  // Read off the broker on the backend's own routing key: a message without its server never arrives.
  const tap = new WireTap(URL, 'openstack', 'cinder-volume.node1@tgt');
  const volume = { id: '951be889-b794-4723-9ac9-efde61cacf3a', host: 'node1@tgt#tgt', size: 1, status: 'available' } as Volume;
  const snapshot = { id: '0c5e6f8e-5a3c-4e3b-9d7e-3f1f0f6d2a11', volumeId: volume.id, volumeSize: 1, status: 'creating', createdAt: null } as Snapshot;
  const group = { id: '5b0c2f4e-0a6d-4f5e-8d1c-2b3a4c5d6e7f', host: 'node1@tgt#tgt', status: 'creating', createdAt: null } as Group;
  const groupSnapshot = { id: '6c1d3a5f-1b7e-4a6f-9e2d-3c4b5d6e7f80', groupId: group.id, status: 'creating', createdAt: null } as GroupSnapshot;

  before(async () => {
    transport = getRpcTransport(URL);
    await tap.start();
  });
  after(async () => {
    await tap.stop();
    await transport.close();
  });

  const cases: Array<[string, 'call' | 'cast', string, (api: VolumeAPI, ctx: RequestContext) => Promise<unknown>, string[]]> = [
    ['create_volume', 'cast', '3.0', (a, c) => a.createVolume(c, volume, {}), ['volume', 'request_spec', 'filter_properties', 'allow_reschedule']],
    ['delete_volume', 'cast', '3.0', (a, c) => a.deleteVolume(c, volume), ['volume', 'unmanage_only', 'cascade']],
    ['manage_existing', 'cast', '3.0', (a, c) => a.manageExisting(c, volume, { 'source-name': 'volume-x' }), ['ref', 'volume']],
    ['manage_existing_snapshot', 'cast', '3.0', (a, c) => a.manageExistingSnapshot(c, volume, snapshot, { 'source-name': 'snapshot-x' }), ['snapshot', 'ref']],
    ['initialize_connection', 'call', '3.0', (a, c) => a.initializeConnection(c, volume, { initiator: 'iqn.x' }), ['connector', 'volume']],
    ['terminate_connection', 'call', '3.0', (a, c) => a.terminateConnection(c, volume, null, true), ['volume_id', 'connector', 'force']],
    ['attach_volume', 'call', '3.3', (a, c) => a.attachVolume(c, volume, { instanceUuid: 'i', hostName: null, mountpoint: '/dev/vdb', mode: 'rw' }),
      ['volume_id', 'instance_uuid', 'host_name', 'mountpoint', 'mode', 'volume']],
    ['detach_volume', 'call', '3.4', (a, c) => a.detachVolume(c, volume, null), ['volume_id', 'attachment_id', 'volume']],
    ['remove_export', 'cast', '3.0', (a, c) => a.removeExport(c, volume), ['volume_id']],
    ['extend_volume', 'cast', '3.0', (a, c) => a.extendVolume(c, volume, 2), ['volume', 'new_size', 'reservations']],
    // snapshots: Cinder sends the Snapshot object alone (the server is its volume's backend)
    ['create_snapshot', 'cast', '3.0', (a, c) => a.createSnapshot(c, volume, snapshot), ['snapshot']],
    ['delete_snapshot', 'cast', '3.0', (a, c) => a.deleteSnapshot(c, volume, snapshot), ['snapshot', 'unmanage_only']],
    ['accept_transfer', 'call', '3.0', (a, c) => a.acceptTransfer(c, volume, 'u2', 'p2'), ['volume_id', 'new_user', 'new_project']],
    ['retype', 'cast', '3.5', (a, c) => a.retype(c, volume, 't2', { host: 'node1@tgt#tgt', cluster_name: null, capabilities: {} }, 'never', ['r1'], ['r2']),
      ['volume', 'new_type_id', 'host', 'migration_policy', 'reservations', 'old_reservations']],
    ['attachment_update', 'call', '3.9', (a, c) => a.attachmentUpdate(c, volume, { initiator: 'iqn.x' }, 'att-1'), ['vref', 'connector', 'attachment_id']],
    ['attachment_delete', 'call', '3.9', (a, c) => a.attachmentDelete(c, volume, 'att-1'), ['attachment_id', 'vref']],
    // generic groups: Cinder sends the Group object (the server is the group's backend)
    ['create_group', 'cast', '3.0', (a, c) => a.createGroup(c, group, ['t1']), ['group']],
    ['delete_group', 'cast', '3.0', (a, c) => a.deleteGroup(c, group, ['t1']), ['group']],
    ['create_group_from_src', 'cast', '3.0', (a, c) => a.createGroupFromSrc(c, group, ['t1'], group, ['t1']), ['group', 'group_snapshot', 'source_group']],
    ['create_group_snapshot', 'cast', '3.0', (a, c) => a.createGroupSnapshot(c, groupSnapshot, group), ['group_snapshot']],
    ['delete_group_snapshot', 'cast', '3.0', (a, c) => a.deleteGroupSnapshot(c, groupSnapshot, group), ['group_snapshot']],
    ['update_group', 'cast', '3.0', (a, c) => a.updateGroup(c, group, ['t1'], 'v1,v2', null), ['group', 'add_volumes', 'remove_volumes']],
    // os-services freeze/thaw, addressed to a backend (a pool in the host is cut off)
    ['freeze_host', 'call', '3.0', (a, c) => a.freezeHost(c, 'node1@tgt#tgt'), []],
    ['thaw_host', 'call', '3.0', (a, c) => a.thawHost(c, 'node1@tgt'), []],
    // GET capabilities/{host}
    ['get_capabilities', 'call', '3.0', (a, c) => a.getCapabilities(c, 'node1@tgt', false), ['discover']],
    // workers/cleanup (Cinder's 3.7)
    ['do_cleanup', 'cast', '3.7', (a, c) => a.doCleanup(c, 'node1@tgt', {
      serviceId: 2, clusterName: null, host: 'node1@tgt', binary: 'cinder-volume', isUp: true, disabled: null, resourceId: null, resourceType: 'Volume',
      until: new Date('2026-12-07T18:00:00.123Z'),
    }), ['cleanup_request']],
    // os-services set-log and get-log (Cinder's 3.12)
    ['set_log_levels', 'cast', '3.12', (a, c) => a.setLogLevels(c, 'node1@tgt', 'cinder-volume', 'DEBUG'), ['log_request']],
    ['get_log_levels', 'call', '3.12', (a, c) => a.getLogLevels(c, 'node1@tgt', null), ['log_request']],
    // attachd extensions (3.10), addressed to a backend rather than a volume
    ['get_export_report', 'call', '3.10', (a, c) => a.getExportReport(c, 'node1@tgt'), []],
    ['sync_exports', 'call', '3.10', (a, c) => a.syncExports(c, 'node1@tgt'), []],
  ];
  for (const [method, kind, version, send, keys] of cases) {
    it(`${method}: a ${kind} to cinder-volume.node1@tgt at ${version} with Cinder's kwargs`, async () => {
      // Nobody answers a call here: it ends in MessagingTimeout once the message is out.
      const api = new VolumeAPI(transport, { timeout: 0.2 });
      await send(api, new RequestContext({ userId: 'u', projectId: 'p' })).catch((e: unknown) => {
        if (!(e instanceof MessagingTimeout)) throw e;
      });
      const m = await tap.next();
      expect([m.kind, m.method, m.version]).to.deep.equal([kind, method, version]);
      expect(Object.keys(m.args).sort()).to.deep.equal([...keys].sort());
      expect(m.context).to.include({ user_id: 'u', project_id: 'p' });
      const obj = m.args.volume ?? m.args.vref;
      if (m.args.group) {
        expect(m.args.group).to.deep.include({ 'versioned_object.name': 'Group', 'versioned_object.namespace': 'cinder', 'versioned_object.version': '1.2' });
        expect((m.args.group as Record<string, unknown>)['versioned_object.data']).to.deep.include({ id: group.id, host: group.host, volume_type_ids: ['t1'] });
      }
      // oslo.versionedobjects' own serial namespace (Cinder does not override it as Nova does).
      if (obj) expect(obj as Record<string, unknown>).to.include({ 'versioned_object.name': 'Volume', 'versioned_object.namespace': 'cinder' });
      if (m.args.cleanup_request) {
        expect(m.args.cleanup_request).to.deep.include({ 'versioned_object.name': 'CleanupRequest', 'versioned_object.version': '1.0' });
        expect((m.args.cleanup_request as Record<string, unknown>)['versioned_object.data']).to.deep.include({
          service_id: 2, host: 'node1@tgt', binary: 'cinder-volume', is_up: true, resource_type: 'Volume', until: '2026-12-07T18:00:00Z',
        });
      }
      // A LogLevel as Cinder's objects.LogLevel(context, prefix=…[, level=…]) serializes it.
      if (m.args.log_request) {
        expect(m.args.log_request).to.deep.include({ 'versioned_object.name': 'LogLevel', 'versioned_object.version': '1.0', 'versioned_object.namespace': 'cinder' });
        expect((m.args.log_request as Record<string, unknown>)['versioned_object.data']).to.deep.equal(
          method === 'set_log_levels' ? { prefix: 'cinder-volume', level: 'DEBUG' } : { prefix: null, level: null });
      }
    });
  }

  it('the methods pinned are every method the rpcapi has', () => {
    const own = Object.getOwnPropertyNames(VolumeAPI.prototype).filter((n) => n !== 'constructor' && n !== 'cctxt' && n !== 'groupCctxt');
    expect(own.map((n) => n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).sort()).to.deep.equal(cases.map(([m]) => m).sort());
  });

  it('refuses a volume without a host', async () => {
    const api = new VolumeAPI(transport, { timeout: 1 });
    let err: Error | null = null;
    try { await api.removeExport(new RequestContext(), { ...volume, host: null } as Volume); } catch (e) { err = e as Error; }
    expect(err?.message).to.match(/has no host/);
  });
});
