// [oslo_messaging_rabbit] → what we declare, spelled as oslo.messaging's impl_rabbit.py declares
// it; the broker's PRECONDITION_FAILED text → argument and values; [oslo_messaging_notifications].
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupLogging } from '../../../common/log';
import { loadConfig } from '../../../common/config';
import { MESSAGING_OPTS } from '../../../common/config/messaging-opts';
import { QueueLayout } from '../../../common/rpc/drivers/layout';
import { declareRefusal, describeRefusal } from '../../../common/rpc/drivers/rabbit/refusal';
import { RabbitBus } from '../../../common/rpc/drivers/rabbit/bus';
import { parseRabbitUrl } from '../../../common/rpc/drivers/rabbit/url';
import {
  NotificationListener, Notifier, Target, getRpcTransport, notifierFromConf, rabbitTransportOptions, type Notification,
} from '../../../common/rpc';
import { waitFor } from '../../support/processes';

const conf = (rabbit: Record<string, unknown> = {}, notifications: Record<string, unknown> = {}) =>
  loadConfig(MESSAGING_OPTS, { defaults: { oslo_messaging_rabbit: rabbit, oslo_messaging_notifications: notifications }, env: {} });

describe('rabbit queue options (oslo_messaging_rabbit)', () => {
  it('has oslo.messaging\'s defaults', () => {
    expect(conf().oslo_messaging_rabbit).to.deep.equal({
      rabbit_quorum_queue: false, rabbit_transient_quorum_queue: false, rabbit_quorum_delivery_limit: 0,
      rabbit_quorum_max_memory_length: 0, rabbit_quorum_max_memory_bytes: 0, rabbit_transient_queues_ttl: 1800,
      amqp_durable_queues: false, amqp_auto_delete: false, rabbit_qos_prefetch_count: 0, kombu_reconnect_delay: 1,
      kombu_reconnect_splay: 0, rabbit_retry_interval: 1, rabbit_retry_backoff: 2, rabbit_interval_max: 30,
      heartbeat_timeout_threshold: 60, heartbeat_rate: 3, direct_mandatory_flag: true, kombu_missing_consumer_retry_timeout: 60,
      enable_cancel_on_failover: false, use_queue_manager: false, hostname: null, processname: null, rabbit_stream_fanout: false,
      ssl: false, ssl_version: '', ssl_key_file: '', ssl_cert_file: '', ssl_ca_file: '', ssl_enforce_hostname_verification: false,
    });
    expect(conf().oslo_messaging_notifications).to.deep.equal({ driver: [], transport_url: null, topics: ['notifications'], retry: -1 });
  });

  it('declares classic queues by default: topic non-durable, reply_/fanout with x-expires', () => {
    const l = new QueueLayout(rabbitTransportOptions(conf()));
    expect(l.topicExchange('openstack')).to.deep.equal({ name: 'openstack', type: 'topic', durable: false, autoDelete: false });
    expect(l.topicQueue('compute')).to.deep.equal({ name: 'compute', durable: false, autoDelete: false, exclusive: false, arguments: {} });
    expect(l.fanoutExchange('compute')).to.deep.equal({ name: 'compute_fanout', type: 'fanout', durable: false, autoDelete: true });
    expect(l.transientQueue('reply_x')).to.deep.equal({
      name: 'reply_x', durable: false, autoDelete: false, exclusive: false, arguments: { 'x-expires': 1_800_000 },
    });
  });

  it('rabbit_quorum_queue: durable quorum topic queues (with the limits) and a durable control exchange; transient queues stay classic', () => {
    const l = new QueueLayout(rabbitTransportOptions(conf({
      rabbit_quorum_queue: true, rabbit_quorum_delivery_limit: 5, rabbit_quorum_max_memory_length: 100, rabbit_quorum_max_memory_bytes: 4096,
    })));
    expect(l.topicExchange('openstack').durable).to.equal(true);
    expect(l.topicQueue('compute')).to.deep.equal({
      name: 'compute', durable: true, autoDelete: false, exclusive: false,
      arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5, 'x-max-in-memory-length': 100, 'x-max-in-memory-bytes': 4096 },
    });
    expect(l.transientQueue('reply_x')).to.deep.equal({
      name: 'reply_x', durable: false, autoDelete: false, exclusive: false, arguments: { 'x-expires': 1_800_000 },
    });
    expect(l.fanoutExchange('compute').durable).to.equal(false);
  });

  it('rabbit_transient_quorum_queue: reply_/fanout queues durable quorum with x-expires, fanout exchange durable', () => {
    const l = new QueueLayout(rabbitTransportOptions(conf({ rabbit_transient_quorum_queue: true, rabbit_transient_queues_ttl: 60 })));
    expect(l.transientQueue('compute_fanout_1')).to.deep.equal({
      name: 'compute_fanout_1', durable: true, autoDelete: false, exclusive: false, arguments: { 'x-queue-type': 'quorum', 'x-expires': 60_000 },
    });
    expect(l.fanoutExchange('compute')).to.deep.equal({ name: 'compute_fanout', type: 'fanout', durable: true, autoDelete: true });
    // Topic queues follow rabbit_quorum_queue alone.
    expect(l.topicQueue('compute').arguments).to.deep.equal({});
  });

  it('amqp_durable_queues / amqp_auto_delete, and rabbit_transient_queues_ttl = 0 (no x-expires)', () => {
    const l = new QueueLayout(rabbitTransportOptions(conf({ amqp_durable_queues: true, amqp_auto_delete: true, rabbit_transient_queues_ttl: 0 })));
    expect(l.topicExchange('openstack')).to.include({ durable: true, autoDelete: true });
    expect(l.topicQueue('compute')).to.include({ durable: true, autoDelete: true });
    expect(l.transientQueue('reply_x').arguments).to.deep.equal({});
  });

  it('reads the argument and both values out of the broker\'s PRECONDITION_FAILED', () => {
    const durable = declareRefusal(Object.assign(new Error(
      'Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg \'durable\' ' +
      'for queue \'compute\' in vhost \'/\': received \'false\' but current is \'true\'"'), { code: 406 }));
    expect(durable).to.deep.include({ kind: 'queue', name: 'compute', argument: 'durable', received: "'false'", current: "'true'" });
    const type = declareRefusal(Object.assign(new Error(
      'Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg \'x-queue-type\' ' +
      'for queue \'q1\' in vhost \'/\': received none but current is the value \'quorum\' of type \'longstr\'"'), { code: 406 }));
    expect(type).to.deep.include({ argument: 'x-queue-type', received: 'none', current: "'quorum'" });
    expect(describeRefusal(type!, "queue 'q1'")).to.match(/argument 'x-queue-type' is 'quorum' on the broker but we declare none/);
    expect(declareRefusal(Object.assign(new Error('Channel closed'), { code: 504 }))).to.equal(null);
    // RabbitMQ 4.3 closes the connection for a transient non-exclusive queue.
    const deprecated = declareRefusal(Object.assign(new Error(
      'Connection closed: 541 (INTERNAL-ERROR) with message "INTERNAL_ERROR - Feature `transient_nonexcl_queues` is deprecated.\n' +
      'By default, this feature is not permitted anymore."'), { code: 541 }));
    expect(deprecated).to.deep.include({ feature: 'transient_nonexcl_queues' });
    expect(describeRefusal(deprecated!, "queue 'reply_1'")).to.match(/rabbit_quorum_queue = true and rabbit_transient_quorum_queue = true/);
  });

  it('waits min(rabbit_retry_interval + n * rabbit_retry_backoff, rabbit_interval_max) after the n+1-th refusal', () => {
    const bus = new RabbitBus(parseRabbitUrl('rabbit://127.0.0.1:1/'), { retryInterval: 1, retryBackoff: 2, intervalMax: 6 });
    expect([1, 2, 3, 4, 5].map((n) => bus.declareRetryDelay(n))).to.deep.equal([1, 3, 5, 6, 6]);
  });
});

describe('notifications (oslo_messaging_notifications)', () => {
  it('rejects an unknown driver when the configuration is read', () => {
    expect(() => conf({}, { driver: 'messagingv2,routing' })).to.throw(/driver.*is not one of/);
  });

  it('log driver: one JSON line at the priority on oslo.messaging.notification.<event_type>, passwords masked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attachd-notify-log-'));
    const file = join(dir, 'n.log');
    setupLogging({ file });
    const t = getRpcTransport(`fake://notify-log-${randomUUID()}`);
    try {
      const n = notifierFromConf({ DEFAULT: { transport_url: 'fake://x', control_exchange: 'openstack' }, ...conf({}, { driver: 'log' }) }, t, 'volume.h1');
      await n.notifier.warn({}, 'volume.odd', { auth_password: 'sekrit' });
      const line = await waitFor(() => readFileSync(file, 'utf8').trim(), 5_000, 'the log line', 20);
      expect(line).to.match(/ WARNING oslo\.messaging\.notification\.volume\.odd .*"event_type":"volume\.odd"/);
      expect(line).to.include('"publisher_id":"volume.h1"').and.include('"priority":"WARN"').and.not.include('sekrit');
    } finally {
      setupLogging({ silent: process.env.TEST_LOG !== '1' });
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no driver: nothing is sent; messagingv2: sent to every topic', async () => {
    const url = `fake://notify-${randomUUID()}`;
    const t = getRpcTransport(url);
    const got: Notification[] = [];
    const listener = new NotificationListener(t, [new Target({ topic: 'notifications' }), new Target({ topic: 'audit' })], {
      onMessage: (n) => { got.push(n); },
    });
    await listener.start();
    try {
      const base = { DEFAULT: { transport_url: url, control_exchange: 'openstack' } };
      const none = notifierFromConf({ ...base, ...conf() }, t, 'volume.h1');
      await none.notifier.info({}, 'volume.silent', {});
      const v2 = notifierFromConf({ ...base, ...conf({}, { driver: 'messagingv2', topics: 'notifications,audit' }) }, t, 'volume.h1');
      await v2.notifier.info({}, 'volume.loud', {});
      await waitFor(() => got.length >= 2, 5_000, 'two notifications', 10);
      // Sent after the silent one on the same queue: had that one gone out, it would be here first.
      expect(got.map((n) => n.eventType)).to.deep.equal(['volume.loud', 'volume.loud']);
      expect(new Notifier(t, { driver: [] }).drivers).to.deep.equal([]);
    } finally {
      await listener.stop();
      await t.close();
    }
  });
});
