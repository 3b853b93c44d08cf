// The rabbit Bus on amqplib: one connection per transport (a confirm channel for publishing,
// one channel for consumers), TCP_NODELAY, AMQP heartbeats, and reconnection with backoff and
// jitter across the URL's hosts. After a reconnect every live subscription is re-declared and
// re-consumed before publishing resumes; publishes interrupted by a connection loss are sent
// again (the server drops the copy it may already have by `_unique_id`).
// Declarations run on short-lived channels of their own, so a refused one (arguments that differ
// from an existing queue's) is reported and retried with backoff without touching the rest.
import { basename } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import * as amqp from 'amqplib';
import { getLogger } from '../../../log';
import { MessageDeliveryFailure, MessagingError } from '../../errors';
import { MessageUndeliverable, type Bus, type Delivery, type PublishSpec, type SubscribeSpec, type Subscription, MessageNacked } from '../base';
import { notifyReconnect } from '../../observer';
import { declareRefusal, describeRefusal } from './refusal';
import { tlsSocketOptions, type RabbitTlsOptions } from './tls';
import type { RabbitHost, RabbitUrl } from './url';

const LOG = getLogger('rpc.rabbit');

export interface RabbitOptions {
  /** AMQP heartbeat, seconds (oslo: heartbeat_timeout_threshold 60). */
  heartbeat?: number;
  /** First reconnect delay, ms; doubles per failed attempt up to reconnectMaxMs. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /**
   * After a *re*connect, publishing waits this long (ms) so that servers in other processes,
   * reconnecting at the same time, have re-declared their (non-durable) queues: a cast routed
   * to a queue that does not exist yet would be confirmed and silently dropped.
   */
  reconnectSettleMs?: number;
  /** TCP connect timeout, ms. */
  connectTimeoutMs?: number;
  /**
   * A declaration the broker refuses (406 PRECONDITION_FAILED, or 541 for a deprecated feature) is retried after
   * min(retryInterval + n * retryBackoff, intervalMax) seconds, n = refusals so far - 1
   * (rabbit_retry_interval 1, rabbit_retry_backoff 2, rabbit_interval_max 30, as kombu steps).
   */
  retryInterval?: number;
  retryBackoff?: number;
  intervalMax?: number;
  /** Seconds (+ up to kombuReconnectSplay at random) before re-consuming after a broker-side consumer cancel. */
  kombuReconnectDelay?: number;
  kombuReconnectSplay?: number;
  /** [oslo_messaging_rabbit] ssl = true (or `?ssl=1`): AMQP over TLS with these options. */
  tls?: RabbitTlsOptions;
}

/** A declaration refused by the broker: retried with backoff, not by reconnecting. */
class DeclareRefused extends MessageDeliveryFailure {}

/** One open connection and its channels; replaced wholesale on any failure. */
interface Generation {
  id: number;
  conn: amqp.ChannelModel;
  pub: amqp.ConfirmChannel;
  /** publishes that need no confirm (replies): one fewer broker round trip per message. */
  plain: amqp.Channel;
  sub: amqp.Channel;
  alive: boolean;
  /** exchange / queue declarations done on this connection (promise: concurrent first use). */
  declared: Map<string, Promise<void>>;
  /**
   * Mandatory publishes awaiting their confirm, to match a basic.return (which comes before
   * the confirm) by routing key + body. A Set: O(1) per publish; only a return walks it.
   */
  mandatory: Set<Pending>;
  /** serializes prefetch+consume pairs on the shared consumer channel. */
  subLock: Promise<unknown>;
  /** declarations known to be complete: lets publish skip the async path. */
  declaredDone: Set<string>;
  /** delivery tags on `sub` not yet acked or requeued, in order (see flushAcks). */
  unsettled: number[];
  toAck: Set<number>;
  ackFlushScheduled: boolean;
  /** Why the broker closed the connection (connection.close), if it did. */
  closeError: unknown;
}

interface Pending { routingKey: string; body: Buffer; returned: boolean }

interface Sub {
  spec: SubscribeSpec;
  onDelivery: (d: Delivery) => void;
  gen: Generation | null;
  consumerTag: string | null;
  cancelled: boolean;
}

class ConnectionLost extends MessagingError {}

const noop = (): void => undefined;
/** What amqplib's ack() reads from a message. */
const tagOnly = (deliveryTag: number): amqp.Message => ({ fields: { deliveryTag } }) as unknown as amqp.Message;

/**
 * amqplib's muxer writes every queued frame with its own `socket.write()` (one syscall, and
 * one TCP segment with noDelay, each). Corking the socket for the duration of one muxer pass
 * turns the frames gathered during an event-loop turn into a single writev: no added latency
 * (the pass runs in the same turn), far fewer syscalls and segments for us and the broker.
 * Skipped silently if amqplib's internals ever look different.
 */
function coalesceWrites(conn: amqp.ChannelModel): void {
  const c = (conn as unknown as { connection?: { stream?: Partial<Writable>; muxer?: { _readIncoming?: () => void } } }).connection;
  const stream = c?.stream;
  const mux = c?.muxer;
  if (!stream || !mux || typeof mux._readIncoming !== 'function' || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return;
  const pass = mux._readIncoming.bind(mux);
  const cork = stream.cork.bind(stream);
  const uncork = stream.uncork.bind(stream);
  mux._readIncoming = (): void => {
    cork();
    try {
      pass();
    } finally {
      uncork();
    }
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** renewPublishChannel opens at most one channel this often. */
const RENEW_EVERY_MS = 5000;

export class RabbitBus implements Bus {
  private gen: Generation | null = null;
  private genCounter = 0;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private hostIndex = 0;
  /** Total failed connection attempts: publishes count them against their retry limit. */
  private failedAttempts = 0;
  private readonly waiters = new Set<() => void>();
  private readonly subs = new Set<Sub>();
  private returnHandler: ((routingKey: string, body: Buffer) => void) | null = null;
  private wakeSleeper: (() => void) | null = null;
  /** Interruptible waits (declaration backoff), cut short by close(). */
  private readonly sleepers = new Set<() => void>();
  /** Wait before the next connection attempt (kombu_reconnect_delay after a consumer cancel), ms. */
  private connectDelayMs = 0;
  /** Reconnects in a row whose re-declarations closed the connection (541), and what was logged. */
  private loopRefusals = 0;
  private loopRefusalSaid = '';
  /** When renewPublishChannel last opened a channel. */
  private lastRenew = 0;
  private readonly opts: Required<Omit<RabbitOptions, 'tls'>>;
  private readonly tls: RabbitTlsOptions | undefined;
  private readonly connectionName = `${basename(process.argv[1] ?? 'node')}:${process.pid}:${randomUUID()}`;

  constructor(readonly url: RabbitUrl, options: RabbitOptions = {}) {
    this.opts = {
      heartbeat: options.heartbeat ?? 60,
      reconnectInitialMs: options.reconnectInitialMs ?? 200,
      reconnectMaxMs: options.reconnectMaxMs ?? 1000,
      reconnectSettleMs: options.reconnectSettleMs ?? 1500,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      retryInterval: options.retryInterval ?? 1,
      retryBackoff: options.retryBackoff ?? 2,
      intervalMax: options.intervalMax ?? 30,
      kombuReconnectDelay: options.kombuReconnectDelay ?? 1,
      kombuReconnectSplay: options.kombuReconnectSplay ?? 0,
    };
    this.tls = options.tls;
  }

  // ---- connection management -------------------------------------------------------------

  private kick(): void {
    if (this.connecting || this.closed || this.gen) return;
    this.connecting = this.connectLoop().finally(() => { this.connecting = null; });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits `ms` unless close() (or `signal`) comes first. */
  private pause(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  /** Seconds to wait after the n-th (1-based) refused declaration in a row. */
  declareRetryDelay(n: number): number {
    const o = this.opts;
    return Math.max(0, Math.min(o.retryInterval + (n - 1) * o.retryBackoff, o.intervalMax));
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    if (this.connectDelayMs > 0) {
      const ms = this.connectDelayMs;
      this.connectDelayMs = 0;
      await this.pause(ms);
    }
    while (!this.closed) {
      const host = this.url.hosts[this.hostIndex % this.url.hosts.length];
      try {
        const gen = await this.open(host);
        if (this.closed) {
          // close() ran while we were connecting: do not leave a connection behind.
          gen.alive = false;
          await gen.conn.close().catch(() => undefined);
          return;
        }
        const reconnect = gen.id > 1;
        LOG.info(`${reconnect ? 'Reconnected' : 'Connected'} to AMQP server on ${host.hostname}:${host.port}`);
        if (reconnect) notifyReconnect();
        // Consumers first: our own queues must exist before anything is published to them.
        let refusal: DeclareRefused | null = null;
        for (const s of this.subs) {
          await this.setupSub(gen, s).catch((err: unknown) => {
            if (!(err instanceof DeclareRefused)) {
              LOG.error(`could not re-establish consumer on ${s.spec.queue.name}: ${(err as Error).message}`);
            } else if (gen.alive) {
              // Refused, the connection fine: keep trying in the background, with backoff.
              void this.establish(s).catch(noop);
            } else {
              refusal = err;
            }
          });
        }
        if (refusal !== null && !gen.alive) {
          // The refusal closed the connection: reconnecting at once would only repeat it.
          const r: DeclareRefused = refusal;
          this.loopRefusals++;
          const delay = this.declareRetryDelay(this.loopRefusals);
          if (r.message !== this.loopRefusalSaid) LOG.error(`${r.message}. Retrying with backoff (next in ${delay.toFixed(2)} s)`);
          else LOG.debug(`reconnect refused again (${this.loopRefusals} times); retrying in ${delay.toFixed(2)} s`);
          this.loopRefusalSaid = r.message;
          await this.pause(delay * 1000);
          continue;
        }
        if (reconnect && this.opts.reconnectSettleMs > 0) await sleep(this.opts.reconnectSettleMs);
        if (!gen.alive) continue;
        this.loopRefusals = 0;
        this.loopRefusalSaid = '';
        this.gen = gen;
        this.notify();
        return;
      } catch (err) {
        if (this.closed) return;
        this.failedAttempts++;
        attempt++;
        this.hostIndex++;
        const base = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectInitialMs * 2 ** Math.min(attempt - 1, 20));
        const delay = Math.round(base * (0.5 + Math.random() * 0.5));
        LOG.warning(
          `AMQP server on ${host.hostname}:${host.port} is unreachable: ${(err as Error).message}. ` +
            `Trying again in ${(delay / 1000).toFixed(2)} seconds.`,
        );
        this.notify();
        // Cut short by close(), so a closing process does not wait out the backoff.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wakeSleeper = () => { clearTimeout(t); resolve(); };
        });
        this.wakeSleeper = null;
      }
    }
  }

  private async open(host: RabbitHost): Promise<Generation> {
    const tls = this.tls ? tlsSocketOptions(this.tls, host.hostname) : {};
    const conn = await amqp.connect(
      {
        protocol: this.tls ? 'amqps' : 'amqp', hostname: host.hostname, port: host.port, username: host.username, password: host.password,
        vhost: this.url.vhost, heartbeat: this.opts.heartbeat, locale: 'en_US',
      },
      { ...tls, noDelay: true, timeout: this.opts.connectTimeoutMs, clientProperties: { connection_name: this.connectionName } },
    );
    coalesceWrites(conn);
    // Listened to from the start: a socket error while the channels open (the broker killed
    // just after it accepted us) is emitted on the connection, and unheard it ends the process.
    let g: Generation | null = null;
    conn.on('error', (err: Error) => {
      if (g) g.closeError = err;
      LOG.warning(`AMQP connection error: ${err.message}`);
    });
    try {
      const pub = await conn.createConfirmChannel();
      const sub = await conn.createChannel();
      const plain = await conn.createChannel();
      const gen: Generation = {
        id: ++this.genCounter, conn, pub, sub, plain, alive: true, declared: new Map(), mandatory: new Set(), subLock: Promise.resolve(),
        declaredDone: new Set(), unsettled: [], toAck: new Set(), ackFlushScheduled: false, closeError: null,
      };
      g = gen;
      const lost = (why: string): void => this.lost(gen, why);
      conn.on('close', () => lost('connection closed'));
      conn.on('blocked', (reason: string) => LOG.warning(`AMQP connection blocked by the broker: ${reason}`));
      // Any channel-level error (e.g. a 406 on a declare) closes that channel: start afresh.
      for (const ch of [pub, sub]) {
        ch.on('error', (err: Error) => LOG.warning(`AMQP channel error: ${err.message}`));
        ch.on('close', () => lost('channel closed'));
      }
      this.wirePlain(gen, plain);
      pub.on('return', (msg: amqp.Message) => {
        for (const r of gen.mandatory) {
          if (!r.returned && r.routingKey === msg.fields.routingKey && r.body.equals(msg.content)) {
            r.returned = true;
            break;
          }
        }
      });
      return gen;
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  /** Handlers of the channel for unconfirmed publishes (call requests, replies). */
  private wirePlain(gen: Generation, plain: amqp.Channel): void {
    plain.on('error', (err: Error) => LOG.warning(`AMQP channel error: ${err.message}`));
    plain.on('close', () => this.lost(gen, 'channel closed'));
    plain.on('return', (msg: amqp.Message) => {
      this.returnHandler?.(msg.fields.routingKey, msg.content);
    });
  }

  /**
   * Replaces the channel of unconfirmed publishes with a new one (at most once per
   * RENEW_EVERY_MS). RabbitMQ before 3.11's fix starts a channel's client for a quorum queue
   * with the leader in the queue record, stale for a while after the leader's node died: a
   * channel whose first message to that queue goes out then keeps sending to the dead leader.
   * The driver calls this when a call to a quorum topic queue timed out; a new channel asks
   * again.
   */
  renewPublishChannel(): void {
    const gen = this.gen;
    const now = Date.now();
    if (!gen?.alive || now - this.lastRenew < RENEW_EVERY_MS) return;
    this.lastRenew = now;
    gen.conn.createChannel().then(async (ch) => {
      if (!gen.alive) {
        await ch.close().catch(noop);
        return;
      }
      this.wirePlain(gen, ch);
      const old = gen.plain;
      gen.plain = ch;
      // Its close must not count as a lost connection.
      old.removeAllListeners('close');
      await old.close().catch(noop);
      LOG.info('opened a new channel for call requests and replies after a call timed out');
    }, (err: unknown) => LOG.debug(`could not open a new channel: ${(err as Error).message}`));
  }

  private lost(gen: Generation, why: string, delayMs = 0): void {
    if (!gen.alive) return;
    this.connectDelayMs = Math.max(this.connectDelayMs, delayMs);
    gen.alive = false;
    if (this.gen === gen) this.gen = null;
    for (const s of this.subs) if (s.gen === gen) { s.gen = null; s.consumerTag = null; }
    gen.conn.close().catch(() => undefined);
    if (this.closed) return;
    LOG.warning(`AMQP connection lost (${why}); reconnecting${delayMs > 0 ? ` in ${(delayMs / 1000).toFixed(2)} seconds` : ''}`);
    this.kick();
  }

  /**
   * The live connection, waiting for (re)connection. Rejects once `retry` connection attempts
   * failed while waiting (null/-1: wait forever) or at `deadline` (epoch ms).
   */
  private async live(retry: number | null | undefined, used: number, deadline?: number): Promise<Generation> {
    if (this.gen?.alive) return this.gen;
    if (this.closed) throw new MessagingError('transport is closed');
    const limit = retry === null || retry === undefined || retry < 0 ? Infinity : retry;
    const start = this.failedAttempts - used;
    return await new Promise<Generation>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        this.waiters.delete(check);
        if (timer) clearTimeout(timer);
      };
      const check = (): void => {
        if (this.closed) {
          done();
          reject(new MessagingError('transport is closed'));
        } else if (this.gen?.alive) {
          done();
          resolve(this.gen);
        } else if (this.failedAttempts - start > limit) {
          done();
          reject(new MessageDeliveryFailure(
            `Unable to connect to AMQP server after ${this.failedAttempts - start} tries: giving up on this message`,
          ));
        }
      };
      if (deadline !== undefined) {
        timer = setTimeout(() => {
          done();
          reject(new MessageDeliveryFailure('AMQP server unreachable until the deadline of this message'));
        }, Math.max(0, deadline - Date.now()));
      }
      this.waiters.add(check);
      this.kick();
      check();
    });
  }

  // ---- publishing ----------------------------------------------------------------------

  publish(spec: PublishSpec): Promise<void> {
    // Fast path: connected and everything declared already, no extra promise hops.
    const gen = this.gen;
    if (gen?.alive && this.declaredAlready(gen, spec)) {
      return this.publishOn(gen, spec).catch((err: unknown) => this.afterFailure(gen, spec, err, 0));
    }
    return this.publishSlow(spec, 0);
  }

  private declaredAlready(gen: Generation, spec: PublishSpec): boolean {
    if (!spec.exchange) return true;
    if (spec.redeclare || !gen.declaredDone.has(`x:${spec.exchange.name}`)) return false;
    return !spec.declareQueue || gen.declaredDone.has(`q:${spec.declareQueue.name}:${spec.exchange.name}:${spec.routingKey}`);
  }

  /** Decides whether a failed publish is retried (connection lost) or reported. */
  private afterFailure(gen: Generation, spec: PublishSpec, err: unknown, used: number): Promise<void> {
    if (err instanceof MessageUndeliverable) throw err;
    if (gen.alive && !(err instanceof ConnectionLost)) {
      // The broker refused it (nack, or a declare error) while the connection is fine.
      throw err instanceof MessagingError ? err : new MessageDeliveryFailure(`publish failed: ${(err as Error).message}`);
    }
    // Make sure the next attempt waits for a new connection instead of spinning on this one.
    this.lost(gen, (err as Error).message);
    const limit = spec.retry === null || spec.retry === undefined || spec.retry < 0 ? Infinity : spec.retry;
    if (used + 1 > limit) {
      throw new MessageDeliveryFailure(`connection lost while publishing; ${used} retries exhausted`);
    }
    LOG.debug(`connection lost while publishing to ${spec.routingKey}; retrying`);
    return this.publishSlow(spec, used + 1);
  }

  private async publishSlow(spec: PublishSpec, used: number): Promise<void> {
    const gen = await this.live(spec.retry, used, spec.deadline);
    try {
      await this.declareFor(gen, spec);
      await this.publishOn(gen, spec);
    } catch (err) {
      await this.afterFailure(gen, spec, err, used);
    }
  }

  private declareOnce(gen: Generation, key: string, fn: () => Promise<unknown>): Promise<void> {
    let p = gen.declared.get(key);
    if (!p) {
      p = fn().then(() => { gen.declaredDone.add(key); });
      gen.declared.set(key, p);
      p.catch(() => gen.declared.delete(key));
    }
    return p;
  }

  private async declareFor(gen: Generation, spec: PublishSpec): Promise<void> {
    const ex = spec.exchange;
    if (!ex) return;
    await this.declareOnce(gen, `x:${ex.name}`, () => this.declaring(gen, `exchange '${ex.name}'`, (ch) =>
      ch.assertExchange(ex.name, ex.type, { durable: ex.durable, autoDelete: ex.autoDelete })));
    const q = spec.declareQueue;
    if (q) {
      if (spec.redeclare) {
        const key = `q:${q.name}:${ex.name}:${spec.routingKey}`;
        if (gen.declaredDone.delete(key)) gen.declared.delete(key);
      }
      await this.declareOnce(gen, `q:${q.name}:${ex.name}:${spec.routingKey}`, () => this.declaring(gen, `queue '${q.name}'`, async (ch) => {
        await ch.assertQueue(q.name, { durable: q.durable, autoDelete: q.autoDelete, exclusive: q.exclusive, arguments: q.arguments });
        await ch.bindQueue(q.name, ex.name, spec.routingKey);
      }));
    }
  }

  /**
   * Declarations run on a channel of their own: a refused one (406) closes only that channel,
   * not the consumers' or the publishers', and surfaces as DeclareRefused instead of a lost
   * connection (which used to mean a reconnect, and the same refusal, every 1.5 s).
   */
  private async declaring<T>(gen: Generation, what: string, fn: (ch: amqp.Channel) => Promise<T>): Promise<T> {
    let ch: amqp.Channel;
    try {
      ch = await gen.conn.createChannel();
    } catch (err) {
      throw new ConnectionLost((err as Error).message);
    }
    let channelError: unknown = null;
    ch.on('error', (err: unknown) => { channelError = err; });
    try {
      const r = await fn(ch);
      await ch.close().catch(noop);
      return r;
    } catch (err) {
      const refusal = declareRefusal(channelError ?? err) ?? declareRefusal(err);
      if (refusal && gen.alive) throw new DeclareRefused(describeRefusal(refusal, what));
      await ch.close().catch(noop);
      // A refusal can also close the whole connection (RabbitMQ 4.3: 541 for a transient
      // non-exclusive queue); the connection's error event tells, once it has been emitted.
      await new Promise((r) => setImmediate(r));
      const closed = declareRefusal(gen.closeError);
      if (closed) throw new DeclareRefused(describeRefusal(closed, what));
      if (!gen.alive) throw new ConnectionLost((err as Error).message);
      throw err;
    }
  }

  private publishOn(gen: Generation, spec: PublishSpec): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const exchange = spec.exchange?.name ?? '';
      let rec: Pending | null = null;
      if (spec.mandatory && spec.confirm !== false) {
        rec = { routingKey: spec.routingKey, body: spec.body, returned: false };
        gen.mandatory.add(rec);
      }
      const options: amqp.Options.Publish = {
        contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, headers: {},
        mandatory: spec.mandatory ?? false,
      };
      if (spec.expirationMs !== undefined) options.expiration = String(spec.expirationMs);
      if (spec.confirm === false) {
        try {
          gen.plain.publish(exchange, spec.routingKey, spec.body, options);
          resolve();
        } catch (err) {
          reject(new ConnectionLost((err as Error).message));
        }
        return;
      }
      try {
        gen.pub.publish(exchange, spec.routingKey, spec.body, options, (err: unknown) => {
          if (rec) gen.mandatory.delete(rec);
          if (err) {
            const msg = (err as Error).message ?? String(err);
            reject(gen.alive && msg !== 'channel closed' ? new MessageNacked(`broker refused the message: ${msg}`) : new ConnectionLost(msg));
          } else if (rec?.returned) {
            reject(new MessageUndeliverable(`no queue for routing key ${spec.routingKey}`));
          } else {
            resolve();
          }
        });
      } catch (err) {
        // amqplib throws synchronously when the channel is already closing.
        reject(new ConnectionLost((err as Error).message));
      }
    });
  }

  // ---- consuming -----------------------------------------------------------------------

  async subscribe(spec: SubscribeSpec, onDelivery: (d: Delivery) => void): Promise<Subscription> {
    const sub: Sub = { spec, onDelivery, gen: null, consumerTag: null, cancelled: false };
    await this.establish(sub);
    this.subs.add(sub);
    return { cancel: (deleteQueue?: boolean) => this.cancel(sub, deleteQueue ?? false) };
  }

  /**
   * Declares and consumes on the live connection. A refused declaration is logged once (and
   * again only if the broker's answer changes), then retried with backoff until it succeeds,
   * the subscription is cancelled or the bus closes.
   */
  private async establish(sub: Sub): Promise<void> {
    let refusals = 0;
    let said = '';
    const signal = sub.spec.signal;
    for (;;) {
      if (sub.cancelled) return;
      if (signal?.aborted) throw new MessagingError(`gave up consuming ${sub.spec.queue.name}`);
      const gen = await this.live(null, 0);
      if (sub.gen === gen) return;
      try {
        await this.setupSub(gen, sub);
        if (refusals > 0) LOG.info(`Declared ${sub.spec.queue.name} after ${refusals} refusal(s); consuming`);
        return;
      } catch (err) {
        if (!(err instanceof DeclareRefused)) {
          if (gen.alive) throw err;
          continue;
        }
        refusals++;
        const delay = this.declareRetryDelay(refusals);
        if (err.message !== said) {
          said = err.message;
          LOG.error(`${err.message}. Retrying with backoff (next in ${delay.toFixed(2)} s)`);
        } else {
          LOG.debug(`declaration of ${sub.spec.queue.name} refused again (${refusals} times); retrying in ${delay.toFixed(2)} s`);
        }
        await this.pause(delay * 1000, signal);
        if (this.closed) throw new MessagingError('transport is closed');
      }
    }
  }

  private setupSub(gen: Generation, sub: Sub): Promise<void> {
    const run = async (): Promise<void> => {
      // Already consuming here (a background retry and a reconnect may both get here).
      if (sub.cancelled || !gen.alive || sub.gen === gen) return;
      const { queue, exchange, bindingKey, prefetch } = sub.spec;
      const ch = gen.sub;
      await this.declaring(gen, `queue '${queue.name}'`, async (d) => {
        await d.assertQueue(queue.name, {
          durable: queue.durable, autoDelete: queue.autoDelete, exclusive: queue.exclusive, arguments: queue.arguments,
        });
        if (exchange) {
          await d.assertExchange(exchange.name, exchange.type, { durable: exchange.durable, autoDelete: exchange.autoDelete });
          await d.bindQueue(queue.name, exchange.name, bindingKey ?? queue.name);
        }
      });
      if (sub.cancelled || !gen.alive) return;
      await ch.prefetch(prefetch, false);
      const noAck = sub.spec.noAck ?? false;
      const args = sub.spec.consumerArguments?.();
      const ok = await ch.consume(queue.name, (msg) => {
        if (!msg) {
          // Broker-side cancel (queue deleted, or its leader failed over): as kombu, treat it as
          // a lost connection: reconnect after kombu_reconnect_delay (+ splay), re-declare
          // every queue (this one too) and consume again.
          LOG.warning(`consumer on ${queue.name} cancelled by the broker; re-declaring it`);
          sub.spec.onCancelled?.();
          const splay = Math.random() * this.opts.kombuReconnectSplay;
          if (gen.alive) this.lost(gen, 'consumer cancelled', (this.opts.kombuReconnectDelay + splay) * 1000);
          return;
        }
        const headers = msg.properties.headers as Record<string, unknown> | undefined;
        if (noAck) {
          sub.onDelivery({ body: msg.content, contentType: msg.properties.contentType as string | undefined, headers, ack: noop, requeue: noop });
          return;
        }
        const tag = msg.fields.deliveryTag;
        gen.unsettled.push(tag);
        let settled = false;
        sub.onDelivery({
          body: msg.content,
          contentType: msg.properties.contentType as string | undefined,
          headers,
          ack: () => {
            if (settled || !gen.alive) return;
            settled = true;
            gen.toAck.add(tag);
            this.scheduleAckFlush(gen);
          },
          requeue: () => {
            if (settled || !gen.alive) return;
            settled = true;
            const i = gen.unsettled.indexOf(tag);
            if (i >= 0) gen.unsettled.splice(i, 1);
            ch.nack(msg, false, true);
          },
        });
      }, args ? { noAck, arguments: args } : { noAck });
      sub.gen = gen;
      sub.consumerTag = ok.consumerTag;
    };
    const p = gen.subLock.then(run, run);
    gen.subLock = p.catch(() => undefined);
    return p;
  }

  private scheduleAckFlush(gen: Generation): void {
    if (gen.ackFlushScheduled) return;
    gen.ackFlushScheduled = true;
    setImmediate(() => this.flushAcks(gen));
  }

  /**
   * Acks gathered during one event-loop turn go out as one `multiple` ack for the settled
   * prefix of the channel's outstanding deliveries (fewer frames for the broker to process);
   * settled deliveries behind an unsettled one are acked one by one.
   */
  private flushAcks(gen: Generation): void {
    gen.ackFlushScheduled = false;
    if (!gen.alive || !gen.toAck.size) return;
    const { unsettled, toAck } = gen;
    let n = 0;
    while (n < unsettled.length && toAck.has(unsettled[n])) toAck.delete(unsettled[n++]);
    try {
      if (n > 0) gen.sub.ack(tagOnly(unsettled[n - 1]), n > 1);
      unsettled.splice(0, n);
      if (toAck.size) {
        for (const tag of toAck) gen.sub.ack(tagOnly(tag), false);
        gen.unsettled = unsettled.filter((t) => !toAck.has(t));
        toAck.clear();
      }
    } catch (err) {
      // The channel is closing: the broker requeues whatever was not acked.
      LOG.debug(`ack failed: ${(err as Error).message}`);
    }
  }

  private async cancel(sub: Sub, deleteQueue: boolean): Promise<void> {
    if (sub.cancelled) return;
    sub.cancelled = true;
    this.subs.delete(sub);
    const gen = sub.gen;
    if (!gen?.alive) return;
    try {
      if (sub.consumerTag) await gen.sub.cancel(sub.consumerTag);
      if (deleteQueue && !sub.spec.keepQueue) await gen.sub.deleteQueue(sub.spec.queue.name);
    } catch (err) {
      if (gen.alive) LOG.warning(`cancelling consumer on ${sub.spec.queue.name} failed: ${(err as Error).message}`);
    }
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.live(null, 0, Date.now() + timeoutMs);
  }

  onReturn(handler: (routingKey: string, body: Buffer) => void): void {
    this.returnHandler = handler;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeSleeper?.();
    for (const wake of [...this.sleepers]) wake();
    this.notify();
    const gen = this.gen;
    this.gen = null;
    if (gen) {
      gen.alive = false;
      await gen.conn.close().catch(() => undefined);
    }
  }
}
