// os-stop / os-start as tempest's AttachVolumeTestJSON.test_attach_detach_volume drives them:
// attach, stop (→ SHUTOFF), start (→ ACTIVE), the attachment survives, detach.
import { expect } from 'chai';
import { InstanceAction } from '../../../nova-common/entities';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithCinderFixture, type Nova } from '../nova/harness';

describe('tempest-shaped: nova server os-stop / os-start', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();

  const action = (sid: string, body: unknown, token = 'demo:demo'): ReturnType<Nova['req']> =>
    s.nova.req('POST', `/v2.1/servers/${sid}/action`, { token, body });
  const status = async (sid: string): Promise<string> => (await s.nova.req('GET', `/v2.1/servers/${sid}`)).body.server.status as string;

  it('stops and starts a server with a volume attached (202 each; SHUTOFF then ACTIVE; attachment kept)', async () => {
    const sid = await activeServer(s.nova, 'power');
    const vol = s.cinder.create('demo');
    let r = await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vol.id } } });
    expect(r.status).to.equal(200);
    await waitFor(async () => s.cinder.volumes.get(vol.id)?.status === 'in-use', 5000, 'in-use', 20);

    r = await action(sid, { 'os-stop': null });
    expect(r.status).to.equal(202);
    expect(r.body).to.equal(null);
    await waitFor(async () => (await status(sid)) === 'SHUTOFF', 5000, 'SHUTOFF', 20);
    const srv = (await s.nova.req('GET', `/v2.1/servers/${sid}`)).body.server;
    expect(srv['OS-EXT-STS:vm_state']).to.equal('stopped');
    expect(srv['OS-EXT-STS:power_state']).to.equal(4);
    expect(srv['OS-EXT-STS:task_state']).to.equal(null);

    r = await action(sid, { 'os-start': null });
    expect(r.status).to.equal(202);
    await waitFor(async () => (await status(sid)) === 'ACTIVE', 5000, 'ACTIVE', 20);
    expect((await s.nova.req('GET', `/v2.1/servers/${sid}`)).body.server['OS-EXT-STS:power_state']).to.equal(1);

    r = await s.nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments`);
    expect(r.body.volumeAttachments.map((a: { volumeId: string }) => a.volumeId)).to.deep.equal([vol.id]);
    const actions = await s.nova.ds.getRepository(InstanceAction).findBy({ instanceUuid: sid });
    expect(actions.map((a) => a.action)).to.include.members(['stop', 'start']);
  });

  it('409 in the wrong vm_state, 400 for an unknown action or a malformed body, 404 for another project', async () => {
    const sid = await activeServer(s.nova, 'power-neg');
    let r = await action(sid, { 'os-start': null });
    expect(r.status).to.equal(409);
    expect(r.body).to.deep.equal({ conflictingRequest: { code: 409, message: `Cannot 'start' instance ${sid} while it is in vm_state active` } });
    r = await action(sid, { 'os-reboot-please': null });
    expect(r.status).to.equal(400);
    expect(r.body).to.deep.equal({ badRequest: { code: 400, message: 'There is no such action: os-reboot-please' } });
    r = await action(sid, { 'os-stop': null, 'os-start': null });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Malformed request body');
    r = await action(sid, { 'os-stop': null }, 'other:other');
    expect(r.status).to.equal(404);
    r = await action(sid, { 'os-stop': null });
    expect(r.status).to.equal(202);
    await waitFor(async () => (await status(sid)) === 'SHUTOFF', 5000, 'SHUTOFF', 20);
    r = await action(sid, { 'os-stop': null });
    expect(r.status).to.equal(409);
    expect(r.body.conflictingRequest.message).to.equal(`Cannot 'stop' instance ${sid} while it is in vm_state stopped`);
  });
});
