// Quorum queues shared with the real Python oslo.messaging: with rabbit_quorum_queue = true on
// both sides, whichever declares the topic queue first, the other consumes it too and calls to
// either server are answered. The queue types are read from the broker (rabbitmqctl).
//
// Debian's oslo.messaging (14.0.3) predates rabbit_transient_quorum_queue (14.7): its fanout
// exchange stays non-durable, so a server of ours with that option on the same topic would be
// refused. It is set for our clients only, whose reply_ queue is theirs alone.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { brokerQueues, requireServersDir, requireTransportUrl, type BrokerQueue } from '../../support/servers';
import { writeConfig } from '../../support/processes';
import { Peer, requirePythonOslo, run, type PeerKind } from './peers';

const kinds: PeerKind[] = ['py', 'ts'];

for (const first of kinds) {
  const second: PeerKind = first === 'py' ? 'ts' : 'py';
  describe(`interop: quorum queues, ${first} server declares first, ${second} server shares them`, function () {
    this.timeout(60_000);
    let url: string;
    const hex = randomBytes(4).toString('hex');
    const topic = `qq_${first}_${hex}`;
    // Its own control exchange: rabbit_quorum_queue makes it durable, 'openstack' is not.
    const exchange = `qq_x_${hex}`;
    const peers: Peer[] = [];
    let serverConf: string;
    let clientConf: string;
    let existing: Set<string>;

    before(async function () {
      url = await requireTransportUrl(this);
      requireServersDir(this);
      requirePythonOslo(this);
      serverConf = writeConfig('qq-server.conf', '[oslo_messaging_rabbit]\nrabbit_quorum_queue = true\n');
      clientConf = writeConfig('qq-client.conf', '[oslo_messaging_rabbit]\nrabbit_quorum_queue = true\nrabbit_transient_quorum_queue = true\n');
      existing = new Set((await brokerQueues(this)).map((q) => q.name));
      const serve = (kind: PeerKind, server: string): Peer => {
        const p = new Peer(kind, ['serve', '--url', url, '--topic', topic, '--server', server, '--control-exchange', exchange, '--config-file', serverConf]);
        peers.push(p);
        return p;
      };
      await serve(first, 'first').ready();
      await serve(second, 'second').ready();
    });

    after(async () => {
      const codes = await Promise.all(peers.map((p) => p.stop()));
      const conn = await amqp.connect(url.replace(/^rabbit:/, 'amqp:'));
      const ch = await conn.createChannel();
      // Quorum queues are durable: what this test made goes, reply_ queues included.
      for (const q of await brokerQueues()) {
        if (!existing.has(q.name) && (q.name.startsWith(topic) || (q.name.startsWith('reply_') && q.type === 'quorum'))) {
          await ch.deleteQueue(q.name).catch(() => undefined);
        }
      }
      await ch.deleteExchange(exchange).catch(() => undefined);
      await conn.close();
      expect(codes).to.deep.equal(peers.map(() => 0));
    });

    it('the topic and server queues are quorum queues, and both servers answer', async () => {
      const queues = new Map<string, BrokerQueue>((await brokerQueues()).map((q) => [q.name, q]));
      for (const name of [topic, `${topic}.first`, `${topic}.second`]) {
        expect(queues.get(name), name).to.deep.include({ type: 'quorum', durable: true });
      }
      for (const server of ['first', 'second']) {
        const r = await run('ts', ['call', '--url', url, '--topic', topic, '--server', server, '--control-exchange', exchange,
          '--method', 'add', '--args', '{"a":2,"b":3}', '--timeout', '15', '--config-file', clientConf]);
        expect(r.last, `${server}: ${r.stderr}`).to.deep.equal({ ok: true, result: 5 });
      }
      // Through the shared topic queue, from Python: whichever server takes it answers.
      const p = await run('py', ['call', '--url', url, '--topic', topic, '--control-exchange', exchange,
        '--method', 'echo', '--args', '{"value":"q"}', '--timeout', '15', '--config-file', serverConf]);
      expect(p.last, p.stderr).to.deep.equal({ ok: true, result: 'q' });
      // Our client's reply queue followed rabbit_transient_quorum_queue.
      const replies = (await brokerQueues()).filter((q) => q.name.startsWith('reply_') && !existing.has(q.name));
      expect(replies.some((q) => q.type === 'quorum' && q.durable && q.arguments['x-expires'] === 1_800_000), JSON.stringify(replies)).to.equal(true);
    });
  });
}
