// Which exchanges and queues oslo.messaging's rabbit driver declares, and with which flags and
// arguments, for a given [oslo_messaging_rabbit] configuration (impl_rabbit.py: Consumer,
// declare_*_consumer, *_send, _get_queue_arguments). A queue or exchange shared with a Python
// service must be declared exactly as it declares it, or the broker refuses the second
// declaration with PRECONDITION_FAILED.
import type { ExchangeSpec, QueueSpec } from './base';

export interface QueueLayoutOptions {
  /** rabbit_quorum_queue: topic (and notification) queues are quorum, hence durable. */
  quorumQueue?: boolean;
  /** rabbit_transient_quorum_queue: reply_ and fanout queues are quorum (and durable) too. */
  transientQuorumQueue?: boolean;
  /** rabbit_quorum_delivery_limit (x-delivery-limit; 0: none). */
  quorumDeliveryLimit?: number;
  /** rabbit_quorum_max_memory_length (x-max-in-memory-length; 0: none). */
  quorumMaxMemoryLength?: number;
  /** rabbit_quorum_max_memory_bytes (x-max-in-memory-bytes; 0: none). */
  quorumMaxMemoryBytes?: number;
  /** rabbit_transient_queues_ttl, seconds: x-expires of reply_ and fanout queues (0: none). */
  transientQueuesTtl?: number;
  /** amqp_durable_queues: topic exchanges and queues durable. */
  durableQueues?: boolean;
  /** amqp_auto_delete: topic exchanges and queues auto-delete. */
  autoDelete?: boolean;
  /** enable_cancel_on_failover: every consumer asks for x-cancel-on-ha-failover. */
  enableCancelOnFailover?: boolean;
  /**
   * rabbit_stream_fanout: one stream queue `<topic>_fanout` shared by every server of the topic
   * instead of a queue per server (x-max-age from rabbit_transient_queues_ttl).
   */
  streamFanout?: boolean;
}

export class QueueLayout {
  private readonly o: Required<QueueLayoutOptions>;

  constructor(options: QueueLayoutOptions = {}) {
    this.o = {
      quorumQueue: options.quorumQueue ?? false,
      transientQuorumQueue: options.transientQuorumQueue ?? false,
      quorumDeliveryLimit: options.quorumDeliveryLimit ?? 0,
      quorumMaxMemoryLength: options.quorumMaxMemoryLength ?? 0,
      quorumMaxMemoryBytes: options.quorumMaxMemoryBytes ?? 0,
      transientQueuesTtl: options.transientQueuesTtl ?? 1800,
      durableQueues: options.durableQueues ?? false,
      autoDelete: options.autoDelete ?? false,
      enableCancelOnFailover: options.enableCancelOnFailover ?? false,
      streamFanout: options.streamFanout ?? false,
    };
  }

  /** Topic (request) queues are quorum queues (rabbit_quorum_queue). */
  get quorumTopic(): boolean {
    return this.o.quorumQueue;
  }

  get streamFanout(): boolean {
    return this.o.streamFanout;
  }

  /** Consumer arguments of every consumer but a stream's (which carries its offset instead). */
  consumerArguments(): Record<string, unknown> | undefined {
    return this.o.enableCancelOnFailover ? { 'x-cancel-on-ha-failover': true } : undefined;
  }

  /** oslo's Connection.durable: quorum queues are always durable. */
  get durable(): boolean {
    return this.o.durableQueues || this.o.quorumQueue;
  }

  /** _get_queue_arguments (without rabbit_ha_queues, not supported; streams: fanoutQueue). */
  private args(quorum: boolean, ttlSeconds: number): Record<string, unknown> {
    const a: Record<string, unknown> = {};
    if (quorum) {
      a['x-queue-type'] = 'quorum';
      if (this.o.quorumDeliveryLimit) a['x-delivery-limit'] = this.o.quorumDeliveryLimit;
      if (this.o.quorumMaxMemoryLength) a['x-max-in-memory-length'] = this.o.quorumMaxMemoryLength;
      if (this.o.quorumMaxMemoryBytes) a['x-max-in-memory-bytes'] = this.o.quorumMaxMemoryBytes;
    }
    if (ttlSeconds > 0) a['x-expires'] = ttlSeconds * 1000;
    return a;
  }

  /** topic_send / notify_send / declare_topic_consumer: the control (or target) exchange. */
  topicExchange(name: string): ExchangeSpec {
    return { name, type: 'topic', durable: this.durable, autoDelete: this.o.autoDelete };
  }

  /**
   * `<topic>`, `<topic>.<server>` and notification queues (`<topic>.<priority>` or a pool):
   * declare_topic_consumer, and _publish_and_creates_default_queue for notifications (same
   * flags: the exchange's durable/auto_delete, quorum arguments, no x-expires).
   */
  topicQueue(name: string): QueueSpec {
    return { name, durable: this.durable, autoDelete: this.o.autoDelete, exclusive: false, arguments: this.args(this.o.quorumQueue, 0) };
  }

  /** fanout_send / declare_fanout_consumer: `<topic>_fanout`, auto-delete. */
  fanoutExchange(topic: string): ExchangeSpec {
    return { name: `${topic}_fanout`, type: 'fanout', durable: this.o.transientQuorumQueue, autoDelete: true };
  }

  /**
   * A server's fanout queue (declare_fanout_consumer): `<topic>_fanout_<unique>`, transient; with
   * rabbit_stream_fanout the one durable stream `<topic>_fanout` (x-max-age, not x-expires).
   */
  fanoutQueue(topic: string, unique: string): QueueSpec {
    if (!this.o.streamFanout) return this.transientQueue(`${topic}_fanout_${unique}`);
    const a: Record<string, unknown> = { 'x-queue-type': 'stream' };
    if (this.o.transientQueuesTtl > 0) a['x-max-age'] = `${this.o.transientQueuesTtl}s`;
    return { name: `${topic}_fanout`, durable: true, autoDelete: false, exclusive: false, arguments: a };
  }

  /** A "transient" queue: `reply_<uuid>` (declare_direct_consumer) or `<topic>_fanout_<uuid>`. */
  transientQueue(name: string): QueueSpec {
    const quorum = this.o.transientQuorumQueue;
    return { name, durable: quorum, autoDelete: false, exclusive: false, arguments: this.args(quorum, this.o.transientQueuesTtl) };
  }
}
