// The process's one metrics registry: every service in the process (all four in the
// all-in-one) records into it, and each /metrics answer is all of it.
import { Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();

let processMetrics = false;

/** Node's own series (CPU, memory, event-loop lag, handles), under their standard names; once. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}

/** The text exposition format (what GET /metrics answers). */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
