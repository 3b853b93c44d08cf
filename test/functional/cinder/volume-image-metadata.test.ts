// The volume image metadata extension over HTTP on fake:// + SQLite: os-set_image_metadata
// merges and answers all of it, os-show_image_metadata shows it, os-unset_image_metadata drops
// a key (404 for one the volume lacks); show and list-detail carry volume_image_metadata once
// there is some, an admin's list filters by it (3.4), and a deleted volume takes it along.
import { expect } from 'chai';
import { VolumeGlanceMetadata } from '../../../cinder-common/entities';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';

const ADMIN = 'admin:demo';

describe('cinder-api volume image metadata', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  const act = (id: string, body: unknown, token = 'demo:demo') => c.req('POST', `/v3/${token.split(':')[1]}/volumes/${id}/action`, { token, body });

  it('set merges and answers all; show; unset; the views carry it only once there is some', async () => {
    const id = await c.createVolume();
    expect(await c.show(id)).to.not.have.property('volume_image_metadata');
    // None yet: Cinder's lookup of the rows is a 404.
    let none = await act(id, { 'os-show_image_metadata': null });
    expect([none.status, none.body?.itemNotFound?.message]).to.deep.equal([404, `Glance metadata for volume/snapshot ${id} cannot be found.`]);
    none = await act(id, { 'os-unset_image_metadata': { key: 'x' } });
    expect(none.status).to.equal(404);
    let r = await act(id, { 'os-set_image_metadata': { metadata: { image_name: 'cirros', hw_disk_bus: 'scsi' } } });
    expect([r.status, r.body]).to.deep.equal([200, { metadata: { image_name: 'cirros', hw_disk_bus: 'scsi' } }]);
    r = await act(id, { 'os-set_image_metadata': { metadata: { hw_disk_bus: 'virtio', os_type: 'linux' } } });
    expect(r.body).to.deep.equal({ metadata: { image_name: 'cirros', hw_disk_bus: 'virtio', os_type: 'linux' } });
    r = await act(id, { 'os-show_image_metadata': null });
    expect([r.status, r.body]).to.deep.equal([200, { metadata: { image_name: 'cirros', hw_disk_bus: 'virtio', os_type: 'linux' } }]);
    expect((await c.show(id)).volume_image_metadata).to.deep.equal({ image_name: 'cirros', hw_disk_bus: 'virtio', os_type: 'linux' });
    const detail = (await c.req('GET', '/v3/demo/volumes/detail')).body.volumes.find((v: Json) => v.id === id);
    expect(detail.volume_image_metadata).to.deep.equal({ image_name: 'cirros', hw_disk_bus: 'virtio', os_type: 'linux' });
    // The user metadata is another table.
    expect((await c.show(id)).metadata).to.deep.equal({});

    r = await act(id, { 'os-unset_image_metadata': { key: 'os_type' } });
    // A bare webob answer: no request id header, webob's default type.
    expect([r.status, r.body, r.headers.get('x-compute-request-id'), r.headers.get('content-type')]).to.deep.equal([200, null, null, 'text/html; charset=UTF-8']);
    r = await act(id, { 'os-unset_image_metadata': { key: 'os_type' } });
    expect([r.status, r.body]).to.deep.equal([404, { itemNotFound: { code: 404, message: `Glance metadata for volume/snapshot ${id} cannot be found.` } }]);
    expect((await act(id, { 'os-show_image_metadata': {} })).body.metadata).to.deep.equal({ image_name: 'cirros', hw_disk_bus: 'virtio' });
  });

  it('refuses bodies outside the schema, unknown volumes and other projects', async () => {
    const id = await c.createVolume();
    for (const bad of [{ 'os-set_image_metadata': {} }, { 'os-set_image_metadata': { metadata: { k: 1 } } }, { 'os-set_image_metadata': { metadata: { 'a*b': 'x' } } },
      { 'os-set_image_metadata': { metadata: {}, x: 1 } }, { 'os-unset_image_metadata': { key: '' } }, { 'os-unset_image_metadata': {} }]) {
      const r = await act(id, bad);
      expect(r.status, JSON.stringify(bad)).to.equal(400);
    }
    expect((await act('9a3c4a4d-58d4-4e5b-9c1e-7d4c0e1f2a3b', { 'os-show_image_metadata': null })).status).to.equal(404);
    expect((await act(id, { 'os-set_image_metadata': { metadata: { k: 'v' } } }, 'alt:alt')).status).to.equal(404);
  });

  it("an admin's list filters by it (3.4); a deleted volume takes it along", async () => {
    const a = await c.createVolume();
    const b = await c.createVolume();
    expect((await act(a, { 'os-set_image_metadata': { metadata: { image_id: 'img-a' } } })).status).to.equal(200);
    const ids = async (q: string, version: string): Promise<string[]> => (await c.req('GET', `/v3/demo/volumes${q}`,
      { token: ADMIN, headers: { 'OpenStack-API-Version': `volume ${version}` } })).body.volumes.map((v: Json) => v.id);
    const q = `?glance_metadata=${encodeURIComponent(JSON.stringify({ image_id: 'img-a' }))}`;
    expect(await ids(q, '3.4')).to.deep.equal([a]);
    expect(await ids(q, '3.3')).to.include.members([a, b]);
    expect((await c.req('DELETE', `/v3/demo/volumes/${a}`)).status).to.equal(202);
    await waitFor(async () => (await c.req('GET', `/v3/demo/volumes/${a}`)).status === 404, 5000, 'deleted', 20);
    const rows = await c.ds.getRepository(VolumeGlanceMetadata).findBy({ volumeId: a });
    expect(rows.map((r) => r.deleted)).to.deep.equal([true]);
  });
});
