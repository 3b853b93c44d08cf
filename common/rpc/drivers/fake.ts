// fake:// — an in-process broker with the RabbitMQ semantics oslo relies on: topic and fanout
// exchanges, the default exchange, queues shared round-robin by their consumers, messages
// kept in a queue until someone consumes. Bodies are the same bytes the rabbit driver sends,
// so every message is JSON-encoded and decoded on the way.
import type { Bus, Delivery, ExchangeSpec, PublishSpec, QueueSpec, SubscribeSpec, Subscription } from './base';
import { MessageUndeliverable } from './base';
import { MessagingError } from '../errors';

interface FakeMessage {
  body: Buffer;
  expiresAt: number | null;
}

interface FakeConsumer {
  deliver(m: FakeMessage): void;
}

class FakeQueue {
  readonly messages: FakeMessage[] = [];
  readonly consumers: FakeConsumer[] = [];
  private next = 0;
  private scheduled = false;

  constructor(readonly spec: QueueSpec) {}

  push(m: FakeMessage, front = false): void {
    if (front) this.messages.unshift(m); else this.messages.push(m);
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Asynchronous like a real broker: a publish never runs the consumer in the caller's stack.
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.messages.length && this.consumers.length) {
      const m = this.messages.shift() as FakeMessage;
      if (m.expiresAt !== null && m.expiresAt < Date.now()) continue;
      const c = this.consumers[this.next++ % this.consumers.length];
      c.deliver(m);
    }
  }
}

interface FakeExchange {
  spec: ExchangeSpec;
  bindings: Map<string, Set<string>>;
}

/** One broker per fake URL in this process. */
export class FakeBroker {
  readonly exchanges = new Map<string, FakeExchange>();
  readonly queues = new Map<string, FakeQueue>();

  declareExchange(spec: ExchangeSpec): void {
    if (!this.exchanges.has(spec.name)) this.exchanges.set(spec.name, { spec, bindings: new Map() });
  }

  declareQueue(spec: QueueSpec): FakeQueue {
    let q = this.queues.get(spec.name);
    if (!q) {
      q = new FakeQueue(spec);
      this.queues.set(spec.name, q);
    }
    return q;
  }

  bind(queue: string, exchange: ExchangeSpec, key: string): void {
    this.declareExchange(exchange);
    const ex = this.exchanges.get(exchange.name) as FakeExchange;
    const k = exchange.type === 'fanout' ? '' : key;
    let set = ex.bindings.get(k);
    if (!set) ex.bindings.set(k, (set = new Set()));
    set.add(queue);
  }

  deleteQueue(name: string): void {
    this.queues.delete(name);
    for (const ex of this.exchanges.values()) for (const set of ex.bindings.values()) set.delete(name);
  }

  /** Queue names a publish reaches (topic keys are matched exactly: oslo never uses wildcards). */
  route(exchange: ExchangeSpec | null, key: string): string[] {
    if (exchange === null) return this.queues.has(key) ? [key] : [];
    const ex = this.exchanges.get(exchange.name);
    if (!ex) return [];
    if (ex.spec.type === 'fanout') {
      const all = new Set<string>();
      for (const set of ex.bindings.values()) for (const q of set) all.add(q);
      return [...all];
    }
    return [...(ex.bindings.get(key) ?? [])];
  }
}

const brokers = new Map<string, FakeBroker>();

/** The broker behind a fake URL; transports made from the same URL share it. */
export function fakeBrokerFor(url: string): FakeBroker {
  let b = brokers.get(url);
  if (!b) brokers.set(url, (b = new FakeBroker()));
  return b;
}

export class FakeBus implements Bus {
  private closed = false;
  private readonly subs = new Set<FakeSubscription>();
  private returnHandler: ((routingKey: string, body: Buffer) => void) | null = null;

  constructor(private readonly broker: FakeBroker) {}

  async publish(spec: PublishSpec): Promise<void> {
    if (this.closed) throw new MessagingError('transport is closed');
    const b = this.broker;
    if (spec.exchange) b.declareExchange(spec.exchange);
    if (spec.declareQueue && spec.exchange) {
      b.declareQueue(spec.declareQueue);
      b.bind(spec.declareQueue.name, spec.exchange, spec.routingKey);
    }
    const targets = b.route(spec.exchange, spec.routingKey);
    if (!targets.length && spec.mandatory) {
      if (spec.confirm === false) {
        const h = this.returnHandler;
        const body = Buffer.from(spec.body);
        if (h) setImmediate(() => h(spec.routingKey, body));
        return;
      }
      throw new MessageUndeliverable(`no queue bound for routing key ${spec.routingKey}`);
    }
    const expiresAt = spec.expirationMs !== undefined ? Date.now() + spec.expirationMs : null;
    for (const name of targets) {
      // Each queue gets its own copy, as a broker would.
      b.queues.get(name)?.push({ body: Buffer.from(spec.body), expiresAt });
    }
  }

  async subscribe(spec: SubscribeSpec, onDelivery: (d: Delivery) => void): Promise<Subscription> {
    if (this.closed) throw new MessagingError('transport is closed');
    const q = this.broker.declareQueue(spec.queue);
    if (spec.exchange) this.broker.bind(spec.queue.name, spec.exchange, spec.bindingKey ?? spec.queue.name);
    const sub = new FakeSubscription(this.broker, q, onDelivery, () => this.subs.delete(sub), spec.keepQueue ?? false);
    this.subs.add(sub);
    q.consumers.push(sub);
    q.schedule();
    return sub;
  }

  async ping(_timeoutMs: number): Promise<void> {
    if (this.closed) throw new MessagingError('transport is closed');
  }

  onReturn(handler: (routingKey: string, body: Buffer) => void): void {
    this.returnHandler = handler;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of [...this.subs]) await s.cancel(false);
  }
}

class FakeSubscription implements Subscription, FakeConsumer {
  private active = true;

  constructor(
    private readonly broker: FakeBroker,
    private readonly queue: FakeQueue,
    private readonly onDelivery: (d: Delivery) => void,
    private readonly onCancel: () => void,
    private readonly keepQueue: boolean,
  ) {}

  deliver(m: FakeMessage): void {
    const q = this.queue;
    let settled = false;
    this.onDelivery({
      body: m.body,
      contentType: 'application/json',
      ack: () => { settled = true; },
      requeue: () => {
        if (settled) return;
        settled = true;
        q.push(m, true);
      },
    });
  }

  async cancel(deleteQueue = false): Promise<void> {
    if (!this.active) return;
    this.active = false;
    const i = this.queue.consumers.indexOf(this);
    if (i >= 0) this.queue.consumers.splice(i, 1);
    if (deleteQueue && !this.keepQueue) this.broker.deleteQueue(this.queue.spec.name);
    this.onCancel();
  }
}
