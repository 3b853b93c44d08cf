// os-volumes, Nova's proxy of Cinder's volumes, against the real cinder-api + cinder-volume in
// process, as tempest's compute volumes tests (test_volumes_get, _list, _negative) drive it.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithRealCinder } from './harness';

describe('nova-api os-volumes (the volume proxy, up to 2.35) over the real Cinder', function () {
  this.timeout(60_000);
  const s = novaWithRealCinder();

  const req = (method: string, path: string, body?: unknown, version?: string) => s.nova.req(method, `/v2.1${path}`, { body, version });
  const until = async (id: string, status: string): Promise<void> => {
    await waitFor(async () => (await req('GET', `/os-volumes/${id}`)).body.volume?.status === status, 15_000, `${id} ${status}`, 50);
  };

  it('creates (200, Location, camelCase view), shows, lists and deletes (202) a volume', async () => {
    const r = await req('POST', '/os-volumes', { volume: { size: 1, display_name: 'pv', display_description: 'd', metadata: { a: 'b' } } });
    expect(r.status).to.equal(200);
    const v = r.body.volume;
    expect(Object.keys(v).sort()).to.deep.equal(['attachments', 'availabilityZone', 'createdAt', 'displayDescription', 'displayName', 'id',
      'metadata', 'size', 'snapshotId', 'status', 'volumeType']);
    expect([v.size, v.displayName, v.displayDescription, v.metadata, v.attachments, v.snapshotId]).to.deep.equal([1, 'pv', 'd', { a: 'b' }, [{}], null]);
    expect(r.headers.get('location')).to.match(new RegExp(`/v2.1/os-volumes/${v.id}$`));
    await until(v.id, 'available');
    const shown = (await req('GET', `/os-volumes/${v.id}`)).body.volume;
    expect([shown.id, shown.availabilityZone, shown.volumeType]).to.deep.equal([v.id, 'nova', '__DEFAULT__']);
    for (const path of ['/os-volumes', '/os-volumes/detail']) {
      expect((await req('GET', path)).body.volumes.map((x: { id: string }) => x.id), path).to.include(v.id);
    }
    expect((await req('DELETE', `/os-volumes/${v.id}`)).status).to.equal(202);
    await waitFor(async () => (await req('GET', `/os-volumes/${v.id}`)).status === 404, 15_000, 'deleted', 50);
  });

  it('shows the attachment of an attached volume (the server and device)', async () => {
    const sid = await activeServer(s.nova, 'pv-srv');
    const v = (await req('POST', '/os-volumes', { volume: { size: '1' } })).body.volume;
    await until(v.id, 'available');
    expect((await req('POST', `/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: v.id } })).status).to.equal(200);
    await until(v.id, 'in-use');
    const shown = (await req('GET', `/os-volumes/${v.id}`)).body.volume;
    expect(shown.attachments).to.deep.equal([{ id: v.id, volumeId: v.id, serverId: sid, device: '/dev/vdb' }]);
    expect((await req('DELETE', `/servers/${sid}/os-volume_attachments/${v.id}`)).status).to.equal(202);
    await until(v.id, 'available');
  });

  it('pages with limit and offset (common.limited); a bad value is 400', async () => {
    for (let i = 0; i < 3; i++) expect((await req('POST', '/os-volumes', { volume: { size: 1, display_name: `page${i}` } })).status).to.equal(200);
    const all = (await req('GET', '/os-volumes/detail')).body.volumes.map((x: { id: string }) => x.id);
    expect(all.length).to.be.at.least(3);
    expect((await req('GET', '/os-volumes?limit=2')).body.volumes).to.have.length(2);
    expect((await req('GET', '/os-volumes/detail?offset=1&limit=1')).body.volumes.map((x: { id: string }) => x.id)).to.deep.equal([all[1]]);
    expect((await req('GET', '/os-volumes?limit=-1')).status).to.equal(400);
    expect((await req('GET', '/os-volumes?offset=x')).status).to.equal(400);
  });

  it('refuses as Nova: sizes "#$%", "" and "0" (400), unknown ids and no id (404), gone from 2.36 (404)', async () => {
    for (const size of ['#$%', '', '0']) {
      const r = await req('POST', '/os-volumes', { volume: { size, display_name: 'bad' } });
      expect(r.status, JSON.stringify(size)).to.equal(400);
      expect(r.body).to.have.property('badRequest');
    }
    expect((await req('POST', '/os-volumes', { volume: { display_name: 'nosize' } })).status).to.equal(400);
    expect((await req('POST', '/os-volumes', { volume: { size: 1, snapshot_id: 'nope' } })).status).to.equal(404);
    for (const [method, path] of [['GET', '/os-volumes/00000000-0000-4000-8000-000000000000'], ['DELETE', '/os-volumes/00000000-0000-4000-8000-000000000000'],
      ['DELETE', '/os-volumes/x!'], ['GET', '/os-volumes/'], ['DELETE', '/os-volumes/']]) {
      expect((await req(method, path)).status, `${method} ${path}`).to.equal(404);
    }
    expect((await req('GET', '/os-volumes', undefined, '2.35')).status).to.equal(200);
    expect((await req('GET', '/os-volumes', undefined, '2.36')).status).to.equal(404);
    expect((await req('POST', '/os-volumes', { volume: { size: 1 } }, '2.36')).status).to.equal(404);
  });

  it('os-snapshots: creates (200, camelCase view), shows, lists and deletes (202) a snapshot; a volume from it; Nova\'s refusals', async () => {
    const v = (await req('POST', '/os-volumes', { volume: { size: 1, display_name: 'snap-src' } })).body.volume;
    await until(v.id, 'available');
    const r = await req('POST', '/os-snapshots', { snapshot: { volume_id: v.id, display_name: 'ps', display_description: 'd' } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const snap = r.body.snapshot;
    expect(Object.keys(snap).sort()).to.deep.equal(['createdAt', 'displayDescription', 'displayName', 'id', 'size', 'status', 'volumeId']);
    expect([snap.volumeId, snap.size, snap.displayName, snap.displayDescription, snap.status]).to.deep.equal([v.id, 1, 'ps', 'd', 'creating']);
    await waitFor(async () => (await req('GET', `/os-snapshots/${snap.id}`)).body.snapshot?.status === 'available', 15_000, 'snapshot available', 50);
    for (const path of ['/os-snapshots', '/os-snapshots/detail']) {
      expect((await req('GET', path)).body.snapshots.map((x: { id: string }) => x.id), path).to.include(snap.id);
    }
    const from = await req('POST', '/os-volumes', { volume: { size: 1, snapshot_id: snap.id } });
    expect([from.status, from.body.volume.snapshotId]).to.deep.equal([200, snap.id]);
    await until(from.body.volume.id, 'available');
    // Refusals: an unknown volume or snapshot (404), a body Nova's schema refuses (400), the volume while it has a snapshot (400), gone from 2.36.
    expect((await req('POST', '/os-snapshots', { snapshot: { volume_id: '00000000-0000-4000-8000-000000000000' } })).status).to.equal(404);
    expect((await req('POST', '/os-snapshots', { snapshot: { volume_id: v.id, force: 'maybe' } })).status).to.equal(400);
    expect((await req('GET', '/os-snapshots/00000000-0000-4000-8000-000000000000')).status).to.equal(404);
    expect((await req('DELETE', `/os-volumes/${v.id}`)).status).to.equal(400);
    expect((await req('GET', '/os-snapshots', undefined, '2.36')).status).to.equal(404);
    // Cinder's refusal of a delete (a snapshot being created) is Nova's InvalidInput, 400 with Cinder's text.
    const reset = async (status: string): Promise<void> => {
      const r = await s.cinder.req('POST', `/v3/demo/snapshots/${snap.id}/action`, { token: 'admin:demo', body: { 'os-reset_status': { status } } });
      expect(r.status).to.equal(202);
    };
    await reset('creating');
    const refused = await req('DELETE', `/os-snapshots/${snap.id}`);
    expect(refused.status).to.equal(400);
    expect(refused.body.badRequest.message).to.include('Snapshot status must be available or error');
    await reset('available');
    expect((await req('DELETE', `/os-snapshots/${snap.id}`)).status).to.equal(202);
    await waitFor(async () => (await req('GET', `/os-snapshots/${snap.id}`)).status === 404, 15_000, 'snapshot deleted', 50);
    for (const id of [from.body.volume.id, v.id]) expect((await req('DELETE', `/os-volumes/${id}`)).status).to.equal(202);
  });
});
