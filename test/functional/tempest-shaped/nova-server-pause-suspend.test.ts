// pause / unpause and suspend / resume as tempest's ServerActionsTestJSON and its negative tests
// drive them, with a volume attached: the server's status and power state, the fake guest's own
// state, the instance actions, the attachment kept; then the refusals Nova gives.
import { expect } from 'chai';
import { InstanceAction } from '../../../nova-common/entities';
import type { FakeDriver } from '../../../nova-compute/virt/fake';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithCinderFixture, type Nova } from '../nova/harness';

describe('tempest-shaped: nova server pause / unpause, suspend / resume', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();

  const action = (sid: string, body: unknown, token = 'demo:demo'): ReturnType<Nova['req']> =>
    s.nova.req('POST', `/v2.1/servers/${sid}/action`, { token, body });
  const server = async (sid: string): Promise<Record<string, unknown>> => (await s.nova.req('GET', `/v2.1/servers/${sid}`)).body.server;
  const until = async (sid: string, status: string): Promise<void> => {
    await waitFor(async () => (await server(sid)).status === status && (await server(sid))['OS-EXT-STS:task_state'] === null, 5000, status, 20);
  };
  const guest = (sid: string): string | null => (s.nova.compute.driver as FakeDriver).guestState(sid);

  async function withVolume(name: string): Promise<{ sid: string; vid: string }> {
    const sid = await activeServer(s.nova, name);
    const vol = s.cinder.create('demo');
    expect((await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vol.id } } })).status).to.equal(200);
    await waitFor(async () => s.cinder.volumes.get(vol.id)?.status === 'in-use', 5000, 'in-use', 20);
    return { sid, vid: vol.id };
  }

  it('pauses and unpauses a server with a volume attached: PAUSED (power 3) then ACTIVE, the guest follows', async () => {
    const { sid, vid } = await withVolume('pause');
    let r = await action(sid, { pause: null });
    expect(r.status).to.equal(202);
    expect(r.body).to.equal(null);
    await until(sid, 'PAUSED');
    expect((await server(sid))['OS-EXT-STS:vm_state']).to.equal('paused');
    expect((await server(sid))['OS-EXT-STS:power_state']).to.equal(3);
    expect(guest(sid)).to.equal('paused');

    r = await action(sid, { unpause: null });
    expect(r.status).to.equal(202);
    await until(sid, 'ACTIVE');
    expect((await server(sid))['OS-EXT-STS:power_state']).to.equal(1);
    expect(guest(sid)).to.equal('running');
    r = await s.nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments`);
    expect(r.body.volumeAttachments.map((a: { volumeId: string }) => a.volumeId)).to.deep.equal([vid]);
    const actions = await s.nova.ds.getRepository(InstanceAction).findBy({ instanceUuid: sid });
    expect(actions.map((a) => a.action)).to.include.members(['pause', 'unpause']);
  });

  it('a paused server takes and gives up a volume, as Nova allows', async () => {
    const sid = await activeServer(s.nova, 'pause-attach');
    expect((await action(sid, { pause: null })).status).to.equal(202);
    await until(sid, 'PAUSED');
    const vol = s.cinder.create('demo');
    expect((await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vol.id } } })).status).to.equal(200);
    await waitFor(async () => s.cinder.volumes.get(vol.id)?.status === 'in-use', 5000, 'in-use', 20);
    expect((await s.nova.req('DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${vol.id}`)).status).to.equal(202);
    await waitFor(async () => s.cinder.volumes.get(vol.id)?.status === 'available', 5000, 'available', 20);
  });

  it('suspends and resumes: SUSPENDED (power 7) then ACTIVE; a suspended server takes no volume (409)', async () => {
    const { sid, vid } = await withVolume('suspend');
    expect((await action(sid, { suspend: null })).status).to.equal(202);
    await until(sid, 'SUSPENDED');
    expect((await server(sid))['OS-EXT-STS:power_state']).to.equal(7);
    expect(guest(sid)).to.equal('suspended');
    const other = s.cinder.create('demo');
    const r = await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: other.id } } });
    expect(r.status).to.equal(409);
    expect(r.body.conflictingRequest.message).to.equal(`Cannot 'attach_volume' instance ${sid} while it is in vm_state suspended`);
    expect(s.cinder.volumes.get(other.id)?.status).to.equal('available');

    expect((await action(sid, { resume: null })).status).to.equal(202);
    await until(sid, 'ACTIVE');
    expect(guest(sid)).to.equal('running');
    expect((await s.nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments`)).body.volumeAttachments.map((a: { volumeId: string }) => a.volumeId)).to.deep.equal([vid]);
  });

  it("refuses as Nova: the wrong vm_state (409), a locked server (409), another project's (404)", async () => {
    const sid = await activeServer(s.nova, 'pause-neg');
    for (const a of ['unpause', 'resume']) {
      const r = await action(sid, { [a]: null });
      expect(r.status, a).to.equal(409);
      expect(r.body).to.deep.equal({ conflictingRequest: { code: 409, message: `Cannot '${a}' instance ${sid} while it is in vm_state active` } });
    }
    expect((await action(sid, { pause: null }, 'other:other')).status).to.equal(404);
    expect((await action(sid, { pause: null })).status).to.equal(202);
    await until(sid, 'PAUSED');
    for (const a of ['pause', 'suspend']) {
      const r = await action(sid, { [a]: null });
      expect(r.status, a).to.equal(409);
      expect(r.body.conflictingRequest.message).to.equal(`Cannot '${a}' instance ${sid} while it is in vm_state paused`);
    }
    expect((await action(sid, { unpause: null })).status).to.equal(202);
    await until(sid, 'ACTIVE');
    expect((await action(sid, { lock: null })).status).to.equal(202);
    const r = await action(sid, { suspend: null });
    expect(r.status).to.equal(409);
    expect(r.body.conflictingRequest.message).to.match(/is locked/);
    expect((await server(sid)).status).to.equal('ACTIVE');
  });
});
