// Volume create from other sources, answered as Cinder does (tempest test_volumes_negative,
// test_volumes_clone, test_volumes_list): imageRef without Glance (400), a missing source volume
// (404), a source in the wrong state or larger than asked (400), a clone made on its source's
// backend with its type (a bootable source's image metadata copied), the clone's refusals and a
// driver that fails it; and the admin's all_tenants + project_id list filter.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from './cinder-stack';
import type { FakeDriver } from '../../../cinder-volume/drivers/fake';

const MISSING = '5e3f9a1c-0d8b-4c55-9c1e-2f7a6b1d0e42';

describe('cinder volume create sources and the project_id list filter', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  const create = (volume: Record<string, unknown>, token = 'demo:demo') =>
    c.req('POST', `/v3/${token.split(':')[1]}/volumes`, { token, body: { volume } });

  it('imageRef: Cinder\'s answer when the image service cannot be asked (400)', async () => {
    const r = await create({ size: 1, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid image identifier or unable to access requested image.');
  });

  it('source_volid: 404 when missing, 400 when too big or in the wrong state, else a clone of the source on its backend', async () => {
    let r = await create({ size: 1, source_volid: MISSING });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Volume ${MISSING} could not be found.`);
    const src = await c.createVolume(2);
    r = await create({ size: 1, source_volid: src });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input received: Volume size '1'GB cannot be smaller than original volume size  2GB. They must be >= original volume size.");
    // A fake restarted since the source was made has forgotten it, as a real backend would not: the clone still works.
    for (const b of c.volume.backends) (b.driver as FakeDriver).volumes.delete(src);
    r = await create({ source_volid: src });
    expect(r.status).to.equal(202);
    expect(r.body.volume).to.include({ source_volid: src, size: 2 });
    const id = r.body.volume.id as string;
    await waitFor(async () => (await c.show(id)).status === 'available', 5000, 'clone available', 20);
    const [a, b] = [await c.show(src, 'admin:demo'), await c.show(id, 'admin:demo')];
    expect(b['os-vol-host-attr:host']).to.equal(a['os-vol-host-attr:host']);
    expect(b.volume_type).to.equal(a.volume_type);
    const driver = c.volume.backends.find((x) => String(a['os-vol-host-attr:host']).startsWith(x.host))?.driver as FakeDriver;
    expect(driver.volumes.get(id)).to.equal(2);
    expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
    expect((await c.action(src, 'os-reset_status', { status: 'error' }, 'admin:demo')).status).to.equal(202);
    r = await create({ size: 2, source_volid: src });
    expect(r.body.badRequest.message).to.equal("Invalid volume: Originating source volume status must be one of 'available, in-use' values");
  });

  it('a clone of a bootable source is bootable with its image metadata; a driver that fails the clone leaves it in error', async () => {
    const src = await c.createVolume(1);
    await c.action(src, 'os-set_bootable', { bootable: true });
    await c.action(src, 'os-set_image_metadata', { metadata: { image_name: 'cirros', hw_disk_bus: 'scsi' } });
    const r = await create({ source_volid: src, size: 3 });
    const id = r.body.volume.id as string;
    await waitFor(async () => (await c.show(id)).status === 'available', 5000, 'clone available', 20);
    const clone = await c.show(id);
    expect([clone.bootable, clone.size, clone.volume_image_metadata]).to.deep.equal(['true', 3, { image_name: 'cirros', hw_disk_bus: 'scsi' }]);

    for (const b of c.volume.backends) (b.driver as FakeDriver).failNext.set('createClonedVolume', new Error('backend clone failed'));
    const failed = (await create({ source_volid: src })).body.volume.id as string;
    await waitFor(async () => (await c.show(failed)).status === 'error', 5000, 'failed clone in error', 20);
    for (const b of c.volume.backends) (b.driver as FakeDriver).failNext.delete('createClonedVolume');
  });

  it('refuses a clone into a type its source cannot be cloned to, or into another zone', async () => {
    const src = await c.createVolume(1);
    const t = await c.req('POST', '/v3/demo/types', { token: 'admin:demo', body: { volume_type: { name: 'clone-other' } } });
    const r = await create({ source_volid: src, volume_type: 'clone-other' });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, `Invalid input received: Invalid volume_type provided: ${t.body.volume_type.id} (requested type is not compatible; either match source volume, or omit type argument).`]);
    const az = await create({ source_volid: src, availability_zone: 'elsewhere' });
    expect(az.status).to.equal(400);
  });

  it('all_tenants=1&project_id=X lists only project X (admin)', async () => {
    const mine = await c.createVolume(1, 'alt:alt', 'alt-vol');
    const r = await c.req('GET', '/v3/admin/volumes/detail?all_tenants=1&project_id=alt', { token: 'admin:admin' });
    expect(r.status).to.equal(200);
    expect(r.body.volumes.map((v: { id: string }) => v.id)).to.deep.equal([mine]);
    const all = await c.req('GET', '/v3/admin/volumes?all_tenants=1', { token: 'admin:admin' });
    expect(all.body.volumes.length).to.be.greaterThan(1);
  });
});
