// GET /servers/{id}/diagnostics: an admin's view of a running guest from its compute (an RPC
// call to the virt driver): the driver's own dict below 2.48, Nova's common form from 2.48, with
// a disk per attached volume. 403 for the owner, 404 for no server, 409 for a guest not running.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithCinderFixture, type Nova } from './harness';

describe('nova: server diagnostics', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();
  const ADMIN = 'admin:demo';

  const diag = (sid: string, mv?: string, token = ADMIN): ReturnType<Nova['req']> =>
    s.nova.req('GET', `/v2.1/servers/${sid}/diagnostics`, { token, ...(mv ? { headers: { 'X-OpenStack-Nova-API-Version': mv } } : {}) });

  it('below 2.48: the driver\'s dict; from 2.48: every field, a disk per attached volume', async () => {
    const sid = await activeServer(s.nova, 'diag');
    let r = await diag(sid);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.include({ cpu0_time: 0, vda_read: 0, vda_errors: -1 });
    expect(r.body.memory).to.be.a('number').and.above(0);

    const vol = s.cinder.create('demo');
    expect((await s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vol.id } } })).status).to.equal(200);
    await waitFor(async () => s.cinder.volumes.get(vol.id)?.status === 'in-use', 5000, 'in-use', 20);

    r = await diag(sid, '2.48');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(Object.keys(r.body).sort()).to.deep.equal(['config_drive', 'cpu_details', 'disk_details', 'driver', 'hypervisor', 'hypervisor_os', 'memory_details',
      'nic_details', 'num_cpus', 'num_disks', 'num_nics', 'state', 'uptime']);
    expect(r.body).to.include({ state: 'running', driver: 'libvirt', num_disks: 2, num_nics: 0, config_drive: false });
    expect(r.body.num_cpus).to.equal(r.body.cpu_details.length);
    expect(r.body.disk_details[1]).to.deep.equal({ read_bytes: 0, read_requests: 0, write_bytes: 0, write_requests: 0, errors_count: -1 });
    expect(r.body.memory_details).to.have.keys('maximum', 'used');
    expect(r.body.uptime).to.be.a('number');
    expect((await diag(sid)).body).to.include.keys('vdb_read', 'vdb_write_req');
  });

  it('admin only, 404 for no server, 409 for a guest that is not running', async () => {
    const sid = await activeServer(s.nova, 'diag-neg');
    let r = await diag(sid, undefined, 'demo:demo');
    expect([r.status, r.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow os_compute_api:os-server-diagnostics to be performed."]);
    expect((await diag('6e1a2b3c-0000-4000-8000-000000000000')).status).to.equal(404);
    expect((await s.nova.req('POST', `/v2.1/servers/${sid}/action`, { body: { 'os-stop': null } })).status).to.equal(202);
    await waitFor(async () => (await s.nova.req('GET', `/v2.1/servers/${sid}`)).body.server.status === 'SHUTOFF', 5000, 'SHUTOFF', 20);
    for (const mv of ['2.1', '2.48']) {
      r = await diag(sid, mv);
      expect([r.status, r.body.conflictingRequest?.message], mv).to.deep.equal([409, `Cannot 'get_diagnostics' instance ${sid} while it is in power state shutdown`]);
    }
  });
});
