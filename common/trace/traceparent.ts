// W3C Trace Context: the `traceparent` header / context key, version 00.
//   traceparent: 00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>
import { randomFillSync } from 'node:crypto';

export interface SpanContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
  tracestate: string | null;
}

const TP = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** A traceparent value as a span context; null when absent or invalid (then a new trace starts). */
export function parseTraceparent(value: unknown, tracestate?: unknown): SpanContext | null {
  if (typeof value !== 'string') return null;
  const m = TP.exec(value.trim().toLowerCase());
  if (!m) return null;
  const [, version, traceId, spanId, flags, rest] = m;
  // Version ff is forbidden; version 00 has nothing after the flags.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  const state = typeof tracestate === 'string' && tracestate.length <= 512 ? tracestate : null;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1, tracestate: state };
}

export function formatTraceparent(c: { traceId: string; spanId: string; sampled: boolean }): string {
  return `00-${c.traceId}-${c.spanId}-${c.sampled ? '01' : '00'}`;
}

// Ids from a pooled random buffer: one getrandom() per 512 ids instead of one per span.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return s;
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);
