// Cinder's daemons SIGKILLed exactly at a step (test-only pause points, ATTACHD_PAUSE_AT) over
// RabbitMQ + MariaDB: an os-attach whose cinder-volume died after creating the attachment row
// is finished by the redone os-attach (one attachment, in-use), and a reservation whose
// cinder-api died after os-reserve is released by cinder-volume's reconciler once it is stale,
// with a WARNING naming the request it undid; a snapshot create or delete cut short by a kill is
// ended (error) or finished by the start pass.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort, spawnDaemon, waitFor, writeConfig, type Daemon } from '../../support/processes';
import { createTestDatabase, requireTransportUrl } from '../../support/servers';
import type { Json } from '../../functional/cinder/cinder-stack';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');
const CONNECTOR = { ip: '127.0.0.1', host: 'nova1', initiator: 'iqn.1993-08.org.debian:01:kill' };
const SERVER = '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2';

describe('cinder daemons killed mid-operation (RabbitMQ + MariaDB)', function () {
  this.timeout(120_000);
  let db: { url: string; drop: () => Promise<void> } | null = null;
  const daemons = new Map<string, Daemon>();
  let api = '';
  let config = '';
  let env: NodeJS.ProcessEnv = {};
  let dir = '';

  const req = async (method: string, path: string, body?: unknown, token = 'demo:demo', headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${api}${path}`, {
      method, headers: { 'X-Auth-Token': token, ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const action = (id: string, name: string, arg: unknown, headers: Record<string, string> = {}) =>
    req('POST', `/v3/demo/volumes/${id}/action`, { [name]: arg }, 'demo:demo', headers);
  const status = async (id: string): Promise<string> => (await req('GET', `/v3/demo/volumes/${id}`)).body.volume.status as string;
  const create = async (): Promise<string> => {
    const r = await req('POST', '/v3/demo/volumes', { volume: { size: 1 } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitFor(async () => (await status(r.body.volume.id)) === 'available', 20_000, 'volume available', 100);
    return r.body.volume.id as string;
  };
  const start = async (name: string, extra: { env?: NodeJS.ProcessEnv; configs?: string[] } = {}): Promise<Daemon> => {
    const args = ['--config-file', config, ...(extra.configs ?? []).flatMap((f) => ['--config-file', f])];
    const d = await spawnDaemon(name, args, { env: { ...env, ...(extra.env ?? {}) } });
    daemons.set(name, d);
    return d;
  };
  const pauseAt = (step: string) => ({ ATTACHD_PAUSE_AT: step, ATTACHD_PAUSE_FILE: join(dir, 'paused') });
  const kill = async (name: string, step: string): Promise<void> => {
    const d = daemons.get(name)!;
    await waitFor(() => existsSync(join(dir, 'paused')) && readFileSync(join(dir, 'paused'), 'utf8').includes(`${step} ${d.proc.pid}`), 20_000, `${name} paused at ${step}`, 50);
    d.proc.kill('SIGKILL');
    await waitFor(() => d.proc.signalCode !== null, 10_000, `${name} killed`);
    daemons.delete(name);
  };
  const attachmentRows = async (volumeId: string): Promise<Array<{ id: string; attach_status: string }>> => {
    const u = new URL(db!.url);
    const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password), database: u.pathname.slice(1) });
    try {
      const [rows] = await conn.query('SELECT id, attach_status FROM volume_attachment WHERE volume_id = ? AND deleted = 0', [volumeId]);
      return rows as Array<{ id: string; attach_status: string }>;
    } finally {
      await conn.end();
    }
  };

  before(async function () {
    const transportUrl = await requireTransportUrl(this);
    db = await createTestDatabase(this, 'cinder');
    dir = mkdtempSync(join(tmpdir(), 'cinder-kill-'));
    const port = await freePort();
    config = writeConfig('cinder.conf', [
      '[DEFAULT]', `host = ckill-${port}`, 'rpc_response_timeout = 3', 'report_interval = 1', 'osapi_volume_listen = 127.0.0.1',
      `osapi_volume_listen_port = ${port}`, 'enabled_backends = fake',
      '[api]', 'auth_strategy = noauth2',
    ].join('\n'));
    env = { TRANSPORT_URL: transportUrl, CINDER_DATABASE_URL: db.url };
    api = `http://127.0.0.1:${port}`;
    await run(process.execPath, [join(BIN, 'cinder-manage.js'), '--config-file', config, 'db', 'sync'], { env: { ...process.env, ...env }, timeout: 60_000 });
  });
  after(async () => {
    for (const d of [...daemons.values()].reverse()) await d.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('cinder-volume killed after creating the attachment: the redone os-attach finishes that attachment, in-use', async () => {
    const step = 'cinder-volume.attach_volume.after-attachment-create';
    await start('cinder-api');
    await start('cinder-volume', { env: pauseAt(step) });
    const id = await create();
    expect((await action(id, 'os-reserve', null)).status).to.equal(202);
    expect((await action(id, 'os-initialize_connection', { connector: CONNECTOR })).status).to.equal(200);
    const first = action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb' });
    await kill('cinder-volume', step);
    expect((await first).status, 'the caller sees a 503 (no reply) and will retry').to.equal(503);
    const left = await attachmentRows(id);
    expect(left.map((a) => a.attach_status)).to.deep.equal(['attaching']);
    expect(await status(id)).to.equal('attaching');

    await start('cinder-volume');
    // The fake backend's exports died with the process: the start pass re-created this one.
    const report = await req('GET', '/v3/demo/os-volume-exports', undefined, 'admin:demo');
    expect(report.body.backends[0].exports).to.include(id);

    expect((await action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb' })).status).to.equal(202);
    expect(await status(id)).to.equal('in-use');
    expect(await attachmentRows(id)).to.deep.equal([{ id: left[0].id, attach_status: 'attached' }]);
  });

  it('cinder-api killed after os-reserve: the reconciler releases the stale reservation and names its request', async () => {
    const step = 'cinder-api.os-reserve.after-update';
    await daemons.get('cinder-api')!.stop();
    await start('cinder-api', { env: pauseAt(step) });
    await daemons.get('cinder-volume')!.stop();
    const fast = writeConfig('fast.conf', '[DEFAULT]\nattach_transition_timeout = 2\nperiodic_interval = 1\n');
    const volume = await start('cinder-volume', { configs: [fast] });
    const id = await create();
    const rid = `req-${randomUUID()}`;
    const reserve = action(id, 'os-reserve', null, { 'X-OpenStack-Request-ID': rid }).catch((e: unknown) => e);
    await kill('cinder-api', step);
    expect(await reserve).to.be.instanceOf(Error); // the connection died with cinder-api
    await start('cinder-api');
    await waitFor(async () => (await status(id)) === 'available', 30_000, 'the stale reservation released', 200);
    const line = volume.output().split('\n').find((l) => l.includes(`Volume ${id}: stale-attaching`));
    expect(line).to.match(/ WARNING cinder-volume\.reconciler /);
    expect(line).to.include("'attaching' without progress");
    expect(line).to.include(`repairs request ${rid}`);
  });

  it('cinder-volume killed inside a snapshot create, then inside its delete: the start pass ends the one in error and finishes the other, the quota given back', async () => {
    const snapStatus = async (sid: string): Promise<string | number> => {
      const r = await req('GET', `/v3/demo/snapshots/${sid}`);
      return r.status === 404 ? 404 : r.body.snapshot.status as string;
    };
    const used = async (): Promise<number> => (await req('GET', '/v3/demo/os-quota-sets/demo?usage=True', undefined, 'admin:demo')).body.quota_set.snapshots.in_use as number;
    const id = await create();
    const before = await used();
    for (const [step, from, to] of [['cinder-volume.create_snapshot.after-backend', 'creating', 'error'], ['cinder-volume.delete_snapshot.after-backend', 'deleting', 404]] as const) {
      await daemons.get('cinder-volume')!.stop();
      await start('cinder-volume', { env: pauseAt(step) });
      let sid: string;
      if (from === 'creating') {
        const r = await req('POST', '/v3/demo/snapshots', { snapshot: { volume_id: id } });
        expect(r.status, JSON.stringify(r.body)).to.equal(202);
        sid = r.body.snapshot.id as string;
      } else {
        sid = (await req('GET', '/v3/demo/snapshots')).body.snapshots[0].id as string;
        expect((await req('DELETE', `/v3/demo/snapshots/${sid}`)).status).to.equal(202);
      }
      await kill('cinder-volume', step);
      expect(await snapStatus(sid)).to.equal(from);
      await start('cinder-volume');
      await waitFor(async () => (await snapStatus(sid)) === to, 30_000, `snapshot ${sid} ${to}`, 100);
    }
    expect(await used()).to.equal(before);
    expect((await req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
  });
});
