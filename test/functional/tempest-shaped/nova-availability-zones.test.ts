// GET /os-availability-zone[/detail] as tempest's AZV2TestJSON and the admin AZ test read it:
// one "nova" zone with hosts null for anyone; detail (admin only, else 403) lists the compute
// host's nova-compute service with available/active/updated_at.
import { expect } from 'chai';
import { startNova, type Nova } from '../nova/harness';

describe('tempest-shaped: nova availability zones', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  it('lists the nova zone for a non-admin; detail is admin-only and names the compute host', async () => {
    let r = await nova.req('GET', '/v2.1/os-availability-zone');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }] });
    r = await nova.req('GET', '/v2.1/os-availability-zone/detail');
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow os_compute_api:os-availability-zone:detail to be performed.");
    r = await nova.req('GET', '/v2.1/admin/os-availability-zone/detail', { token: 'admin:admin' });
    expect(r.status).to.equal(200);
    const [zone] = r.body.availabilityZoneInfo;
    expect(zone.zoneName).to.equal('nova');
    expect(zone.hosts.compute1['nova-compute']).to.have.all.keys('available', 'active', 'updated_at');
    expect(zone.hosts.compute1['nova-compute']).to.include({ available: true, active: true });
  });
});
