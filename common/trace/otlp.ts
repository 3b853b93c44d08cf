// OTLP over HTTP with the JSON encoding (POST <endpoint>, ExportTraceServiceRequest), batched,
// for [trace] otlp_endpoint (e.g. an OpenTelemetry Collector's http://127.0.0.1:4318/v1/traces).
// Best effort: a failed export is dropped with one warning, never retried forever.
import { getLogger } from '../log';
import { BatchingSink } from './batching-sink';
import type { SpanKind, SpanRecord } from './tracer';

const LOG = getLogger('trace.otlp');
const KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const FLUSH_MS = 1000;
const BATCH = 512;
const MAX_PENDING = 4096;
const TIMEOUT_MS = 5000;

const nanos = (ms: number): string => BigInt(Math.round(ms * 1000)).toString() + '000';

function attr(key: string, v: string | number | boolean): Record<string, unknown> {
  if (typeof v === 'boolean') return { key, value: { boolValue: v } };
  if (typeof v === 'number') return { key, value: Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } };
  return { key, value: { stringValue: v } };
}

/** The OTLP JSON body of some spans, one resource per service. */
export function otlpBody(spans: readonly SpanRecord[]): Record<string, unknown> {
  const byService = new Map<string, SpanRecord[]>();
  for (const s of spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [attr('service.name', service)] },
      scopeSpans: [{
        scope: { name: 'attachd' },
        spans: list.map((s) => ({
          traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
          name: s.name, kind: KIND[s.kind], startTimeUnixNano: nanos(s.start), endTimeUnixNano: nanos(s.start + s.duration),
          attributes: [
            ...Object.entries(s.attrs).map(([k, v]) => attr(k, v)),
            ...(s.peer ? [attr('peer.service', s.peer)] : []),
            ...(s.requestId ? [attr('openstack.request_id', s.requestId)] : []),
            ...(s.globalRequestId ? [attr('openstack.global_request_id', s.globalRequestId)] : []),
          ],
          status: s.status === 'error' ? { code: 2, message: s.error ?? '' } : { code: 1 },
        })),
      }],
    })),
  };
}

export class OtlpExporter extends BatchingSink {
  private warned = false;

  constructor(readonly endpoint: string) {
    super(FLUSH_MS, MAX_PENDING);
  }

  async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, BATCH);
      try {
        const res = await fetch(this.endpoint, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(otlpBody(batch)),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        await res.arrayBuffer();
        this.warned = false;
      } catch (e) {
        if (!this.warned) LOG.warning(`OTLP export to ${this.endpoint} failed (${(e as Error).message}); spans dropped`);
        this.warned = true;
      }
    }
  }
}
