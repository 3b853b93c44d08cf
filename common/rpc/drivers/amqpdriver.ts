// oslo's AMQP semantics over a Bus (fake or rabbit): where requests, replies and
// notifications go, the reply waiter with call-monitor heartbeats, and the server-side
// listener with its bounded executor and duplicate filter. See docs/wire-format.md.
import { getLogger } from '../../log';
import { MessageDeliveryFailure, MessageUndeliverable, MessagingError, MessagingTimeout } from '../errors';
import type { Target } from '../target';
import { deserializeRemoteException, serializeRemoteException, type ExceptionModule } from '../serializer/remote-error';
import {
  DuplicateFilter, contextOf, decodeBody, encodeEnvelope, encodePlain, isDict, packContext, unpackContext, uuidHex,
  type Dict,
} from '../serializer/message';
import type { RequestMessage } from '../dispatcher';
import { MessageNacked, type Bus, type Delivery, type ExchangeSpec, type PublishSpec, type SubscribeSpec, type Subscription } from './base';
import { QueueLayout, type QueueLayoutOptions } from './layout';
import { QManager } from './qmanager';

const LOG = getLogger('rpc.amqpdriver');

const MISSING_REPLY_RETRY_INTERVAL_MS = 250;
/** First and longest wait between re-sends of a returned cast or notification, ms. */
const RETURNED_FIRST_MS = 100;
const RETURNED_MAX_MS = 1000;
/** A returned cast is logged at most this often per routing key (a failover returns many). */
const RETURNED_LOG_EVERY_MS = 5000;
const MISSING_REPLY_CACHE_SIZE = 200;

export interface SendOptions {
  waitForReply: boolean;
  /** seconds; call deadline and request `expiration`. */
  timeout: number | null;
  /** seconds; nothing (reply or heartbeat) for this long → MessagingTimeout. */
  callMonitorTimeout: number | null;
  retry: number | null;
}

/** A decoded request handed to the RPC server. */
export interface IncomingRequest {
  ctxt: Dict;
  message: RequestMessage;
  msgId: string | null;
  replyQ: string | null;
  /** `_timeout` sent by the caller (call-monitor), null if none. */
  clientTimeout: number | null;
  /** Sends the final reply (`ending: true`); no-op for casts. */
  reply(result: unknown, failure: string | null): Promise<void>;
  /** Call-monitor heartbeat (`result: null, ending: false`); no-op for casts. */
  heartbeat(): Promise<void>;
}

/** A request that arrived but cannot be dispatched (wrong types, missing method). */
export class BadRequest extends MessagingError {
  static override wireModule = 'oslo_messaging.exceptions';
}

export interface DriverOptions extends QueueLayoutOptions {
  /** rabbit_qos_prefetch_count: per-consumer prefetch of servers and listeners (0: attachd's own bound). */
  qosPrefetchCount?: number;
  /** direct_mandatory_flag: replies are published mandatory (an unroutable one comes back and is retried). */
  directMandatoryFlag?: boolean;
  /**
   * kombu_missing_consumer_retry_timeout, seconds (60): how long a reply to a missing reply
   * queue, and a cast or notification no queue took, are sent again.
   */
  missingConsumerRetryTimeout?: number;
  /** use_queue_manager: reply and fanout queues named `<hostname>:<processname>:<n>` (QManager), kept on stop. */
  useQueueManager?: boolean;
  hostname?: string;
  processname?: string;
  /**
   * oslo's allowed_remote_exmods: the exception modules whose failures a call on this
   * transport rebuilds as the local class; a failure from any other module is a RemoteError.
   */
  allowedRemoteExmods?: readonly ExceptionModule[];
}

export class AmqpDriver {
  private replyWaiter: ReplyWaiter | null = null;
  private readonly missingReplyQueues = new Map<string, number>();
  /** `_unique_id` of returned replies -> time of the first attempt. */
  private readonly returnedReplies = new Map<string, number>();
  private closed = false;
  readonly layout: QueueLayout;
  readonly qosPrefetchCount: number;
  private readonly directMandatory: boolean;
  private readonly missingConsumerMs: number;
  /** Routing key -> when a returned cast to it was last logged. */
  private readonly returnedSaid = new Map<string, number>();
  /** use_queue_manager: stable names; null: random ones. */
  readonly qmanager: QManager | null;
  readonly allowedRemoteExmods: readonly ExceptionModule[];

  constructor(readonly bus: Bus, readonly controlExchange: string, options: DriverOptions = {}) {
    this.layout = new QueueLayout(options);
    this.allowedRemoteExmods = [...(options.allowedRemoteExmods ?? [])];
    this.qosPrefetchCount = options.qosPrefetchCount ?? 0;
    this.directMandatory = options.directMandatoryFlag ?? true;
    this.missingConsumerMs = (options.missingConsumerRetryTimeout ?? 60) * 1000;
    if (options.streamFanout && !options.transientQuorumQueue) {
      throw new MessagingError('Configuration Error: rabbit_stream_fanout needs rabbit_transient_quorum_queue to be set to true');
    }
    this.qmanager = options.useQueueManager
      ? new QManager(options.hostname ?? 'localhost', options.processname ?? 'node')
      : null;
    bus.onReturn((routingKey, body) => this.handleReturn(routingKey, body));
  }

  topicExchange(target: Pick<Target, 'exchange'>): ExchangeSpec {
    return this.layout.topicExchange(target.exchange ?? this.controlExchange);
  }

  fanoutExchange(topic: string): ExchangeSpec {
    return this.layout.fanoutExchange(topic);
  }

  /** What makes a reply or fanout queue name unique: a uuid, or the QManager's stable name. */
  uniqueName(): string {
    return this.qmanager ? this.qmanager.get() : uuidHex();
  }

  /** Our bound unless rabbit_qos_prefetch_count asks for another. */
  prefetch(ours: number): number {
    return this.qosPrefetchCount > 0 ? this.qosPrefetchCount : ours;
  }

  /** call (waitForReply) or cast/fanout cast. `msg` holds method, args, [namespace], [version]. */
  send(target: Target, ctxt: Dict, msg: Dict, opts: SendOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new MessagingError('transport is closed'));
    if (!opts.waitForReply) {
      let body: Buffer;
      try {
        msg._unique_id = uuidHex();
        packContext(msg, ctxt);
        body = encodeEnvelope(msg);
      } catch (err) {
        return Promise.reject(err);
      }
      const r = this.routeFor(target);
      // Mandatory: confirmed must mean a queue took it. A fanout with no queue bound has no
      // server to tell, as upstream: dropped.
      return this.publishStored({ exchange: r.exchange, routingKey: r.routingKey, body, retry: opts.retry, mandatory: !target.fanout });
    }
    const msgId = uuidHex();
    const w = this.getReplyWaiter();
    // The reply queue may not exist yet (first call, broker down): that wait counts
    // against the call's timeout too.
    if (w instanceof ReplyWaiter) return this.sendCall(w, target, ctxt, msg, opts, msgId);
    return withTimeout(w, opts.timeout, msgId).then((waiter) => this.sendCall(waiter, target, ctxt, msg, opts, msgId));
  }

  /** Targets are immutable: their exchange spec and routing key are computed once. */
  private readonly routes = new WeakMap<Target, { exchange: ExchangeSpec; routingKey: string }>();

  private routeFor(target: Target): { exchange: ExchangeSpec; routingKey: string } {
    let r = this.routes.get(target);
    if (!r) {
      r = this.computeRoute(target);
      this.routes.set(target, r);
    }
    return r;
  }

  private computeRoute(target: Target): { exchange: ExchangeSpec; routingKey: string } {
    const topic = target.topic as string;
    return target.fanout
      ? { exchange: this.fanoutExchange(topic), routingKey: '' }
      : { exchange: this.topicExchange(target), routingKey: target.server ? `${topic}.${target.server}` : topic };
  }

  private sendCall(waiter: ReplyWaiter, target: Target, ctxt: Dict, msg: Dict, opts: SendOptions, msgId: string): Promise<unknown> {
    let body: Buffer;
    try {
      msg._msg_id = msgId;
      msg._reply_q = waiter.queue;
      msg._timeout = opts.callMonitorTimeout ?? null;
      msg._unique_id = uuidHex();
      packContext(msg, ctxt);
      body = encodeEnvelope(msg);
    } catch (err) {
      return Promise.reject(err);
    }
    let reply = waiter.wait(msgId, opts.timeout, opts.callMonitorTimeout);
    if (this.layout.quorumTopic && this.bus.renewPublishChannel) {
      // No answer from a quorum queue: perhaps our channel still addresses a dead leader.
      reply = reply.catch((err: unknown) => {
        if (err instanceof MessagingTimeout) this.bus.renewPublishChannel?.();
        throw err;
      });
    }
    const expirationMs = opts.timeout !== null ? Math.round(opts.timeout * 1000) : undefined;
    const deadline = opts.timeout !== null ? Date.now() + opts.timeout * 1000 : undefined;
    // No publisher confirm for a call's request: the reply (or MessagingTimeout) is its
    // outcome, so waiting on a broker ack would only add a round trip and broker work.
    const r = this.routeFor(target);
    this.bus.publish({ exchange: r.exchange, routingKey: r.routingKey, body, expirationMs, retry: opts.retry, deadline, confirm: false }).catch((err: unknown) => {
      waiter.fail(msgId, err instanceof MessagingError ? err : new MessageDeliveryFailure(String(err)));
    });
    return reply;
  }

  /**
   * A confirmed, mandatory publish that resolves only once a queue has taken the message. The
   * broker returns it when no queue is bound for its routing key: during a failover the topic
   * queue is briefly gone (its node died, its consumers are re-declaring it elsewhere). It is
   * sent again (so is one the broker nacked: its queue died before storing it), 100 ms apart
   * doubling to 1 s, while the publish's retry limit and
   * kombu_missing_consumer_retry_timeout allow, then rejected with MessageUndeliverable.
   * A notification's queue is declared again before each re-send. The first attempt costs no
   * more than a plain confirmed publish.
   */
  private publishStored(spec: PublishSpec): Promise<void> {
    return this.bus.publish(spec).catch((err: unknown) => {
      if (!notTaken(err)) throw err;
      return this.resendReturned(spec, err);
    });
  }

  private async resendReturned(spec: PublishSpec, first: MessageUndeliverable | MessageNacked): Promise<void> {
    const limit = spec.retry === null || spec.retry === undefined || spec.retry < 0 ? Infinity : spec.retry;
    const start = Date.now();
    const until = start + this.missingConsumerMs;
    const where = `${spec.exchange?.name ?? ''}/${spec.routingKey}`;
    let err: MessageUndeliverable | MessageNacked = first;
    let delay = RETURNED_FIRST_MS;
    let sent = 0;
    const why = (e: Error): string => (e instanceof MessageNacked ? 'the broker nacked the message' : 'no queue took the message');
    this.sayReturned(spec.routingKey, `${why(err)} to ${where}; sending it again for up to ${this.missingConsumerMs / 1000} s`);
    for (;;) {
      if (this.closed || sent >= limit || Date.now() + delay > until) {
        const text = `${err.message}: gave up after ${sent} re-send(s) over ${((Date.now() - start) / 1000).toFixed(1)} s`;
        throw err instanceof MessageNacked ? new MessageDeliveryFailure(text) : new MessageUndeliverable(text);
      }
      await new Promise((r) => setTimeout(r, delay));
      if (this.closed) continue;
      sent++;
      try {
        await this.bus.publish(spec.declareQueue ? { ...spec, redeclare: true } : spec);
        LOG.info(`message to ${where} taken by a queue after ${sent} re-send(s)`);
        return;
      } catch (e) {
        if (!notTaken(e)) throw e;
        err = e;
        delay = Math.min(RETURNED_MAX_MS, delay * 2);
      }
    }
  }

  private sayReturned(routingKey: string, text: string): void {
    const now = Date.now();
    const last = this.returnedSaid.get(routingKey);
    if (last !== undefined && now - last < RETURNED_LOG_EVERY_MS) {
      LOG.debug(text);
      return;
    }
    if (this.returnedSaid.size >= MISSING_REPLY_CACHE_SIZE) this.returnedSaid.clear();
    this.returnedSaid.set(routingKey, now);
    LOG.warning(text);
  }

  private getReplyWaiter(): Promise<ReplyWaiter> | ReplyWaiter {
    if (this.replyWaiter?.isReady) return this.replyWaiter;
    if (!this.replyWaiter) this.replyWaiter = new ReplyWaiter(this.bus, this.layout, `reply_${this.uniqueName()}`, this.allowedRemoteExmods);
    const w = this.replyWaiter;
    return w.ready.then(() => w, (err: unknown) => {
      // Let the next call try again (e.g. the broker was unreachable).
      if (this.replyWaiter === w) this.replyWaiter = null;
      throw err;
    });
  }

  /**
   * Publishes a reply to the default exchange, mandatory, without waiting for a confirm: the
   * broker hands an unroutable reply back (basic.return) and handleReturn retries it.
   */
  sendReply(replyQ: string, inner: Dict): Promise<void> {
    const gone = this.missingReplyQueues.get(replyQ);
    if (gone !== undefined) {
      if (gone > Date.now()) {
        LOG.debug(`dropping reply to ${replyQ}: queue known to be gone`);
        return Promise.resolve();
      }
      this.missingReplyQueues.delete(replyQ);
    }
    return this.bus.publish({
      exchange: null, routingKey: replyQ, body: encodeEnvelope(inner), mandatory: this.directMandatory, confirm: false, retry: null,
    });
  }

  /**
   * A reply came back: its reply queue does not exist (yet, or any more). Like oslo, retry
   * every 250 ms for up to kombu_missing_consumer_retry_timeout (60 s), then remember the queue
   * as gone for as long. Heartbeats are
   * not retried: the next one or the final reply will follow.
   */
  private handleReturn(routingKey: string, body: Buffer): void {
    if (this.closed) return;
    let msg: Dict;
    try {
      msg = decodeBody(body);
    } catch {
      return;
    }
    if (msg.ending !== true) return;
    const key = String(msg._unique_id);
    const now = Date.now();
    const first = this.returnedReplies.get(key) ?? now;
    if (now - first >= this.missingConsumerMs) {
      this.returnedReplies.delete(key);
      LOG.warning(`reply queue ${routingKey} does not exist; giving up on reply ${String(msg._msg_id)}`);
      if (this.missingReplyQueues.size >= MISSING_REPLY_CACHE_SIZE) {
        this.missingReplyQueues.delete(this.missingReplyQueues.keys().next().value as string);
      }
      this.missingReplyQueues.set(routingKey, now + this.missingConsumerMs);
      return;
    }
    this.returnedReplies.set(key, first);
    setTimeout(() => {
      if (this.closed) return;
      this.bus.publish({ exchange: null, routingKey, body, mandatory: true, confirm: false, retry: null })
        .catch((err: unknown) => LOG.warning(`could not resend reply: ${(err as Error).message}`));
      // Forget it unless it comes back again.
      setTimeout(() => { if (this.returnedReplies.get(key) === first) this.returnedReplies.delete(key); }, 5_000).unref();
    }, MISSING_REPLY_RETRY_INTERVAL_MS).unref();
  }

  /** Consumers for an RPC server: `<topic>`, `<topic>.<server>` and a private fanout queue (start() them). */
  listener(target: Target, executorSize: number, handler: (req: IncomingRequest) => Promise<void>): RpcListener {
    return new RpcListener(this, target, executorSize, handler);
  }

  async sendNotification(target: Target, ctxt: Dict, msg: Dict, priority: string, envelope: boolean, retry: number | null): Promise<void> {
    if (this.closed) throw new MessagingError('transport is closed');
    msg._unique_id = uuidHex();
    packContext(msg, ctxt);
    const routingKey = `${target.topic as string}.${priority}`;
    // Mandatory too: the queue we declared may have gone since (its node died).
    await this.publishStored({
      exchange: this.topicExchange(target),
      routingKey,
      body: envelope ? encodeEnvelope(msg) : encodePlain(msg),
      declareQueue: this.layout.topicQueue(routingKey),
      retry,
      mandatory: true,
    });
  }

  /**
   * Consumes `<topic>.<priority>` (or the shared `pool` queue) for each target and priority.
   * Acks after the handler finished: a crash mid-handler leaves the notification queued.
   */
  async listenForNotifications(
    targets: readonly Target[], priorities: readonly string[], pool: string | null,
    handler: (msg: Dict, ctxt: Dict) => Promise<void>,
  ): Promise<Subscription[]> {
    const dedup = new DuplicateFilter();
    const onDelivery = (d: Delivery): void => {
      let msg: Dict;
      try {
        msg = decodeBody(d.body);
      } catch (err) {
        LOG.error(`dropping malformed notification: ${(err as Error).message}`);
        d.ack();
        return;
      }
      if (dedup.isDuplicate(msg._unique_id)) {
        LOG.debug('duplicate notification dropped');
        d.ack();
        return;
      }
      delete msg._unique_id;
      const ctxt = unpackContext(msg);
      handler(msg, ctxt).then(() => d.ack(), (err: unknown) => {
        LOG.exception('notification handler failed', err);
        d.ack();
      });
    };
    const subs: Subscription[] = [];
    try {
      for (const t of targets) {
        for (const p of priorities) {
          const key = `${t.topic as string}.${p}`;
          subs.push(await this.bus.subscribe(
            {
              queue: this.layout.topicQueue(pool ?? key), exchange: this.topicExchange(t), bindingKey: key, prefetch: this.prefetch(64),
              consumerArguments: () => this.layout.consumerArguments(),
            },
            onDelivery,
          ));
        }
      }
    } catch (err) {
      await Promise.all(subs.map((s) => s.cancel(false)));
      throw err;
    }
    return subs;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.replyWaiter?.close();
    await this.bus.close();
  }
}

interface Waiter {
  resolve(v: unknown): void;
  reject(e: Error): void;
  deadline: NodeJS.Timeout | null;
  monitor: NodeJS.Timeout | null;
  monitorMs: number | null;
  result: unknown;
}

/** The transport's single reply queue; replies are matched to calls by `_msg_id`. */
class ReplyWaiter {
  readonly ready: Promise<void>;
  isReady = false;
  private readonly waiters = new Map<string, Waiter>();

  constructor(bus: Bus, layout: QueueLayout, readonly queue: string, private readonly allowedExmods: readonly ExceptionModule[]) {
    this.ready = bus
      .subscribe(
        {
          queue: layout.transientQueue(this.queue),
          prefetch: 0,
          noAck: true,
          consumerArguments: () => layout.consumerArguments(),
        },
        (d) => this.onDelivery(d),
      )
      .then(() => { this.isReady = true; });
  }

  wait(msgId: string, timeout: number | null, monitor: number | null): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const w: Waiter = { resolve, reject, deadline: null, monitor: null, monitorMs: null, result: null };
      const expire = (): void => this.fail(msgId, new MessagingTimeout(msgId));
      if (timeout !== null) w.deadline = setTimeout(expire, Math.max(0, timeout * 1000));
      if (monitor) {
        w.monitorMs = monitor * 1000;
        w.monitor = setTimeout(expire, w.monitorMs);
      }
      this.waiters.set(msgId, w);
    });
  }

  fail(msgId: string, err: Error): void {
    const w = this.waiters.get(msgId);
    if (!w) return;
    this.finish(msgId, w);
    w.reject(err);
  }

  close(): void {
    for (const id of [...this.waiters.keys()]) this.fail(id, new MessagingError('transport closed while waiting for a reply'));
  }

  private finish(msgId: string, w: Waiter): void {
    if (w.deadline) clearTimeout(w.deadline);
    if (w.monitor) clearTimeout(w.monitor);
    this.waiters.delete(msgId);
  }

  private onDelivery(d: Delivery): void {
    d.ack();
    let msg: Dict;
    try {
      msg = decodeBody(d.body);
    } catch (err) {
      LOG.error(`dropping malformed reply: ${(err as Error).message}`);
      return;
    }
    const msgId = msg._msg_id;
    const w = typeof msgId === 'string' ? this.waiters.get(msgId) : undefined;
    if (!w || typeof msgId !== 'string') {
      LOG.debug(`no call waiting for reply ${String(msgId)} (timed out?)`);
      return;
    }
    if (msg.failure) {
      this.finish(msgId, w);
      w.reject(deserializeRemoteException(msg.failure as string, this.allowedExmods));
      return;
    }
    if (msg.result !== null && msg.result !== undefined) w.result = msg.result;
    if (msg.ending === true) {
      this.finish(msgId, w);
      w.resolve(w.result);
      return;
    }
    // A heartbeat (or a partial result): the server is alive, restart the monitor timer.
    if (w.monitor && w.monitorMs !== null) w.monitor.refresh();
  }
}

/** Server side of one RPCServer: consumers, bounded executor, duplicate filter. */
export class RpcListener {
  private subs: { sub: Subscription; deleteOnStop: boolean }[] = [];
  private readonly pending: Delivery[] = [];
  private running = 0;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];
  private readonly dedup = new DuplicateFilter();
  /** stop() during start() gives up the subscribes still waiting (a refused declaration). */
  private readonly abort = new AbortController();

  constructor(
    private readonly driver: AmqpDriver,
    private readonly target: Target,
    private readonly executorSize: number,
    private readonly handler: (req: IncomingRequest) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    const topic = this.target.topic as string;
    const exchange = this.driver.topicExchange(this.target);
    // Deliveries beyond the executor wait unacked; the broker keeps the rest queued.
    const prefetch = this.driver.prefetch(Math.max(this.executorSize * 2, 16));
    const layout = this.driver.layout;
    const on = (d: Delivery): void => this.onDelivery(d);
    const bus = this.driver.bus;
    const signal = this.abort.signal;
    const add = async (spec: SubscribeSpec, deleteOnStop: boolean): Promise<void> => {
      const sub = await bus.subscribe({ ...spec, signal }, on);
      if (this.stopping) {
        // stop() came while this one was being set up: it is not in the list stop() cancelled.
        await sub.cancel(deleteOnStop);
        throw new MessagingError(`stopped while starting the server on ${topic}`);
      }
      this.subs.push({ sub, deleteOnStop });
    };
    const consumerArguments = (): Record<string, unknown> | undefined => layout.consumerArguments();
    try {
      await add({ queue: layout.topicQueue(topic), exchange, bindingKey: topic, prefetch, consumerArguments }, false);
      if (this.target.server) {
        const name = `${topic}.${this.target.server}`;
        await add({ queue: layout.topicQueue(name), exchange, bindingKey: name, prefetch, consumerArguments }, false);
      }
      await add(this.fanoutSpec(topic, prefetch), true);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * The server's fanout consumer. Its own queue (deleted on stop unless use_queue_manager names
   * it for the next start), or with rabbit_stream_fanout the topic's shared stream, consumed
   * from the offset after the last message seen ("last" at first and after a broker-side
   * cancel, as oslo: the stream may have been deleted and made again). Messages seen twice
   * around a resume are dropped by the duplicate filter.
   */
  private fanoutSpec(topic: string, prefetch: number): SubscribeSpec {
    const layout = this.driver.layout;
    const base = { exchange: this.driver.fanoutExchange(topic), bindingKey: topic, prefetch };
    if (!layout.streamFanout) {
      return {
        ...base, queue: layout.fanoutQueue(topic, this.driver.uniqueName()), keepQueue: this.driver.qmanager !== null,
        consumerArguments: () => layout.consumerArguments(),
      };
    }
    return {
      ...base, queue: layout.fanoutQueue(topic, ''), keepQueue: true,
      consumerArguments: () => ({ 'x-stream-offset': this.streamOffset }),
      onCancelled: () => {
        LOG.warning(`consumer of stream ${topic}_fanout cancelled; resuming at "last" (was ${String(this.streamOffset)})`);
        this.streamOffset = 'last';
      },
    };
  }

  /** rabbit_stream_fanout: where the fanout stream consumer resumes. */
  private streamOffset: number | 'last' = 'last';

  /** Stop consuming; deliveries not started yet go back to the broker. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    const subs = this.subs;
    this.subs = [];
    for (const d of this.pending.splice(0)) d.requeue();
    await Promise.all(subs.map(({ sub, deleteOnStop }) => sub.cancel(deleteOnStop).catch((err: unknown) => {
      LOG.warning(`could not cancel consumer: ${(err as Error).message}`);
    })));
  }

  /** Resolves when no request is running. */
  waitIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private onDelivery(d: Delivery): void {
    const offset = d.headers?.['x-stream-offset'];
    if (typeof offset === 'number') this.streamOffset = offset + 1;
    if (this.stopping) {
      d.requeue();
      return;
    }
    if (this.running < this.executorSize) this.run(d);
    else this.pending.push(d);
  }

  private run(d: Delivery): void {
    // At-most-once like oslo: acked before it is dispatched, never redelivered after.
    d.ack();
    this.running++;
    this.process(d).then(this.done, this.failed);
  }

  /** One request finished: start the next waiting one, or wake wait() when idle. */
  private readonly done = (): void => {
    this.running--;
    const next = this.stopping ? undefined : this.pending.shift();
    if (next) this.run(next);
    else if (this.running === 0) for (const r of this.idleWaiters.splice(0)) r();
  };

  private readonly failed = (err: unknown): void => {
    LOG.exception('unexpected error processing a request', err);
    this.done();
  };

  private async process(d: Delivery): Promise<void> {
    let msg: Dict;
    try {
      msg = decodeBody(d.body);
    } catch (err) {
      LOG.error(`dropping malformed message on ${this.target.topic}: ${(err as Error).message}`);
      return;
    }
    if (this.dedup.isDuplicate(msg._unique_id)) {
      LOG.warning(`duplicate message ${String(msg._unique_id)} dropped`);
      return;
    }
    const msgId = typeof msg._msg_id === 'string' ? msg._msg_id : null;
    const replyQ = typeof msg._reply_q === 'string' ? msg._reply_q : null;
    const rawTimeout = msg._timeout;
    const clientTimeout = typeof rawTimeout === 'number' ? rawTimeout : null;
    // Read, not deleted: `delete` would turn msg into a slow dictionary-mode object.
    const ctxt = contextOf(msg);
    ctxt.client_timeout = rawTimeout ?? null;
    let reply = noReply;
    let heartbeat = noHeartbeat;
    if (msgId && replyQ) {
      const driver = this.driver;
      reply = (result, failure) => driver.sendReply(replyQ, {
        result: failure ? null : result ?? null, failure, ending: true, _msg_id: msgId, _unique_id: uuidHex(),
      });
      heartbeat = () => driver.sendReply(replyQ, { result: null, failure: null, ending: false, _msg_id: msgId, _unique_id: uuidHex() });
    }

    const problem = validateRequest(msg);
    if (problem) {
      LOG.error(`malformed request on ${this.target.topic}: ${problem}`);
      await reply(null, serializeRemoteException(new BadRequest(`Malformed RPC request: ${problem}`)));
      return;
    }
    const message: RequestMessage = {
      method: msg.method as string,
      args: (msg.args ?? {}) as Dict,
      namespace: (msg.namespace ?? null) as string | null,
      version: (msg.version ?? null) as string | null,
    };
    await this.handler({ ctxt, message, msgId, replyQ, clientTimeout, reply, heartbeat });
  }
}

/** The broker did not take a confirmed publish (returned, or nacked): worth sending again. */
const notTaken = (e: unknown): e is MessageUndeliverable | MessageNacked => e instanceof MessageUndeliverable || e instanceof MessageNacked;

/** reply/heartbeat of a cast: nothing to send. */
const noReply = (_result: unknown, _failure: string | null): Promise<void> => Promise.resolve();
const noHeartbeat = (): Promise<void> => Promise.resolve();

function withTimeout<T>(p: Promise<T>, timeout: number | null, msgId: string): Promise<T> {
  if (timeout === null) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new MessagingTimeout(msgId)), Math.max(0, timeout * 1000));
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

function validateRequest(msg: Dict): string | null {
  if (typeof msg.method !== 'string' || msg.method === '') return 'missing or non-string "method"';
  if (msg.args !== undefined && msg.args !== null && !isDict(msg.args)) return '"args" is not an object';
  if (msg.namespace !== undefined && msg.namespace !== null && typeof msg.namespace !== 'string') return '"namespace" is not a string';
  if (msg.version !== undefined && msg.version !== null && typeof msg.version !== 'string') return '"version" is not a string';
  return null;
}
