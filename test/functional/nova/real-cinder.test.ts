// nova-api + nova-compute and the real cinder-api + cinder-volume (fake backend) in one
// process: fake:// transports, SQLite databases, fake virt driver and connector.
import { expect } from 'chai';
import { BlockDeviceMapping } from '../../../nova-common/entities';
import type { FakeConnector } from '../../../nova-compute/connectors';
import { startCinder, type Cinder } from '../cinder/cinder-stack';
import { waitFor } from '../../support/processes';
import { activeServer, startNova, type Nova } from './harness';

describe('nova against the real Cinder (in-process, fake:// + SQLite)', function () {
  this.timeout(60_000);
  let cinder: Cinder;
  let nova: Nova;

  beforeEach(async () => {
    cinder = await startCinder({ DEFAULT: { rpc_response_timeout: 3 } });
    nova = await startNova({ cinder: { endpoint: `${cinder.api.url}/v3/%(project_id)s` }, compute: { volume_op_retry_timeout: 5 } });
  });
  afterEach(async () => {
    await nova?.stop();
    await cinder?.stop().catch(() => undefined);
  });

  const attach = (sid: string, volumeId: string, device?: string) =>
    nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: device ? { volumeId, device } : { volumeId } } });
  const status = async (id: string): Promise<string> => (await cinder.show(id)).status as string;
  const waitStatus = (id: string, s: string) => waitFor(async () => (await status(id)) === s, 15_000, `${id} ${s}`, 50);
  const bdms = (volumeId: string) => nova.ds.getRepository(BlockDeviceMapping).findBy({ volumeId });

  it('attaches /dev/vdb and /dev/vdc, saves connection_info, detaches to available', async () => {
    const sid = await activeServer(nova);
    const v1 = await cinder.createVolume();
    const v2 = await cinder.createVolume();
    expect((await attach(sid, v1)).body.volumeAttachment.device).to.equal('/dev/vdb');
    expect((await attach(sid, v2, '/dev/vdc')).body.volumeAttachment.device).to.equal('/dev/vdc');
    await waitStatus(v1, 'in-use');
    await waitStatus(v2, 'in-use');
    await waitFor(async () => (await bdms(v2))[0]?.connectionInfo, 5_000, 'connection_info saved', 20);
    const info = JSON.parse((await bdms(v1))[0].connectionInfo as string);
    expect(info.serial).to.equal(v1);
    expect(info.data.device_path).to.be.a('string').and.contain(`volume-${v1}`);
    const vol = await cinder.show(v1);
    expect(vol.attachments.map((a: { server_id: string; device: string }) => [a.server_id, a.device])).to.deep.equal([[sid, '/dev/vdb']]);
    for (const v of [v1, v2]) expect((await nova.req('DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${v}`)).status).to.equal(202);
    await waitStatus(v1, 'available');
    await waitStatus(v2, 'available');
    await waitFor(async () => (await bdms(v2))[0]?.deleted !== 0, 5_000, 'soft-deleted', 20);
    expect((nova.compute.connector as FakeConnector).connected.size).to.equal(0);
  });

  it('an in-use volume → 400 (Nova\'s _check_volume_already_attached on the attachments flow)', async () => {
    const s1 = await activeServer(nova, 's1');
    const s2 = await activeServer(nova, 's2');
    const v = await cinder.createVolume();
    expect((await attach(s1, v)).status).to.equal(200);
    await waitStatus(v, 'in-use');
    const r = await attach(s2, v);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: volume ${v} is already attached to instances: ${s1}`);
  });

  it('cinder-volume stopped: initialize_connection answers 503 until the retries give up → unreserved, no BDM row', async () => {
    const sid = await activeServer(nova);
    const v = await cinder.createVolume();
    await cinder.volume.stop();
    expect((await attach(sid, v)).status).to.equal(200);
    await waitFor(async () => (await bdms(v)).length === 0, 30_000, 'BDM removed', 100);
    expect(await status(v)).to.equal('available');
  });

  it("deleting a server releases a volume an admin attached from another project, which the server's user cannot see", async () => {
    const sid = await activeServer(nova);
    const theirs = await cinder.createVolume(1, 'admin:admin', 'admin-owned');
    const r = await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { token: 'admin:demo', body: { volumeAttachment: { volumeId: theirs } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    await waitFor(async () => (await cinder.show(theirs, 'admin:admin')).status === 'in-use', 15_000, 'in-use', 50);
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 15_000, 'server gone', 50);
    const v = await cinder.show(theirs, 'admin:admin');
    expect([v.status, v.attachments]).to.deep.equal(['available', []]);
  });

  it('deleting a server leaves its volumes available', async () => {
    const sid = await activeServer(nova);
    const vols = [await cinder.createVolume(), await cinder.createVolume()];
    for (const v of vols) expect((await attach(sid, v)).status).to.equal(200);
    for (const v of vols) await waitStatus(v, 'in-use');
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    for (const v of vols) await waitStatus(v, 'available');
  });
});

describe('nova against the real Cinder, legacy attach flow (in-process, fake:// + SQLite)', function () {
  this.timeout(60_000);
  let cinder: Cinder;
  let nova: Nova;

  before(async () => {
    cinder = await startCinder({ DEFAULT: { rpc_response_timeout: 3 } });
    nova = await startNova({
      cinder: { endpoint: `${cinder.api.url}/v3/%(project_id)s` }, compute: { volume_op_retry_timeout: 5 },
      workarounds: { use_legacy_volume_attach_flow: true },
    });
  });
  after(async () => {
    await nova?.stop();
    await cinder?.stop().catch(() => undefined);
  });

  const show = (id: string) => cinder.show(id);
  const until = (what: string, ok: () => Promise<boolean>) => waitFor(ok, 15_000, what, 50);

  // Cinder's os-migrate_volume_completion attaches the new volume 'rw', which a readonly volume
  // refuses, after it has detached the old one (a fuzz run left the new volume 'attaching').
  it('swaps to a readonly volume: the completion refused, its steps are finished in the volume\'s mode', async () => {
    const sid = await activeServer(nova, 'swap-ro');
    const [oldId, newId] = [await cinder.createVolume(), await cinder.createVolume()];
    expect((await cinder.action(newId, 'os-update_readonly_flag', { readonly: true })).status).to.equal(202);
    expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: oldId } } })).status).to.equal(200);
    await until('old in-use', async () => (await show(oldId)).status === 'in-use');
    const r = await nova.req('PUT', `/v2.1/servers/${sid}/os-volume_attachments/${oldId}`, { token: 'admin:demo', body: { volumeAttachment: { volumeId: newId } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await until('swap settled', async () => (await show(newId)).status === 'in-use' && (await show(oldId)).status === 'available');
    const nv = await show(newId);
    expect(nv.attachments.map((a: { server_id: string }) => a.server_id)).to.deep.equal([sid]);
    expect(nv.metadata).to.include({ readonly: 'True', attached_mode: 'ro' });
    const rows = await nova.ds.getRepository(BlockDeviceMapping).findBy({ instanceUuid: sid, deleted: 0 });
    expect(rows.filter((b) => b.volumeId).map((b) => [b.volumeId, b.attachState])).to.deep.equal([[newId, null]]);
  });
});
