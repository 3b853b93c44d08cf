// lock / unlock as tempest's ServerActionsTestJSON.test_lock_unlock_server drives them (lock,
// stop → 409, unlock, stop → 202), with Nova's owner/admin rules and the 2.73 locked_reason.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { activeServer, startNova, type Nova } from '../nova/harness';

describe('tempest-shaped: nova lock / unlock', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });
  const act = (sid: string, body: unknown, o: { token?: string; version?: string } = {}): ReturnType<Nova['req']> =>
    nova.req('POST', `/v2.1/servers/${sid}/action`, { body, ...o });

  it('a locked server refuses stop (409) until unlocked; locked / locked_reason shown', async () => {
    const sid = await activeServer(nova, 'lk');
    let r = await act(sid, { lock: { locked_reason: 'maintenance' } }, { version: '2.73' });
    expect(r.status).to.equal(202);
    r = await nova.req('GET', `/v2.1/servers/${sid}`, { version: '2.73' });
    expect(r.body.server).to.include({ locked: true, locked_reason: 'maintenance' });
    r = await act(sid, { 'os-stop': null });
    expect(r.status).to.equal(409);
    expect(r.body.conflictingRequest.message).to.equal(`Instance ${sid} is locked`);
    expect((await act(sid, { unlock: null })).status).to.equal(202);
    r = await nova.req('GET', `/v2.1/servers/${sid}`, { version: '2.73' });
    expect(r.body.server).to.include({ locked: false, locked_reason: null });
    expect((await act(sid, { 'os-stop': null })).status).to.equal(202);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).body.server.status === 'SHUTOFF', 5000, 'SHUTOFF', 20);
    const actions = (await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions`)).body.instanceActions.map((a: { action: string }) => a.action);
    expect(actions).to.include.members(['lock', 'unlock']);
  });

  it("an admin's lock needs the admin to unlock (403 for the owner); bad locked_reason 400; unknown server 404", async () => {
    const sid = await activeServer(nova, 'lk2');
    expect((await act(sid, { lock: null }, { token: 'admin:admin' })).status).to.equal(202);
    let r = await act(sid, { unlock: null });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.");
    expect((await act(sid, { unlock: null }, { token: 'admin:admin' })).status).to.equal(202);
    r = await act(sid, { lock: { locked_reason: '' } }, { version: '2.73' });
    expect(r.status).to.equal(400);
    expect((await act('6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b', { lock: null })).status).to.equal(404);
  });
});
