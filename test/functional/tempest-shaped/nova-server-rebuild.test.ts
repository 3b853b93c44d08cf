// rebuild as tempest's ServerActionsTestJSON (test_rebuild_server, _in_stop_state,
// _with_volume_attached) and ServersNegativeTestJSON drive it: the 202 body, the new name,
// image and metadata, the guest spawned again with its volume on the same device, the volume
// still in-use on the same attachment; then Nova's refusals.
import { expect } from 'chai';
import { Instance, InstanceAction } from '../../../nova-common/entities';
import type { FakeDriver } from '../../../nova-compute/virt/fake';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithCinderFixture, type Nova } from '../nova/harness';

const IMAGE_ALT = '8a4a4b4c-2a3e-4b3a-9f0e-0123456789ab';

describe('tempest-shaped: nova server rebuild', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();

  const action = (sid: string, body: unknown, o: { token?: string; version?: string } = {}): ReturnType<Nova['req']> =>
    s.nova.req('POST', `/v2.1/servers/${sid}/action`, { token: o.token ?? 'demo:demo', version: o.version, body });
  const server = async (sid: string): Promise<Record<string, unknown>> => (await s.nova.req('GET', `/v2.1/servers/${sid}`)).body.server;
  const until = async (sid: string, status: string): Promise<void> => {
    await waitFor(async () => { const v = await server(sid); return v.status === status && v['OS-EXT-STS:task_state'] === null; }, 5000, status, 20);
  };
  const driver = (): FakeDriver => s.nova.compute.driver as FakeDriver;

  it('rebuilds a server with a volume attached: 202 with the new image and name, the guest spawned again with its disk', async () => {
    const sid = await activeServer(s.nova, 'rebuild');
    const vol = s.cinder.create('demo');
    expect((await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vol.id } } })).status).to.equal(200);
    await waitFor(async () => s.cinder.volumes.get(vol.id)?.status === 'in-use', 5000, 'in-use', 20);
    const inst = (await s.nova.ds.getRepository(Instance).findOneBy({ uuid: sid }))!;
    const disksBefore = driver().listDisks(inst).map((d) => [d.targetDev, d.sourceDev]);
    expect(disksBefore.map(([dev]) => dev)).to.deep.equal(['vda', 'vdb']);
    const spawns = driver().spawns.get(sid) ?? 0;
    const attachmentsOf = (): string[] => (s.cinder.volumes.get(vol.id)?.attachments ?? []).map((a) => a.attachment_id);
    const attachmentBefore = attachmentsOf();
    expect(attachmentBefore).to.have.length(1);

    const r = await action(sid, { rebuild: { imageRef: IMAGE_ALT, name: 'rebuilt', metadata: { rebuild: 'server' }, adminPass: 'rebuildPassw0rd' } });
    expect(r.status).to.equal(202);
    expect(r.body.server.id).to.equal(sid);
    expect(r.body.server.image.id).to.equal(IMAGE_ALT);
    expect(r.body.server.name).to.equal('rebuilt');
    expect(r.body.server.metadata).to.deep.equal({ rebuild: 'server' });
    expect(r.body.server.adminPass).to.equal('rebuildPassw0rd');
    // Below 2.75 the answer is trimmed as an update's: no extended status.
    expect(r.body.server).to.not.have.property('OS-EXT-STS:task_state');
    expect(['REBUILD', 'ACTIVE']).to.include(r.body.server.status);

    await until(sid, 'ACTIVE');
    const after = await server(sid);
    expect([after.name, (after.image as { id: string }).id]).to.deep.equal(['rebuilt', IMAGE_ALT]);
    expect(driver().spawns.get(sid)).to.equal(spawns + 1);
    expect(driver().listDisks(inst).map((d) => [d.targetDev, d.sourceDev])).to.deep.equal(disksBefore);
    expect(driver().guestState(sid)).to.equal('running');
    // The volume stays in-use on the same attachment (docs/differences.md: Nova makes a new one).
    expect(s.cinder.volumes.get(vol.id)?.status).to.equal('in-use');
    expect(attachmentsOf()).to.deep.equal(attachmentBefore);
    const actions = await s.nova.ds.getRepository(InstanceAction).findBy({ instanceUuid: sid });
    expect(actions.map((a) => a.action)).to.include('rebuild');
  });

  it('a stopped server is rebuilt stopped (REBUILD, then SHUTOFF), and 2.75 answers the full server', async () => {
    const sid = await activeServer(s.nova, 'rebuild-stopped');
    expect((await action(sid, { 'os-stop': null })).status).to.equal(202);
    await until(sid, 'SHUTOFF');
    const r = await action(sid, { rebuild: { imageRef: IMAGE_ALT } }, { version: '2.75' });
    expect(r.status).to.equal(202);
    expect(r.body.server['OS-EXT-STS:task_state']).to.equal('rebuilding');
    expect(r.body.server.status).to.equal('REBUILD');
    expect(r.body.server).to.not.have.property('OS-EXT-SRV-ATTR:user_data');
    expect(r.body.server).to.have.property('user_data', null);
    await until(sid, 'SHUTOFF');
    expect((await server(sid))['OS-EXT-STS:power_state']).to.equal(4);
    expect(driver().guestState(sid)).to.equal('shutoff');
  });

  it('user_data from 2.57: taken and answered (unprefixed); below, neither', async () => {
    const sid = await activeServer(s.nova, 'rebuild-ud');
    let r = await action(sid, { rebuild: { imageRef: IMAGE_ALT } }, { version: '2.56' });
    expect(r.status).to.equal(202);
    expect(r.body.server).to.not.have.property('user_data');
    await until(sid, 'ACTIVE');
    r = await action(sid, { rebuild: { imageRef: IMAGE_ALT, user_data: 'ZWNobyBoaQ==' } }, { version: '2.57' });
    expect(r.status).to.equal(202);
    expect(r.body.server.user_data).to.equal('ZWNobyBoaQ==');
    await until(sid, 'ACTIVE');
  });

  it('key_name from 2.54: set to the caller\'s pair, cleared with null, 400 for an unknown one', async () => {
    const sid = await activeServer(s.nova, 'rebuild-key');
    expect((await s.nova.req('POST', '/v2.1/os-keypairs', { version: '2.2', body: { keypair: { name: 'rk' } } })).status).to.equal(201);
    let r = await action(sid, { rebuild: { imageRef: IMAGE_ALT, key_name: 'rk' } }, { version: '2.54' });
    expect(r.status).to.equal(202);
    expect(r.body.server.key_name).to.equal('rk');
    await until(sid, 'ACTIVE');
    r = await action(sid, { rebuild: { imageRef: IMAGE_ALT, key_name: 'nope' } }, { version: '2.54' });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Invalid key_name provided.']);
    r = await action(sid, { rebuild: { imageRef: IMAGE_ALT, key_name: null } }, { version: '2.54' });
    expect([r.status, r.body.server.key_name]).to.deep.equal([202, null]);
    await until(sid, 'ACTIVE');
    r = await action(sid, { rebuild: { imageRef: IMAGE_ALT, key_name: 'rk' } }, { version: '2.53' });
    expect(r.status).to.equal(400);
  });

  it('refuses as Nova: no or a bad imageRef (400), paused (409), locked (409), another project (404), a volume-backed server (400)', async () => {
    const sid = await activeServer(s.nova, 'rebuild-neg');
    expect((await action(sid, { rebuild: {} })).status).to.equal(400);
    expect((await action(sid, { rebuild: { imageRef: 'not-a-uuid' } })).status).to.equal(400);
    expect((await action(sid, { rebuild: { imageRef: IMAGE_ALT, flavorRef: '2' } })).status).to.equal(400);
    expect((await action(sid, { rebuild: { imageRef: IMAGE_ALT } }, { token: 'other:other' })).status).to.equal(404);
    expect((await action(sid, { pause: null })).status).to.equal(202);
    await until(sid, 'PAUSED');
    let r = await action(sid, { rebuild: { imageRef: IMAGE_ALT } });
    expect([r.status, r.body.conflictingRequest?.message]).to.deep.equal([409, `Cannot 'rebuild' instance ${sid} while it is in vm_state paused`]);
    expect((await action(sid, { unpause: null })).status).to.equal(202);
    await until(sid, 'ACTIVE');
    expect((await action(sid, { lock: null })).status).to.equal(202);
    r = await action(sid, { rebuild: { imageRef: IMAGE_ALT } });
    expect(r.status).to.equal(409);
    expect((await action(sid, { unlock: null })).status).to.equal(202);

    const boot = s.cinder.create('demo');
    const bfv = await s.nova.req('POST', '/v2.1/servers', { body: { server: { name: 'bfv', flavorRef: '1',
      block_device_mapping_v2: [{ boot_index: 0, uuid: boot.id, source_type: 'volume', destination_type: 'volume' }] } } });
    expect(bfv.status).to.equal(202);
    const bid = bfv.body.server.id as string;
    await until(bid, 'ACTIVE');
    r = await action(bid, { rebuild: { imageRef: IMAGE_ALT } });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400,
      `Image ${IMAGE_ALT} is unacceptable: Unable to rebuild with a different image for a volume-backed server.`]);
    expect((await server(bid)).status).to.equal('ACTIVE');
  });
});
