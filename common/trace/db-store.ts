// Spans of a multi-process layout: each process writes its spans to its project's database
// (table trace_spans), in batches, and prunes the table to about `maxSpans` spans; the API of
// that project serves them (GET .../os-traces/{id}) and `attachd trace` joins Nova's and Cinder's.
// A row holds the spans of one request in one process that a batch carries (a JSON array; rows
// of one span object, from before, are read too): a REST request or an RPC dispatch is one row,
// not one per database call, which costs MariaDB a third of the index work per span.
// Plain `?` SQL: the same text for MariaDB (mysql2) and SQLite (better-sqlite3).
import type { DataSource } from 'typeorm';
import { BatchingSink } from './batching-sink';
import type { SpanRecord } from './tracer';

const FLUSH_MS = 500;
/** Rows per INSERT: about 200 spans, the statement (and the driver's packet) no larger than one row a span made. */
const BATCH = 50;
/** Spans waiting for the database beyond this are dropped (a lost database must not eat memory). */
const MAX_PENDING = 5000;
const PRUNE_EVERY = 20;
const MAX_READ = 5000;

export class DbSpanStore extends BatchingSink {
  private flushing: Promise<void> | null = null;
  private flushes = 0;
  /** Spans and rows this store wrote: the rows to keep for about maxSpans spans. */
  private written = { spans: 0, rows: 0 };

  constructor(private readonly ds: DataSource, private readonly maxSpans = 20000) {
    super(FLUSH_MS, MAX_PENDING);
  }

  /** Writes what is pending; a database error drops the batch (spans are best effort). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.pending.length || !this.ds.isInitialized) return;
    this.flushing = this.write().finally(() => { this.flushing = null; });
    await this.flushing;
  }

  private async write(): Promise<void> {
    const rows = byRequest(this.pending.splice(0));
    while (rows.length) {
      const batch = rows.splice(0, BATCH);
      const params: unknown[] = [];
      for (const r of batch) params.push(r[0].traceId, r[0].requestId, r[0].globalRequestId, JSON.stringify(r));
      try {
        await this.ds.query(
          `INSERT INTO trace_spans (trace_id, request_id, global_request_id, record) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}`, params);
      } catch {
        return;
      }
      this.written.rows += batch.length;
      for (const r of batch) this.written.spans += r.length;
    }
    if (++this.flushes % PRUNE_EVERY === 0) await this.prune().catch(() => undefined);
  }

  /**
   * Keeps the newest rows that hold about maxSpans spans, by the spans per row this store wrote
   * (two statements: MySQL refuses a DELETE reading its own table).
   */
  async prune(): Promise<void> {
    const perRow = this.written.rows ? this.written.spans / this.written.rows : 1;
    const keep = Math.max(1, Math.floor(this.maxSpans / perRow));
    const rows = await this.ds.query('SELECT MAX(id) AS m FROM trace_spans') as Array<{ m: number | string | null }>;
    const max = Number(rows[0]?.m ?? 0);
    if (max > keep) await this.ds.query('DELETE FROM trace_spans WHERE id <= ?', [max - keep]);
  }

  /** The spans of the traces `id` (request id, local or global, or trace id) is part of. */
  async forRequest(id: string): Promise<SpanRecord[]> {
    await this.flush();
    const hits = await this.ds.query(
      'SELECT DISTINCT trace_id FROM trace_spans WHERE request_id = ? OR global_request_id = ? OR trace_id = ?', [id, id, id]) as Array<{ trace_id: string }>;
    const traces = hits.map((r) => r.trace_id).slice(0, 100);
    if (!traces.length) return [];
    const rows = await this.ds.query(
      `SELECT record FROM trace_spans WHERE trace_id IN (${traces.map(() => '?').join(', ')}) ORDER BY id LIMIT ${MAX_READ}`, traces) as Array<{ record: string }>;
    return rows.flatMap((r) => spansOf(r.record));
  }

  /** The newest spans (for the list of recent requests). */
  async recent(limit = 2000): Promise<SpanRecord[]> {
    await this.flush();
    const rows = await this.ds.query(`SELECT record FROM trace_spans ORDER BY id DESC LIMIT ${Math.max(1, Math.min(limit, MAX_READ))}`) as Array<{ record: string }>;
    return rows.flatMap((r) => spansOf(r.record).reverse());
  }
}

/** The spans of one request in one batch share a row: grouped by their three ids, in order. */
function byRequest(spans: SpanRecord[]): SpanRecord[][] {
  const rows = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const key = `${s.traceId} ${s.requestId ?? ''} ${s.globalRequestId ?? ''}`;
    const row = rows.get(key);
    if (row) row.push(s); else rows.set(key, [s]);
  }
  return [...rows.values()];
}

/** A row's spans: a JSON array, or one span object (rows written before); a damaged row has none. */
function spansOf(record: string): SpanRecord[] {
  try {
    const v = JSON.parse(record) as SpanRecord | SpanRecord[];
    return Array.isArray(v) ? v : [v];
  } catch {
    return [];
  }
}
