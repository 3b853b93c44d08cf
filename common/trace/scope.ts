// The request a piece of async work belongs to: its ids (for log lines) and the span it runs
// under (for trace context). Kept in AsyncLocalStorage, like oslo.context's thread-local
// "current context", so a log line or an outgoing call finds them without being handed them.
// No imports: common/log reads it.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The ids a log line shows. */
export interface ScopeIds {
  requestId?: string;
  globalRequestId?: string | null;
  userId?: string | null;
  projectId?: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The ids a log line shows, read off an oslo context dict (the one reader the RPC server, the
 * managers and their log lines share); undefined without a request id.
 */
export function idsOfContextDict(ctxt: Record<string, unknown>): ScopeIds | undefined {
  const requestId = str(ctxt.request_id);
  if (!requestId) return undefined;
  return {
    requestId, globalRequestId: str(ctxt.global_request_id),
    userId: str(ctxt.user_id) ?? str(ctxt.user), projectId: str(ctxt.project_id) ?? str(ctxt.tenant),
  };
}

export interface Scope {
  /** Mutable: an API sets it after authentication, within the same scope. */
  ids?: ScopeIds;
  /** The active span's W3C ids, when tracing. */
  span?: { traceId: string; spanId: string; sampled: boolean; tracestate: string | null; rollback: boolean; service: string };
}

const als = new AsyncLocalStorage<Scope>();

export function currentScope(): Scope | undefined {
  return als.getStore();
}

export function runInScope<T>(scope: Scope, fn: () => T): T {
  return als.run(scope, fn);
}
