// The real nova and openstack CLIs against nova-api mounted under /compute (as in the
// all-in-one), with the minimal Keystone of common/api/identity and the Cinder fixture.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApiApp, noauth2, type FastifyInstance } from '../../../common/api';
import { identityRoutes, parseUsers } from '../../../nova-api/stubs/keystone';
import { novaApiPlugin, novaUnexpectedMessage } from '../../../nova-api/app';
import { createComputeApi } from '../../../nova-api/main';
import { waitFor } from '../../support/processes';
import { CinderFixture } from '../../functional/nova/cinder-fixture';
import { activeServer, startNova, type Nova } from '../../functional/nova/harness';
import { requireTool } from '../../support/servers';
import { cliEnv } from '../../support/cli-env';

const run = promisify(execFile);

async function cli(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(cmd, args, { env, timeout: 60_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

describe('nova-api with the real nova / openstack CLIs', function () {
  this.timeout(120_000);
  let cinder: CinderFixture;
  let nova: Nova;
  let app: FastifyInstance;
  let env: Record<string, string>;

  before(async function () {
    await requireTool(this, 'nova', 'python3-novaclient');
    await requireTool(this, 'openstack', 'python3-openstackclient');
    cinder = new CinderFixture();
    const curl = await cinder.start();
    nova = await startNova({ cinder: { endpoint: `${curl}/v3/%(project_id)s` } });
    app = createApiApp({ name: 'test.all', auth: noauth2, requestIdHeaders: ['x-compute-request-id'], unexpectedMessage: novaUnexpectedMessage });
    identityRoutes(app, { users: parseUsers(['admin:secret:admin', 'demo:secret:demo']), secret: 's', mode: 'noauth2' });
    await app.register(novaApiPlugin, { prefix: '/compute', compute: createComputeApi(nova.conf, nova.ds, nova.transport) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    env = cliEnv(`http://127.0.0.1:${port}/identity/v3`, 'demo', 'secret', 'demo');
  });
  after(async () => {
    await app?.close();
    await nova?.stop();
    await cinder?.stop();
  });

  it('nova volume-attach / volume-attachments / volume-detach', async () => {
    const sid = await activeServer(nova, 'srv1');
    const v = cinder.create('demo');
    const a = await cli('nova', ['volume-attach', 'srv1', v.id, '/dev/vdb'], env);
    expect(a.code, a.err + a.out).to.equal(0);
    expect(a.out).to.contain('/dev/vdb').and.contain(v.id);
    await waitFor(() => cinder.volumes.get(v.id)?.status === 'in-use', 10_000, 'in-use');
    const l = await cli('nova', ['volume-attachments', sid], env);
    expect(l.code, l.err).to.equal(0);
    expect(l.out).to.contain(v.id);
    const again = await cli('nova', ['volume-attach', 'srv1', v.id], env);
    expect(again.code).to.equal(1);
    expect(again.err).to.contain("ERROR (BadRequest): Invalid volume: status must be 'available' (HTTP 400)");
    const d = await cli('nova', ['volume-detach', 'srv1', v.id], env);
    expect(d.code, d.err).to.equal(0);
    await waitFor(() => cinder.volumes.get(v.id)?.status === 'available', 10_000, 'available');
  });

  it('openstack server list / show', async () => {
    const l = await cli('openstack', ['server', 'list', '-f', 'json'], env);
    expect(l.code, l.err).to.equal(0);
    expect(JSON.parse(l.out).map((s: { Name: string }) => s.Name)).to.include('srv1');
    const s = await cli('openstack', ['server', 'show', 'srv1', '-f', 'json'], env);
    expect(s.code, s.err).to.equal(0);
    expect(JSON.parse(s.out).status).to.equal('ACTIVE');
    const f = await cli('openstack', ['flavor', 'list', '-f', 'json'], env);
    expect(f.code, f.err).to.equal(0);
    expect(JSON.parse(f.out).map((x: { Name: string }) => x.Name)).to.include('m1.tiny');
  });

  it('openstack keypair create (generated and imported) / list / show / delete, server create --key-name; nova keypair-list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-cli-'));
    try {
      const gen = await cli('openstack', ['keypair', 'create', '--private-key', join(dir, 'gen.pem'), 'gen', '-f', 'json'], env);
      expect(gen.code, gen.err).to.equal(0);
      expect(readFileSync(join(dir, 'gen.pem'), 'utf8')).to.match(/^-----BEGIN RSA PRIVATE KEY-----/);
      const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA608Ab7pjyUJ4GR0tzzta+DTBJ+8pXkM0tGgvWoD7eQ test@attachd';
      writeFileSync(join(dir, 'id.pub'), `${pub}\n`);
      const imp = await cli('openstack', ['keypair', 'create', '--public-key', join(dir, 'id.pub'), 'imported', '-f', 'json'], env);
      expect(imp.code, imp.err).to.equal(0);
      expect(JSON.parse(imp.out)).to.include({ name: 'imported', fingerprint: '74:2a:c2:d4:49:26:3d:74:8f:59:5b:a8:88:3d:9b:22' });
      const l = await cli('openstack', ['keypair', 'list', '-f', 'json'], env);
      expect(l.code, l.err).to.equal(0);
      expect(JSON.parse(l.out).map((k: { Name: string }) => k.Name)).to.deep.equal(['gen', 'imported']);
      const sh = await cli('openstack', ['keypair', 'show', '--public-key', 'imported'], env);
      expect(sh.code, sh.err).to.equal(0);
      expect(sh.out.trim()).to.equal(pub);
      const boot = await cli('openstack', ['server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros-0.6.2-x86_64-disk', '--key-name', 'imported', '--wait', 'keyed', '-f', 'json'], env);
      expect(boot.code, boot.err).to.equal(0);
      expect(JSON.parse(boot.out).key_name).to.equal('imported');
      const nl = await cli('nova', ['keypair-list'], env);
      expect(nl.code, nl.err).to.equal(0);
      expect(nl.out).to.contain('imported').and.contain('gen');
      for (const k of ['gen', 'imported']) expect((await cli('openstack', ['keypair', 'delete', k], env)).code).to.equal(0);
      expect(JSON.parse((await cli('openstack', ['keypair', 'list', '-f', 'json'], env)).out)).to.deep.equal([]);
      expect((await cli('openstack', ['server', 'delete', '--wait', 'keyed'], env)).code).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('openstack console log show (all, --lines 2) and nova console-log', async () => {
    await activeServer(nova, 'console1');
    const all = await cli('openstack', ['console', 'log', 'show', 'console1'], env);
    expect(all.code, all.err).to.equal(0);
    expect(all.out).to.match(/Linux version/).and.match(/console1 login: /);
    const two = await cli('openstack', ['console', 'log', 'show', '--lines', '2', 'console1'], env);
    expect(two.code, two.err).to.equal(0);
    expect(two.out.trimEnd().split('\n')).to.have.length(2);
    const n = await cli('nova', ['console-log', '--length', '1', 'console1'], env);
    expect(n.code, n.err).to.equal(0);
    expect(n.out.trim()).to.equal('console1 login:');
  });

  it('openstack server pause / unpause / suspend / resume and nova pause / unpause', async () => {
    const sid = await activeServer(nova, 'pauser');
    const status = async (): Promise<string> => JSON.parse((await cli('openstack', ['server', 'show', sid, '-f', 'json'], env)).out).status as string;
    const until = async (want: string): Promise<void> => { await waitFor(async () => (await status()) === want, 20_000, want, 100); };
    for (const [args, want] of [[['server', 'pause', 'pauser'], 'PAUSED'], [['server', 'unpause', 'pauser'], 'ACTIVE'],
      [['server', 'suspend', 'pauser'], 'SUSPENDED'], [['server', 'resume', 'pauser'], 'ACTIVE']] as const) {
      const r = await cli('openstack', [...args], env);
      expect(r.code, r.err).to.equal(0);
      await until(want);
    }
    const np = await cli('nova', ['pause', 'pauser'], env);
    expect(np.code, np.err).to.equal(0);
    await until('PAUSED');
    // A second pause is Nova's 409, which the CLI reports.
    const again = await cli('openstack', ['server', 'pause', 'pauser'], env);
    expect(again.code).to.not.equal(0);
    expect(again.err).to.match(/Cannot 'pause' instance .* while it is in vm_state paused/);
    expect((await cli('nova', ['unpause', 'pauser'], env)).code).to.equal(0);
    await until('ACTIVE');
  });

  it('openstack server set --tag / unset --tag / list --tags, server create --tag; nova server-tag-add / server-tag-list', async () => {
    const sid = await activeServer(nova, 'tagged');
    const os = (...a: string[]) => cli('openstack', ['--os-compute-api-version', '2.52', ...a], env);
    for (const r of [await os('server', 'set', '--tag', 'red', '--tag', 'big', 'tagged'), await os('server', 'unset', '--tag', 'big', 'tagged')]) expect(r.code, r.err).to.equal(0);
    expect(JSON.parse((await os('server', 'show', 'tagged', '-f', 'json')).out).tags).to.deep.equal(['red']);
    const made = await os('server', 'create', '--image', '70a599e0-31e7-49b7-b260-868f441e862b', '--flavor', '1', '--tag', 'blue', '--wait', 'tagged-2', '-f', 'json');
    expect(made.code, made.err).to.equal(0);
    const listed = async (...q: string[]): Promise<string[]> => (JSON.parse((await os('server', 'list', ...q, '-f', 'json')).out) as Array<{ Name: string }>).map((x) => x.Name).sort();
    expect(await listed('--tags', 'red')).to.deep.equal(['tagged']);
    expect(await listed('--not-tags', 'red')).to.include('tagged-2').and.not.include('tagged');
    const added = await cli('nova', ['--os-compute-api-version', '2.26', 'server-tag-add', sid, 'green'], env);
    expect(added.code, added.err).to.equal(0);
    const tags = await cli('nova', ['--os-compute-api-version', '2.26', 'server-tag-list', sid], env);
    expect(tags.code, tags.err).to.equal(0);
    expect(tags.out).to.contain('green').and.to.contain('red');
  });

  it('openstack server rebuild --image --name --wait, and nova rebuild', async () => {
    const sid = await activeServer(nova, 'rebuilder');
    // The image stub serves the one image the CLI can look up by id.
    const image = '70a599e0-31e7-49b7-b260-868f441e862b';
    const r = await cli('openstack', ['server', 'rebuild', '--image', image, '--name', 'rebuilt1', '--wait', '-f', 'json', sid], env);
    expect(r.code, r.err).to.equal(0);
    const shown = JSON.parse((await cli('openstack', ['server', 'show', sid, '-f', 'json'], env)).out) as Record<string, unknown>;
    expect([shown.name, shown.status]).to.deep.equal(['rebuilt1', 'ACTIVE']);
    expect(JSON.stringify(shown.image)).to.contain(image);
    const n = await cli('nova', ['rebuild', '--poll', sid, '70a599e0-31e7-49b7-b260-868f441e862b'], env);
    expect(n.code, n.err).to.equal(0);
    expect(n.out).to.match(/70a599e0-31e7-49b7-b260-868f441e862b/);
  });

  it('nova negotiates 2.92 (its maximum, under our 2.101): boot --hostname, show, update --hostname, list', async () => {
    const b = await cli('nova', ['--debug', 'boot', '--flavor', 'm1.tiny', '--image', 'cirros-0.6.2-x86_64-disk', '--hostname', 'web-01', '--poll', 'srv2'], env);
    expect(b.code, b.err + b.out).to.equal(0);
    expect(b.err).to.match(/X-OpenStack-Nova-API-Version: 2\.92/);
    const row = (out: string, key: string): string | undefined =>
      out.split('\n').map((l) => l.split('|').map((c) => c.trim())).find((c) => c[1] === key)?.[2];
    const s = await cli('nova', ['show', 'srv2'], env);
    expect(s.code, s.err).to.equal(0);
    expect(row(s.out, 'OS-EXT-SRV-ATTR:hostname')).to.equal('web-01');
    expect(row(s.out, 'status')).to.equal('ACTIVE');
    const u = await cli('nova', ['update', '--hostname', 'web-02', 'srv2'], env);
    expect(u.code, u.err).to.equal(0);
    expect(row((await cli('nova', ['show', 'srv2'], env)).out, 'OS-EXT-SRV-ATTR:hostname')).to.equal('web-02');
    const m = await cli('nova', ['boot', '--flavor', 'm1.tiny', '--image', 'cirros-0.6.2-x86_64-disk', '--hostname', 'web-03', '--min-count', '2', 'srv3'], env);
    expect(m.code).to.equal(1);
    expect(m.err).to.contain('ERROR (BadRequest): Unable to allocate a single hostname to multiple instances (HTTP 400)');
    const bad = await cli('nova', ['update', '--hostname', 'web_02', 'srv2'], env);
    expect(bad.code).to.equal(1);
    expect(bad.err).to.contain("ERROR (BadRequest): Invalid input for field/attribute hostname. Value: web_02. 'web_02' does not match");
    const l = await cli('nova', ['list'], env);
    expect(l.code, l.err).to.equal(0);
    expect(l.out).to.contain('srv2');
    const d = await cli('nova', ['delete', 'srv2'], env);
    expect(d.code, d.err).to.equal(0);
    // openstack (compute 2.1 unless asked) reads the hostname from 2.90 as well.
    const o = await cli('openstack', ['--os-compute-api-version', '2.90', 'server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros-0.6.2-x86_64-disk',
      '--hostname', 'osc-host', '--wait', 'srv4', '-f', 'json'], env);
    expect(o.code, o.err).to.equal(0);
    const shown = await cli('openstack', ['--os-compute-api-version', '2.90', 'server', 'show', 'srv4', '-f', 'json'], env);
    expect(shown.code, shown.err).to.equal(0);
    expect(JSON.parse(shown.out)).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'osc-host' });
    expect((await cli('openstack', ['server', 'delete', '--wait', 'srv4'], env)).code).to.equal(0);
  });

  it('openstack compute service list / set --disable / --down, nova service-list (admin)', async () => {
    const admin = cliEnv(env.OS_AUTH_URL, 'admin', 'secret', 'admin');
    const l = await cli('openstack', ['compute', 'service', 'list', '-f', 'json'], admin);
    expect(l.code, l.err).to.equal(0);
    const row = (JSON.parse(l.out) as Array<Record<string, unknown>>).find((r) => r.Binary === 'nova-compute');
    expect(row).to.include({ Host: nova.conf.DEFAULT.host, Zone: 'nova', Status: 'enabled', State: 'up' });
    const host = row?.Host as string;
    const d = await cli('openstack', ['compute', 'service', 'set', '--disable', '--disable-reason', 'maintenance', host, 'nova-compute'], admin);
    expect(d.code, d.err + d.out).to.equal(0);
    const n = await cli('nova', ['service-list'], admin);
    expect(n.code, n.err).to.equal(0);
    expect(n.out).to.match(/nova-compute.*disabled.*up.*maintenance/);
    const down = await cli('openstack', ['--os-compute-api-version', '2.53', 'compute', 'service', 'set', '--enable', '--down', host, 'nova-compute'], admin);
    expect(down.code, down.err + down.out).to.equal(0);
    const after = JSON.parse((await cli('openstack', ['--os-compute-api-version', '2.53', 'compute', 'service', 'list', '--long', '-f', 'json'], admin)).out) as Array<Record<string, unknown>>;
    expect(after[0]).to.include({ Status: 'enabled', State: 'down', 'Forced Down': true });
    const up = await cli('openstack', ['--os-compute-api-version', '2.53', 'compute', 'service', 'set', '--up', host, 'nova-compute'], admin);
    expect(up.code, up.err + up.out).to.equal(0);
    const denied = await cli('openstack', ['compute', 'service', 'list'], env);
    expect(denied.code).to.equal(1);
    expect(denied.err).to.contain("Policy doesn't allow os_compute_api:os-services:list to be performed.");
  });

  it('openstack hypervisor list / show / stats show, host list / show, nova hypervisor-uptime / hypervisor-servers (admin)', async () => {
    const admin = cliEnv(env.OS_AUTH_URL, 'admin', 'secret', 'admin');
    const host = nova.conf.DEFAULT.host;
    const [{ n: servers }] = await nova.ds.query('SELECT COUNT(*) AS n FROM instances WHERE host = ? AND deleted = 0', [host]) as Array<{ n: number }>;
    const l = await cli('openstack', ['hypervisor', 'list', '-f', 'json'], admin);
    expect(l.code, l.err).to.equal(0);
    expect(JSON.parse(l.out)).to.deep.equal([{ ID: JSON.parse(l.out)[0].ID, 'Hypervisor Hostname': host, 'Hypervisor Type': 'fake', 'Host IP': '127.0.0.1', State: 'up' }]);
    const s = await cli('openstack', ['--os-compute-api-version', '2.87', 'hypervisor', 'show', host, '-f', 'json'], admin);
    expect(s.code, s.err).to.equal(0);
    expect(JSON.parse(s.out)).to.deep.include({ hypervisor_hostname: host, vcpus: 1000, running_vms: servers, status: 'enabled', aggregates: [] });
    const st = await cli('openstack', ['hypervisor', 'stats', 'show', '-f', 'json'], admin);
    expect(st.code, st.err).to.equal(0);
    expect(JSON.parse(st.out)).to.include({ count: 1, running_vms: servers });
    // Before 2.53 novaclient finds a hypervisor by name (from it, the id must be a uuid).
    const u = await cli('nova', ['--os-compute-api-version', '2.52', 'hypervisor-uptime', host], admin);
    expect(u.code, u.err).to.equal(0);
    expect(u.out).to.match(/uptime\s*\|.*load average/);
    const sv = await cli('nova', ['--os-compute-api-version', '2.52', 'hypervisor-servers', host], admin);
    expect(sv.code, sv.err).to.equal(0);
    expect(sv.out.match(/instance-[0-9a-f]{8}/g) ?? []).to.have.length(servers);
    const hl = await cli('openstack', ['host', 'list', '-f', 'json'], admin);
    expect(hl.code, hl.err).to.equal(0);
    expect(JSON.parse(hl.out)).to.deep.equal([{ 'Host Name': host, Service: 'compute', Zone: 'nova' }]);
    const hs = await cli('openstack', ['host', 'show', host, '-f', 'json'], admin);
    expect(hs.code, hs.err).to.equal(0);
    expect(JSON.parse(hs.out).map((r: Record<string, unknown>) => r.Project).slice(0, 3)).to.deep.equal(['(total)', '(used_now)', '(used_max)']);
    const denied = await cli('openstack', ['hypervisor', 'list'], env);
    expect(denied.code).to.equal(1);
    expect(denied.err).to.match(/Policy doesn't allow os_compute_api:os-hypervisors:list(-detail)? to be performed\./);
  });

  it('openstack project list, and server list --project NAME (the project looked up by name)', async () => {
    const admin = cliEnv(env.OS_AUTH_URL, 'admin', 'secret', 'admin');
    const p = await cli('openstack', ['project', 'list', '-f', 'json'], admin);
    expect(p.code, p.err).to.equal(0);
    expect(JSON.parse(p.out).map((x: { Name: string }) => x.Name)).to.deep.equal(['admin', 'demo']);
    const l = await cli('openstack', ['server', 'list', '--all-projects', '--project', 'demo', '-f', 'json'], admin);
    expect(l.code, l.err).to.equal(0);
    expect(JSON.parse(l.out).map((s: { Name: string }) => s.Name)).to.include('srv1');
  });

  it('nova list / show / delete', async () => {
    const l = await cli('nova', ['list'], env);
    expect(l.code, l.err).to.equal(0);
    expect(l.out).to.contain('srv1').and.contain('ACTIVE');
    const s = await cli('nova', ['show', 'srv1'], env);
    expect(s.code, s.err).to.equal(0);
    const d = await cli('nova', ['delete', 'srv1'], env);
    expect(d.code, d.err).to.equal(0);
    await waitFor(async () => (await cli('nova', ['show', 'srv1'], env)).code !== 0, 15_000, 'srv1 gone', 200);
  });
});
