// nova-manage, nova-api and nova-compute as separate OS processes (compiled bins) over
// RabbitMQ + MariaDB, with the Cinder fixture in the test process.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnDaemon, waitFor, writeConfig, type Daemon } from '../../support/processes';
import { createTestDatabase, requireTransportUrl } from '../../support/servers';
import { CinderFixture } from '../../functional/nova/cinder-fixture';
import { getRpcTransport, RPCClient, Target } from '../../../common/rpc';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');

describe('nova daemons as processes (RabbitMQ + MariaDB)', function () {
  this.timeout(90_000);
  let cinder: CinderFixture;
  let db: { url: string; drop: () => Promise<void> } | null = null;
  const daemons: Daemon[] = [];
  let api = '';
  let config = '';
  let env: NodeJS.ProcessEnv = {};

  before(async function () {
    const transportUrl = await requireTransportUrl(this);
    db = await createTestDatabase(this, 'nova');
    cinder = new CinderFixture();
    const curl = await cinder.start();
    const port = await freePort();
    config = writeConfig('nova.conf', [
      '[DEFAULT]', `host = proc-${port}`, 'rpc_response_timeout = 10', 'report_interval = 1', 'rpc_ping_enabled = true', 'osapi_compute_listen = 127.0.0.1', `osapi_compute_listen_port = ${port}`,
      '[api]', 'auth_strategy = noauth2',
      '[cinder]', `endpoint = ${curl}/v3/%(project_id)s`,
    ].join('\n'));
    env = { TRANSPORT_URL: transportUrl, NOVA_DATABASE_URL: db.url };
    api = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    for (const d of daemons.reverse()) await d.stop();
    await cinder?.stop();
    await db?.drop();
  });

  const req = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${api}${path}`, { method, headers: { 'X-Auth-Token': 'demo:demo', 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const t = await r.text();
    return { status: r.status, body: t ? JSON.parse(t) : null };
  };

  it('nova-api refuses an unsynced database with one clear line', async () => {
    const err = await spawnDaemon('nova-api', ['--config-file', config], { env }).then(() => null, (e: Error) => e);
    expect(err?.message).to.contain('exited with 1').and.contain('nova-manage db sync');
  });

  it('nova-manage db sync is safe twice', async () => {
    const opts = { env: { ...process.env, ...env }, timeout: 60_000 };
    const first = await run(process.execPath, [join(BIN, 'nova-manage.js'), '--config-file', config, 'db', 'sync'], opts);
    expect(first.stdout).to.contain('Applied');
    const second = await run(process.execPath, [join(BIN, 'nova-manage.js'), '--config-file', config, 'db', 'sync'], opts);
    expect(second.stdout).to.contain('up to date');
  });

  it('starts nova-compute and nova-api, attaches and detaches over RabbitMQ, stops cleanly', async () => {
    daemons.push(await spawnDaemon('nova-compute', ['--config-file', config], { env }));
    daemons.push(await spawnDaemon('nova-api', ['--config-file', config], { env }));
    // Health as a load balancer sees it (no token), and the compute answering oslo's RPC ping.
    const health = await fetch(`${api}/healthcheck`);
    expect([health.status, await health.text()]).to.deep.equal([200, 'OK']);
    const rpc = getRpcTransport(env.TRANSPORT_URL as string);
    try {
      const host = /host = (\S+)/.exec(readFileSync(config, 'utf8'))?.[1];
      expect(await new RPCClient(rpc, new Target({ topic: 'compute', server: host }), { timeout: 10 }).call({}, 'oslo_rpc_server_ping')).to.equal('pong');
    } finally {
      await rpc.close();
    }
    const c = await req('POST', '/v2.1/servers', { server: { name: 'p1', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1' } });
    expect(c.status).to.equal(202);
    const sid = c.body.server.id as string;
    // Wider than the instances column on MariaDB: 400 from the schema, never a database error.
    const zone = 'z'.repeat(256);
    const az = await req('POST', '/v2.1/servers', { server: { name: 'p2', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1', availability_zone: zone } });
    expect(az.status).to.equal(400);
    expect(az.body.badRequest.message).to.equal(`Invalid input for field/attribute availability_zone. Value: ${zone}. '${zone}' is too long`);
    await waitFor(async () => (await req('GET', `/v2.1/servers/${sid}`)).body.server.status === 'ACTIVE', 15_000, 'ACTIVE');
    const v = cinder.create('demo');
    const a = await req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: v.id } });
    expect(a.status).to.equal(200);
    expect(a.body.volumeAttachment.device).to.equal('/dev/vdb');
    // A device name the BDM column (VARCHAR(255) on MariaDB) cannot hold: 400, not a database error.
    const long = await req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: cinder.create('demo').id, device: `/dev/vd${'x'.repeat(300)}` } });
    expect(long.status).to.equal(400);
    expect(long.body.badRequest.message).to.match(/^The supplied device path \(\/dev\/vdx+\) is invalid\.$/);
    await waitFor(() => cinder.volumes.get(v.id)?.status === 'in-use', 15_000, 'in-use');
    expect((await req('DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${v.id}`)).status).to.equal(202);
    await waitFor(() => cinder.volumes.get(v.id)?.status === 'available', 15_000, 'available');
    for (const d of daemons.splice(0).reverse()) expect(await d.stop()).to.equal(0);
  });

  it('SIGTERM lets nova-compute finish the attach in flight, then exit 0', async () => {
    const compute = await spawnDaemon('nova-compute', ['--config-file', config], { env });
    const api = await spawnDaemon('nova-api', ['--config-file', config], { env });
    daemons.push(compute, api);
    const c = await req('POST', '/v2.1/servers', { server: { name: 'slow', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1', metadata: { fake_slow: 'attach_volume' } } });
    const sid = c.body.server.id as string;
    await waitFor(async () => (await req('GET', `/v2.1/servers/${sid}`)).body.server.status === 'ACTIVE', 15_000, 'ACTIVE');
    const v = cinder.create('demo');
    expect((await req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: v.id } })).status).to.equal(200);
    await waitFor(() => compute.output().includes(`Attaching volume ${v.id}`), 15_000, 'the attach to start');
    expect(cinder.volumes.get(v.id)?.status).to.equal('attaching');
    // The guest attach takes 2 s: the stop must wait for it rather than drop it.
    expect(await compute.stop()).to.equal(0);
    expect(cinder.volumes.get(v.id)?.status).to.equal('in-use');
    expect(compute.output()).to.match(new RegExp(`Caught SIGTERM[\\s\\S]*Attached volume ${v.id}[\\s\\S]*Stopped`));
    expect(await api.stop()).to.equal(0);
  });
});
