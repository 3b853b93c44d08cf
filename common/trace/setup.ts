// A service's tracing from its [trace] options: the sinks spans go to (memory, its database,
// OTLP) and the reader its API serves them from. Process-wide: the all-in-one's four services
// share one memory store; services sharing a DataSource share its writer.
import type { DataSource } from 'typeorm';
import { DbSpanStore } from './db-store';
import { MemorySpanStore, recentRequests, spansForRequest, type RequestSummary } from './memory-store';
import { OtlpExporter } from './otlp';
import { addSpanSink, setTracingEnabled, setTraceService, type SpanRecord } from './tracer';

export interface TraceConf {
  trace: { enabled: boolean; store: string; max_spans: number; otlp_endpoint: string | null };
}

/** Where an API reads the spans it serves. */
export interface SpanReader {
  forRequest(id: string): Promise<SpanRecord[]>;
  recent(limit: number): Promise<RequestSummary[]>;
}

export interface Tracing extends SpanReader {
  close(): Promise<void>;
}

let memory: { store: MemorySpanStore } | null = null;
const dbStores = new Map<DataSource, { store: DbSpanStore; refs: number; remove: () => void }>();
const exporters = new Map<string, { exp: OtlpExporter; refs: number; remove: () => void }>();

/** This process's memory store (made on first use; bounded by `capacity`). */
export function memorySpanStore(capacity = 20000): MemorySpanStore {
  if (!memory) {
    memory = { store: new MemorySpanStore(capacity) };
    addSpanSink(memory.store);
  }
  return memory.store;
}

export function setupTracing(conf: TraceConf, o: { service: string; dataSource?: DataSource }): Tracing {
  const t = conf.trace;
  setTracingEnabled(t.enabled);
  setTraceService(o.service);
  const closers: Array<() => Promise<void>> = [];
  let db: DbSpanStore | null = null;
  let mem: MemorySpanStore | null = null;
  if (t.store === 'memory') mem = memorySpanStore(t.max_spans);
  if (t.store === 'database' && o.dataSource) {
    const ds = o.dataSource;
    let e = dbStores.get(ds);
    if (!e) {
      const store = new DbSpanStore(ds, t.max_spans);
      e = { store, refs: 0, remove: addSpanSink(store) };
      dbStores.set(ds, e);
    }
    e.refs++;
    db = e.store;
    const entry = e;
    closers.push(async () => {
      if (--entry.refs > 0) return;
      dbStores.delete(ds);
      entry.remove();
      await entry.store.close();
    });
  }
  if (t.otlp_endpoint) {
    const url = t.otlp_endpoint;
    let e = exporters.get(url);
    if (!e) {
      const exp = new OtlpExporter(url);
      e = { exp, refs: 0, remove: addSpanSink(exp) };
      exporters.set(url, e);
    }
    e.refs++;
    const entry = e;
    closers.push(async () => {
      if (--entry.refs > 0) return;
      exporters.delete(url);
      entry.remove();
      await entry.exp.close();
    });
  }
  return {
    async forRequest(id) {
      const spans = [...(mem ? mem.forRequest(id) : []), ...(db ? await db.forRequest(id) : [])];
      return spansForRequest(dedupe(spans), id);
    },
    async recent(limit) {
      const spans = [...(mem ? mem.all() : []), ...(db ? await db.recent(limit * 40) : [])];
      return recentRequests(dedupe(spans), limit);
    },
    async close() {
      for (const c of closers.splice(0)) await c().catch(() => undefined);
    },
  };
}

function dedupe(spans: SpanRecord[]): SpanRecord[] {
  const seen = new Map<string, SpanRecord>();
  for (const s of spans) seen.set(s.spanId, s);
  return [...seen.values()];
}
