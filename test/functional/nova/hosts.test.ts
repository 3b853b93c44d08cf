// /os-hosts (up to 2.42) on nova-api with two nova-compute hosts in one process: the enabled
// computes by zone, a host's resources in all, now and per project, the host actions asked of
// the compute's driver (the fake answers as Nova's fake; one without them, as libvirt's: 501),
// and the refusals.
import { expect } from 'chai';
import { Service } from '../../../nova-common/entities';
import type { RunningNovaCompute } from '../../../nova-compute/main';
import { ComputeDriver } from '../../../nova-compute/virt/driver';
import { waitFor } from '../../support/processes';
import { startNova, type Json, type Nova } from './harness';

const ADMIN = 'admin:admin';
const DEMO = 'demo:demo';

describe('nova os-hosts', function () {
  this.timeout(30_000);
  let nova: Nova;
  let compute2: RunningNovaCompute;

  before(async () => {
    nova = await startNova({ DEFAULT: { host: 'compute1' } });
    compute2 = await nova.extraCompute('compute2');
  });
  after(async () => {
    await nova?.stop();
  });

  const req = (method: string, path: string, mv = '2.1', body?: unknown, token = ADMIN): Promise<Json> =>
    nova.req(method, `/v2.1${path}`, { token, body, headers: { 'X-OpenStack-Nova-API-Version': mv } });
  const fault = async (r: Promise<Json>, status: number): Promise<string> => {
    const x = await r;
    expect(x.status, JSON.stringify(x.body)).to.equal(status);
    return (Object.values(x.body)[0] as Json).message;
  };

  it('lists the enabled computes, by zone', async () => {
    const all = (await req('GET', '/os-hosts')).body.hosts;
    expect(all).to.deep.equal([{ host_name: 'compute1', service: 'compute', zone: 'nova' }, { host_name: 'compute2', service: 'compute', zone: 'nova' }]);
    expect((await req('GET', '/os-hosts?zone=nova')).body.hosts).to.have.length(2);
    expect((await req('GET', '/os-hosts?zone=')).body.hosts).to.have.length(2);
    expect((await req('GET', '/os-hosts?zone=elsewhere')).body.hosts).to.deep.equal([]);
    await nova.ds.getRepository(Service).update({ host: 'compute2' }, { disabled: true });
    expect((await req('GET', '/os-hosts')).body.hosts.map((h: Json) => h.host_name)).to.deep.equal(['compute1']);
    await nova.ds.getRepository(Service).update({ host: 'compute2' }, { disabled: false });
    expect(await fault(req('GET', '/os-hosts', '2.1', undefined, DEMO), 403)).to.equal("Policy doesn't allow os_compute_api:os-hosts:list to be performed.");
    expect(await fault(req('GET', '/os-hosts', '2.43'), 404)).to.equal('The resource could not be found.');
  });

  it("shows a host's resources: in all, used now, used by its servers, and per project", async () => {
    for (const [token, flavor] of [[DEMO, '3'], [ADMIN, '1']]) {
      const r = await req('POST', '/servers', '2.74', { server: { name: 'h', flavorRef: flavor, ...(token === ADMIN ? { host: 'compute1' } : {}) } }, token);
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
    }
    // The demo server may land on either host; move nothing, read where it went.
    const placed = (await waitFor(async () => {
      const rows = await nova.ds.query("SELECT host, project_id FROM instances WHERE deleted = 0 AND vm_state = 'active'") as Json[];
      return rows.length === 2 ? rows : null;
    }, 10_000, 'two servers')) as Json[];
    const demoHost = placed.find((x: Json) => x.project_id === 'demo').host;
    await waitFor(async () => ((await req('GET', '/os-hypervisors/detail')).body.hypervisors.reduce((n: number, h: Json) => n + h.running_vms, 0) === 2 ? true : null), 5000, 'records');
    const shown = (await req('GET', '/os-hosts/compute1')).body.host.map((x: Json) => x.resource);
    const onOne = placed.filter((x: Json) => x.host === 'compute1').map((x: Json) => x.project_id).sort();
    const used = onOne.includes('demo') ? { cpu: 3, memory_mb: 4608, disk_gb: 41 } : { cpu: 1, memory_mb: 512, disk_gb: 1 };
    expect(shown.slice(0, 3)).to.deep.equal([
      { host: 'compute1', project: '(total)', cpu: 1000, memory_mb: 800000, disk_gb: 600000 },
      { host: 'compute1', project: '(used_now)', cpu: used.cpu, memory_mb: used.memory_mb + 512, disk_gb: used.disk_gb },
      { host: 'compute1', project: '(used_max)', ...used },
    ]);
    expect(shown.slice(3).map((x: Json) => x.project).sort()).to.deep.equal(onOne);
    if (demoHost === 'compute1') expect(shown.find((x: Json) => x.project === 'demo')).to.include({ cpu: 2, memory_mb: 4096, disk_gb: 40 });
    expect(await fault(req('GET', '/os-hosts/nowhere'), 404)).to.equal("Host 'nowhere' is not mapped to any cell");
    expect(await fault(req('GET', '/os-hosts/compute1', '2.1', undefined, DEMO), 403)).to.equal("Policy doesn't allow os_compute_api:os-hosts:show to be performed.");
  });

  it("asks the compute's driver to enable, disable, maintain or power the host; 501 from a driver without them", async () => {
    expect((await req('PUT', '/os-hosts/compute2', '2.1', { status: 'disable', maintenance_mode: 'Enable' })).body)
      .to.deep.equal({ host: 'compute2', status: 'disabled', maintenance_mode: 'on_maintenance' });
    expect((await req('GET', '/os-hosts/compute2/reboot')).body).to.deep.equal({ host: 'compute2', power_action: 'reboot' });
    // libvirt's driver has none of them: Nova's 501.
    const unsupported = 'The requested functionality is not supported.';
    const drv = compute2.driver as unknown as Record<string, unknown>;
    for (const m of ['setHostEnabled', 'hostMaintenanceMode', 'hostPowerAction']) drv[m] = (ComputeDriver.prototype as unknown as Record<string, unknown>)[m];
    expect(await fault(req('PUT', '/os-hosts/compute2', '2.1', { status: 'disable' }), 501)).to.equal(unsupported);
    expect(await fault(req('PUT', '/os-hosts/compute2', '2.1', { maintenance_mode: 'Enable' }), 501)).to.equal(unsupported);
    expect(await fault(req('GET', '/os-hosts/compute2/reboot'), 501)).to.equal(unsupported);
    // Nothing asked: the host alone (Nova's anyOf does not bind).
    expect((await req('PUT', '/os-hosts/compute2', '2.1', {})).body).to.deep.equal({ host: 'compute2' });
    expect(await fault(req('PUT', '/os-hosts/nowhere', '2.1', { status: 'enable', maintenance_mode: 'enable' }), 404)).to.equal('Host nowhere could not be found.');
    expect(await fault(req('GET', '/os-hosts/nowhere/startup'), 404)).to.equal('Host nowhere could not be found.');
    expect(await fault(req('PUT', '/os-hosts/compute2', '2.1', { status: 'invalid' }), 400))
      .to.equal("Invalid input for field/attribute status. Value: invalid. 'invalid' is not one of ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE']");
    expect(await fault(req('PUT', '/os-hosts/compute2', '2.1', { status: null, maintenance_mode: null }), 400)).to.match(/^Invalid input for field\/attribute /);
    expect(await fault(req('PUT', '/os-hosts/compute2', '2.1', { state: 'x' }), 400)).to.equal("Additional properties are not allowed ('state' was unexpected)");
    expect(await fault(req('PUT', '/os-hosts/compute2', '2.1', { status: 'enable' }, DEMO), 403)).to.equal("Policy doesn't allow os_compute_api:os-hosts:update to be performed.");
    expect(await fault(req('GET', '/os-hosts/compute2/startup', '2.1', undefined, DEMO), 403)).to.equal("Policy doesn't allow os_compute_api:os-hosts:start to be performed.");
    expect(await fault(req('GET', '/os-hosts/compute2/shutdown', '2.43'), 404)).to.equal('The resource could not be found.');
  });
});
