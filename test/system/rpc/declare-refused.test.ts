// A topic queue another service declared as a quorum queue, and our server with the default
// (classic) options: RabbitMQ refuses our declaration with PRECONDITION_FAILED. The server says
// so once (argument, both values), retries with rabbit_retry_interval/backoff/interval_max, and
// consumes as soon as the conflict is gone. The same options as the other service avoid it.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { requireTransportUrl } from '../../support/servers';
import { waitFor, writeConfig } from '../../support/processes';
import { Peer, run } from '../interop/peers';

const REFUSED = /RabbitMQ refused to declare queue '([^']+)': argument '([^']+)' is (\S+) on the broker but we declare (\S+)\./g;
const AGAIN = /declaration of (\S+) refused again \((\d+) times\); retrying in ([\d.]+) s/g;

describe('a queue declaration the broker refuses', function () {
  this.timeout(40_000);
  let url: string;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  const peers: Peer[] = [];
  const hex = randomBytes(4).toString('hex');
  const topic = `refused_${hex}`;
  const exchange = `refused_x_${hex}`;

  before(async function () {
    url = await requireTransportUrl(this);
    conn = await amqp.connect(url.replace(/^rabbit:/, 'amqp:'));
    ch = await conn.createChannel();
  });

  after(async () => {
    for (const p of peers) await p.stop();
    if (ch) {
      await ch.deleteQueue(topic).catch(() => undefined);
      await ch.deleteQueue(`${topic}.s1`).catch(() => undefined);
      await ch.deleteExchange(exchange).catch(() => undefined);
    }
    await conn?.close().catch(() => undefined);
  });

  it('is logged once with the argument and both values, retried with backoff, then consumed once the queue is gone', async () => {
    // As a Python service with rabbit_quorum_queue = true has it.
    await ch.assertQueue(topic, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const conf = writeConfig('refused.conf', '[oslo_messaging_rabbit]\nrabbit_retry_interval = 1\nrabbit_retry_backoff = 1\nrabbit_interval_max = 2\n');
    const peer = new Peer('ts', ['serve', '--url', url, '--topic', topic, '--exchange', exchange, '--server', 's1', '--config-file', conf],
      { RPC_PEER_QUIET: '0', RPC_PEER_DEBUG: '1' });
    peers.push(peer);
    const refused = (): RegExpMatchArray[] => [...peer.stderr.matchAll(REFUSED)];
    const again = (): RegExpMatchArray[] => [...peer.stderr.matchAll(AGAIN)];

    await waitFor(() => refused().length > 0, 15_000, 'the refusal logged', 10);
    const tFirst = Date.now();
    await waitFor(() => again().length >= 2, 15_000, 'two retries', 10);
    const gap = Date.now() - tFirst;

    const [first] = refused();
    expect(first[1]).to.equal(topic);
    // RabbitMQ names the first argument that differs: ours is classic and non-durable.
    expect(`${first[2]}:${first[3]}:${first[4]}`).to.be.oneOf(["durable:'true':'false'", "x-queue-type:'quorum':none"]);
    // Retries wait 1 s, then 2 s (backoff 1, capped at 2): not a reconnect every 1.5 s.
    expect(peer.stderr).to.match(/Retrying with backoff \(next in 1\.00 s\)/);
    expect(again().slice(0, 2).map((m) => [m[2], m[3]])).to.deep.equal([['2', '2.00'], ['3', '2.00']]);
    expect(gap).to.be.at.least(2_700);
    expect(refused()).to.have.length(1);
    expect(peer.stderr).not.to.match(/AMQP connection lost/);
    expect(peer.events('ready')).to.have.length(0);

    // The conflicting queue goes: the next retry declares it our way and the server answers.
    await ch.deleteQueue(topic);
    await peer.ready(10_000);
    const r = await run('ts', ['call', '--url', url, '--topic', topic, '--exchange', exchange, '--method', 'add', '--args', '{"a":1,"b":2}', '--timeout', '10']);
    expect(r.last).to.deep.equal({ ok: true, result: 3 });
    expect(refused()).to.have.length(1);
    expect(peer.stderr).to.match(/Declared \S+ after \d+ refusal\(s\); consuming/);
  });

  it('a server still retrying stops at once on SIGTERM', async () => {
    const q = `${topic}_stop`;
    await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    try {
      const peer = new Peer('ts', ['serve', '--url', url, '--topic', q, '--exchange', exchange, '--server', 's1'], { RPC_PEER_QUIET: '0' });
      await waitFor(() => peer.stderr.includes('RabbitMQ refused to declare'), 15_000, 'the refusal logged', 10);
      const t0 = Date.now();
      expect(await peer.stop()).to.equal(0);
      expect(Date.now() - t0).to.be.below(5_000);
      expect(peer.events('ready')).to.have.length(0);
    } finally {
      await ch.deleteQueue(q).catch(() => undefined);
    }
  });
});
