// RPC through the loss of a RabbitMQ node (scripts/cluster-test.sh runs it on its 3-node
// cluster; not in the default suite). For classic and for quorum queues: two servers and two
// clients spread over the nodes, a bounded call + cast load, and the node holding the topic
// queue (a classic queue's node, a quorum queue's leader) SIGKILLed mid-load. Then:
//   - no confirmed cast is lost (a cast the broker handed back is sent again, or rejected with
//     MessageUndeliverable: never confirmed and dropped);
//   - every call returns or raises MessagingTimeout;
//   - both servers consume again (their `<topic>.<server>` answers) within CONSUMERS_BACK_MS;
//   - a fanout cast reaches both servers, a notification its listener.
// And Python oslo.messaging with rabbit_quorum_queue (+ rabbit_transient_quorum_queue, which
// Debian's 14.0.3 does not know and ignores) calling our server and ours calling it.
// Figures are printed as "figure:" lines.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as amqp from 'amqplib';
import {
  getRpcTransport, MessageUndeliverable, MessagingTimeout, NotificationListener, Notifier, RPCClient, RPCServer, Target,
  type Transport, type TransportOptions,
} from '../../common/rpc';
import { parseRabbitUrl } from '../../common/rpc/drivers/rabbit/url';
import { setupLogging } from '../../common/log';
import { Peer, requirePythonOslo, run } from '../system/interop/peers';
import { writeConfig } from '../support/processes';
import { env, figure, until } from './cluster-support';

const exec = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SCRIPTS = join(__dirname, '../../../scripts');
/** Load per client: at most this many cast + call rounds, and no longer than LOAD_AFTER_KILL_MS after the kill. */
const MAX_ROUNDS = 400;
const LOAD_AFTER_KILL_MS = 15_000;
/** The bound we state for both servers to consume again after the kill. */
const CONSUMERS_BACK_MS = 30_000;

/** The cluster URL with node `n` (1-3) first: a transport connects to it while it is up. */
function urlOnNode(url: string, n: number): string {
  const p = parseRabbitUrl(url);
  const hosts = [...p.hosts.slice(n - 1), ...p.hosts.slice(0, n - 1)];
  const e = encodeURIComponent;
  return `rabbit://${hosts.map((h) => `${e(h.username)}:${e(h.password)}@${h.hostname}:${h.port}`).join(',')}/${p.vhost === '/' ? '' : e(p.vhost)}`;
}

/** queue name -> node (1-3) holding it (classic) or leading it (quorum). */
async function queueNodes(dir: string): Promise<Map<string, number>> {
  const { stdout } = await exec('bash', [join(SCRIPTS, 'rabbit-cluster.sh'), 'queues', dir], { timeout: 60_000 });
  return new Map(stdout.trim().split('\n').map((l) => l.split(' ')).map(([q, n]) => [q, Number(n)]));
}

describe('RPC through a RabbitMQ node kill (3-node cluster)', function () {
  this.timeout(600_000);
  const rabbitDir = env('ATTACHD_RABBIT_CLUSTER_DIR');
  const url = env('TRANSPORT_URL');
  const transports: Transport[] = [];
  const made: { queues: string[]; exchanges: string[] } = { queues: [], exchanges: [] };
  let killed = false;
  // CLUSTER_LOG=FILE: our RPC layer's log (debug) goes there.
  if (process.env.CLUSTER_LOG) setupLogging({ file: process.env.CLUSTER_LOG, debug: true });

  afterEach(async () => {
    if (killed) {
      await exec('bash', [join(SCRIPTS, 'rabbit-cluster.sh'), 'start', rabbitDir], { timeout: 300_000 });
      killed = false;
    }
    for (const t of transports.splice(0)) await t.close();
  });

  after(async () => {
    // Quorum queues and durable exchanges outlive their users: remove what these tests made.
    const h = parseRabbitUrl(url).hosts[0];
    const conn = await amqp.connect({ protocol: 'amqp', hostname: h.hostname, port: h.port, username: h.username, password: h.password });
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    for (const q of made.queues) await ch.deleteQueue(q).catch(() => undefined);
    for (const x of made.exchanges) await ch.deleteExchange(x).catch(() => undefined);
    await conn.close().catch(() => undefined);
  });

  for (const mode of ['classic', 'quorum'] as const) {
    it(`${mode}: no confirmed cast lost, calls answer or time out, consumers back, fanout and notifications arrive`, async () => {
      const hex = randomBytes(4).toString('hex');
      const topic = `kill_${mode}_${hex}`;
      const exchange = `kill_x_${hex}`;
      made.queues.push(topic, `${topic}.a`, `${topic}.b`, `notif_${hex}.info`);
      made.exchanges.push(exchange);
      const opts: TransportOptions = { controlExchange: exchange, ...(mode === 'quorum' ? { quorumQueue: true } : {}) };
      const on = (n: number): Transport => {
        const t = getRpcTransport(urlOnNode(url, n), opts);
        transports.push(t);
        return t;
      };
      // Server a on node 1 starts first: the topic queue is declared there (classic) or led
      // from there (quorum, client-local leader). Server b on node 2, clients on 1 and 3.
      const got = { a: new Set<string>(), b: new Set<string>() };
      const fans = { a: new Set<string>(), b: new Set<string>() };
      for (const [name, node] of [['a', 1], ['b', 2]] as const) {
        const s = new RPCServer(on(node), new Target({ topic, server: name }), [{
          methods: {
            echo: (_c, a) => a.v,
            record: (_c, a) => { got[name].add(String(a.id)); },
            fan: (_c, a) => { fans[name].add(String(a.id)); },
          },
        }]);
        await s.start();
      }
      const notes: string[] = [];
      const listener = new NotificationListener(on(2), [new Target({ topic: `notif_${hex}` })], { onMessage: (n) => { notes.push(n.eventType); } }, { priorities: ['info'] });
      await listener.start();
      const notifier = new Notifier(on(3), { publisherId: 'kill', driver: ['messagingv2'], topics: [`notif_${hex}`] });
      const clients = [new RPCClient(on(1), new Target({ topic }), { timeout: 5 }), new RPCClient(on(3), new Target({ topic }), { timeout: 5 })];
      expect(await clients[0].call({}, 'echo', { v: 'up' })).to.equal('up');
      // The client that checks the servers are back has never sent to their own queues: with
      // RabbitMQ 3.10 and quorum queues its first requests after the failover go to the dead
      // leader and time out, then a new channel reaches the new one (docs/clusters.md).

      const victim = (await queueNodes(rabbitDir)).get(topic);
      expect(victim, `the node of queue ${topic}`).to.be.a('number');
      figure(`${mode}: topic queue on node ${String(victim)}`);

      const casts = { confirmed: new Set<string>(), undeliverable: 0, other: [] as string[] };
      const calls = { ok: 0, timeout: 0, other: [] as string[] };
      let killedAt = 0;
      let rounds = 0;
      const load = async (c: RPCClient, who: number): Promise<void> => {
        for (let i = 0; i < MAX_ROUNDS && !(killedAt && Date.now() - killedAt > LOAD_AFTER_KILL_MS); i++) {
          rounds++;
          const id = `${who}-${i}`;
          const cast = c.cast({}, 'record', { id }).then(() => { casts.confirmed.add(id); }, (e: unknown) => {
            if (e instanceof MessageUndeliverable) casts.undeliverable++;
            else casts.other.push(String(e));
          });
          const call = c.call({}, 'echo', { v: id }).then((v) => {
            if (v === id) calls.ok++; else calls.other.push(`wrong answer ${String(v)}`);
          }, (e: unknown) => {
            if (e instanceof MessagingTimeout) calls.timeout++;
            else calls.other.push(String(e));
          });
          await Promise.all([cast, call]);
          // Pacing of a bounded load loop (not a wait for an event).
          await sleep(20);
        }
      };
      const loads = clients.map((c, i) => load(c, i));
      await until(async () => (rounds >= 40 ? true : undefined), 30_000, 'load running');
      await exec('bash', [join(SCRIPTS, 'rabbit-cluster.sh'), 'kill', rabbitDir, String(victim)], { timeout: 60_000 });
      killed = true;
      killedAt = Date.now();

      // Both servers consume again: each answers on its own queue.
      const back = await Promise.all(['a', 'b'].map(async (server) => {
        const c = clients[1].prepare({ server, timeout: 2 });
        await until(async () => ((await c.call({}, 'echo', { v: server })) === server ? true : undefined), CONSUMERS_BACK_MS, `server ${server} back`);
        return Date.now() - killedAt;
      }));
      await Promise.all(loads);
      const fanId = `fan-${hex}`;
      await clients[1].prepare({ fanout: true }).cast({}, 'fan', { id: fanId });
      await until(async () => (fans.a.has(fanId) && fans.b.has(fanId) ? true : undefined), 20_000, 'the fanout cast at both servers');
      await notifier.info({}, 'after.kill', {});
      await until(async () => (notes.includes('after.kill') ? true : undefined), 20_000, 'the notification');
      const received = (id: string): boolean => got.a.has(id) || got.b.has(id);
      await until(async () => ([...casts.confirmed].every(received) ? true : undefined), 60_000, 'every confirmed cast at a server')
        .catch(() => undefined);
      const lost = [...casts.confirmed].filter((id) => !received(id));

      figure(`${mode}: ${rounds} rounds; casts confirmed ${casts.confirmed.size}, undeliverable ${casts.undeliverable}, lost ${lost.length}; ` +
        `calls answered ${calls.ok}, MessagingTimeout ${calls.timeout}`);
      figure(`${mode}: server a (was on the killed node ${victim === 1 ? 'too' : 'not'}) consuming again`, back[0]);
      figure(`${mode}: server b consuming again`, back[1]);
      expect(lost, 'confirmed casts never received').to.deep.equal([]);
      expect(casts.other, 'casts failing otherwise').to.deep.equal([]);
      expect(calls.other, 'calls failing otherwise').to.deep.equal([]);
      expect(calls.ok).to.be.greaterThan(0);
      await listener.stop();
    });
  }

  it('Python oslo.messaging and ours call each other on the cluster with quorum queues', async function () {
    requirePythonOslo(this);
    const hex = randomBytes(4).toString('hex');
    const exchange = `pyq_x_${hex}`;
    made.exchanges.push(exchange);
    const conf = writeConfig('cluster-quorum.conf', '[oslo_messaging_rabbit]\nrabbit_quorum_queue = true\nrabbit_transient_quorum_queue = true\n');
    const peers: Peer[] = [];
    try {
      for (const [kind, node] of [['py', 2], ['ts', 3]] as const) {
        const topic = `pyq_${kind}_${hex}`;
        made.queues.push(topic, `${topic}.s1`);
        const p = new Peer(kind, ['serve', '--url', urlOnNode(url, node), '--topic', topic, '--server', 's1', '--control-exchange', exchange, '--config-file', conf]);
        peers.push(p);
        await p.ready();
      }
      // Each side calls the other's server, from another node.
      for (const [caller, server, node] of [['ts', 'py', 1], ['py', 'ts', 1]] as const) {
        const r = await run(caller, ['call', '--url', urlOnNode(url, node), '--topic', `pyq_${server}_${hex}`, '--control-exchange', exchange,
          '--method', 'add', '--args', '{"a":2,"b":3}', '--timeout', '20', '--config-file', conf], 60_000);
        expect(r.last, `${caller} calling ${server}: ${r.stderr.slice(-500)}`).to.deep.equal({ ok: true, result: 5 });
        figure(`interop: ${caller} client -> ${server} server (quorum), ${r.ms} ms including start`);
      }
      const types = await queueNodes(rabbitDir);
      expect(types.has(`pyq_py_${hex}`) && types.has(`pyq_ts_${hex}`)).to.equal(true);
    } finally {
      for (const p of peers) await p.stop();
    }
  });
});
