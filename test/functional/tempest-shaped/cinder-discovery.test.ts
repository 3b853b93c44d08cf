// Volume discovery documents tempest reads (tempest 33 api/volume/test_versions,
// test_availability_zone, test_extensions): the versions list names only v3.0 (show_version GETs
// each listed major), os-availability-zone lists the zones of the cinder-volume services and
// /extensions carries the contrib descriptors with the keys of tempest's list_extensions schema.
import { expect } from 'chai';
import { startCinder, type Cinder } from '../cinder/cinder-stack';

describe('tempest-shaped: cinder discovery documents', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  it('lists only v3.0, and /v3/ answers with it first', async () => {
    let r = await c.req('GET', '/', { token: null });
    expect(r.status).to.equal(300);
    expect(r.body.versions.map((v: { id: string }) => v.id)).to.deep.equal(['v3.0']);
    r = await c.req('GET', '/v3/', { token: null });
    expect(r.status).to.equal(200);
    expect(r.body.versions[0].id).to.equal('v3.0');
  });

  it('os-availability-zone lists the backend zone as available', async () => {
    const r = await c.req('GET', '/v3/demo/os-availability-zone');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true } }] });
    expect((await c.req('GET', '/v3/os-availability-zone')).status).to.equal(200);
    expect((await c.req('GET', '/v3/other/os-availability-zone')).status).to.equal(400);
  });

  it('extensions carry name, alias, updated, description and links, Hosts among them', async () => {
    const r = await c.req('GET', '/v3/demo/extensions');
    expect(r.status).to.equal(200);
    for (const e of r.body.extensions) expect(e).to.have.all.keys('name', 'alias', 'updated', 'description', 'links');
    expect(r.body.extensions.map((e: { name: string }) => e.name)).to.include.members(['Hosts', 'AvailabilityZones', 'VolumeActions']);
  });
});
