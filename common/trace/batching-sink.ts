// What the database store and the OTLP exporter share: spans queue up (bounded: a lost
// database or collector must not eat memory) and are flushed in batches a moment later.
import type { SpanRecord, SpanSink } from './tracer';

export abstract class BatchingSink implements SpanSink {
  protected pending: SpanRecord[] = [];
  protected closed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly flushMs: number, private readonly maxPending: number) {}

  add(span: SpanRecord): void {
    if (this.closed || this.pending.length >= this.maxPending) return;
    this.pending.push(span);
    if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, this.flushMs);
      this.timer.unref();
    }
  }

  abstract flush(): Promise<void>;

  /** No more spans; what is queued is flushed (best effort). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }
}
