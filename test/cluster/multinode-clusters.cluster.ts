// The multi-node layout of scripts/multinode.sh (nova-api-1/2, compute1/2, cinder-api,
// store1/store2 with a tgtd each) on the 3-node RabbitMQ cluster and the 3-node Galera cluster
// (scripts/cluster-test.sh runs it; not in the default suite). Once with classic queues, once
// with quorum queues, each in its own virtual host. Under a bounded attach/detach load (one
// server + volume per worker), the RabbitMQ node holding the `compute` topic queue (a classic
// queue's node, a quorum queue's leader) and the Galera node the services are connected to are
// SIGKILLed together; the load must go on through the other nodes; both nodes then rejoin.
// After the load: no 5xx but 503, never "already attached", and the drift audit of the fault
// suite (every row, attachment, BDM and export of both tgtds) is clean within CONVERGE_BOUND_MS,
// with every volume available or in-use as Nova's BDMs say. Figures as "figure:" lines.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { parseDatabaseUrl, type MysqlUrl } from '../../common/db';
import { drift, waitNoDrift, type Audited } from '../system/faults/drift';
import { INTERVAL, RPC_TIMEOUT } from '../system/faults/fault-cluster';
import { serverErrors, startLoad, type LoadTarget, type Pair } from '../system/faults/load';
import { waitFor } from '../support/processes';
import { createTestDatabase, requireRoot } from '../support/servers';
import { env, figure } from './cluster-support';

const run = promisify(execFile);
const SCRIPTS = join(__dirname, '../../../scripts');
const TOKEN = 'admin:admin';
const PROJECT = 'admin';
const PAIRS = 6;
/** The load stops by itself after this long (and each worker after LOAD_MAX_OPS requests). */
const LOAD_MS = 60_000;
const LOAD_MAX_OPS = 2000;
/** The bound we state: no drift this long after the load stopped (the nodes have rejoined by then). */
const CONVERGE_BOUND_MS = 120_000;

async function script(name: string, ...args: string[]): Promise<{ ms: number; stdout: string }> {
  const t0 = Date.now();
  const { stdout } = await run('bash', [join(SCRIPTS, name), ...args], { timeout: 300_000 });
  return { ms: Date.now() - t0, stdout };
}

/** One query on the first Galera node of `url` that answers (a killed or joining node is skipped). */
async function galeraQuery<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const p = parseDatabaseUrl(url) as MysqlUrl;
  let last: unknown;
  for (const h of p.hosts) {
    try {
      const c = await mysql.createConnection({ host: h.host, port: h.port, user: p.username, password: p.password, database: p.database, connectTimeout: 3000 });
      try {
        const [rows] = await c.query(sql, params);
        return rows as T[];
      } finally {
        await c.end().catch(() => undefined);
      }
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** The Galera node (1-3) holding most of the connections to these databases: the one in use. */
async function galeraNodeInUse(url: string, databases: string[]): Promise<{ node: number; counts: number[] }> {
  const p = parseDatabaseUrl(url) as MysqlUrl;
  const counts = await Promise.all(p.hosts.map(async (h) => {
    const c = await mysql.createConnection({ host: h.host, port: h.port, user: p.username, password: p.password, connectTimeout: 3000 });
    try {
      const [rows] = await c.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB IN (?)', [databases]);
      return Number((rows as Array<{ n: number }>)[0].n);
    } finally {
      await c.end();
    }
  }));
  return { node: counts.indexOf(Math.max(...counts)) + 1, counts };
}

/** queue name -> node (1-3) holding it (classic) or leading it (quorum), in `vhost`. */
async function queueNodes(dir: string, vhost: string): Promise<Map<string, number>> {
  const { stdout } = await script('rabbit-cluster.sh', 'queues', dir, vhost);
  return new Map(stdout.trim().split('\n').map((l) => l.split(' ')).map(([q, n]) => [q, Number(n)]));
}

for (const queues of ['classic', 'quorum'] as const) describe(`multi-node layout on the RabbitMQ + Galera clusters (${queues} queues)`, function () {
  this.timeout(15 * 60_000);
  const rabbitDir = env('ATTACHD_RABBIT_CLUSTER_DIR');
  const galeraDir = env('ATTACHD_GALERA_DIR');
  const vhost = `multinode-${queues}`;
  let dir = '';
  let scriptEnv: NodeJS.ProcessEnv = {};
  let novaDb: { url: string; drop: () => Promise<void> } | null = null;
  let cinderDb: { url: string; drop: () => Promise<void> } | null = null;
  let novaUrls: string[] = [];
  let cinderUrl = '';
  let controlPorts: number[] = [];
  const killed = { rabbit: false, galera: false };
  const pairs: Pair[] = [];
  let next = 0;

  // What the fault suite's load and audit drive: requests alternate over both nova-api.
  const target: LoadTarget & Audited = {
    async req(service, method, path, body, headers = {}) {
      const url = service === 'nova' ? `${novaUrls[next++ % novaUrls.length]}${path}` : `${cinderUrl}/v3/${PROJECT}${path}`;
      const r = await fetch(url, {
        method, headers: { 'X-Auth-Token': TOKEN, 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
    },
    novaQuery: (sql, params = []) => galeraQuery((novaDb as { url: string }).url, sql, params),
    cinderQuery: (sql, params = []) => galeraQuery((cinderDb as { url: string }).url, sql, params),
    get controlPort() { return controlPorts[0]; },
    get controlPorts() { return controlPorts; },
  };
  const log = (name: string): string => { try { return readFileSync(join(dir, 'logs', `${name}.log`), 'utf8'); } catch { return ''; } };
  const volumeStatus = async (id: string): Promise<string> => (await target.req('cinder', 'GET', `/volumes/${id}`)).body.volume.status as string;
  const waitVolume = (id: string, status: string): Promise<unknown> => waitFor(async () => (await volumeStatus(id)) === status, 60_000, `volume ${id} ${status}`, 200);

  before(async function () {
    requireRoot(this, 'the multinode layout (tgtd per backend)');
    // Both clusters whole (an earlier test may have left a node rejoining).
    await waitFor(() => script('rabbit-cluster.sh', 'status', rabbitDir).then(() => true), 120_000, 'RabbitMQ: 3 nodes up', 2000);
    await waitFor(() => script('galera.sh', 'status', galeraDir).then(() => true), 120_000, 'Galera: 3 nodes Synced', 2000);
    // Classic and quorum runs declare the same queue names with other arguments: a vhost each.
    await script('rabbit-cluster.sh', 'vhost', rabbitDir, vhost);
    novaDb = await createTestDatabase(this, 'nova');
    cinderDb = await createTestDatabase(this, 'cinder');
    dir = mkdtempSync(join(tmpdir(), `mn-clusters-${queues}-`));
    // The fault suite's reconciler intervals, so repairs happen within the bound.
    const rabbit = queues === 'quorum' ? ['[oslo_messaging_rabbit]', 'rabbit_quorum_queue = true'] : [];
    writeFileSync(join(dir, 'nova-extra.conf'), [
      '[compute]', `volume_reconcile_interval = ${INTERVAL}`, `pending_volume_op_timeout = ${INTERVAL}`, 'volume_op_retry_timeout = 15', ...rabbit, '',
    ].join('\n'));
    writeFileSync(join(dir, 'cinder-extra.conf'), [
      '[DEFAULT]', `periodic_interval = ${INTERVAL}`, 'attach_transition_timeout = 30', ...rabbit, '',
    ].join('\n'));
    scriptEnv = {
      ...process.env, TRANSPORT_URL: env('TRANSPORT_URL').replace(/\/$/, `/${vhost}`), NOVA_DATABASE_URL: novaDb.url, CINDER_DATABASE_URL: cinderDb.url,
      RPC_RESPONSE_TIMEOUT: String(RPC_TIMEOUT), NOVA_CONF_EXTRA: join(dir, 'nova-extra.conf'), CINDER_CONF_EXTRA: join(dir, 'cinder-extra.conf'),
    };
    const t0 = Date.now();
    await run('bash', [join(SCRIPTS, 'multinode.sh'), 'start', join(dir, 'layout')], { env: scriptEnv, timeout: 180_000 });
    figure(`${queues}: multinode.sh start on the clusters (db sync, 7 processes started)`, Date.now() - t0);
    dir = join(dir, 'layout');
    const vars = Object.fromEntries(readFileSync(join(dir, 'multinode.env'), 'utf8').trim().split('\n')
      .map((l) => l.split('=')).map(([k, v]) => [k, v.replace(/"/g, '')]));
    novaUrls = vars.NOVA_API_PORTS.split(' ').map((p) => `http://127.0.0.1:${p}`);
    cinderUrl = `http://127.0.0.1:${vars.CINDER_API_PORT}`;
    controlPorts = vars.TGT_CONTROL_PORTS.split(' ').map(Number);

    // More volumes than Cinder's default quota of 10 when PAIRS grows: raised as an operator would.
    const q = await target.req('cinder', 'PUT', `/os-quota-sets/${PROJECT}`, { quota_set: { volumes: PAIRS + 10 } });
    expect(q.status, JSON.stringify(q.body)).to.equal(200);
    const hosts = new Set<string>();
    const backends = new Set<string>();
    for (let i = 0; i < PAIRS; i++) {
      const s = await target.req('nova', 'POST', '/v2.1/servers', { server: { name: `mnc-${i}`, flavorRef: '1' } });
      expect(s.status, JSON.stringify(s.body)).to.equal(202);
      const server = await waitFor(async () => {
        const b = (await target.req('nova', 'GET', `/v2.1/servers/${s.body.server.id}`)).body.server;
        return b.status === 'ACTIVE' ? b : null;
      }, 60_000, `server mnc-${i} ACTIVE`, 200);
      hosts.add(server['OS-EXT-SRV-ATTR:host']);
      const v = await target.req('cinder', 'POST', '/volumes', { volume: { size: 1, name: `mnc-${i}` } });
      expect(v.status, JSON.stringify(v.body)).to.equal(202);
      await waitVolume(v.body.volume.id, 'available');
      backends.add((await target.req('cinder', 'GET', `/volumes/${v.body.volume.id}`)).body.volume['os-vol-host-attr:host']);
      pairs.push({ server: s.body.server.id, volume: v.body.volume.id });
    }
    // The load spans both computes and both backends.
    expect([...hosts].sort()).to.deep.equal(['compute1', 'compute2']);
    expect([...backends].sort()).to.deep.equal(['store1@tgt#tgt', 'store2@tgt#tgt']);
  });

  after(async () => {
    if (dir) await run('bash', [join(SCRIPTS, 'multinode.sh'), 'stop', dir], { env: scriptEnv, timeout: 120_000 }).catch((e: Error) => process.stderr.write(`${e.message}\n`));
    if (killed.rabbit) await script('rabbit-cluster.sh', 'start', rabbitDir).catch(() => undefined);
    if (killed.galera) await script('galera.sh', 'start', galeraDir).catch(() => undefined);
    await novaDb?.drop().catch(() => undefined);
    await cinderDb?.drop().catch(() => undefined);
    // CLUSTER_KEEP_LOGS=1: the layout's directory (configs, logs/<name>.log) stays for a look.
    if (dir && process.env.CLUSTER_KEEP_LOGS) process.stderr.write(`multinode layout kept in ${dir}\n`);
    else if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state !== 'failed' || !dir) return;
    for (const n of ['nova-api-1', 'nova-api-2', 'compute1', 'compute2', 'cinder-api', 'store1', 'store2']) process.stderr.write(`--- ${n}\n${log(n).slice(-4000)}\n`);
  });

  it('SIGKILL of the RabbitMQ node holding `compute` and of the Galera node in use, under load: no stuck volume', async () => {
    const tLoad = Date.now();
    const load = startLoad(target, pairs, { maxMs: LOAD_MS, maxOps: LOAD_MAX_OPS });
    let atKill = 0;
    let firstAfterKill: number;
    let rejoin: { rabbit: number; galera: number };
    let victims: { rabbit: number; galera: number };
    try {
      await waitFor(() => load.cycles() >= PAIRS, 30_000, 'the load to run', 100);
      const qn = await queueNodes(rabbitDir, vhost);
      const rabbitNode = qn.get('compute') ?? qn.get('cinder-volume');
      expect(rabbitNode, `queues of ${vhost}: ${JSON.stringify([...qn])}`).to.be.a('number');
      const inUse = await galeraNodeInUse((novaDb as { url: string }).url, [
        (parseDatabaseUrl((novaDb as { url: string }).url) as MysqlUrl).database, (parseDatabaseUrl((cinderDb as { url: string }).url) as MysqlUrl).database]);
      victims = { rabbit: rabbitNode as number, galera: inUse.node };
      figure(`${queues}: queues by node before the kill: ${[...qn].filter(([q]) => !q.startsWith('reply_')).map(([q, n]) => `${q}@${n}`).join(' ')}`);
      figure(`${queues}: service connections per Galera node before the kill: ${inUse.counts.join('/')}`);

      atKill = load.cycles();
      const tKill = Date.now();
      killed.rabbit = killed.galera = true;
      await Promise.all([
        script('rabbit-cluster.sh', 'kill', rabbitDir, String(victims.rabbit)),
        script('galera.sh', 'kill', galeraDir, String(victims.galera)),
      ]);
      // The load goes on through the other nodes: every worker's worth of cycles completes.
      await waitFor(() => load.cycles() >= atKill + PAIRS, LOAD_MS, 'cycles after the kill', 100);
      firstAfterKill = Date.now() - tKill;

      // Both nodes rejoin while the load runs.
      const [r, g] = await Promise.all([script('rabbit-cluster.sh', 'start', rabbitDir), script('galera.sh', 'start', galeraDir)]);
      killed.rabbit = killed.galera = false;
      rejoin = { rabbit: r.ms, galera: g.ms };
      // The load ends at its own bound (LOAD_MS) or once another round completed after the rejoin.
      const afterRejoin = load.cycles();
      await waitFor(() => load.cycles() >= afterRejoin + PAIRS || Date.now() - tLoad > LOAD_MS, LOAD_MS, 'cycles after the rejoin', 100);
    } catch (e) {
      await load.stop();
      throw e;
    }
    const res = await load.stop();
    const loadMs = Date.now() - tLoad;
    expect(serverErrors(res), JSON.stringify([...res.statuses])).to.deep.equal([]);
    expect(res.alreadyAttached, res.evidence.join('\n')).to.equal(0);

    // What the reconcilers still had to finish when the load stopped (ids left out).
    const pending = await drift(target).catch((e: Error) => [`audit failed: ${e.message}`]);
    const kinds = new Map<string, number>();
    for (const d of pending) {
      const k = d.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '…').replace(/\b(BDM|attachment) \d+/g, '$1 …');
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    const converge = await waitNoDrift(target, CONVERGE_BOUND_MS);
    // Every volume settled as Nova sees it: in-use with one live BDM on its server, or available with none.
    const settled: string[] = [];
    for (const p of pairs) {
      const status = await volumeStatus(p.volume);
      const bdms = await target.novaQuery<{ instance_uuid: string }>('SELECT instance_uuid FROM block_device_mapping WHERE volume_id = ? AND deleted = 0', [p.volume]);
      settled.push(status);
      expect(['available', 'in-use'], `volume ${p.volume}`).to.include(status);
      expect(bdms.map((b) => b.instance_uuid), `BDMs of volume ${p.volume} (${status})`).to.deep.equal(status === 'in-use' ? [p.server] : []);
    }
    // And each still attaches and detaches.
    for (const p of pairs) {
      if ((await volumeStatus(p.volume)) === 'available') {
        const a = await target.req('nova', 'POST', `/v2.1/servers/${p.server}/os-volume_attachments`, { volumeAttachment: { volumeId: p.volume } });
        expect(a.status, JSON.stringify(a.body)).to.equal(200);
        await waitVolume(p.volume, 'in-use');
      }
      const d = await target.req('nova', 'DELETE', `/v2.1/servers/${p.server}/os-volume_attachments/${p.volume}`);
      expect(d.status, JSON.stringify(d.body)).to.equal(202);
      await waitVolume(p.volume, 'available');
    }
    await waitNoDrift(target, CONVERGE_BOUND_MS);

    figure(`${queues}: killed RabbitMQ node ${victims.rabbit} (holding compute) and Galera node ${victims.galera} (in use); both rejoined`);
    figure(`${queues}: attach/detach cycles ${res.cycles} by ${PAIRS} workers in ${(loadMs / 1000).toFixed(1)} s (${atKill} before the kill)`);
    figure(`${queues}: statuses ${[...res.statuses].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    figure(`${queues}: kill -> ${PAIRS} more cycles completed`, firstAfterKill);
    figure(`${queues}: rabbit-cluster.sh start (killed node rejoins)`, rejoin.rabbit);
    figure(`${queues}: galera.sh start (killed node rejoins)`, rejoin.galera);
    figure(`${queues}: drift when the load stopped: ${pending.length ? [...kinds].map(([k, n]) => `${n} x ${k}`).join('; ') : 'none'}`);
    figure(`${queues}: load stopped -> no drift (bound ${CONVERGE_BOUND_MS / 1000} s)`, converge);
    figure(`${queues}: volumes after the load: ${settled.filter((s) => s === 'in-use').length} in-use, ${settled.filter((s) => s === 'available').length} available`);
  });
});
