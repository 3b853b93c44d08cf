// Failover on real clusters: a 3-node Galera and a 3-node RabbitMQ, both on this machine
// (scripts/cluster-test.sh starts them). Not in the default suite (the name does not end in
// .test.ts): clusters take ~30 s to start and the test kills and restarts nodes.
//   - Galera: the client writes through the multi-host URL, the node it writes to is SIGKILLed;
//     every write that reported success is on every node afterwards (the killed one too, once
//     it rejoined) and the client moved to another node.
//   - Galera: read-modify-write transactions on two nodes at once conflict at certification
//     (1213); transactionWithRetry re-runs them and no increment is lost.
//   - RabbitMQ: the node our transports are connected to is SIGKILLed; a call and a cast make
//     the round trip afterwards, and again once the node rejoined.
// Figures (times to recover) are printed as "figure: ..." lines.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { createDataSource, parseDatabaseUrl, transactionWithRetry, type MysqlUrl } from '../../common/db';
import { openCinderDatabase } from '../../cinder-common/db';
import { CinderDB } from '../../cinder-common/db-api';
import { getRpcTransport, RPCClient, RPCServer, Target, type Transport } from '../../common/rpc';
import { createTestDatabase } from '../support/servers';
import { env, figure, until } from './cluster-support';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SCRIPTS = join(__dirname, '../../../scripts');
const TYPE_ID = '00000000-0000-0000-0000-000000000001';

async function script(name: string, ...args: string[]): Promise<number> {
  const t0 = Date.now();
  await run('bash', [join(SCRIPTS, name), ...args], { timeout: 300_000 });
  return Date.now() - t0;
}

/** Which Galera node (wsrep_node_name ends in -N) a connection of `ds` is on. */
async function nodeOf(ds: DataSource): Promise<string> {
  const rows = (await ds.query('SELECT @@wsrep_node_name AS n')) as Array<{ n: string }>;
  return rows[0].n.replace(/.*-/, '');
}

/** Rows of `ids` present on one node, asked over a direct single-host connection. */
async function countOnNode(p: MysqlUrl, index: number, database: string, ids: string[]): Promise<number> {
  const c = await mysql.createConnection({ host: p.hosts[index].host, port: p.hosts[index].port, user: p.username, password: p.password, database });
  try {
    let n = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const [rows] = await c.query('SELECT COUNT(*) AS n FROM volumes WHERE id IN (?)', [ids.slice(i, i + 500)]);
      n += Number((rows as Array<{ n: number }>)[0].n);
    }
    return n;
  } finally {
    await c.end();
  }
}

describe('Galera cluster through the multi-host URL', function () {
  this.timeout(300_000);
  const galeraDir = env('ATTACHD_GALERA_DIR');
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let killed = false;

  before(async function () {
    db = await createTestDatabase(this, 'cinder');
    ds = await openCinderDatabase(db.url, { migrate: true });
  });

  after(async () => {
    if (killed) await script('galera.sh', 'start', galeraDir).catch(() => undefined);
    await ds?.destroy().catch(() => undefined);
    await db?.drop().catch(() => undefined);
  });

  it('keeps every acknowledged write when the node in use is SIGKILLed, and fails over', async () => {
    const cinder = new CinderDB(ds);
    const p = parseDatabaseUrl(db.url) as MysqlUrl;
    const database = p.database;
    expect(p.hosts).to.have.length(3);
    const first = await nodeOf(ds);
    const acked: string[] = [];
    const ackAt: number[] = [];
    let failures = 0;
    const errors = new Set<string>();
    let stop = false;
    // Four writers, each one autocommit INSERT at a time, as the APIs write.
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        try {
          const row = await cinder.volumeCreate({ size: 1, displayName: `w${w}-${i}`, projectId: 'p', volumeTypeId: TYPE_ID });
          acked.push(row.id);
          ackAt.push(Date.now());
        } catch (e) {
          failures++;
          errors.add((e as { code?: string }).code ?? (e as Error).message);
          await sleep(20);
        }
      }
    };
    /** The longest time without an acknowledged write in [from, to]: how long writes stalled. */
    const stall = (from: number, to: number): number => {
      const t = [from, ...ackAt.filter((x) => x > from && x < to), to];
      return Math.max(...t.slice(1).map((x, k) => x - t[k]));
    };
    const writers = [0, 1, 2, 3].map(writer);
    await until(async () => (acked.length >= 200 ? true : undefined), 30_000, '200 writes');

    const beforeKill = acked.length;
    const tKill = Date.now();
    killed = true;
    await script('galera.sh', 'kill', galeraDir, first);
    await until(async () => (acked.length > beforeKill + 100 ? true : undefined), 60_000, 'writes after the kill');
    const now = await nodeOf(ds);
    expect(now).to.not.equal(first);
    await sleep(3000);

    // The killed node rejoins (IST) while the writers go on.
    const tStart = Date.now();
    const rejoin = await script('galera.sh', 'start', galeraDir);
    killed = false;
    await sleep(3000);
    stop = true;
    await Promise.all(writers);
    const tEnd = Date.now();

    const ids = [...acked];
    for (let i = 0; i < 3; i++) {
      // A joiner may still be applying the last write sets: wait until it has them all.
      const n = await until(async () => {
        const c = await countOnNode(p, i, database, ids);
        return c === ids.length ? c : undefined;
      }, 30_000, `all acknowledged rows on node ${i + 1}`).catch(() => countOnNode(p, i, database, ids));
      expect(n, `acknowledged rows on node ${i + 1}`).to.equal(ids.length);
    }
    figure(`galera: writes acknowledged ${ids.length} (failed attempts ${failures}: ${[...errors].join(', ')}), node ${first} killed, client moved to node ${now}`);
    figure('galera: longest stall of acknowledged writes after the kill of the node in use', stall(tKill, tStart));
    figure('galera: longest stall of acknowledged writes while the killed node rejoins', stall(tStart, tEnd));
    figure('galera: galera.sh start (killed node recovers its position, rejoins by IST, Synced)', rejoin);
  });

  it('re-runs transactions that lost at certification (1213) and loses no increment', async () => {
    const p = parseDatabaseUrl(db.url) as MysqlUrl;
    // One DataSource pinned to each of two nodes: their transactions on one row conflict.
    const pinned = await Promise.all([0, 1].map(async (i) => {
      const url = `mysql://${encodeURIComponent(p.username)}:${encodeURIComponent(p.password)}@${p.hosts[i].host}:${p.hosts[i].port}/${p.database}`;
      const d = createDataSource({ url, entities: [], migrations: [], name: `node${i + 1}` });
      return d.initialize();
    }));
    try {
      await pinned[0].query('CREATE TABLE counter (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB');
      await pinned[0].query('INSERT INTO counter VALUES (1, 0)');
      await until(async () => ((await pinned[1].query('SELECT n FROM counter')) as unknown[]).length === 1 ? true : undefined, 10_000, 'table on node 2');
      let retries = 0;
      const increments = 25;
      const worker = (d: DataSource) => async (): Promise<void> => {
        for (let i = 0; i < increments; i++) {
          await transactionWithRetry(d, async (m) => {
            const rows = (await m.query('SELECT n FROM counter WHERE id = 1 FOR UPDATE')) as Array<{ n: number }>;
            await sleep(5);
            await m.query('UPDATE counter SET n = ? WHERE id = 1', [rows[0].n + 1]);
          }, { maxRetries: 20, sleep: async (ms) => { retries++; await sleep(ms); } });
        }
      };
      await Promise.all(pinned.flatMap((d) => [worker(d)(), worker(d)()]));
      // A commit returns once certified; the other node applies it a moment later, so a plain
      // read there may miss the last increment. A causal read (wsrep_sync_wait's read bit)
      // waits until its node has applied everything committed before it: on both nodes.
      for (const [i, d] of pinned.entries()) {
        const rows = (await d.query('SET STATEMENT wsrep_sync_wait=1 FOR SELECT n FROM counter WHERE id = 1')) as Array<{ n: number }>;
        expect(Number(rows[0].n), `on node ${i + 1}`).to.equal(4 * increments);
      }
      figure(`galera: ${4 * increments} conflicting increments on two nodes, ${retries} re-run by transactionWithRetry`);
    } finally {
      for (const d of pinned) await d.destroy();
    }
  });
});

describe('RabbitMQ cluster through the multi-host transport URL', function () {
  this.timeout(300_000);
  const rabbitDir = env('ATTACHD_RABBIT_CLUSTER_DIR');
  const transports: Transport[] = [];
  let killed = false;

  after(async () => {
    if (killed) await script('rabbit-cluster.sh', 'start', rabbitDir).catch(() => undefined);
    for (const t of transports) await t.close();
  });

  it('a call and a cast make the round trip after the node in use is SIGKILLed, and after it rejoined', async () => {
    const url = env('TRANSPORT_URL');
    const topic = `cluster_${randomBytes(4).toString('hex')}`;
    const serverT = getRpcTransport(url);
    const clientT = getRpcTransport(url);
    transports.push(serverT, clientT);
    const received = new Set<string>();
    const server = new RPCServer(serverT, new Target({ topic, server: 'c1' }), [{
      methods: {
        echo: (_c, a) => a.value,
        record: (_c, a) => { received.add(String(a.tag)); },
      },
    }]);
    await server.start();
    const client = new RPCClient(clientT, new Target({ topic }), { timeout: 5 });
    expect(await client.call({}, 'echo', { value: 'before' })).to.equal('before');

    const roundTrip = async (tag: string): Promise<void> => {
      expect(await client.prepare({ timeout: 3 }).call({}, 'echo', { value: tag })).to.equal(tag);
      await client.cast({}, 'record', { tag });
      await until(async () => (received.has(tag) ? true : undefined), 10_000, `cast ${tag}`);
    };
    await roundTrip('before-kill');

    // Both transports connect to the first host of the URL: node 1.
    const tKill = Date.now();
    killed = true;
    await script('rabbit-cluster.sh', 'kill', rabbitDir, '1');
    let n = 0;
    await until(async () => { await roundTrip(`after-kill-${n++}`); return true; }, 120_000, 'a round trip after the kill');
    const failover = Date.now() - tKill;

    const rejoin = await script('rabbit-cluster.sh', 'start', rabbitDir);
    killed = false;
    const { stdout } = await run('bash', [join(SCRIPTS, 'rabbit-cluster.sh'), 'status', rabbitDir]);
    expect(stdout.match(/ up$/gm) ?? []).to.have.length(3);
    await roundTrip('after-rejoin');
    figure('rabbitmq: kill of the node in use -> call + cast round trip on another node', failover);
    figure('rabbitmq: rabbit-cluster.sh start (killed node boots and rejoins)', rejoin);
    await server.stop();
    await server.wait();
  });
});
