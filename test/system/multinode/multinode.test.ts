// The multi-node layout of scripts/multinode.sh, driven through the script and the REST APIs:
// two nova-api workers, compute1/compute2 (iscsi connector), cinder-api and store1/store2 (tgt,
// each its own tgtd) over one RabbitMQ and one MariaDB. Servers and volumes spread over both
// hosts, crosswise attaches run on the right processes, and a stopped compute fails cleanly.
// stop leaves no tgtd, not even the orphan of a SIGKILLed cinder-volume.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { findTgtds, isTgtdOn } from '../../../cinder-volume/drivers/tgtd-daemon';
import { waitFor } from '../../support/processes';
import { createTestDatabase, requireRoot, requireTransportUrl } from '../../support/servers';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '../../../../scripts/multinode.sh');
const TOKEN = 'admin:admin';
const SERVICE_DOWN_TIME = 4;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Layout { novaUrls: string[]; cinderUrl: string; iscsiPorts: number[]; controlPorts: number[] }

describe('multinode: scripts/multinode.sh (2 nova-api, 2 computes, 2 tgt backends, one broker and database)', function () {
  this.timeout(120_000);
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  let startOutput = '';
  let layout: Layout;
  let novaDb: { url: string; drop: () => Promise<void> } | null = null;
  let cinderDb: { url: string; drop: () => Promise<void> } | null = null;
  // Filled by the tests in order: the server on each compute and the volumes by backend.
  const server: Record<string, string> = {};
  const volumes: Record<string, string[]> = { 'store1@tgt#tgt': [], 'store2@tgt#tgt': [] };

  before(async function () {
    const transportUrl = await requireTransportUrl(this);
    requireRoot(this, 'the multinode layout (tgtd per backend)');
    novaDb = await createTestDatabase(this, 'nova');
    cinderDb = await createTestDatabase(this, 'cinder');
    dir = mkdtempSync(join(tmpdir(), 'multinode-'));
    env = { ...process.env, TRANSPORT_URL: transportUrl, NOVA_DATABASE_URL: novaDb.url, CINDER_DATABASE_URL: cinderDb.url,
      SERVICE_DOWN_TIME: String(SERVICE_DOWN_TIME), RPC_RESPONSE_TIMEOUT: '10' };
    startOutput = (await run('bash', [SCRIPT, 'start', dir], { env, timeout: 90_000 })).stdout;
    const vars = Object.fromEntries(readFileSync(join(dir, 'multinode.env'), 'utf8').trim().split('\n')
      .map((l) => l.split('=')).map(([k, v]) => [k, v.replace(/"/g, '')]));
    const ports = (k: string): number[] => vars[k].split(' ').map(Number);
    layout = {
      novaUrls: ports('NOVA_API_PORTS').map((p) => `http://127.0.0.1:${p}/v2.1`), cinderUrl: `http://127.0.0.1:${vars.CINDER_API_PORT}/v3/admin`,
      iscsiPorts: ports('ISCSI_PORTS'), controlPorts: ports('TGT_CONTROL_PORTS'),
    };
  });
  after(async () => {
    if (dir) await run('bash', [SCRIPT, 'stop', dir], { env, timeout: 90_000 }).catch((e: Error) => process.stderr.write(`${e.message}\n`));
    await novaDb?.drop().catch(() => undefined);
    await cinderDb?.drop().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(function () {
    if (this.currentTest?.state !== 'failed' || !dir) return;
    for (const n of ['nova-api-1', 'nova-api-2', 'compute1', 'compute2', 'cinder-api', 'store1', 'store2']) process.stderr.write(`--- ${n}\n${log(n).slice(-3000)}\n`);
  });

  const log = (name: string): string => { try { return readFileSync(join(dir, 'logs', `${name}.log`), 'utf8'); } catch { return ''; } };
  async function req(url: string, method: string, body?: unknown, token = TOKEN): Promise<{ status: number; body: Json }> {
    const r = await fetch(url, { method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
  const nova = (api: 0 | 1, method: string, path: string, body?: unknown) => req(`${layout.novaUrls[api]}${path}`, method, body);
  const cinder = (method: string, path: string, body?: unknown) => req(`${layout.cinderUrl}${path}`, method, body);
  const volume = async (id: string): Promise<Json> => (await cinder('GET', `/volumes/${id}`)).body.volume;
  const waitVolume = (id: string, status: string) => waitFor(async () => (await volume(id)).status === status, 30_000, `volume ${id} ${status}`, 200);
  const getServer = async (id: string): Promise<Json> => (await nova(0, 'GET', `/servers/${id}`)).body.server;
  const attach = (api: 0 | 1, sid: string, volumeId: string) => nova(api, 'POST', `/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId } });
  const attachments = async (sid: string): Promise<Json[]> => (await nova(1, 'GET', `/servers/${sid}/os-volume_attachments`)).body.volumeAttachments;
  const pidOf = (name: string): number => Number(readFileSync(join(dir, 'pids', `${name}.pid`), 'utf8'));
  const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
  // A zombie counts as gone: init may reap the orphans of multinode.sh late.
  const running = (pid: number): boolean => { try { return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return false; } };
  async function bdms(volumeId: string): Promise<Array<{ instance_uuid: string; connection_info: string | null }>> {
    const u = new URL((novaDb as { url: string }).url);
    const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password), database: u.pathname.slice(1) });
    try {
      const [rows] = await c.query('SELECT instance_uuid, connection_info FROM block_device_mapping WHERE volume_id = ? AND deleted = 0', [volumeId]);
      return rows as Array<{ instance_uuid: string; connection_info: string | null }>;
    } finally {
      await c.end();
    }
  }
  async function createServer(api: 0 | 1, name: string, availabilityZone?: string): Promise<Json> {
    const r = await nova(api, 'POST', '/servers', { server: { name, flavorRef: '1', ...(availabilityZone ? { availability_zone: availabilityZone } : {}) } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    return waitFor(async () => { const s = await getServer(r.body.server.id); return ['ACTIVE', 'ERROR'].includes(s.status) ? s : null; },
      30_000, `server ${name} built`, 200);
  }

  it('starts every process and prints the endpoints; status lists them running', async () => {
    for (const u of layout.novaUrls) expect(startOutput).to.contain(u);
    expect(startOutput).to.contain(layout.cinderUrl.replace(/\/admin$/, ''));
    expect(startOutput).to.contain('attachd.js --os-compute-url');
    // The database and broker URLs carry passwords: never printed.
    expect(startOutput).to.not.contain(new URL((novaDb as { url: string }).url).password);
    const { stdout } = await run('bash', [SCRIPT, 'status', dir], { env, timeout: 30_000 });
    expect(stdout.split('\n').filter((l) => / running$/.test(l))).to.have.length(7);
    for (const name of ['store1', 'store2']) expect(log(name)).to.match(new RegExp(`Started cinder-volume on ${name}@tgt \\(driver tgt\\)`));
    for (const name of ['compute1', 'compute2']) expect(log(name)).to.contain(`Started nova-compute on host ${name} (driver fake, connector iscsi)`);
  });

  it('spreads servers over both computes (through both nova-api workers) and volumes over both backends', async () => {
    const hosts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await createServer((i % 2) as 0 | 1, `mn-${i}`);
      expect(s.status).to.equal('ACTIVE');
      hosts.push(s['OS-EXT-SRV-ATTR:host']);
      server[s['OS-EXT-SRV-ATTR:host']] ??= s.id;
    }
    // Fewest instances first: each pair of creates covers both hosts.
    expect([...hosts].sort()).to.deep.equal(['compute1', 'compute1', 'compute2', 'compute2']);
    expect(hosts[0]).to.not.equal(hosts[1]);

    const backends: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await cinder('POST', '/volumes', { volume: { size: 1, name: `mn-vol-${i}` } });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      await waitVolume(r.body.volume.id, 'available');
      const host = (await volume(r.body.volume.id))['os-vol-host-attr:host'] as string;
      backends.push(host);
      volumes[host]?.push(r.body.volume.id);
    }
    // Equal capacities: the emptier backend wins, so the backends alternate.
    expect(backends.filter((h) => h === 'store1@tgt#tgt')).to.have.length(2);
    expect(backends.filter((h) => h === 'store2@tgt#tgt')).to.have.length(2);
    expect(backends[0]).to.not.equal(backends[1]);
  });

  it('admin forces a host with availability_zone "nova:<host>"; others get 403; an unknown host → ERROR', async () => {
    // compute1 already has as many servers as compute2: forcing overrides the weigher's choice either way.
    const forced = await createServer(1, 'mn-forced', 'nova:compute2');
    expect(forced).to.include({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': 'compute2', 'OS-EXT-AZ:availability_zone': 'nova' });
    const r = await req(`${layout.novaUrls[0]}/servers`, 'POST', { server: { name: 'mn-not-admin', flavorRef: '1', availability_zone: 'nova:compute1' } }, 'demo:demo');
    expect(r.status).to.equal(403);
    expect(r.body).to.deep.equal({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:create:forced_host to be performed." } });
    const lost = await createServer(0, 'mn-nohost', 'nova:no-such-host');
    expect(lost.status).to.equal('ERROR');
    expect(lost.fault.message).to.equal('No valid host was found. There are not enough hosts available.');
    for (const id of [forced.id, lost.id]) expect((await nova(0, 'DELETE', `/servers/${id}`)).status).to.equal(204);
  });

  it('attaches crosswise: each attach runs on the server\'s compute, each connection on the volume\'s backend', async () => {
    const [vA] = volumes['store2@tgt#tgt'];
    const [vB] = volumes['store1@tgt#tgt'];
    const a = await attach(1, server.compute1, vA);
    expect(a.status, JSON.stringify(a.body)).to.equal(200);
    const b = await attach(0, server.compute2, vB);
    expect(b.status, JSON.stringify(b.body)).to.equal(200);
    await waitVolume(vA, 'in-use');
    await waitVolume(vB, 'in-use');

    for (const [sid, vid, compute, other, store, otherStore, portal] of [
      [server.compute1, vA, 'compute1', 'compute2', 'store2', 'store1', layout.iscsiPorts[1]],
      [server.compute2, vB, 'compute2', 'compute1', 'store1', 'store2', layout.iscsiPorts[0]],
    ] as const) {
      expect(await attachments(sid)).to.deep.equal([{ id: vid, serverId: sid, volumeId: vid, device: '/dev/vdb' }]);
      const v = await volume(vid);
      expect(v.attachments.map((x: Json) => [x.server_id, x.device])).to.deep.equal([[sid, '/dev/vdb']]);
      expect(log(compute)).to.contain(`Attached volume ${vid} to /dev/vdb`);
      expect(log(other)).to.not.contain(vid);
      // The attachments flow: cinder-volume's attachment_update connected it (complete is cinder-api's).
      expect(log(store)).to.contain(`attachment_update completed successfully for volume ${vid}`);
      expect(log(otherStore)).to.not.contain(vid);
      // The compute logged in to the volume's own tgtd portal; the CHAP secret never reached a log.
      await waitFor(async () => (await bdms(vid))[0]?.connection_info, 10_000, `connection_info of ${vid}`, 100);
      const [row] = await bdms(vid);
      expect(row.instance_uuid).to.equal(sid);
      const info = JSON.parse(row.connection_info as string).data;
      expect(info.target_portal).to.equal(`127.0.0.1:${portal}`);
      expect(log(compute)).to.contain(`iscsi://127.0.0.1:${portal}/${info.target_iqn}/1`);
      for (const n of [compute, store, 'nova-api-1', 'nova-api-2', 'cinder-api']) expect(log(n)).to.not.contain(info.auth_password);
    }
  });

  it('8 workers loop attach → in-use → detach → available through both nova-api for 10 s: never "already attached"', async () => {
    const pairs: Array<{ sid: string; vid: string }> = [];
    // 12 volumes in this project by now: past Cinder's default quota of 10, raised as an operator would.
    const q = await cinder('PUT', '/os-quota-sets/admin', { quota_set: { volumes: 20 } });
    expect(q.status, JSON.stringify(q.body)).to.equal(200);
    for (let i = 0; i < 8; i++) {
      const s = await createServer((i % 2) as 0 | 1, `mn-load-${i}`);
      const r = await cinder('POST', '/volumes', { volume: { size: 1, name: `mn-load-${i}` } });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      await waitVolume(r.body.volume.id, 'available');
      pairs.push({ sid: s.id, vid: r.body.volume.id });
    }
    const until = Date.now() + 10_000;
    const failures: string[] = [];
    let cycles = 0;
    await Promise.all(pairs.map(async ({ sid, vid }, i) => {
      // As a client does: attach as soon as the volume shows available, detach as soon as in-use.
      for (let n = 0; Date.now() < until && n < 500; n++) {
        const a = await attach((i % 2) as 0 | 1, sid, vid);
        if (a.status !== 200) {
          // Said as it was answered: waiting for an in-use that cannot come would hide it.
          failures.push(`attach ${a.status} ${JSON.stringify(a.body)}`);
          break;
        }
        await waitVolume(vid, 'in-use');
        const d = await nova(((i + 1) % 2) as 0 | 1, 'DELETE', `/servers/${sid}/os-volume_attachments/${vid}`);
        if (d.status !== 202) failures.push(`detach ${d.status} ${JSON.stringify(d.body)}`);
        await waitVolume(vid, 'available');
        cycles++;
      }
    }));
    expect(failures).to.deep.equal([]);
    expect(cycles).to.be.greaterThan(8);
    for (const { sid } of pairs) expect((await nova(0, 'DELETE', `/servers/${sid}`)).status).to.equal(204);
  });

  it('compute2 stopped: attaching to its server → 409 and the volume stays available; compute1 still attaches; detach on compute1', async () => {
    const pid = pidOf('compute2');
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !alive(pid), 20_000, 'compute2 exited', 100);
    const status = await run('bash', [SCRIPT, 'status', dir], { env, timeout: 30_000 }).then(() => null, (e: { code: number; stdout: string }) => e);
    expect(status?.code).to.equal(3);
    expect(status?.stdout).to.match(/^compute2 .* stopped$/m);
    // Its last heartbeat is at most its exit time: past service_down_time nova counts it down.
    await waitFor(async () => (await nova(0, 'GET', '/os-services?binary=nova-compute&host=compute2')).body.services?.[0]?.state === 'down',
      (SERVICE_DOWN_TIME + 20) * 1000, 'compute2 counted down', 200);

    const forced = await createServer(0, 'mn-down', 'nova:compute2');
    expect(forced.status).to.equal('ERROR');
    expect(forced.fault.message).to.equal('No valid host was found. There are not enough hosts available.');
    const spread = await createServer(1, 'mn-after-down');
    expect(spread['OS-EXT-SRV-ATTR:host']).to.equal('compute1');

    const [, vC] = volumes['store1@tgt#tgt'];
    const [, vD] = volumes['store2@tgt#tgt'];
    const r = await attach(0, server.compute2, vC);
    expect(r.status).to.equal(409);
    expect(r.body).to.deep.equal({ conflictingRequest: { code: 409, message: 'Service is unavailable at this time.' } });
    const c = await volume(vC);
    expect([c.status, c.attachments]).to.deep.equal(['available', []]);
    expect(await bdms(vC)).to.deep.equal([]);
    expect((await attachments(server.compute2)).map((x) => x.volumeId)).to.deep.equal([volumes['store1@tgt#tgt'][0]]);

    const d = await attach(1, server.compute1, vD);
    expect(d.status, JSON.stringify(d.body)).to.equal(200);
    expect(d.body.volumeAttachment.device).to.equal('/dev/vdc');
    await waitVolume(vD, 'in-use');
    expect(log('compute1')).to.contain(`Attached volume ${vD} to /dev/vdc`);
    expect(log('store2')).to.contain(`attachment_update completed successfully for volume ${vD}`);

    const onCompute1 = (await attachments(server.compute1)).map((x) => x.volumeId as string);
    expect(onCompute1.sort()).to.deep.equal([volumes['store2@tgt#tgt'][0], vD].sort());
    for (const vid of onCompute1) expect((await nova(0, 'DELETE', `/servers/${server.compute1}/os-volume_attachments/${vid}`)).status).to.equal(202);
    for (const vid of onCompute1) await waitVolume(vid, 'available');
    expect(await attachments(server.compute1)).to.deep.equal([]);
    for (const vid of onCompute1) {
      expect(log('compute1')).to.contain(`Detached volume ${vid}`);
      expect(log('store2')).to.contain(`Terminate volume connection completed successfully for volume ${vid}`);
    }
  });

  it('stop ends every process and its tgtd, including the orphan tgtd of a SIGKILLed store', async () => {
    const pids = ['nova-api-1', 'nova-api-2', 'compute1', 'cinder-api', 'store1', 'store2'].map(pidOf);
    const tgtdPidFiles = layout.controlPorts.map((port, i) => join(dir, 'volumes', `store${i + 1}`, `tgtd-${port}.pid`));
    // store1 crashes: its tgtd (still exporting vB, attached on compute2's server) stays behind.
    const orphan = Number(readFileSync(tgtdPidFiles[0], 'utf8'));
    process.kill(pidOf('store1'), 'SIGKILL');
    await waitFor(() => !running(pidOf('store1')), 10_000, 'store1 killed', 100);
    expect(isTgtdOn(orphan, layout.controlPorts[0]), 'tgtd of the SIGKILLed store1').to.equal(true);

    await run('bash', [SCRIPT, 'stop', dir], { env, timeout: 90_000 });
    for (const pid of pids) expect(running(pid), `pid ${pid}`).to.equal(false);
    for (const [i, port] of layout.controlPorts.entries()) {
      const answered = await run('tgtadm', ['-C', String(port), '--lld', 'iscsi', '--op', 'show', '--mode', 'target'], { timeout: 10_000 }).then(() => true, () => false);
      expect(answered, `tgtd on control port ${port}`).to.equal(false);
      expect(findTgtds(port), `tgtd processes of control port ${port}`).to.deep.equal([]);
      expect(existsSync(tgtdPidFiles[i]), tgtdPidFiles[i]).to.equal(false);
    }
  });
});
