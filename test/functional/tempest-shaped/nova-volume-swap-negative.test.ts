// PUT /servers/{id}/os-volume_attachments/{volume_id} error paths as tempest's
// compute/admin/test_volumes_negative.py drives them (admin, microversion 2.1): a nonexistent
// volume in the URI is 404, one in the body is 400 (Nova: resources named in a body are bad
// requests); an old volume the server does not have is 400, as Nova's swap_volume.
import { expect } from 'chai';
import { activeServer, novaWithCinderFixture, type Nova } from '../nova/harness';

const MISSING = '5e3f9a1c-0d8b-4c55-9c1e-2f7a6b1d0e42';

describe('tempest-shaped: nova volume update/swap negatives', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();

  const put = (sid: string, vid: string, body: unknown, o: { token?: string; version?: string } = {}): ReturnType<Nova['req']> =>
    s.nova.req('PUT', `/v2.1/servers/${sid}/os-volume_attachments/${vid}`, { token: o.token ?? 'admin:admin', version: o.version, body });

  it('nonexistent volume in the URI → 404 itemNotFound', async () => {
    const sid = await activeServer(s.nova, 'swap-uri', 'admin:admin');
    const vol = s.cinder.create('admin');
    const r = await put(sid, MISSING, { volumeAttachment: { volumeId: vol.id } });
    expect(r.status).to.equal(404);
    expect(r.body).to.deep.equal({ itemNotFound: { code: 404, message: `Volume ${MISSING} could not be found.` } });
  });

  it('nonexistent volume in the body → 400 badRequest with the same text', async () => {
    const sid = await activeServer(s.nova, 'swap-body', 'admin:admin');
    const vol = s.cinder.create('admin');
    const r = await put(sid, vol.id, { volumeAttachment: { volumeId: MISSING } });
    expect(r.status).to.equal(400);
    expect(r.body).to.deep.equal({ badRequest: { code: 400, message: `Volume ${MISSING} could not be found.` } });
  });

  it('unknown server 404 before policy; non-admin swap 403; an old volume not attached to the server → 400', async () => {
    const sid = await activeServer(s.nova, 'swap-ok', 'admin:admin');
    const [a, b] = [s.cinder.create('admin'), s.cinder.create('admin')];
    let r = await put(MISSING, a.id, { volumeAttachment: { volumeId: b.id } }, { token: 'demo:demo' });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Instance ${MISSING} could not be found.`);
    const own = await activeServer(s.nova, 'swap-demo');
    r = await put(own, a.id, { volumeAttachment: { volumeId: b.id } }, { token: 'demo:demo' });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed.");
    r = await put(sid, a.id, { volumeAttachment: { volumeId: b.id } });
    expect(r.status).to.equal(400);
    expect(r.body).to.deep.equal({ badRequest: { code: 400, message: 'Invalid volume: Old volume is attached to a different instance.' } });
    expect([a.status, b.status]).to.deep.equal(['available', 'available']);
  });

  it('2.85 update of an unattached volume → 404 "No volume Block Device Mapping with id …"', async () => {
    const sid = await activeServer(s.nova, 'upd-285');
    const vol = s.cinder.create('demo');
    const r = await put(sid, vol.id, { volumeAttachment: { volumeId: vol.id, delete_on_termination: true } }, { token: 'demo:demo', version: '2.85' });
    expect(r.status).to.equal(404);
    expect(r.body).to.deep.equal({ itemNotFound: { code: 404, message: `No volume Block Device Mapping with id ${vol.id}.` } });
  });
});
