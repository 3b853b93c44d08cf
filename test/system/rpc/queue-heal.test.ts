// Queues deleted under a live connection (rabbitmqctl delete_queue, the management UI, an
// expiry): RabbitMQ cancels their consumers (basic.cancel), and the process re-declares them
// and consumes again, as kombu does, without a restart. Also on the real broker: the consumer
// argument enable_cancel_on_failover asks for, and rabbit_stream_fanout's shared stream.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { brokerConsumers, brokerQueues, requireTransportUrl } from '../../support/servers';
import { waitFor } from '../../support/processes';
import { getRpcTransport, MessagingTimeout, RPCClient, RPCServer, Target, type Transport, type TransportOptions } from '../../../common/rpc';

const replyQueueOf = (t: Transport): string => (t.driver as unknown as { replyWaiter: { queue: string } }).replyWaiter.queue;

describe('queues deleted under a live connection', function () {
  this.timeout(30_000);
  let url: string;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  const transports: Transport[] = [];
  const servers: RPCServer[] = [];
  const hex = randomBytes(4).toString('hex');
  const exchange = `heal_${hex}`;
  // Re-consume 0.2 s after a cancel instead of kombu_reconnect_delay's 1 s: a faster test.
  const transport = (o: TransportOptions = {}): Transport => {
    const t = getRpcTransport(url, { controlExchange: exchange, kombuReconnectDelay: 0.2, reconnectSettleMs: 200, ...o });
    transports.push(t);
    return t;
  };
  let release: () => void = () => undefined;
  /** A queue's consumer count, null if it does not exist (on a channel of its own: a 404 closes it). */
  const consumersOf = async (q: string): Promise<number | null> => {
    const c = await conn.createChannel();
    c.on('error', () => undefined);
    try {
      return (await c.checkQueue(q)).consumerCount;
    } catch {
      return null;
    } finally {
      await c.close().catch(() => undefined);
    }
  };

  before(async function () {
    url = await requireTransportUrl(this);
    conn = await amqp.connect(url.replace(/^rabbit:/, 'amqp:'));
    ch = await conn.createChannel();
  });

  after(async () => {
    release();
    for (const s of servers) await s.stop();
    for (const t of transports) await t.close();
    for (const q of [`heal_${hex}`, `heal_${hex}.s1`, `cof_${hex}`, `cof_${hex}.s1`, `stream_${hex}_fanout`]) await ch?.deleteQueue(q).catch(() => undefined);
    await ch?.deleteExchange(exchange).catch(() => undefined);
    await conn?.close().catch(() => undefined);
  });

  it('the reply queue comes back: the call in flight still gets its reply, later calls work', async () => {
    const topic = `heal_${hex}`;
    let entered = false;
    const gate = new Promise<void>((r) => { release = r; });
    const server = new RPCServer(transport(), new Target({ topic, server: 's1' }), [{
      methods: {
        echo: (_c, a) => a.v,
        slow: async () => { entered = true; await gate; return 'late'; },
      },
    }]);
    servers.push(server);
    await server.start();
    const ct = transport();
    const client = new RPCClient(ct, new Target({ topic }), { timeout: 10 });
    expect(await client.call({}, 'echo', { v: 1 })).to.equal(1);
    const replyQ = replyQueueOf(ct);

    const inFlight = client.call({}, 'slow');
    await waitFor(() => entered, 5_000, 'the slow call at the server');
    await ch.deleteQueue(replyQ);
    // The server answers into a missing queue: the broker returns the reply, the server sends
    // it again every 250 ms while the client re-declares its queue under the same name.
    release();
    expect(await inFlight).to.equal('late');
    expect(await consumersOf(replyQ)).to.equal(1);
    expect(await client.call({}, 'echo', { v: 2 })).to.equal(2);
  });

  it('a server\'s topic queue deleted: it re-declares it and consumes again', async () => {
    const topic = `heal_${hex}`;
    const client = new RPCClient(transport(), new Target({ topic }), { timeout: 10 });
    await ch.deleteQueue(topic);
    await ch.deleteQueue(`${topic}.s1`);
    await waitFor(async () => (await consumersOf(topic)) === 1 && (await consumersOf(`${topic}.s1`)) === 1, 10_000, 'the topic queues re-declared');
    expect(await client.call({}, 'echo', { v: 6 })).to.equal(6);
    expect(await client.prepare({ server: 's1' }).call({}, 'echo', { v: 7 })).to.equal(7);
  });

  it('enable_cancel_on_failover: every consumer asks for x-cancel-on-ha-failover', async () => {
    const topic = `cof_${hex}`;
    const t = transport({ enableCancelOnFailover: true });
    const server = new RPCServer(t, new Target({ topic, server: 's1' }), [{ methods: { echo: (_c, a) => a.v } }]);
    servers.push(server);
    await server.start();
    expect(await new RPCClient(t, new Target({ topic }), { timeout: 10 }).call({}, 'echo', { v: 8 })).to.equal(8);
    const mine = (await brokerConsumers()).filter((c) => c.queue.startsWith(topic) || c.queue === replyQueueOf(t));
    // topic, topic.server, the fanout queue and the reply queue.
    expect(mine).to.have.length(4);
    for (const c of mine) expect(c.arguments).to.deep.equal({ 'x-cancel-on-ha-failover': true });
  });

  it('a call to a quorum queue that timed out moves call requests to a new channel, same connection', async () => {
    const topic = `renew_${hex}`;
    const qx = `renew_x_${hex}`;
    const t = getRpcTransport(url, { controlExchange: qx, quorumQueue: true });
    transports.push(t);
    const bus = t.driver.bus as unknown as { gen: { id: number; plain: unknown } };
    const client = new RPCClient(t, new Target({ topic, server: 's1' }), { timeout: 0.5 });
    const err = await client.call({}, 'echo', { v: 1 }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(MessagingTimeout);
    const before = { id: bus.gen.id, plain: bus.gen.plain };
    const server = new RPCServer(transport({ controlExchange: qx, quorumQueue: true }), new Target({ topic, server: 's1' }), [{ methods: { echo: (_c, a) => a.v } }]);
    servers.push(server);
    await server.start();
    await waitFor(() => bus.gen.plain !== before.plain, 5_000, 'a new channel');
    expect(await client.prepare({ timeout: 10 }).call({}, 'echo', { v: 2 })).to.equal(2);
    expect(bus.gen.id).to.equal(before.id);
    await server.stop();
    for (const q of [topic, `${topic}.s1`]) await ch.deleteQueue(q).catch(() => undefined);
    await ch.deleteExchange(qx).catch(() => undefined);
  });

  it('rabbit_stream_fanout: one durable stream per topic, every server gets each fanout cast', async () => {
    const topic = `stream_${hex}`;
    const opts = { streamFanout: true, transientQuorumQueue: true, transientQueuesTtl: 60 };
    const got: Record<string, number[]> = { a: [], b: [] };
    for (const name of ['a', 'b']) {
      const s = new RPCServer(transport(opts), new Target({ topic, server: name }), [{ methods: { note: (_c, a) => { got[name].push(a.i as number); } } }]);
      servers.push(s);
      await s.start();
    }
    const fan = new RPCClient(transport(opts), new Target({ topic, fanout: true }));
    for (let i = 1; i <= 3; i++) await fan.cast({}, 'note', { i });
    await waitFor(() => got.a.length === 3 && got.b.length === 3, 10_000, 'the fanout casts at both servers');
    expect(got).to.deep.equal({ a: [1, 2, 3], b: [1, 2, 3] });
    const [q] = (await brokerQueues()).filter((x) => x.name === `${topic}_fanout`);
    expect(q).to.deep.include({ type: 'stream', durable: true, auto_delete: false, arguments: { 'x-queue-type': 'stream', 'x-max-age': '60s' } });
    // Stopping a server leaves the shared stream to the other one.
    await servers.pop()?.stop();
    await fan.cast({}, 'note', { i: 4 });
    await waitFor(() => got.a.length === 4, 10_000, 'the fourth cast at the server left');
    expect(got).to.deep.equal({ a: [1, 2, 3, 4], b: [1, 2, 3] });
  });
});
