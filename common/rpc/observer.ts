// Hooks for whoever measures the RPC layer. The library knows no metrics package: like
// oslo.messaging it is usable on its own (rpc-peer, the benches, a Python peer's counterpart),
// so it reports plain events here and the services turn them into Prometheus series
// (common/metrics/rpc.ts). Observers are process-wide, as a scrape registry is; with none
// added the cost is one length check per call, cast, request and reconnect.
import { MessagingTimeout, RemoteError } from './errors';

/** How a call ended on the client: answered, timed out, answered with an exception, or not sent. */
export type CallOutcome = 'success' | 'timeout' | 'remote_error' | 'error';

/** How a request ended on the server: returned, raised, or refused before running (no such method, version). */
export type DispatchOutcome = 'success' | 'error' | 'rejected';

export interface RpcObserver {
  /** A call finished; `error` is what the caller got (a rebuilt remote exception for remote_error). */
  callDone?(topic: string, method: string, seconds: number, outcome: CallOutcome, error?: unknown): void;
  /** A cast was confirmed by the broker (success) or failed to send (error). */
  castDone?(topic: string, method: string, seconds: number, outcome: 'success' | 'error'): void;
  /** A server ran (or refused) a request; `method` is null when no endpoint has it. */
  dispatched?(topic: string, method: string | null, seconds: number, outcome: DispatchOutcome): void;
  /** The transport's connection came back after a loss. */
  reconnected?(): void;
}

const observers: RpcObserver[] = [];

/** Adds an observer; returns its removal. */
export function addRpcObserver(o: RpcObserver): () => void {
  observers.push(o);
  return () => {
    const i = observers.indexOf(o);
    if (i >= 0) observers.splice(i, 1);
  };
}

/** Whether anyone listens (the hot paths check this before taking the time). */
export const observed = (): boolean => observers.length > 0;

/** An exception that came back in a reply's `failure` (rebuilt by class, or RemoteError). */
export function isRemoteFailure(err: unknown): boolean {
  return err instanceof RemoteError || (typeof err === 'object' && err !== null && Object.prototype.hasOwnProperty.call(err, 'remoteTraceback'));
}

/** The class name a remote failure carried (bounded: the peer's exception classes). */
export function remoteClassOf(err: unknown): string {
  if (err instanceof RemoteError) return err.excType ?? 'RemoteError';
  const ctor = (err as { constructor?: { name?: string } })?.constructor;
  return ctor?.name || 'Exception';
}

// Observer failures never reach the RPC path: a broken metrics hook must not fail a call.
function each(fn: (o: RpcObserver) => void): void {
  for (const o of observers) {
    try {
      fn(o);
    } catch {
      // ignored on purpose
    }
  }
}

/** Runs a call's send and reports how it ended (untouched when nobody observes). */
export function observeCall<T>(topic: string, method: string, send: () => Promise<T>): Promise<T> {
  if (!observers.length) return send();
  const t0 = performance.now();
  return send().then((r) => {
    notifyCall(topic, method, t0, 'success');
    return r;
  }, (e: unknown) => {
    notifyCall(topic, method, t0, e instanceof MessagingTimeout ? 'timeout' : isRemoteFailure(e) ? 'remote_error' : 'error', e);
    throw e;
  });
}

/** Runs a cast's send (until the broker's confirm) and reports how it ended. */
export function observeCast(topic: string, method: string, send: () => Promise<void>): Promise<void> {
  if (!observers.length) return send();
  const t0 = performance.now();
  return send().then(() => notifyCast(topic, method, t0, 'success'), (e: unknown) => {
    notifyCast(topic, method, t0, 'error');
    throw e;
  });
}

function notifyCall(topic: string, method: string, t0: number, outcome: CallOutcome, error?: unknown): void {
  const s = (performance.now() - t0) / 1000;
  each((o) => o.callDone?.(topic, method, s, outcome, error));
}

function notifyCast(topic: string, method: string, t0: number, outcome: 'success' | 'error'): void {
  const s = (performance.now() - t0) / 1000;
  each((o) => o.castDone?.(topic, method, s, outcome));
}

export function notifyDispatch(topic: string, method: string | null, t0: number, outcome: DispatchOutcome): void {
  const s = (performance.now() - t0) / 1000;
  each((o) => o.dispatched?.(topic, method, s, outcome));
}

export function notifyReconnect(): void {
  each((o) => o.reconnected?.());
}
