// RPCClient: call/cast to a Target, with prepare() for per-call overrides (oslo's _BaseCallContext).
import { InvalidTarget, MessagingError, RPCVersionCapError } from './errors';
import { Target, type TargetFields } from './target';
import type { Transport } from './transport';
import { contextToDict, type Dict } from './serializer/message';
import { checkVersion, isCompatible } from './version';
import { observeCall, observeCast } from './observer';
import { startSpan, type Span } from '../trace';

/** The context dict to send: the caller's, plus the W3C trace context of this message's span. */
function withTraceContext(ctxt: unknown, span: Span | null): Dict {
  const d = contextToDict(ctxt);
  if (!span) return d;
  const out: Dict = { ...d, traceparent: span.traceparent() };
  if (span.tracestate) out.tracestate = span.tracestate;
  return out;
}

/** Ends the message's span when the send (cast) or the reply (call) settles. */
function endWith<T>(p: Promise<T>, span: Span | null): Promise<T> {
  if (!span) return p;
  return p.then((v) => { span.end(); return v; }, (err: unknown) => { span.fail(err).end(); throw err; });
}

export interface ClientOptions {
  /** Seconds to wait for a call's reply (default 60, oslo's rpc_response_timeout). */
  timeout?: number | null;
  /** Highest version this client may send (rolling upgrades). */
  versionCap?: string | null;
  /** Seconds without reply or server heartbeat before a call times out (null: off). */
  callMonitorTimeout?: number | null;
  /** Reconnect attempts while sending; null (default) = keep trying. */
  retry?: number | null;
}

export type PrepareOptions = TargetFields & ClientOptions;

export class RPCClient {
  readonly timeout: number;
  readonly versionCap: string | null;
  readonly callMonitorTimeout: number | null;
  readonly retry: number | null;

  constructor(readonly transport: Transport, readonly target: Target, options: ClientOptions = {}) {
    this.timeout = options.timeout ?? 60;
    this.versionCap = options.versionCap ?? null;
    this.callMonitorTimeout = options.callMonitorTimeout ?? null;
    this.retry = options.retry ?? null;
    if (this.target.version !== null) checkVersion(this.target.version);
  }

  /** A new client with some target fields / options replaced; this one is untouched. */
  prepare(o: PrepareOptions = {}): RPCClient {
    const target = this.target.with({
      exchange: o.exchange, topic: o.topic, namespace: o.namespace, version: o.version, server: o.server, fanout: o.fanout,
    });
    const pick = <T>(v: T | undefined, cur: T): T => (v === undefined ? cur : v);
    return new RPCClient(this.transport, target, {
      timeout: pick(o.timeout, this.timeout),
      versionCap: pick(o.versionCap, this.versionCap),
      callMonitorTimeout: pick(o.callMonitorTimeout, this.callMonitorTimeout),
      retry: pick(o.retry, this.retry),
    });
  }

  /** Whether `version` (default: the target's) is within the version cap. */
  canSendVersion(version?: string | null): boolean {
    const v = version === undefined ? this.target.version : version;
    return isCompatible(this.versionCap, v);
  }

  /** One-way; resolves once the broker has confirmed the message. */
  cast(ctxt: unknown, method: string, args: Record<string, unknown> = {}): Promise<void> {
    try {
      const msg = this.makeMessage(method, args);
      this.checkVersionCap(msg.version as string | undefined);
      const span = this.messageSpan('cast', method);
      return observeCast(this.target.topic as string, method, () => endWith(this.transport.driver.send(this.target, withTraceContext(ctxt, span), msg, {
        waitForReply: false, timeout: null, callMonitorTimeout: null, retry: this.retry,
      }) as Promise<void>, span));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Request/reply; rejects with the remote error, MessagingTimeout or MessageDeliveryFailure. */
  call(ctxt: unknown, method: string, args: Record<string, unknown> = {}): Promise<unknown> {
    try {
      if (this.target.fanout) throw new InvalidTarget('A call cannot be used with fanout', this.target);
      const msg = this.makeMessage(method, args);
      this.checkVersionCap(msg.version as string | undefined);
      const span = this.messageSpan('call', method);
      return observeCall(this.target.topic as string, method, () => endWith(this.transport.driver.send(this.target, withTraceContext(ctxt, span), msg, {
        waitForReply: true, timeout: this.timeout, callMonitorTimeout: this.callMonitorTimeout, retry: this.retry,
      }), span));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The sender's span of one message (only within a trace). */
  private messageSpan(kind: 'call' | 'cast', method: string): Span | null {
    const t = this.target;
    return startSpan({
      name: method, kind: kind === 'call' ? 'client' : 'producer', peer: 'broker',
      attrs: { 'rpc.kind': t.fanout ? 'fanout' : kind, 'rpc.method': method, 'rpc.topic': t.server ? `${t.topic}.${t.server}` : t.topic ?? '' },
    });
  }

  private makeMessage(method: string, args: Record<string, unknown>): Dict {
    if (!this.target.topic) throw new InvalidTarget('A topic is required to send', this.target);
    if (typeof method !== 'string' || !method) throw new MessagingError('method must be a non-empty string');
    const msg: Dict = { method, args: args ?? {} };
    if (this.target.namespace !== null) msg.namespace = this.target.namespace;
    if (this.target.version !== null) msg.version = this.target.version;
    return msg;
  }

  private checkVersionCap(version: string | undefined): void {
    if (!isCompatible(this.versionCap, version ?? null)) {
      throw new RPCVersionCapError(version ?? null, this.versionCap);
    }
  }
}

export { Target };
