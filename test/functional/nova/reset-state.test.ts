// os-resetState (Nova's admin_actions): how an admin takes a server out of a state it is stuck
// in; with it, injectNetworkInfo (202, admin) and resetNetwork (gone: 410). Admin only; the body's schema; vm_state active or error with the task cleared, whatever the
// task or the lock; recorded as action resetState. A server reset to active takes volumes again.
import { expect } from 'chai';
import { Instance, InstanceAction } from '../../../nova-common/entities';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithCinderFixture, type Nova } from './harness';

describe('nova: os-resetState', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();
  const ADMIN = 'admin:demo';

  const reset = (sid: string, body: unknown, token = ADMIN): ReturnType<Nova['req']> =>
    s.nova.req('POST', `/v2.1/servers/${sid}/action`, { token, body });
  const server = async (sid: string): Promise<Record<string, unknown>> => (await s.nova.req('GET', `/v2.1/servers/${sid}`)).body.server;

  it('is admin only (403 for the owner), 404 for no such server, 400 for a body outside its schema', async () => {
    const sid = await activeServer(s.nova, 'reset-neg');
    let r = await reset(sid, { 'os-resetState': { state: 'error' } }, 'demo:demo');
    expect([r.status, r.body]).to.deep.equal([403, { forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed." } }]);
    r = await reset('6e1a2b3c-0000-4000-8000-000000000000', { 'os-resetState': { state: 'error' } });
    expect(r.status).to.equal(404);
    for (const bad of [{ 'os-resetState': { state: 'deleted' } }, { 'os-resetState': {} }, { 'os-resetState': { state: 'error', x: 1 } }, { 'os-resetState': null }]) {
      r = await reset(sid, bad);
      expect(r.status, JSON.stringify(bad)).to.equal(400);
      expect(r.body.badRequest.message, JSON.stringify(bad)).to.be.a('string').and.not.equal('There is no such action: os-resetState');
    }
    expect((await server(sid)).status).to.equal('ACTIVE');
  });

  it('sets error then active, clears a task left behind, ignores the lock, and records resetState', async () => {
    const sid = await activeServer(s.nova, 'reset');
    expect((await reset(sid, { lock: null }, 'demo:demo')).status).to.equal(202);
    let r = await reset(sid, { 'os-resetState': { state: 'error' } });
    expect([r.status, r.body]).to.deep.equal([202, null]);
    let srv = await server(sid);
    expect([srv.status, srv['OS-EXT-STS:vm_state'], srv['OS-EXT-STS:task_state']]).to.deep.equal(['ERROR', 'error', null]);

    // A volume is refused in error (attach wants active, paused, stopped…).
    const vol = s.cinder.create('demo');
    r = await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vol.id } } });
    expect(r.status).to.equal(409);

    // A task a lost cast left behind keeps every action out; the reset clears it.
    await s.nova.ds.getRepository(Instance).update({ uuid: sid }, { taskState: 'powering-off' });
    r = await reset(sid, { 'os-resetState': { state: 'active' } });
    expect(r.status).to.equal(202);
    srv = await server(sid);
    expect([srv.status, srv['OS-EXT-STS:vm_state'], srv['OS-EXT-STS:task_state']]).to.deep.equal(['ACTIVE', 'active', null]);
    expect((await s.nova.ds.getRepository(Instance).findOneByOrFail({ uuid: sid })).locked).to.equal(true);

    r = await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { token: ADMIN, body: { volumeAttachment: { volumeId: vol.id } } });
    expect(r.status).to.equal(200);
    await waitFor(async () => s.cinder.volumes.get(vol.id)?.status === 'in-use', 5000, 'in-use', 20);

    const actions = await s.nova.ds.getRepository(InstanceAction).findBy({ instanceUuid: sid, action: 'resetState' });
    expect(actions.map((a) => a.userId)).to.deep.equal(['admin', 'admin']);
  });

  it('injectNetworkInfo is 202 for an admin, 403 for the owner; resetNetwork is 410 for anyone, as Nova\'s', async () => {
    const sid = await activeServer(s.nova, 'net');
    let r = await reset(sid, { injectNetworkInfo: null });
    expect([r.status, r.body]).to.deep.equal([202, null]);
    r = await reset(sid, { injectNetworkInfo: null }, 'demo:demo');
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow os_compute_api:os-admin-actions:inject_network_info to be performed.");
    for (const token of [ADMIN, 'demo:demo']) {
      r = await reset(sid, { resetNetwork: null }, token);
      expect([r.status, r.body]).to.deep.equal([410, { computeFault: { code: 410, message: 'This resource is no longer available.  No forwarding address is given.' } }]);
    }
    expect((await server(sid)).status).to.equal('ACTIVE');
    // A server never placed on a host (Nova's cast fails there: 500) is not ready.
    await s.nova.ds.getRepository(Instance).update({ uuid: sid }, { host: null });
    r = await reset(sid, { injectNetworkInfo: null });
    expect([r.status, r.body]).to.deep.equal([409, { conflictingRequest: { code: 409, message: `Instance ${sid} is not ready` } }]);
  });

  it('Nova\'s actions not served here look the server up first (404), are 404 where Nova\'s handler has no version, else 400', async () => {
    const sid = await activeServer(s.nova, 'unserved');
    const act = (id: string, body: unknown, version?: string, token = 'demo:demo') => s.nova.req('POST', `/v2.1/servers/${id}/action`, { token, body, version });
    const missing = '6e1a2b3c-0000-4000-8000-000000000001';
    for (const body of [{ migrate: null }, { resize: { flavorRef: '2' } }, { shelve: null }, { unshelve: null }, { evacuate: {} }]) {
      const r = await act(missing, body);
      expect([r.status, r.body.itemNotFound?.message], JSON.stringify(body)).to.deep.equal([404, `Instance ${missing} could not be found.`]);
      const here = await act(sid, body);
      expect([here.status, here.body.badRequest?.message]).to.deep.equal([400, `There is no such action: ${Object.keys(body)[0]}`]);
    }
    // Another project's server is as missing.
    expect((await act(sid, { migrate: null }, undefined, 'other:other')).status).to.equal(404);
    // Handlers Nova has only at some versions: outside them, a plain 404 whatever the server.
    expect((await act(sid, { addFloatingIp: { address: '10.0.0.1' } }, '2.43')).status).to.equal(400);
    expect((await act(sid, { addFloatingIp: { address: '10.0.0.1' } }, '2.44')).body).to.deep.equal({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    expect((await act(sid, { 'os-getVNCConsole': { type: 'novnc' } }, '2.6')).status).to.equal(404);
    expect((await act(sid, { trigger_crash_dump: null }, '2.16')).status).to.equal(404);
    expect((await act(sid, { trigger_crash_dump: null }, '2.17')).status).to.equal(400);
    // A name Nova does not know stays "no such action", before any lookup.
    expect((await act(missing, { bogus: 1 })).body.badRequest.message).to.equal('There is no such action: bogus');
  });
});
