// Public API of tracing: spans, the current scope, and the entry points the REST and RPC
// layers share. See docs/tracing.md.
import { parseTraceparent } from './traceparent';
import { startSpan, type Span, type SpanOptions } from './tracer';

export { currentScope, idsOfContextDict, runInScope, type Scope, type ScopeIds } from './scope';
export { parseTraceparent, formatTraceparent, newSpanId, newTraceId, type SpanContext } from './traceparent';
export {
  Span, startSpan, withSpan, traceHeaders, addSpanSink, setTracingEnabled, tracingEnabled, setTraceService,
  type SpanRecord, type SpanSink, type SpanKind, type SpanAttrs, type SpanOptions,
} from './tracer';
export { MemorySpanStore, spansForRequest, recentRequests, type RequestSummary } from './memory-store';

/** The server span of an incoming REST request: a child of the caller's traceparent, else a new trace. */
export function restServerSpan(service: string, method: string, traceparent?: string, tracestate?: string): Span | null {
  return startSpan({
    name: method, kind: 'server', service, root: true, parent: parseTraceparent(traceparent, tracestate),
    attrs: { 'http.method': method },
  });
}
export { setupTracing, memorySpanStore, type Tracing, type TraceConf, type SpanReader } from './setup';
export { DbSpanStore } from './db-store';
export { OtlpExporter, otlpBody } from './otlp';

const UUIDISH = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/gi;

/** The span of an outgoing REST request to `peer`: ids in the path shown as {id}, an action's name kept. */
export function restClientSpan(peer: string, method: string, path: string, body?: unknown): SpanOptions {
  const route = path.replace(/^https?:\/\/[^/]+/, '').split('?')[0].replace(UUIDISH, '{id}');
  const action = route.endsWith('/action') && body && typeof body === 'object' ? Object.keys(body)[0] : undefined;
  return {
    name: `${method} ${route}`, kind: 'client', peer,
    attrs: { 'http.method': method, 'http.route': route, ...(action ? { 'http.action': action.slice(0, 64) } : {}) },
  };
}
export { traceMethods, methodNames, type WrapOptions } from './wrap';
