// /os-services on nova-api with two nova-compute hosts in one process (SQLite + fake://), and
// what a disabled or forced-down compute means: the scheduler passes over both, a disabled one
// is still up (its servers' deletes go to it), a forced-down one is down (nova-api deletes its
// servers itself). host_status (2.16) shows the same to admins.
import { expect } from 'chai';
import { Service } from '../../../nova-common/entities';
import type { RunningNovaCompute } from '../../../nova-compute/main';
import { waitFor } from '../../support/processes';
import { startNova, type Json, type Nova } from './harness';

const ADMIN = 'admin:admin';
const DEMO = 'demo:demo';

describe('nova os-services and host_status', function () {
  this.timeout(30_000);
  let nova: Nova;
  let compute2: RunningNovaCompute | null;

  beforeEach(async () => {
    nova = await startNova({ DEFAULT: { host: 'compute1' } });
    compute2 = await nova.extraCompute('compute2');
  });
  afterEach(async () => {
    await nova?.stop();
  });

  const req = (method: string, path: string, mv: string, body?: unknown, token = ADMIN): Promise<Json> =>
    nova.req(method, `/v2.1${path}`, { token, body, headers: { 'X-OpenStack-Nova-API-Version': mv } });
  const list = async (mv: string, query = ''): Promise<Json[]> => {
    const r = await req('GET', `/os-services${query}`, mv);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.services;
  };
  const uuidOf = async (host: string): Promise<string> => (await list('2.53')).find((s) => s.host === host).id;
  const show = async (id: string, mv = '2.16', token = ADMIN): Promise<Json> => (await req('GET', `/servers/${id}`, mv, undefined, token)).body.server;
  /** The compute events of a deleted server's delete action: none when nova-api deleted it alone. */
  const deleteEvents = async (id: string): Promise<string[]> => {
    const actions = (await req('GET', `/servers/${id}/os-instance-actions`, '2.51')).body.instanceActions as Json[];
    const del = actions.find((a) => a.action === 'delete');
    return ((await req('GET', `/servers/${id}/os-instance-actions/${del.request_id}`, '2.51')).body.instanceAction.events as Json[]).map((e) => e.event);
  };
  async function create(name: string, token = ADMIN): Promise<Json> {
    const r = await req('POST', '/servers', '2.1', { server: { name, flavorRef: '1' } }, token);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    return waitFor(async () => { const s = await show(r.body.server.id); return ['ACTIVE', 'ERROR'].includes(s.status) ? s : null; }, 10_000, `server ${name}`, 20);
  }

  it('lists the computes with their state, ids and fields by microversion, filtered by host and binary', async () => {
    const v21 = await list('2.1');
    expect(v21.map((s) => s.host).sort()).to.deep.equal(['compute1', 'compute2']);
    const c1 = v21.find((s) => s.host === 'compute1');
    expect(c1).to.include({ binary: 'nova-compute', zone: 'nova', status: 'enabled', state: 'up', disabled_reason: null });
    expect(c1.id).to.be.a('number');
    expect(c1.updated_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(c1).to.not.have.property('forced_down');
    expect((await list('2.11'))[0]).to.include({ forced_down: false });
    expect((await list('2.53'))[0].id).to.match(/^[0-9a-f-]{36}$/);
    expect((await list('2.1', '?host=compute2')).map((s) => s.host)).to.deep.equal(['compute2']);
    expect(await list('2.1', '?binary=nova-scheduler')).to.deep.equal([]);
    // Unknown query keys: ignored before 2.75, refused from it.
    expect(await list('2.74', '?foo=1')).to.have.length(2);
    const strict = await req('GET', '/os-services?foo=1', '2.75');
    expect(strict.status).to.equal(400);
    expect(strict.body.badRequest.message).to.equal("Additional properties are not allowed ('foo' was unexpected)");
    const denied = await req('GET', '/os-services', '2.1', undefined, DEMO);
    expect(denied.status).to.equal(403);
    expect(denied.body.forbidden.message).to.equal("Policy doesn't allow os_compute_api:os-services:list to be performed.");
  });

  it('a disabled compute takes no new server, stays up, and still deletes its own servers', async () => {
    const s1 = await create('a');
    const s2 = await create('b');
    expect([s1, s2].map((s) => s['OS-EXT-SRV-ATTR:host']).sort()).to.deep.equal(['compute1', 'compute2']);
    const on2 = s1['OS-EXT-SRV-ATTR:host'] === 'compute2' ? s1 : s2;
    const r = await req('PUT', `/os-services/${await uuidOf('compute2')}`, '2.53', { status: 'disabled', disabled_reason: 'maintenance' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.service).to.include({ host: 'compute2', status: 'disabled', state: 'up', disabled_reason: 'maintenance', forced_down: false });
    for (const n of ['c', 'd']) expect((await create(n))['OS-EXT-SRV-ATTR:host']).to.equal('compute1');
    expect((await show(on2.id)).host_status).to.equal('MAINTENANCE');
    // Still up: the delete goes through compute2, which sees the server through 'deleting'.
    expect((await req('DELETE', `/servers/${on2.id}`, '2.1')).status).to.equal(204);
    await waitFor(async () => (await req('GET', `/servers/${on2.id}`, '2.1')).status === 404, 10_000, 'server on the disabled host deleted', 20);
    expect(await deleteEvents(on2.id)).to.deep.equal(['compute_terminate_instance']);
    const back = await req('PUT', `/os-services/${await uuidOf('compute2')}`, '2.53', { status: 'enabled' });
    expect(back.body.service).to.include({ status: 'enabled', disabled_reason: null });
  });

  it('a forced-down compute is down at once: host_status DOWN, its servers deleted by nova-api itself', async () => {
    let srv: Json = await create('a', DEMO);
    if (srv['OS-EXT-SRV-ATTR:host'] !== 'compute2') srv = await create('b', DEMO);
    expect(srv['OS-EXT-SRV-ATTR:host']).to.equal('compute2');
    expect((await show(srv.id)).host_status).to.equal('UP');
    // Not an admin: no host_status at all (both policies are admin-only by default).
    const own = await show(srv.id, '2.16', DEMO);
    expect(own).to.include({ id: srv.id });
    expect(own).to.not.have.property('host_status');
    expect(await show(srv.id, '2.15')).to.not.have.property('host_status');
    await compute2?.stop();
    compute2 = null;
    const r = await req('PUT', '/os-services/force-down', '2.11', { host: 'compute2', binary: 'nova-compute', forced_down: true });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.deep.equal({ service: { host: 'compute2', binary: 'nova-compute', forced_down: true } });
    expect((await list('2.11', '?host=compute2'))[0]).to.include({ state: 'down', forced_down: true });
    expect((await show(srv.id)).host_status).to.equal('DOWN');
    // No compute to cast to: the delete is done at once, in nova-api.
    expect((await req('DELETE', `/servers/${srv.id}`, '2.1')).status).to.equal(204);
    expect((await req('GET', `/servers/${srv.id}`, '2.1')).status).to.equal(404);
    expect(await deleteEvents(srv.id)).to.deep.equal([]);
  });

  it('host_status UNKNOWN for a compute whose heartbeat stopped, not forced down', async () => {
    let srv: Json = await create('a');
    if (srv['OS-EXT-SRV-ATTR:host'] !== 'compute2') srv = await create('b');
    await compute2?.stop();
    compute2 = null;
    await nova.ds.getRepository(Service).update({ host: 'compute2' }, { lastSeenUp: new Date(Date.now() - 3600_000) });
    expect((await show(srv.id)).host_status).to.equal('UNKNOWN');
    const detail = await req('GET', '/servers/detail', '2.16');
    expect(detail.body.servers.find((s: Json) => s.id === srv.id).host_status).to.equal('UNKNOWN');
    expect((await list('2.1', '?host=compute2'))[0]).to.include({ state: 'down' });
  });

  it('the actions before 2.53: enable, disable, disable-log-reason, force-down, and their refusals', async () => {
    const put = (action: string, body: unknown, mv = '2.11'): Promise<Json> => req('PUT', `/os-services/${action}`, mv, body);
    const who = { host: 'compute1', binary: 'nova-compute' };
    expect((await put('disable', { ...who, disabled_reason: 'ignored' })).body).to.deep.equal({ service: { ...who, status: 'disabled' } });
    expect((await put('disable-log-reason', { ...who, disabled_reason: 'why' })).body).to.deep.equal({ service: { ...who, status: 'disabled', disabled_reason: 'why' } });
    expect((await list('2.1', '?host=compute1'))[0]).to.include({ status: 'disabled', disabled_reason: 'why' });
    expect((await put('enable', who)).body).to.deep.equal({ service: { ...who, status: 'enabled' } });
    const fault = async (r: Promise<Json>, code: number, message: string): Promise<void> => {
      const x = await r;
      expect(x.status, JSON.stringify(x.body)).to.equal(code);
      expect(Object.values(x.body as Record<string, { message: string }>)[0].message).to.equal(message);
    };
    await fault(put('disable-log-reason', who), 400, 'Missing disabled reason field');
    await fault(put('force-down', who), 400, 'Missing forced_down field');
    await fault(put('force-down', { ...who, forced_down: true }, '2.10'), 400, "Additional properties are not allowed ('forced_down' was unexpected)");
    await fault(put('reboot', who), 404, 'Unknown action');
    await fault(put('disable', { host: 'compute1', binary: 'nova-scheduler' }), 400, 'Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.');
    await fault(put('disable', { host: 'nowhere', binary: 'nova-compute' }), 404, 'Could not find binary nova-compute on host nowhere.');
    await fault(put('disable', { binary: 'nova-compute' }), 400, "'host' is a required property");
  });

  it('PUT from 2.53 by uuid, and its refusals', async () => {
    const id = await uuidOf('compute1');
    const fault = async (path: string, body: unknown, code: number, message: string): Promise<void> => {
      const x = await req('PUT', path, '2.53', body);
      expect(x.status, JSON.stringify(x.body)).to.equal(code);
      expect(Object.values(x.body as Record<string, { message: string }>)[0].message).to.equal(message);
    };
    await fault('/os-services/disable', { status: 'disabled' }, 400, 'Invalid uuid disable');
    await fault('/os-services/00000000-0000-0000-0000-000000000001', { status: 'disabled' }, 404, 'Service 00000000-0000-0000-0000-000000000001 could not be found.');
    await fault(`/os-services/${id}`, { status: 'enabled', disabled_reason: 'x' }, 400, "Specifying 'disabled_reason' with status 'enabled' is invalid.");
    await fault(`/os-services/${id}`, { disabled_reason: 'x' }, 400, "No updates were requested. Fields 'status' or 'forced_down' should be specified.");
    await fault(`/os-services/${id}`, { host: 'compute1' }, 400, "Additional properties are not allowed ('host' was unexpected)");
    const ok = await req('PUT', `/os-services/${id}`, '2.53', { forced_down: 'yes' });
    expect(ok.body.service).to.include({ id, forced_down: true, state: 'down' });
    expect((await req('PUT', `/os-services/${id}`, '2.53', { forced_down: false })).body.service).to.include({ forced_down: false, state: 'up' });
    const denied = await req('PUT', `/os-services/${id}`, '2.53', { status: 'disabled' }, DEMO);
    expect(denied.status).to.equal(403);
  });

  it('DELETE: a compute hosting servers stays (409); an idle one goes; bad ids are 400, unknown ones 404', async () => {
    const s = await create('a');
    const busy = (await list('2.1')).find((x) => x.host === s['OS-EXT-SRV-ATTR:host']).id;
    const r409 = await req('DELETE', `/os-services/${busy}`, '2.1');
    expect(r409.status).to.equal(409);
    expect(r409.body.conflictingRequest.message).to.equal('Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');
    const bad = await req('DELETE', '/os-services/abc', '2.1');
    expect(bad.status).to.equal(400);
    expect(bad.body.badRequest.message).to.equal('Invalid input received: id must be an integer');
    expect((await req('DELETE', '/os-services/12', '2.53')).body.badRequest.message).to.equal('Invalid uuid 12');
    expect((await req('DELETE', '/os-services/999', '2.1')).body.itemNotFound.message).to.equal('Service 999 not found.');
    const idle = s['OS-EXT-SRV-ATTR:host'] === 'compute1' ? 'compute2' : 'compute1';
    const idleId = await uuidOf(idle);
    if (idle === 'compute2') { await compute2?.stop(); compute2 = null; }
    expect((await req('DELETE', `/os-services/${idleId}`, '2.53')).status).to.equal(204);
    expect((await list('2.53')).map((x) => x.id)).to.not.include(idleId);
  });
});
