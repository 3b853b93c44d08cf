// The small broker model both drivers implement: AMQP 0-9-1 exchanges, queues, bindings,
// confirmed publishes and consumers. The oslo semantics (calls, replies, servers,
// notifications) live once, in amqpdriver.ts, on top of it.
import { MessageDeliveryFailure, MessageUndeliverable } from '../errors';

export interface ExchangeSpec {
  name: string;
  type: 'topic' | 'fanout';
  durable: boolean;
  autoDelete: boolean;
}

export interface QueueSpec {
  name: string;
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  arguments?: Record<string, unknown>;
}

export interface PublishSpec {
  /** null: the default exchange (routing key = queue name), used for replies. */
  exchange: ExchangeSpec | null;
  routingKey: string;
  body: Buffer;
  mandatory?: boolean;
  /**
   * Wait for the broker's confirm (default). false: resolve once written; an unroutable
   * mandatory message then comes back through the bus's return handler instead.
   */
  confirm?: boolean;
  /** Per-message TTL (AMQP `expiration`), ms. */
  expirationMs?: number;
  /** Declared and bound (to `exchange` with `routingKey`) before publishing: notifications. */
  declareQueue?: QueueSpec;
  /** Declare `declareQueue` again even if this connection did already (it came back returned). */
  redeclare?: boolean;
  /** Reconnect attempts allowed while waiting to publish; null/undefined/-1: no limit. */
  retry?: number | null;
  /** Give up waiting for a connection at this time (epoch ms): a call past its timeout. */
  deadline?: number;
}

export interface SubscribeSpec {
  queue: QueueSpec;
  /** Bind the queue to this exchange with `bindingKey` (absent: default exchange only). */
  exchange?: ExchangeSpec;
  bindingKey?: string;
  /** Unacked deliveries the broker may push to this consumer (0 = unlimited). */
  prefetch: number;
  /** Broker forgets each message as it is sent (reply queues: a lost reply only means a timeout). */
  noAck?: boolean;
  /** Gives up a subscribe still waiting to be established (e.g. retrying a refused declaration). */
  signal?: AbortSignal;
  /**
   * basic.consume arguments, asked again at every (re)consume: x-cancel-on-ha-failover, or a
   * stream's x-stream-offset (where to resume).
   */
  consumerArguments?: () => Record<string, unknown> | undefined;
  /** Not deleted when the subscription is cancelled with deleteQueue (shared stream, stable names). */
  keepQueue?: boolean;
  /** The broker cancelled this consumer (queue deleted, or failed over): called before re-consuming. */
  onCancelled?: () => void;
}

export interface Delivery {
  body: Buffer;
  contentType?: string;
  /** AMQP headers (a stream queue puts x-stream-offset there). */
  headers?: Record<string, unknown>;
  ack(): void;
  /** Give the message back to the queue (not started yet). */
  requeue(): void;
}

export interface Subscription {
  /** Stop consuming; optionally delete the queue (oslo deletes its fanout queues on stop). */
  cancel(deleteQueue?: boolean): Promise<void>;
}

export interface Bus {
  /** Resolves once the broker has taken the message (publisher confirm). */
  publish(spec: PublishSpec): Promise<void>;
  /** Declares queue (+binding) and consumes; re-established by the driver after reconnects. */
  subscribe(spec: SubscribeSpec, onDelivery: (d: Delivery) => void): Promise<Subscription>;
  /** Resolves once connected to the broker (connecting if need be); rejects after `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  /** A call to a quorum queue timed out: publish unconfirmed messages on a new channel (rabbit). */
  renewPublishChannel?(): void;
  /** Where unroutable mandatory messages published with `confirm: false` come back. */
  onReturn(handler: (routingKey: string, body: Buffer) => void): void;
  close(): Promise<void>;
}

/** A mandatory publish was returned: nothing consumes that routing key (e.g. reply queue gone). */
export { MessageUndeliverable };

/**
 * The broker nacked a publish: it did not take the message, e.g. the queue it was routed to
 * died with its node before storing it. Sent again like a returned one.
 */
export class MessageNacked extends MessageDeliveryFailure {}
