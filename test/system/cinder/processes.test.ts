// cinder-manage, cinder-volume and cinder-api as separate OS processes (compiled bins) over
// RabbitMQ + MariaDB: db sync twice, the whole old-style attach flow, 20 racing os-reserve,
// and start-up recovery of a volume stuck in `creating`.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort, spawnDaemon, waitFor, writeConfig, type Daemon } from '../../support/processes';
import { createTestDatabase, requireTransportUrl } from '../../support/servers';
import type { Json } from '../../functional/cinder/cinder-stack';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');
const CONNECTOR = { ip: '127.0.0.1', host: 'nova1', initiator: 'iqn.1993-08.org.debian:01:proc' };

describe('cinder daemons as processes (RabbitMQ + MariaDB)', function () {
  this.timeout(90_000);
  let db: { url: string; drop: () => Promise<void> } | null = null;
  const daemons = new Map<string, Daemon>();
  let api = '';
  let config = '';
  let env: NodeJS.ProcessEnv = {};
  let host = '';

  const req = async (method: string, path: string, body?: unknown, token = 'demo:demo'): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${api}${path}`, {
      method, headers: { 'X-Auth-Token': token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const action = (id: string, name: string, arg: unknown) => req('POST', `/v3/demo/volumes/${id}/action`, { [name]: arg });
  const status = async (id: string): Promise<string> => (await req('GET', `/v3/demo/volumes/${id}`)).body.volume.status as string;
  const create = async (): Promise<string> => {
    const r = await req('POST', '/v3/demo/volumes', { volume: { size: 1, name: 'p' } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitFor(async () => (await status(r.body.volume.id)) === 'available', 20_000, 'volume available', 100);
    return r.body.volume.id as string;
  };
  const start = async (name: string): Promise<void> => {
    daemons.set(name, await spawnDaemon(name, ['--config-file', config], { env }));
  };

  before(async function () {
    const transportUrl = await requireTransportUrl(this);
    db = await createTestDatabase(this, 'cinder');
    const port = await freePort();
    host = `cproc-${port}`;
    config = writeConfig('cinder.conf', [
      '[DEFAULT]', `host = ${host}`, 'rpc_response_timeout = 10', 'report_interval = 1', 'osapi_volume_listen = 127.0.0.1',
      `osapi_volume_listen_port = ${port}`, 'enabled_backends = fake',
      '[api]', 'auth_strategy = noauth2',
    ].join('\n'));
    env = { TRANSPORT_URL: transportUrl, CINDER_DATABASE_URL: db.url };
    api = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    for (const d of [...daemons.values()].reverse()) await d.stop();
    await db?.drop();
  });

  it('cinder-api refuses an unsynced database with one clear line', async () => {
    const fresh = await createTestDatabase(null, 'cinder');
    try {
      const err = await run(process.execPath, [join(BIN, 'cinder-api.js'), '--config-file', config], { env: { ...process.env, ...env, CINDER_DATABASE_URL: fresh.url } })
        .then(() => null, (e: { code: number; stderr: string }) => e);
      expect(err?.code).to.equal(1);
      expect(err?.stderr.trim()).to.equal('cinder-api: The cinder database is not synced: run "cinder-manage db sync" first');
    } finally {
      await fresh.drop();
    }
  });

  it('cinder-manage db sync is safe to run twice', async () => {
    const first = await run(process.execPath, [join(BIN, 'cinder-manage.js'), '--config-file', config, 'db', 'sync'], { env: { ...process.env, ...env } });
    expect(first.stdout).to.match(/Applied: InitialCinderSchema/);
    const second = await run(process.execPath, [join(BIN, 'cinder-manage.js'), '--config-file', config, 'db', 'sync'], { env: { ...process.env, ...env } });
    expect(second.stdout).to.match(/up to date/);
  });

  it('serves the attach flow across processes', async () => {
    await start('cinder-volume');
    await start('cinder-api');
    const id = await create();
    expect((await action(id, 'os-reserve', null)).status).to.equal(202);
    const init = await action(id, 'os-initialize_connection', { connector: CONNECTOR });
    expect(init.status, JSON.stringify(init.body)).to.equal(200);
    expect(init.body.connection_info.data.target_iqn).to.equal(`iqn.2010-10.org.openstack:volume-${id}`);
    expect((await action(id, 'os-attach', { instance_uuid: '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2', mountpoint: '/dev/vdb', mode: 'rw' })).status).to.equal(202);
    expect(await status(id)).to.equal('in-use');
    const show = await req('GET', `/v3/demo/volumes/${id}`, undefined, 'admin:demo');
    expect(show.body.volume['os-vol-host-attr:host']).to.equal(`${host}@fake#fake`);
    expect((await action(id, 'os-begin_detaching', null)).status).to.equal(202);
    expect((await action(id, 'os-terminate_connection', { connector: CONNECTOR })).status).to.equal(202);
    expect((await action(id, 'os-detach', {})).status).to.equal(202);
    expect(await status(id)).to.equal('available');
    expect((await req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
    await waitFor(async () => (await req('GET', `/v3/demo/volumes/${id}`)).status === 404, 20_000, 'volume deleted', 100);
  });

  it('20 concurrent os-reserve on MariaDB: exactly one 202, nineteen 400, volume attaching', async () => {
    const id = await create();
    const results = await Promise.all(Array.from({ length: 20 }, () => action(id, 'os-reserve', null)));
    const codes = results.map((r) => r.status);
    expect(codes.filter((s) => s === 202)).to.have.length(1);
    expect(codes.filter((s) => s === 400)).to.have.length(19);
    expect(await status(id)).to.equal('attaching');
  });

  it('a restarted cinder-volume moves its creating volumes to error and finishes its deletes', async () => {
    const [creating, deleting] = [await create(), await create()];
    const u = new URL(db!.url);
    const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password), database: u.pathname.slice(1) });
    try {
      await daemons.get('cinder-volume')!.stop();
      daemons.delete('cinder-volume');
      await conn.query("UPDATE volumes SET status = 'creating' WHERE id = ?", [creating]);
      await conn.query("UPDATE volumes SET status = 'deleting' WHERE id = ?", [deleting]);
    } finally {
      await conn.end();
    }
    await start('cinder-volume');
    expect(await status(creating)).to.equal('error');
    expect((await req('GET', `/v3/demo/volumes/${deleting}`)).status).to.equal(404);
  });

});
