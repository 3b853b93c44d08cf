// The README's first command as a user runs it: attachd-all as a child process on the embedded
// default (fake://, SQLite under --data-dir), driven by the attachd CLI and nova-manage exactly
// as the walkthrough does, then stopped with Ctrl-C and started again on the same data.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signToken } from '../../../common/api';
import { freePort, spawnDaemon, waitFor, writeConfig, type Daemon } from '../../support/processes';
import { createTestDatabase, requireRoot, requireTool, requireTransportUrl } from '../../support/servers';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');

interface Out { code: number; stdout: string; stderr: string }

describe('attachd-all (embedded all-in-one) with the attachd CLI', function () {
  this.timeout(120_000);
  let dataDir: string;
  let config: string;
  let aio: Daemon | null = null;
  let cliArgs: string[];
  let env: NodeJS.ProcessEnv;

  const cli = async (bin: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Out> => {
    try {
      const r = await run(process.execPath, [join(BIN, `${bin}.js`), ...args], { env: { ...env, ...extraEnv }, timeout: 60_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  };
  const attachd = (...args: string[]): Promise<Out> => cli('attachd', [...cliArgs, ...args]);
  const ok = async (...args: string[]): Promise<string> => {
    const r = await attachd(...args);
    expect(r.code, `attachd ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const start = async (): Promise<Daemon> => spawnDaemon('attachd-all', ['--config-file', config, '--data-dir', dataDir], {
    // No servers: the embedded default must not pick up the suite's RabbitMQ/MariaDB.
    env: { TRANSPORT_URL: '', NOVA_DATABASE_URL: '', CINDER_DATABASE_URL: '', ATTACHD_ADMIN_PASSWORD: '' }, ready: /attachd is running/, timeoutMs: 60_000,
  });

  let password = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-aio-'));
    const [computePort, volumePort] = [await freePort(), await freePort()];
    // The README's walkthrough follows the seed's legacy flow (etc/legacy-attach-flow.conf).
    config = writeConfig('attachd.conf', `[DEFAULT]\nosapi_compute_listen_port = ${computePort}\nosapi_volume_listen_port = ${volumePort}\n` +
      '[workarounds]\nuse_legacy_volume_attach_flow = true\n');
    cliArgs = ['--os-compute-url', `http://127.0.0.1:${computePort}/v2.1`, '--os-volume-url', `http://127.0.0.1:${volumePort}/v3`];
    aio = await start();
    // The first start shows the admin password once; the CLI logs in with it, as the README says.
    password = /OS_PASSWORD=(\S+)/.exec(aio.output())?.[1] ?? '';
    env = {
      PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', OS_AUTH_URL: `http://127.0.0.1:${computePort}/identity/v3`,
      OS_USERNAME: 'admin', OS_PASSWORD: password, OS_PROJECT_NAME: 'admin', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default',
    };
  });
  after(async () => {
    await aio?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the endpoints and the walkthrough, with a random admin password made at this first start', () => {
    const out = aio!.output();
    expect(out).to.match(/compute API: http:\/\/127\.0\.0\.1:\d+\/v2\.1/);
    expect(out).to.match(/volume API: +http:\/\/127\.0\.0\.1:\d+\/v3/);
    expect(out).to.include('volume-attach vm1 vol1 /dev/vdb --wait');
    expect(password).to.match(/^[A-Za-z0-9_-]{20}$/);
    // Secret and password hash kept in the data directory, readable by the owner only.
    for (const f of ['token_secret', 'admin_password.scrypt']) expect(statSync(join(dataDir, f)).mode & 0o777, f).to.equal(0o600);
    expect(readFileSync(join(dataDir, 'admin_password.scrypt'), 'utf8')).to.not.include(password);
  });

  it('accepts no token an outsider could make: noauth2 tokens, tokens signed with a published secret, garbage', async () => {
    const [computeUrl, volumeUrl] = [cliArgs[1], cliArgs[3]];
    const forged = signToken({ user_id: 'x', user_name: 'admin', project_id: 'admin', project_name: 'admin', roles: ['admin'], exp: Date.now() / 1000 + 600 },
      'attachd-dev-secret');
    for (const token of ['admin:admin', 'admin', forged, 'x'.repeat(40)]) {
      for (const url of [`${computeUrl}/servers/detail?all_tenants=1`, `${volumeUrl}/admin/volumes/detail?all_tenants=1`]) {
        const r = await fetch(url, { headers: { 'X-Auth-Token': token } });
        expect(r.status, `${token.slice(0, 12)} on ${url}`).to.equal(401);
      }
    }
  });

  it('runs the walkthrough: create, attach (BDM row + connection_info), detach; survives a restart', async () => {
    const created = await ok('volume-create', '1', '--name', 'vol1', '--wait');
    expect(created).to.match(/\| status +\| available +\|/);
    expect(await ok('server-create', 'vm1', '--wait')).to.match(/\| status +\| ACTIVE +\|/);
    const serverId = (await ok('server-show', 'vm1', '-f', 'value', '-c', 'id')).trim();
    const volumeId = (await ok('volume-show', 'vol1', '-f', 'value', '-c', 'id')).trim();
    expect(serverId).to.match(/^[0-9a-f-]{36}$/);
    expect(volumeId).to.match(/^[0-9a-f-]{36}$/);

    const novaDb = { NOVA_DATABASE_URL: `sqlite://${join(dataDir, 'nova.sqlite')}` };
    const before = await cli('nova-manage', ['volume_attachment', 'show', serverId, volumeId], novaDb);
    expect(before.code).to.equal(3);
    expect(before.stdout).to.include(`No volume Block Device Mapping with id ${volumeId}.`);

    const attach = await attachd('volume-attach', 'vm1', 'vol1', '/dev/vdb', '--wait');
    expect(attach.code, attach.stderr).to.equal(0);
    expect(attach.stderr).to.match(new RegExp(`Volume ${volumeId}: in-use`));
    expect(attach.stdout).to.match(/\| device +\| \/dev\/vdb +\|/);
    expect(await ok('volume-attachments', 'vm1')).to.match(new RegExp(`${volumeId} \\| /dev/vdb +\\| ${serverId} \\| ${volumeId}`));

    const row = await cli('nova-manage', ['volume_attachment', 'show', serverId, volumeId, '--json'], novaDb);
    expect(row.code, row.stdout).to.equal(0);
    const bdm = JSON.parse(row.stdout) as Record<string, unknown>;
    expect(bdm).to.include({ instance_uuid: serverId, volume_id: volumeId, device_name: '/dev/vdb', source_type: 'volume', destination_type: 'volume' });
    const info = JSON.parse(String(bdm.connection_info)) as { driver_volume_type: string; serial: string; data: Record<string, unknown> };
    expect(info.driver_volume_type).to.equal('iscsi');
    expect(info.serial).to.equal(volumeId);
    expect(info.data).to.include({ target_iqn: `iqn.2010-10.org.openstack:volume-${volumeId}`, auth_method: 'CHAP', access_mode: 'rw' });
    const ci = await cli('nova-manage', ['volume_attachment', 'show', serverId, volumeId, '--connection_info'], novaDb);
    expect(ci.stdout).to.match(/\| driver_volume_type +\| iscsi +\|/);

    // The volume is in use: a second attach is refused the way Nova refuses it.
    await ok('server-create', 'vm2', '--wait');
    const again = await attachd('volume-attach', 'vm2', 'vol1');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.equal("ERROR (BadRequest): Invalid volume: status must be 'available' (HTTP 400)\n");

    // Ctrl-C: clean exit; the same data directory brings everything back.
    aio!.proc.kill('SIGINT');
    const code = await new Promise<number | null>((res) => aio!.proc.once('exit', (c) => res(c)));
    expect(code).to.equal(0);
    expect(aio!.output()).to.include('Stopped');
    aio = await start();
    expect(aio.output(), 'the password is shown at the first start only').to.not.include(password);
    const vols = JSON.parse(await ok('--json', 'volume-list')) as Array<{ id: string; status: string; attachments: Array<{ server_id: string; device: string }> }>;
    expect(vols.map((v) => [v.id, v.status])).to.deep.equal([[volumeId, 'in-use']]);
    expect(vols[0].attachments[0]).to.include({ server_id: serverId, device: '/dev/vdb' });

    const detach = await attachd('volume-detach', 'vm1', 'vol1', '--wait');
    expect(detach.code, detach.stderr).to.equal(0);
    expect(detach.stderr).to.match(new RegExp(`Volume ${volumeId}: available`));
    expect(await ok('volume-attachments', 'vm1')).to.not.include(volumeId);
    const after = await cli('nova-manage', ['volume_attachment', 'show', serverId, volumeId], novaDb);
    expect(after.code).to.equal(3);
  });

  it('lists, resets, and deletes (a server with a volume attached leaves it available)', async () => {
    await ok('volume-create', '1', '--name', 'vol5', '--wait');
    await ok('server-create', 'vm5', '--wait');
    await ok('volume-attach', 'vm5', 'vol5', '--wait');
    const servers = JSON.parse(await ok('--json', 'server-list')) as Array<{ name: string; status: string }>;
    expect(servers.find((s) => s.name === 'vm5')).to.include({ status: 'ACTIVE' });
    expect(await ok('server-list')).to.match(/\| vm5 +\| ACTIVE +\| localhost +\|/);
    expect(await ok('volume-list')).to.match(/\| in-use +\| vol5 +\|/);
    const gone = await attachd('server-delete', 'vm5', '--wait');
    expect(gone.code, gone.stderr).to.equal(0);
    expect(gone.stdout.trim()).to.equal('Request to delete server vm5 has been accepted.');
    expect(gone.stderr).to.match(/^Server [0-9a-f-]{36}: deleted\n$/);
    // The server is gone only once its volumes were released.
    expect((await ok('volume-show', 'vol5', '-f', 'value', '-c', 'status')).trim()).to.equal('available');
    expect((await attachd('server-show', 'vm5')).stderr).to.equal("ERROR (CommandError): No server with a name or ID of 'vm5' exists.\n");
    await ok('volume-reset-state', 'vol5', '--state', 'error');
    expect((await ok('volume-show', 'vol5', '-f', 'value', '-c', 'status')).trim()).to.equal('error');
    const del = await attachd('volume-delete', 'vol5', '--wait');
    expect(del.code, del.stderr).to.equal(0);
    expect(del.stdout).to.equal('Request to delete volume vol5 has been accepted.\n');
    expect(del.stderr).to.match(/: deleted\n$/);
    expect((await attachd('volume-show', 'vol5')).stderr).to.equal("ERROR (CommandError): No volume with a name or ID of 'vol5' exists.\n");
  });

  it('prints errors as novaclient does', async () => {
    const r = await attachd('volume-attach', 'no-such-server', 'vol1');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal("ERROR (CommandError): No server with a name or ID of 'no-such-server' exists.\n");
    const bad = await attachd('volume-create', 'abc');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^ERROR \(BadRequest\): .+ \(HTTP 400\)\n$/);
  });

  it('serves the real openstack CLI through its identity endpoint', async function () {
    await requireTool(this, 'openstack', 'python3-openstackclient');
    const computeUrl = cliArgs[1].replace(/\/v2\.1$/, '');
    const osEnv = {
      ...env, OS_AUTH_URL: `${computeUrl}/identity/v3`, OS_IDENTITY_API_VERSION: '3', OS_USERNAME: 'admin', OS_PASSWORD: password,
      OS_PROJECT_NAME: 'admin', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default',
    };
    const osc = async (...args: string[]): Promise<string> => (await run('openstack', args, { env: osEnv, timeout: 60_000 })).stdout;
    // The clients resolve --image through the image endpoint (by name here) and --flavor by name.
    const vm3 = JSON.parse(await osc('server', 'create', '--image', 'cirros-0.6.2-x86_64-disk', '--flavor', 'm1.tiny', '--wait', 'vm3', '-f', 'json')) as { status: string };
    expect(vm3.status).to.equal('ACTIVE');
    // An admin's reset-state (os-resetState), there and back.
    await osc('server', 'set', '--state', 'error', 'vm3');
    expect((await osc('server', 'show', 'vm3', '-f', 'value', '-c', 'status')).trim()).to.equal('ERROR');
    await osc('server', 'set', '--state', 'active', 'vm3');
    expect((await osc('server', 'show', 'vm3', '-f', 'value', '-c', 'status')).trim()).to.equal('ACTIVE');
    const vol = JSON.parse(await osc('volume', 'create', '--size', '1', 'osc-vol', '-f', 'json')) as { id: string };
    await ok('volume-show', vol.id); // reachable by the attachd CLI too: the same project (admin)
    const volumeStatus = async (): Promise<string> => (await osc('volume', 'show', vol.id, '-f', 'value', '-c', 'status')).trim();
    const reaches = (want: string) => waitFor(async () => (await volumeStatus()) === want, 30_000, `volume ${want}`, 200);
    await reaches('available');
    await osc('server', 'add', 'volume', 'vm3', 'osc-vol', '--device', '/dev/vdb');
    await reaches('in-use');
    expect(await ok('volume-attachments', 'vm3')).to.include(vol.id);
    await osc('server', 'remove', 'volume', 'vm3', 'osc-vol');
    await reaches('available');
  });
});

describe('attachd-all on RabbitMQ + MariaDB (environment) with the real drivers (tgt, iSCSI)', function () {
  this.timeout(120_000);
  let aio: Daemon | null = null;
  const dbs: Array<{ drop: () => Promise<void> }> = [];
  let cliArgs: string[];
  let secrets: string[] = [];
  let portal = '';
  let cliEnv: NodeJS.ProcessEnv = {};
  let dataDir = '';
  const adminPassword = `aio-${Math.random().toString(36).slice(2)}-pw`;

  before(async function () {
    const transportUrl = await requireTransportUrl(this);
    requireRoot(this, 'the tgt backend (its own tgtd)');
    await requireTool(this, 'tgtd', 'tgt');
    const nova = await createTestDatabase(this, 'nova');
    const cinder = await createTestDatabase(this, 'cinder');
    dbs.push(nova, cinder);
    secrets = [transportUrl, nova.url, cinder.url].map((u) => decodeURIComponent(new URL(u.replace(/^[a-z0-9+]+:/i, 'http:')).password)).filter((p) => p.length > 2);
    const [computePort, volumePort, iscsiPort] = [await freePort(), await freePort(), await freePort()];
    const config = writeConfig('attachd.conf', [
      '[DEFAULT]', `host = aio-${computePort}`, `control_exchange = aio-${computePort}`,
      `osapi_compute_listen_port = ${computePort}`, `osapi_volume_listen_port = ${volumePort}`, 'enabled_backends = tgt',
      '[compute]', 'volume_connector = iscsi',
      // Our own tgtd: control ports go up to 32767 only.
      '[tgt]', `target_port = ${iscsiPort}`, `tgt_control_port = ${2000 + (iscsiPort % 28000)}`,
    ].join('\n'));
    portal = `127.0.0.1:${iscsiPort}`;
    cliArgs = ['--os-compute-url', `http://127.0.0.1:${computePort}/v2.1`, '--os-volume-url', `http://127.0.0.1:${volumePort}/v3`];
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-aio-'));
    aio = await spawnDaemon('attachd-all', ['--config-file', config, '--data-dir', dataDir], {
      env: { TRANSPORT_URL: transportUrl, NOVA_DATABASE_URL: nova.url, CINDER_DATABASE_URL: cinder.url, ATTACHD_ADMIN_PASSWORD: adminPassword },
      ready: /attachd is running/, timeoutMs: 60_000,
    });
    cliEnv = { ...process.env, OS_AUTH_URL: `http://127.0.0.1:${computePort}/identity/v3`, OS_USERNAME: 'admin', OS_PASSWORD: adminPassword, OS_PROJECT_NAME: 'admin' };
  });
  after(async () => {
    await aio?.stop();
    for (const d of dbs) await d.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates both databases, exports with tgt, logs in with CHAP, attaches over the broker', async () => {
    expect(aio!.output()).to.match(/transport rabbit:\/\/\*\*\*@/);
    for (const p of secrets) expect(aio!.output(), 'a password in the banner or logs').to.not.include(p);
    expect(aio!.output(), 'a password from the environment is not shown').to.not.include(adminPassword);
    const cli = async (...args: string[]): Promise<string> => (await run(process.execPath, [join(BIN, 'attachd.js'), ...cliArgs, ...args], { env: cliEnv, timeout: 60_000 })).stdout;
    await cli('volume-create', '1', '--name', 'v', '--wait');
    await cli('server-create', 's', '--wait');
    const att = await cli('volume-attach', 's', 'v', '--wait');
    expect(att).to.match(/\| device +\| \/dev\/vdb +\|/);
    // nova-compute's iSCSI connector reached the LUN tgtd exports on our portal.
    expect(aio!.output()).to.include(`iSCSI LUN reachable {"target":"iscsi://${portal}/iqn.2010-10.org.openstack:volume-`);
    await cli('volume-detach', 's', 'v', '--wait');
    const vols = JSON.parse(await cli('--json', 'volume-list')) as Array<{ status: string }>;
    expect(vols.map((v) => v.status)).to.deep.equal(['available']);
    // The compute side of this process ran the attach (cast over the broker to compute.<host>).
    expect(aio!.output()).to.match(/Attached volume [0-9a-f-]{36} to \/dev\/vdb/);
  });
});
