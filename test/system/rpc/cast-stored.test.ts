// A confirmed cast means a queue took it. Casts and notifications are published mandatory: one
// the broker hands back (no queue bound: never declared, or gone while its node fails over) is
// sent again within its retry limit and kombu_missing_consumer_retry_timeout, then rejected
// with MessageUndeliverable instead of being confirmed and lost.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { setupLogging } from '../../../common/log';
import { requireTransportUrl } from '../../support/servers';
import { waitFor } from '../../support/processes';
import {
  getRpcTransport, MessageDeliveryFailure, MessageUndeliverable, Notifier, RPCClient, RPCServer, Target, type Transport,
} from '../../../common/rpc';

describe('casts confirmed only once a queue took them', function () {
  this.timeout(20_000);
  let url: string;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  const transports: Transport[] = [];
  const servers: RPCServer[] = [];
  const hex = randomBytes(4).toString('hex');
  const transport = (missingConsumerRetryTimeout = 5): Transport => {
    const t = getRpcTransport(url, { missingConsumerRetryTimeout, controlExchange: `stored_${hex}` });
    transports.push(t);
    return t;
  };

  before(async function () {
    url = await requireTransportUrl(this);
    conn = await amqp.connect(url.replace(/^rabbit:/, 'amqp:'));
    ch = await conn.createChannel();
  });

  after(async () => {
    for (const s of servers) await s.stop();
    for (const t of transports) await t.close();
    await ch?.deleteQueue(`notif_${hex}.info`).catch(() => undefined);
    await ch?.deleteExchange(`stored_${hex}`).catch(() => undefined);
    await conn?.close().catch(() => undefined);
  });

  it('a cast to a topic no queue is bound to is rejected as undeliverable, after its retries', async () => {
    const client = new RPCClient(transport(), new Target({ topic: `nobody_${hex}` }));
    const t0 = Date.now();
    const err = await client.prepare({ retry: 2 }).cast({}, 'ping').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(MessageUndeliverable);
    expect((err as Error).message).to.match(/gave up after 2 re-send\(s\)/);
    // retry 0: no re-send at all.
    const none = await client.prepare({ retry: 0 }).cast({}, 'ping').then(() => null, (e: unknown) => e);
    expect((none as Error).message).to.match(/gave up after 0 re-send\(s\)/);
    // No retry limit: kombu_missing_consumer_retry_timeout (here 1 s) bounds it.
    const bounded = new RPCClient(transport(1), new Target({ topic: `nobody_${hex}` }));
    const t1 = Date.now();
    const late = await bounded.cast({}, 'ping').then(() => null, (e: unknown) => e);
    expect(late).to.be.instanceOf(MessageUndeliverable);
    expect(Date.now() - t1).to.be.below(3_000);
    expect(t1 - t0).to.be.below(3_000);
  });

  it('a cast sent before its server declared the queue is delivered once the queue exists', async () => {
    const topic = `late_${hex}`;
    const got: number[] = [];
    const client = new RPCClient(transport(), new Target({ topic }));
    let confirmed = false;
    const dir = mkdtempSync(join(tmpdir(), 'stored-'));
    const file = join(dir, 'log');
    setupLogging({ file });
    let cast: Promise<void>;
    try {
      cast = client.cast({}, 'record', { i: 1 }).then(() => { confirmed = true; });
      // The broker handed it back at least once: still not confirmed.
      await waitFor(() => readFileSync(file, 'utf8').includes(`no queue took the message to stored_${hex}/${topic}`), 5_000, 'the return logged');
    } finally {
      setupLogging({ silent: process.env.TEST_LOG !== '1' });
      rmSync(dir, { recursive: true, force: true });
    }
    expect(confirmed).to.equal(false);
    const server = new RPCServer(transport(), new Target({ topic, server: 's1' }), [{ methods: { record: (_c, a) => { got.push(a.i as number); } } }]);
    servers.push(server);
    await server.start();
    await cast;
    await waitFor(() => got.length === 1, 5_000, 'the cast at the server');
    expect(got).to.deep.equal([1]);
  });

  it('a cast the broker nacks is sent again within its retries, then fails', async () => {
    // A full queue that refuses new messages (x-overflow reject-publish): the broker nacks.
    const topic = `full_${hex}`;
    const client = new RPCClient(transport(), new Target({ topic }));
    await client.prepare({ retry: 0 }).cast({}, 'declare-the-exchange').catch(() => undefined);
    await ch.assertQueue(topic, { durable: false, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    await ch.bindQueue(topic, `stored_${hex}`, topic);
    try {
      const err = await client.prepare({ retry: 2 }).cast({}, 'ping').then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(MessageDeliveryFailure).and.not.instanceOf(MessageUndeliverable);
      expect((err as Error).message).to.match(/nack.*gave up after 2 re-send\(s\)/);
    } finally {
      await ch.deleteQueue(topic);
    }
  });

  it('a fanout cast with no server bound resolves (dropped, as upstream)', async () => {
    const client = new RPCClient(transport(), new Target({ topic: `fan_${hex}`, fanout: true }));
    await client.cast({}, 'hello');
  });

  it('a notification whose queue was deleted behind the publisher declares it again', async () => {
    const t = transport();
    const notifier = new Notifier(t, { publisherId: 'test', driver: ['messagingv2'], topics: [`notif_${hex}`] });
    const q = `notif_${hex}.info`;
    await notifier.info({}, 'first', {});
    expect((await ch.checkQueue(q)).messageCount).to.equal(1);
    await ch.deleteQueue(q);
    await notifier.info({}, 'second', {});
    const msg = await ch.get(q, { noAck: true });
    expect(msg && JSON.parse((JSON.parse(msg.content.toString()) as Record<string, string>)['oslo.message'])).to.include({ event_type: 'second' });
  });
});
