// Recent spans in memory, bounded by count (oldest dropped first): the all-in-one's store and
// every process's buffer. Looked up by request id (local or global) or trace id.
import type { SpanRecord, SpanSink } from './tracer';

/** One request as listed on the trace page: its first (root) span. */
export interface RequestSummary {
  traceId: string;
  requestId: string | null;
  globalRequestId: string | null;
  name: string;
  service: string;
  start: number;
  duration: number;
  status: 'ok' | 'error';
}

/** All spans of the traces that `id` (a request id, local or global, or a trace id) belongs to. */
export function spansForRequest(all: Iterable<SpanRecord>, id: string): SpanRecord[] {
  const spans = [...all];
  const traces = new Set<string>();
  for (const s of spans) {
    if (s.requestId === id || s.globalRequestId === id || s.traceId === id) traces.add(s.traceId);
  }
  return spans.filter((s) => traces.has(s.traceId)).sort((a, b) => a.start - b.start);
}

/** Root spans (requests that entered from outside), newest first. */
export function recentRequests(all: Iterable<SpanRecord>, limit: number): RequestSummary[] {
  const out: RequestSummary[] = [];
  for (const s of all) {
    if (s.parentSpanId !== null) continue;
    out.push({
      traceId: s.traceId, requestId: s.requestId, globalRequestId: s.globalRequestId,
      name: [s.attrs['http.method'], s.attrs['http.route'], s.attrs['http.action']].filter((v) => v !== undefined).join(' ') || s.name,
      service: s.service, start: s.start, duration: s.duration, status: s.status,
    });
  }
  return out.sort((a, b) => b.start - a.start).slice(0, limit);
}

export class MemorySpanStore implements SpanSink {
  private readonly ring: Array<SpanRecord | undefined>;
  private pos = 0;

  constructor(readonly capacity = 20000) {
    this.ring = new Array<SpanRecord | undefined>(Math.max(1, capacity));
  }

  add(span: SpanRecord): void {
    this.ring[this.pos] = span;
    this.pos = (this.pos + 1) % this.ring.length;
  }

  *all(): Iterable<SpanRecord> {
    for (const s of this.ring) if (s) yield s;
  }

  forRequest(id: string): SpanRecord[] {
    return spansForRequest(this.all(), id);
  }

  recent(limit = 50): RequestSummary[] {
    return recentRequests(this.all(), limit);
  }
}
