// Spans of a multi-process layout: each process writes its spans to its project's database
// (table trace_spans), in batches, and prunes the table to `maxSpans` rows; the API of that
// project serves them (GET .../os-traces/{id}) and `attachd trace` joins Nova's and Cinder's.
// Plain `?` SQL: the same text for MariaDB (mysql2) and SQLite (better-sqlite3).
import type { DataSource } from 'typeorm';
import { BatchingSink } from './batching-sink';
import type { SpanRecord } from './tracer';

const FLUSH_MS = 500;
const BATCH = 200;
/** Spans waiting for the database beyond this are dropped (a lost database must not eat memory). */
const MAX_PENDING = 5000;
const PRUNE_EVERY = 20;
const MAX_READ = 5000;

export class DbSpanStore extends BatchingSink {
  private flushing: Promise<void> | null = null;
  private flushes = 0;

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
    while (this.pending.length) {
      const batch = this.pending.splice(0, BATCH);
      const params: unknown[] = [];
      for (const s of batch) params.push(s.traceId, s.requestId, s.globalRequestId, JSON.stringify(s));
      try {
        await this.ds.query(
          `INSERT INTO trace_spans (trace_id, request_id, global_request_id, record) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}`, params);
      } catch {
        return;
      }
    }
    if (++this.flushes % PRUNE_EVERY === 0) await this.prune().catch(() => undefined);
  }

  /** Keeps the newest maxSpans rows (two statements: MySQL refuses a DELETE reading its own table). */
  async prune(): Promise<void> {
    const rows = await this.ds.query('SELECT MAX(id) AS m FROM trace_spans') as Array<{ m: number | string | null }>;
    const max = Number(rows[0]?.m ?? 0);
    if (max > this.maxSpans) await this.ds.query('DELETE FROM trace_spans WHERE id <= ?', [max - this.maxSpans]);
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
    const out: SpanRecord[] = [];
    for (const r of rows) {
      try {
        out.push(JSON.parse(r.record) as SpanRecord);
      } catch {
        // A damaged row is skipped.
      }
    }
    return out;
  }

  /** The newest spans (for the list of recent requests). */
  async recent(limit = 2000): Promise<SpanRecord[]> {
    await this.flush();
    const rows = await this.ds.query(`SELECT record FROM trace_spans ORDER BY id DESC LIMIT ${Math.max(1, Math.min(limit, MAX_READ))}`) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as SpanRecord);
  }
}
