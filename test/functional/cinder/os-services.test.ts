// os-services and os-hosts (tempest volume admin test_volume_services*, test_volume_hosts): the
// rows our heartbeats write, shown per microversion, switched by enable/disable/freeze, and a
// disabled backend left out of scheduling.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';

const ADMIN = 'admin:admin';

describe('cinder os-services and os-hosts', function () {
  let c: Cinder;
  before(async () => {
    c = await startCinder({ DEFAULT: { enabled_backends: ['backend1', 'backend2'] }, backend1: { total_capacity_gb: 100 }, backend2: { total_capacity_gb: 50 } });
  });
  after(async () => { await c?.stop(); });

  const list = async (query = '', version?: string): Promise<Json[]> => {
    const r = await c.req('GET', `/v3/admin/os-services${query}`, { token: ADMIN, headers: version ? { 'OpenStack-API-Version': `volume ${version}` } : {} });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.services;
  };
  const put = (action: string, body: unknown, token = ADMIN) => c.req('PUT', `/v3/${token.split(':')[1]}/os-services/${action}`, { token, body });

  it('lists the backends as Cinder does at 3.0, 3.7 and 3.49; admin only', async () => {
    const svcs = await list();
    expect(svcs.map((s) => s.host)).to.deep.equal(['cinder1@backend1', 'cinder1@backend2']);
    expect(svcs[0]).to.deep.include({
      binary: 'cinder-volume', zone: 'nova', status: 'enabled', state: 'up', disabled_reason: null, replication_status: 'disabled',
      active_backend_id: null, frozen: false,
    });
    expect(svcs[0].updated_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(svcs[0]).to.not.have.any.keys('cluster', 'backend_state');
    expect((await list('', '3.7'))[0]).to.have.property('cluster', null);
    expect((await list('', '3.49'))[0]).to.include({ backend_state: 'up' });
    const r = await c.req('GET', '/v3/demo/os-services', { token: 'demo:demo' });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow volume_extension:services:index to be performed.");
  });

  it('scheduler-stats/get_pools: each backend as its pool, capabilities with detail, filters by microversion; admin only', async () => {
    const pools = async (query: string, version?: string, token = ADMIN): Promise<{ status: number; body: Json }> =>
      c.req('GET', `/v3/${token.split(':')[1]}/scheduler-stats/get_pools${query}`, { token, headers: version ? { 'OpenStack-API-Version': `volume ${version}` } : {} });
    let r = await pools('');
    expect([r.status, r.body]).to.deep.equal([200, { pools: [{ name: 'cinder1@backend1#backend1' }, { name: 'cinder1@backend2#backend2' }] }]);
    r = await pools('?detail=True');
    expect(r.body.pools[1].capabilities).to.deep.include({ volume_backend_name: 'backend2', vendor_name: 'Open Source', storage_protocol: 'iSCSI', total_capacity_gb: 50, multiattach: true });
    expect(r.body.pools[1].capabilities.timestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect((await pools('?detail=maybe')).body).to.deep.equal({ badRequest: { code: 400, message: "Value 'maybe' for 'detail' is not a boolean." } });
    // Filters: none below 3.28; capability values from 3.28; only name and volume_type from 3.33.
    expect((await pools('?total_capacity_gb=50')).body.pools).to.have.length(2);
    expect((await pools('?total_capacity_gb=50', '3.28')).body.pools).to.deep.equal([{ name: 'cinder1@backend2#backend2' }]);
    expect((await pools('?name=cinder1@backend1%23backend1', '3.33')).body.pools).to.deep.equal([{ name: 'cinder1@backend1#backend1' }]);
    expect((await pools('?total_capacity_gb=50', '3.33')).body).to.deep.equal({ badRequest: { code: 400, message: 'Invalid filters total_capacity_gb are found in query options.' } });
    // volume_type from 3.35: the pools its extra specs take.
    const t = await c.req('POST', '/v3/admin/types', { token: ADMIN, body: { volume_type: { name: 'on-backend2', extra_specs: { volume_backend_name: 'backend2' } } } });
    expect(t.status).to.equal(200);
    expect((await pools('?volume_type=on-backend2', '3.35')).body.pools).to.deep.equal([{ name: 'cinder1@backend2#backend2' }]);
    expect((await pools('?volume_type=on-backend2', '3.34')).body.pools).to.have.length(2);
    expect((await pools('?volume_type=nope', '3.35')).status).to.equal(404);
    r = await pools('', undefined, 'demo:demo');
    expect([r.status, r.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow scheduler_extension:scheduler_stats:get_pools to be performed."]);
    expect((await c.req('DELETE', `/v3/admin/types/${t.body.volume_type.id}`, { token: ADMIN })).status).to.equal(202);
  });

  it('capabilities/{host}: the backend answers what get_pools shows, by backend or bare host; 404 unknown; admin only', async () => {
    const show = (host: string, token = ADMIN) => c.req('GET', `/v3/${token.split(':')[1]}/capabilities/${host}`, { token });
    let r = await show('cinder1@backend2');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.deep.equal({
      namespace: 'OS::Storage::Capabilities::cinder1@backend2', vendor_name: 'Open Source', volume_backend_name: 'backend2', pool_name: null,
      driver_version: '1.0', storage_protocol: 'iSCSI', display_name: null, description: null, visibility: null, replication_targets: [],
      properties: {
        thin_provisioning: { title: 'Thin Provisioning', description: 'Sets thin provisioning.', type: 'boolean' },
        compression: { title: 'Compression', description: 'Enables compression.', type: 'boolean' },
        qos: { title: 'QoS', description: 'Enables QoS.', type: 'boolean' },
        replication_enabled: { title: 'Replication', description: 'Enables replication.', type: 'boolean' },
      },
    });
    // A bare host is its first backend; a pool's name, as tempest sends it, loses its '#…' on the wire.
    expect((await show('cinder1')).body.namespace).to.equal('OS::Storage::Capabilities::cinder1@backend1');
    r = await show('nohost');
    expect([r.status, r.body]).to.deep.equal([404, { itemNotFound: { code: 404, message: "Can't find service: nohost" } }]);
    r = await show('cinder1@backend1', 'demo:demo');
    expect([r.status, r.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow volume_extension:capabilities to be performed."]);
    expect((await c.req('GET', '/v3/admin/capabilities', { token: ADMIN })).status).to.equal(404);
  });

  it('clusters (3.7): none configured, so empty lists and unknown names; filters and bodies checked; admin only', async () => {
    const call = (method: string, path: string, version = '3.7', body?: unknown, token = ADMIN) =>
      c.req(method, `/v3/${token.split(':')[1]}/${path}`, { token, body, headers: { 'OpenStack-API-Version': `volume ${version}` } });
    expect((await call('GET', 'clusters')).body).to.deep.equal({ clusters: [] });
    expect((await call('GET', 'clusters/detail?is_up=true&binary=cinder-volume')).body).to.deep.equal({ clusters: [] });
    expect((await call('GET', 'clusters', '3.6')).status).to.equal(404);
    expect((await call('GET', 'clusters?bogus=1')).body).to.deep.equal({ badRequest: { code: 400, message: 'Invalid input received: Invalid filter keys: bogus' } });
    expect((await call('GET', 'clusters?frozen=true')).status).to.equal(400);
    expect((await call('GET', 'clusters?frozen=true', '3.26')).status).to.equal(200);
    expect((await call('GET', 'clusters?is_up=maybe')).body.badRequest.message).to.equal("Value 'maybe' for 'is_up' is not a boolean.");
    expect((await call('GET', 'clusters/c1')).body).to.deep.equal({ itemNotFound: { code: 404, message: "Cluster {'binary': 'cinder-volume', 'name': 'c1'} could not be found." } });
    expect((await call('PUT', 'clusters/disable', '3.7', { name: 'c1', binary: null, disabled_reason: 'r' })).body.itemNotFound.message)
      .to.equal("Cluster {'binary': None, 'name': 'c1'} could not be found.");
    expect((await call('PUT', 'clusters/enable', '3.7', {})).status).to.equal(400);
    expect((await call('PUT', 'clusters/bogus', '3.7', { name: 'c1' })).body).to.deep.equal({ itemNotFound: { code: 404, message: 'Unknown action' } });
    const r = await call('GET', 'clusters', '3.7', undefined, 'demo:demo');
    expect([r.status, r.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow clusters:get_all to be performed."]);
  });

  it('filters by host (bare host matches its backends) and binary', async () => {
    expect(await list('?host=cinder1')).to.have.length(2);
    expect((await list('?host=cinder1@backend2')).map((s) => s.host)).to.deep.equal(['cinder1@backend2']);
    expect(await list('?host=cinder1&binary=cinder-volume')).to.have.length(2);
    expect(await list('?binary=cinder-scheduler')).to.deep.equal([]);
    expect(await list('?host=other')).to.deep.equal([]);
  });

  it('disable-log-reason keeps the backend out of scheduling until enabled again', async () => {
    let r = await put('disable-log-reason', { host: 'cinder1@backend1', binary: 'cinder-volume', disabled_reason: 'maintenance' });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ disabled_reason: 'maintenance', disabled: true, host: 'cinder1@backend1', service: '', binary: 'cinder-volume', status: 'disabled' });
    const b1 = (await list('?host=cinder1@backend1'))[0];
    expect(b1).to.include({ status: 'disabled', disabled_reason: 'maintenance', state: 'up' });
    // backend1 has more room, so only the disable keeps the new volume off it.
    const id = await c.createVolume(1, ADMIN);
    expect((await c.show(id, ADMIN))['os-vol-host-attr:host']).to.equal('cinder1@backend2#backend2');
    r = await put('enable', { host: 'cinder1@backend1', binary: 'cinder-volume' });
    expect(r.body).to.deep.equal({ disabled: false, host: 'cinder1@backend1', service: '', binary: 'cinder-volume', status: 'enabled' });
    const id2 = await c.createVolume(1, ADMIN);
    expect((await c.show(id2, ADMIN))['os-vol-host-attr:host']).to.equal('cinder1@backend1#backend1');
  });

  it('answers Cinder\'s errors for unknown hosts, binaries, actions and reasons', async () => {
    let r = await put('enable', { host: 'invalid_host', binary: 'cinder-volume' });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('Service cinder-volume could not be found on host invalid_host.');
    r = await put('disable', { host: 'cinder1@backend1', binary: 'invalid_binary' });
    expect(r.status).to.equal(404);
    r = await put('disable-log-reason', { host: 'cinder1@backend1', binary: 'cinder-volume', disabled_reason: null });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute disabled_reason. Value: None. None is not of type 'string'");
    r = await put('enable', { binary: 'cinder-volume' });
    expect(r.body.badRequest.message).to.equal('Invalid input received: Host field is missing.');
    r = await put('freeze', { host: 'invalid_host' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('No service found with host=invalid_host');
    r = await put('thaw', { host: 'invalid_host' });
    expect(r.status).to.equal(400);
    r = await put('reboot', {});
    expect(r.body.badRequest.message).to.equal('Invalid input received: Unknown action');
    expect((await put('enable', { host: 'cinder1@backend1', binary: 'cinder-volume' }, 'demo:demo')).status).to.equal(403);
  });

  it('freeze disables the backend ("frozen") through cinder-volume; thaw enables it', async () => {
    let r = await put('freeze', { host: 'cinder1@backend2' });
    expect(r.status).to.equal(200);
    expect(r.body).to.equal(null);
    expect((await list('?host=cinder1@backend2'))[0]).to.include({ frozen: true, status: 'disabled', disabled_reason: 'frozen' });
    r = await put('freeze', { host: 'cinder1@backend2' });
    expect(r.status).to.equal(400);
    r = await put('thaw', { host: 'cinder1@backend2' });
    expect(r.status).to.equal(200);
    expect((await list('?host=cinder1@backend2'))[0]).to.include({ frozen: false, status: 'enabled', disabled_reason: '' });
  });

  it('os-hosts lists enabled services and shows a backend\'s usage per project', async () => {
    await waitFor(async () => (await list()).every((s) => s.status === 'enabled'), 2000, 'all enabled', 20);
    const r = await c.req('GET', '/v3/admin/os-hosts', { token: ADMIN });
    expect(r.status).to.equal(200);
    expect(r.body.hosts).to.have.length(2);
    expect(r.body.hosts[0]).to.include({ host_name: 'cinder1@backend1', service: 'cinder-volume', zone: 'nova', 'service-status': 'available', 'service-state': 'enabled' });
    const s = await c.req('GET', '/v3/admin/os-hosts/cinder1@backend1', { token: ADMIN });
    expect(s.status).to.equal(200);
    expect(s.body.host[0].resource).to.deep.equal({ host: 'cinder1@backend1', project: '(total)', volume_count: '1', total_volume_gb: '1', snapshot_count: '0', total_snapshot_gb: '0' });
    expect(s.body.host[1].resource).to.include({ project: 'admin', volume_count: '1' });
    expect((await c.req('GET', '/v3/admin/os-hosts/nohost', { token: ADMIN })).status).to.equal(404);
    expect((await c.req('GET', '/v3/demo/os-hosts', { token: 'demo:demo' })).status).to.equal(403);
  });
  it('set-log and get-log (3.32): cinder-api\'s and each backend\'s loggers, by binary, server and prefix; errors as Cinder; admin only', async () => {
    const call = (action: string, body: unknown, version = '3.32', token = ADMIN) =>
      c.req('PUT', `/v3/${token.split(':')[1]}/os-services/${action}`, { token, body, headers: { 'OpenStack-API-Version': `volume ${version}` } });
    const levels = async (body: Json): Promise<Array<[string, string, Json]>> => {
      const r = await call('get-log', body);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.log_levels.map((e: Json) => [e.binary, e.host, e.levels]);
    };
    const manager = { prefix: 'cinder-volume.manager' };
    expect((await call('get-log', {}, '3.31')).body).to.deep.equal({ badRequest: { code: 400, message: 'Invalid input received: Unknown action' } });
    expect(await levels(manager)).to.deep.equal([
      ['cinder-api', 'cinder1', { 'cinder-volume.manager': 'INFO' }],
      ['cinder-volume', 'cinder1@backend1', { 'cinder-volume.manager': 'INFO' }],
      ['cinder-volume', 'cinder1@backend2', { 'cinder-volume.manager': 'INFO' }],
    ]);
    // To one backend only: the cast reaches it (cinder-api sets nothing of its own for that binary).
    const set = await call('set-log', { binary: 'cinder-volume', server: 'cinder1@backend1', ...manager, level: 'debug' });
    expect([set.status, set.body, set.headers.get('content-type')]).to.deep.equal([202, null, 'text/html; charset=UTF-8']);
    await waitFor(async () => (await levels({ binary: 'cinder-volume', server: 'cinder1@backend1', ...manager }))[0]?.[2]['cinder-volume.manager'] === 'DEBUG',
      5_000, 'the backend at DEBUG', 20);
    expect(await levels({ binary: 'cinder-api', prefix: 'cinder-volume.manager.' })).to.deep.equal([['cinder-api', 'cinder1', {}]]);
    expect(await levels({ server: 'elsewhere' })).to.deep.equal([]);
    // A bad level is refused by the schema, or by cinder-api's own change when none was given.
    expect((await call('set-log', { level: 'TRACE' })).body.badRequest.message).to.equal('Invalid input received: TRACE is not a valid log level.');
    expect((await call('set-log', {})).body.badRequest.message).to.equal('Invalid input received:  is not a valid log level.');
    expect((await call('set-log', { binary: 'nova-api', level: 'INFO' })).body.badRequest.message)
      .to.equal("Invalid input for field/attribute binary. Value: nova-api. 'nova-api' is not one of ['cinder-scheduler', 'cinder-volume', 'cinder-backup', 'cinder-api', '', '*']");
    expect((await call('get-log', { level: 'INFO' })).body.badRequest.message).to.equal("Additional properties are not allowed ('level' was unexpected)");
    const user = await call('get-log', {}, '3.32', 'demo:demo');
    expect([user.status, user.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow volume_extension:services:update to be performed."]);
    expect((await call('set-log', { binary: '*', ...manager, level: 'INFO' })).status).to.equal(202);
  });
});
