// The reboot action and the instance actions tempest's InstanceActionsTestJSON reads: reboot
// (202, REBOOT then ACTIVE, action 'reboot' listed), bad type 400, unknown / deleted server 404;
// from 2.21 a deleted server's actions stay listable (InstanceActionsV221TestJSON).
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { activeServer, startNova, type Nova } from '../nova/harness';

describe('tempest-shaped: nova reboot and instance actions', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  const reboot = (sid: string, type: unknown): ReturnType<Nova['req']> =>
    nova.req('POST', `/v2.1/servers/${sid}/action`, { body: { reboot: { type } } });
  const status = async (sid: string): Promise<string> => (await nova.req('GET', `/v2.1/servers/${sid}`)).body.server.status as string;

  it('reboots (202) back to ACTIVE and lists the reboot action', async () => {
    const sid = await activeServer(nova, 'rb');
    let r = await reboot(sid, 'HARD');
    expect(r.status).to.equal(202);
    expect(r.body).to.equal(null);
    await waitFor(async () => (await status(sid)) === 'ACTIVE', 5000, 'ACTIVE', 20);
    r = await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions`);
    expect(r.body.instanceActions.map((a: { action: string }) => a.action)).to.include.members(['create', 'reboot']);
    r = await reboot(sid, 'soft');
    expect(r.status).to.equal(202);
    await waitFor(async () => (await status(sid)) === 'ACTIVE', 5000, 'ACTIVE', 20);
  });

  it('rejects a bad reboot type (400) and answers 404 for unknown and deleted servers', async () => {
    const sid = await activeServer(nova, 'rbneg');
    let r = await reboot(sid, 'WARM');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.match(/^Invalid input for field\/attribute type\. Value: WARM\. 'WARM'/);
    r = await reboot('6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b', 'SOFT');
    expect(r.status).to.equal(404);
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 5000, 'deleted', 20);
    expect((await reboot(sid, 'SOFT')).status).to.equal(404);
  });

  it("lists a deleted server's actions from 2.21 only", async () => {
    const sid = await activeServer(nova, 'gone');
    await nova.req('DELETE', `/v2.1/servers/${sid}`);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 5000, 'deleted', 20);
    let r = await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions`, { version: '2.21' });
    expect(r.status).to.equal(200);
    expect(r.body.instanceActions.map((a: { action: string }) => a.action)).to.include.members(['create', 'delete']);
    const del = r.body.instanceActions.find((a: { action: string }) => a.action === 'delete');
    r = await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions/${del.request_id}`, { version: '2.21' });
    expect(r.status).to.equal(200);
    expect((await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions`, { version: '2.20' })).status).to.equal(404);
    expect((await nova.req('GET', `/v2.1/servers/${sid}/os-instance-actions`, { version: '2.21', token: 'other:other' })).status).to.equal(404);
  });
});

describe('tempest-shaped: nova restore / forceDelete (no deferred delete)', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  it('restore of a live server is 409, of an unknown one 404; forceDelete deletes (202)', async () => {
    const sid = await activeServer(nova, 'dd');
    let r = await nova.req('POST', `/v2.1/servers/${sid}/action`, { body: { restore: null } });
    expect(r.status).to.equal(409);
    expect(r.body.conflictingRequest.message).to.equal(`Cannot 'restore' instance ${sid} while it is in vm_state active`);
    const unknown = '6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b';
    for (const key of ['restore', 'forceDelete']) {
      expect((await nova.req('POST', `/v2.1/servers/${unknown}/action`, { body: { [key]: null } })).status, key).to.equal(404);
    }
    r = await nova.req('POST', `/v2.1/servers/${sid}/action`, { body: { forceDelete: null } });
    expect(r.status).to.equal(202);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 5000, 'deleted', 20);
  });
});
