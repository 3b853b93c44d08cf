// A small tracer: spans with W3C ids, kept in AsyncLocalStorage (scope.ts), handed to sinks
// (memory, database, OTLP) when they end. Hand-written rather than the OpenTelemetry SDK: the
// whole contract is "ids on the wire + a record per step"; see docs/tracing.md for the choice
// and its measured cost.
import { maskPassword } from '../log/mask';
import { currentScope, runInScope, type Scope, type ScopeIds } from './scope';
import { formatTraceparent, newSpanId, newTraceId, type SpanContext } from './traceparent';

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
export type SpanAttrs = Record<string, string | number | boolean>;

/** A finished span, as stored and exported. Times in ms since the epoch (fractional). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  /** The process (lifeline) that ran it: nova-api, nova-compute, cinder-api, cinder-volume. */
  service: string;
  /** What it talks to, for client-side spans: broker, database, target, hypervisor, or a service. */
  peer: string | null;
  start: number;
  duration: number;
  status: 'ok' | 'error';
  error: string | null;
  requestId: string | null;
  globalRequestId: string | null;
  attrs: SpanAttrs;
}

export interface SpanSink {
  add(span: SpanRecord): void;
}

export interface SpanOptions {
  name: string;
  kind?: SpanKind;
  peer?: string;
  attrs?: SpanAttrs;
  /** Lifeline of the span; default the enclosing span's (or this process's, setTraceService). */
  service?: string;
  /** The remote parent read off a message or header (server and consumer spans). */
  parent?: SpanContext | null;
  /** Start a new trace when there is no parent (entry points only); else such spans are not kept. */
  root?: boolean;
  /** Marks this span and everything under it as undoing a failed step. */
  rollback?: boolean;
  /** Request ids, when known at the start (else read from the scope at the end). */
  ids?: ScopeIds;
}

const sinks: SpanSink[] = [];
let enabled = true;
let processService = process.title || 'node';

export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

export function tracingEnabled(): boolean {
  return enabled && sinks.length > 0;
}

/** The lifeline of spans started outside any other span in this process (a daemon's name). */
export function setTraceService(name: string): void {
  processService = name;
}

/** Adds a sink; returns a function that removes it again. */
export function addSpanSink(sink: SpanSink): () => void {
  sinks.push(sink);
  return () => {
    const i = sinks.indexOf(sink);
    if (i >= 0) sinks.splice(i, 1);
  };
}

const nowMs = (): number => performance.timeOrigin + performance.now();

export class Span {
  readonly attrs: SpanAttrs;
  readonly scope: Scope;
  private readonly start = nowMs();
  private status: 'ok' | 'error' = 'ok';
  private error: string | null = null;
  private ended = false;

  constructor(private readonly opts: SpanOptions, readonly traceId: string, readonly spanId: string,
    private readonly parentSpanId: string | null, tracestate: string | null, rollback: boolean, readonly service: string, ids: ScopeIds | undefined) {
    this.attrs = { ...(opts.attrs ?? {}) };
    if (rollback) this.attrs.rollback = true;
    this.scope = { ids, span: { traceId, spanId, sampled: true, tracestate, rollback, service } };
  }

  set(key: string, value: string | number | boolean): this {
    this.attrs[key] = value;
    return this;
  }

  /** The traceparent to send on an outgoing message or request made under this span. */
  traceparent(): string {
    return formatTraceparent({ traceId: this.traceId, spanId: this.spanId, sampled: true });
  }

  get tracestate(): string | null {
    return this.scope.span?.tracestate ?? null;
  }

  get failed(): boolean {
    return this.status === 'error';
  }

  fail(err: unknown): this {
    this.status = 'error';
    const e = err as { name?: string; message?: string };
    this.error = maskPassword(`${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`).slice(0, 300);
    return this;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const ids = this.scope.ids;
    const rec: SpanRecord = {
      traceId: this.traceId, spanId: this.spanId, parentSpanId: this.parentSpanId, name: this.opts.name,
      kind: this.opts.kind ?? 'internal', service: this.service, peer: this.opts.peer ?? null,
      start: this.start, duration: nowMs() - this.start, status: this.status, error: this.error,
      requestId: ids?.requestId ?? null, globalRequestId: ids?.globalRequestId ?? ids?.requestId ?? null, attrs: this.attrs,
    };
    for (const s of sinks) {
      try {
        s.add(rec);
      } catch {
        // A sink's trouble never fails the traced work.
      }
    }
  }
}

/** A started span, or null when tracing is off or there is no trace to join (and root is not set). */
export function startSpan(opts: SpanOptions): Span | null {
  if (!enabled || sinks.length === 0) return null;
  const cur = currentScope();
  const remote = opts.parent ?? null;
  const local = remote ? null : cur?.span;
  if (!remote && !local && !opts.root) return null;
  const traceId = remote?.traceId ?? local?.traceId ?? newTraceId();
  const parentSpanId = remote?.spanId ?? local?.spanId ?? null;
  const tracestate = remote?.tracestate ?? local?.tracestate ?? null;
  const rollback = opts.rollback === true || (local?.rollback ?? false);
  const service = opts.service ?? local?.service ?? processService;
  return new Span(opts, traceId, newSpanId(), parentSpanId, tracestate, rollback, service, opts.ids ?? cur?.ids);
}

/** Runs `fn` under a new span (recording its failure), or plainly when not tracing. */
export async function withSpan<T>(opts: SpanOptions, fn: (span: Span | null) => Promise<T> | T): Promise<T> {
  const span = startSpan(opts);
  if (!span) return await fn(null);
  try {
    return await runInScope(span.scope, () => fn(span));
  } catch (err) {
    span.fail(err);
    throw err;
  } finally {
    span.end();
  }
}

/** The current trace context as the oslo context keys / HTTP headers to send; {} outside a trace. */
export function traceHeaders(): { traceparent?: string; tracestate?: string } {
  const s = currentScope()?.span;
  if (!s || !enabled) return {};
  const out: { traceparent?: string; tracestate?: string } = { traceparent: formatTraceparent(s) };
  if (s.tracestate) out.tracestate = s.tracestate;
  return out;
}
