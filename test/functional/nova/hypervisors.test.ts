// /os-hypervisors on nova-api with two nova-compute hosts in one process (SQLite + fake://): each
// compute's node record as its resource tracker writes it (the fake driver's resources, what the
// servers' flavors take), the views by microversion, paging, the hostname pattern, statistics,
// uptime asked of the compute by RPC, and the refusals.
import { expect } from 'chai';
import { Service } from '../../../nova-common/entities';
import type { RunningNovaCompute } from '../../../nova-compute/main';
import { waitFor } from '../../support/processes';
import { startNova, type Json, type Nova } from './harness';

const ADMIN = 'admin:admin';
const DEMO = 'demo:demo';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('nova os-hypervisors', function () {
  this.timeout(30_000);
  let nova: Nova;
  let compute2: RunningNovaCompute | null;

  beforeEach(async () => {
    nova = await startNova({ DEFAULT: { host: 'compute1' } });
    compute2 = await nova.extraCompute('compute2');
  });
  afterEach(async () => {
    await nova?.stop();
  });

  const req = (method: string, path: string, mv: string, body?: unknown, token = ADMIN): Promise<Json> =>
    nova.req(method, `/v2.1${path}`, { token, body, headers: { 'X-OpenStack-Nova-API-Version': mv } });
  const get = async (path: string, mv: string): Promise<Json> => {
    const r = await req('GET', path, mv);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  };
  const fault = async (path: string, mv: string, status: number, token = ADMIN): Promise<string> => {
    const r = await req('GET', path, mv, undefined, token);
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return (Object.values(r.body)[0] as Json).message;
  };
  const byHost = async (mv: string, host: string): Promise<Json> => (await get('/os-hypervisors/detail', mv)).hypervisors.find((h: Json) => h.hypervisor_hostname === host);
  async function create(name: string, host: string): Promise<Json> {
    const r = await req('POST', '/servers', '2.74', { server: { name, flavorRef: '3', host } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    return waitFor(async () => { const s = (await req('GET', `/servers/${r.body.server.id}`, '2.1')).body.server; return s.status === 'ACTIVE' ? s : null; }, 10_000, `server ${name}`, 20);
  }

  it('lists each compute as a hypervisor, with the fields of each microversion', async () => {
    const v21 = (await get('/os-hypervisors', '2.1')).hypervisors as Json[];
    expect(v21.map((h) => h.hypervisor_hostname).sort()).to.deep.equal(['compute1', 'compute2']);
    expect(Object.keys(v21[0])).to.deep.equal(['id', 'hypervisor_hostname', 'state', 'status']);
    expect(v21[0]).to.include({ state: 'up', status: 'enabled' });
    expect(v21[0].id).to.be.a('number');

    const d21 = await byHost('2.1', 'compute1');
    expect(d21).to.include({ hypervisor_type: 'fake', hypervisor_version: 1000, host_ip: '127.0.0.1', vcpus: 1000, memory_mb: 800000, local_gb: 600000,
      vcpus_used: 0, memory_mb_used: 512, local_gb_used: 0, free_ram_mb: 799488, free_disk_gb: 600000, current_workload: 0, running_vms: 0, disk_available_least: 0 });
    expect(d21.service).to.include({ host: 'compute1', disabled_reason: null });
    expect(d21.service.id).to.be.a('number');
    expect(JSON.parse(d21.cpu_info)).to.include({ arch: 'x86_64', vendor: 'Intel' });
    expect((await byHost('2.28', 'compute1')).cpu_info).to.include({ model: 'Nehalem' });
    // A record whose cpu_info is no JSON object (written by another hand) shows {} from 2.28, as text before.
    await nova.ds.query("UPDATE compute_nodes SET cpu_info = 'not json' WHERE host = 'compute2'");
    expect((await byHost('2.28', 'compute2')).cpu_info).to.deep.equal({});
    expect((await byHost('2.1', 'compute2')).cpu_info).to.equal('not json');

    const d253 = await byHost('2.53', 'compute2');
    expect(d253.id).to.match(UUID);
    expect(d253.service.id).to.match(UUID);
    const d288 = await byHost('2.88', 'compute2');
    expect(d288).to.not.have.any.keys('vcpus', 'memory_mb', 'running_vms', 'cpu_info');
    expect(d288.uptime).to.match(/ up .*load average: /);

    expect(await fault('/os-hypervisors', '2.1', 403, DEMO)).to.equal("Policy doesn't allow os_compute_api:os-hypervisors:list to be performed.");
    expect(await fault('/os-hypervisors/detail', '2.1', 403, DEMO)).to.equal("Policy doesn't allow os_compute_api:os-hypervisors:list-detail to be performed.");
    expect(await fault('/os-hypervisors/statistics', '2.1', 403, DEMO)).to.equal("Policy doesn't allow os_compute_api:os-hypervisors:statistics to be performed.");
  });

  it('counts what the servers on a compute take, and sums the enabled computes', async () => {
    const s = await create('big', 'compute2');
    // m1.medium: 2 vCPUs, 4096 MB, 40 GB, on top of the 512 MB reserved for the host.
    const busy = await waitFor(async () => { const h = await byHost('2.1', 'compute2'); return h.running_vms === 1 ? h : null; }, 5000, 'usage');
    expect(busy).to.include({ vcpus_used: 2, memory_mb_used: 4608, local_gb_used: 40, free_ram_mb: 800000 - 4608, free_disk_gb: 600000 - 40 });
    expect(await byHost('2.1', 'compute1')).to.include({ running_vms: 0, vcpus_used: 0 });

    const stats = (await get('/os-hypervisors/statistics', '2.1')).hypervisor_statistics;
    expect(stats).to.deep.equal({ count: 2, vcpus: 2000, memory_mb: 1600000, local_gb: 1200000, vcpus_used: 2, memory_mb_used: 5120, local_gb_used: 40,
      free_ram_mb: 1600000 - 5120, free_disk_gb: 1200000 - 40, current_workload: 0, running_vms: 1, disk_available_least: 0 });
    // A disabled compute's node is not counted.
    await nova.ds.getRepository(Service).update({ host: 'compute2' }, { disabled: true, disabledReason: 'maintenance' });
    expect((await get('/os-hypervisors/statistics', '2.1')).hypervisor_statistics).to.include({ count: 1, running_vms: 0, vcpus_used: 0 });
    expect((await byHost('2.53', 'compute2'))).to.include({ status: 'disabled' });
    expect((await byHost('2.53', 'compute2')).service.disabled_reason).to.equal('maintenance');
    expect(await fault('/os-hypervisors/statistics', '2.88', 404)).to.equal('The resource could not be found.');

    expect((await req('DELETE', `/servers/${s.id}`, '2.1')).status).to.equal(204);
    await waitFor(async () => ((await byHost('2.1', 'compute2')).running_vms === 0 ? true : null), 5000, 'usage released');
    expect(await byHost('2.1', 'compute2')).to.include({ vcpus_used: 0, memory_mb_used: 512, local_gb_used: 0 });
  });

  it('pages by id from 2.33, finds by hostname pattern and lists servers from 2.53', async () => {
    const first = await get('/os-hypervisors?limit=1', '2.33');
    expect(first.hypervisors).to.have.length(1);
    const next = new URL(first.hypervisors_links[0].href);
    expect(first.hypervisors_links[0].rel).to.equal('next');
    expect(next.pathname).to.equal('/v2.1/os-hypervisors');
    expect(Object.fromEntries(next.searchParams)).to.deep.equal({ limit: '1', marker: String(first.hypervisors[0].id) });
    const second = await get(`/os-hypervisors?limit=1&marker=${first.hypervisors[0].id}`, '2.33');
    expect(second.hypervisors.map((h: Json) => h.id)).to.not.include(first.hypervisors[0].id);
    expect((await get(`/os-hypervisors?marker=${second.hypervisors[0].id}`, '2.33')).hypervisors).to.deep.equal([]);
    expect((await get('/os-hypervisors?limit=0', '2.33')).hypervisors).to.deep.equal([]);
    expect(await get('/os-hypervisors', '2.33')).to.not.have.property('hypervisors_links');
    expect(await fault('/os-hypervisors?marker=nope', '2.33', 400)).to.equal('marker [nope] not found');
    expect(await fault('/os-hypervisors?limit=-1', '2.33', 400)).to.equal("Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'");
    // Before 2.53 unknown keys are ignored; from it they are refused, as is a repeated single_param.
    expect((await get('/os-hypervisors?foo=1', '2.33')).hypervisors).to.have.length(2);
    expect(await fault('/os-hypervisors?foo=1', '2.53', 400)).to.equal("Additional properties are not allowed ('foo' was unexpected)");
    expect(await fault('/os-hypervisors?limit=1&limit=2', '2.53', 400)).to.equal("Invalid input for query parameters limit. Value: ['1', '2']. ['1', '2'] is too long");

    const uuidPage = await get('/os-hypervisors/detail?limit=1', '2.53');
    expect(new URL(uuidPage.hypervisors_links[0].href).searchParams.get('marker')).to.equal(uuidPage.hypervisors[0].id);
    expect((await get(`/os-hypervisors/detail?marker=${uuidPage.hypervisors[0].id}`, '2.53')).hypervisors).to.have.length(1);

    const s = await create('one', 'compute1');
    const found = await get('/os-hypervisors?hypervisor_hostname_pattern=pute1&with_servers=true', '2.53');
    expect(found.hypervisors).to.have.length(1);
    expect(found.hypervisors[0].servers).to.deep.equal([{ name: `instance-${(await nova.ds.query('SELECT id FROM instances WHERE uuid = ?', [s.id]))[0].id.toString(16).padStart(8, '0')}`, uuid: s.id }]);
    expect(found).to.not.have.property('hypervisors_links');
    // No servers: no key before 2.75, an empty list from it.
    expect((await get('/os-hypervisors?hypervisor_hostname_pattern=compute2&with_servers=1', '2.53')).hypervisors[0]).to.not.have.property('servers');
    expect((await get('/os-hypervisors?hypervisor_hostname_pattern=compute2&with_servers=1', '2.75')).hypervisors[0].servers).to.deep.equal([]);
    expect(await fault('/os-hypervisors?hypervisor_hostname_pattern=nothing', '2.53', 404)).to.equal("No hypervisor matching 'nothing' could be found.");
    expect(await fault('/os-hypervisors?hypervisor_hostname_pattern=compute&limit=1', '2.53', 400))
      .to.equal('Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
    expect(await fault('/os-hypervisors?hypervisor_hostname_pattern=a%20b', '2.53', 400))
      .to.equal("Invalid input for query parameters hypervisor_hostname_pattern. Value: a b. 'a b' does not match '^[a-zA-Z0-9-._]*$'");
    expect(await fault('/os-hypervisors?with_servers=maybe', '2.53', 400)).to.match(/^Invalid input for query parameters with_servers\. Value: maybe\. 'maybe' is not one of \[True, 'True'/);

    // The routes 2.53 replaced.
    expect((await get('/os-hypervisors/compute/search', '2.52')).hypervisors.map((h: Json) => h.hypervisor_hostname).sort()).to.deep.equal(['compute1', 'compute2']);
    const withServers = (await get('/os-hypervisors/compute/servers', '2.52')).hypervisors as Json[];
    expect(withServers.find((h) => h.hypervisor_hostname === 'compute1').servers.map((x: Json) => x.uuid)).to.deep.equal([s.id]);
    expect(withServers.find((h) => h.hypervisor_hostname === 'compute2')).to.not.have.property('servers');
    expect(await fault('/os-hypervisors/nothing/search', '2.1', 404)).to.equal("No hypervisor matching 'nothing' could be found.");
    expect(await fault('/os-hypervisors/compute/search', '2.53', 404)).to.equal('The resource could not be found.');
    expect(await fault('/os-hypervisors/compute/servers', '2.1', 403, DEMO)).to.equal("Policy doesn't allow os_compute_api:os-hypervisors:servers to be performed.");
  });

  it('shows one by id or uuid, and its uptime while its compute is up', async () => {
    const [h] = (await get('/os-hypervisors', '2.1')).hypervisors;
    const shown = (await get(`/os-hypervisors/${h.id}`, '2.1')).hypervisor;
    expect(shown).to.include({ id: h.id, hypervisor_hostname: h.hypervisor_hostname, vcpus: 1000 });
    expect(await fault('/os-hypervisors/abc', '2.1', 404)).to.equal("Hypervisor with ID 'abc' could not be found.");
    expect(await fault('/os-hypervisors/9999', '2.1', 404)).to.equal("Hypervisor with ID '9999' could not be found.");
    expect(await fault(`/os-hypervisors/${h.id}`, '2.53', 400)).to.equal(`Invalid uuid ${h.id}`);
    expect(await fault('/os-hypervisors/6b4e6a5c-0a1b-4c2d-8e3f-123456789abc', '2.53', 404)).to.equal("Hypervisor with ID '6b4e6a5c-0a1b-4c2d-8e3f-123456789abc' could not be found.");
    expect(await fault(`/os-hypervisors/${h.id}`, '2.1', 403, DEMO)).to.equal("Policy doesn't allow os_compute_api:os-hypervisors:show to be performed.");
    const u = (await get('/os-hypervisors?hypervisor_hostname_pattern=compute2', '2.53')).hypervisors[0];
    expect((await get(`/os-hypervisors/${u.id}?with_servers=true`, '2.75')).hypervisor.servers).to.deep.equal([]);
    expect(await fault(`/os-hypervisors/${u.id}?foo=1`, '2.53', 400)).to.equal("Additional properties are not allowed ('foo' was unexpected)");

    const up = (await get(`/os-hypervisors/${h.id}/uptime`, '2.1')).hypervisor;
    expect(Object.keys(up)).to.deep.equal(['id', 'hypervisor_hostname', 'state', 'status', 'uptime']);
    expect(up.uptime).to.match(/^ \d\d:\d\d:\d\d up .*load average: [\d.]+, [\d.]+, [\d.]+\n$/);
    expect(await fault(`/os-hypervisors/${h.id}/uptime`, '2.88', 404)).to.equal('The resource could not be found.');
    expect(await fault(`/os-hypervisors/${h.id}/uptime`, '2.1', 403, DEMO)).to.equal("Policy doesn't allow os_compute_api:os-hypervisors:uptime to be performed.");
    // A compute that is down is not asked.
    const id2 = (await get('/os-hypervisors', '2.1')).hypervisors.find((x: Json) => x.hypervisor_hostname === 'compute2').id;
    await nova.ds.getRepository(Service).update({ host: 'compute2' }, { forcedDown: true });
    expect(await fault(`/os-hypervisors/${id2}/uptime`, '2.1', 400)).to.equal('Compute service of compute2 is unavailable at this time.');
    const down = await byHost('2.88', 'compute2');
    expect(down).to.include({ state: 'down', uptime: null });
  });

  it("deletes a compute service's node records with it", async () => {
    const h = (await get('/os-hypervisors', '2.53')).hypervisors.find((x: Json) => x.hypervisor_hostname === 'compute2');
    await compute2?.stop();
    compute2 = null;
    const svc = (await get('/os-services', '2.53')).services.find((x: Json) => x.host === 'compute2');
    expect((await req('DELETE', `/os-services/${svc.id}`, '2.53')).status).to.equal(204);
    expect((await get('/os-hypervisors', '2.53')).hypervisors.map((x: Json) => x.hypervisor_hostname)).to.deep.equal(['compute1']);
    expect(await fault(`/os-hypervisors/${h.id}`, '2.53', 404)).to.equal(`Hypervisor with ID '${h.id}' could not be found.`);
    // As Nova's service_destroy, its node records went with it.
    expect(await nova.ds.query('SELECT host FROM compute_nodes WHERE deleted = 0')).to.deep.equal([{ host: 'compute1' }]);
  });

  it('lists no host aggregates: there are none to make', async () => {
    expect((await get('/os-aggregates', '2.1')).aggregates).to.deep.equal([]);
    expect(await fault('/os-aggregates/1', '2.1', 404)).to.equal('Aggregate 1 could not be found.');
    expect(await fault('/os-aggregates/x', '2.1', 400)).to.equal('Invalid input received: id must be an integer');
    expect(await fault('/os-aggregates', '2.1', 403, DEMO)).to.equal("Policy doesn't allow os_compute_api:os-aggregates:index to be performed.");
    expect(await fault('/os-aggregates/1', '2.1', 403, DEMO)).to.equal("Policy doesn't allow os_compute_api:os-aggregates:show to be performed.");
  });
});
