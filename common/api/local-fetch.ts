// The all-in-one runs nova and cinder in one process, so Nova's calls to cinder-api need not
// cross a loopback socket: a request to an API served by this process is handed to its
// fastify instance with `inject` (the same routing, hooks, auth and views as over HTTP), and
// any other URL goes out over HTTP (http-client.ts).
import type { FastifyInstance } from 'fastify';
import { answer, httpFetch, NULL_BODY, plainHeaders } from './http-client';

/**
 * What the service clients read of an answer: a fetch Response has all of it. An injected
 * answer is a plain object with the same members: building a WHATWG Response and its Headers
 * cost more than the rest of an in-process request (structured-clone set-up, body streams).
 */
export interface FetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** fetch's init, plus `timeoutMs`: a deadline without an AbortSignal's set-up cost. */
export type FetchInit = RequestInit & { timeoutMs?: number };

export type FetchLike = (url: string, init?: FetchInit) => Promise<FetchResponse>;


export class LocalRoutes {
  private readonly apps = new Map<string, FastifyInstance>();

  /** Serve `baseUrl`'s origin from `app` until the returned function is called. */
  add(baseUrl: string, app: FastifyInstance): () => void {
    const origin = new URL(baseUrl).origin;
    this.apps.set(origin, app);
    return () => {
      if (this.apps.get(origin) === app) this.apps.delete(origin);
    };
  }

  readonly fetch: FetchLike = async (url, init = {}) => {
    const u = new URL(url);
    const app = this.apps.get(u.origin);
    if (!app) return httpFetch(url, init);
    const signal = init.signal ?? null;
    signal?.throwIfAborted();
    const injected = app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: u.pathname + u.search,
      // A plain object as our clients pass; a Headers or pair list as fetch also takes.
      headers: plainHeaders(init.headers),
      payload: init.body as string | undefined,
    });
    const res = signal || init.timeoutMs !== undefined ? await abortable(injected, signal, init.timeoutMs) : await injected;
    const text = NULL_BODY.has(res.statusCode) || init.method === 'HEAD' ? '' : res.payload;
    return answer(res.statusCode, res.statusMessage, res.headers, text);
  };
}

/** `p`, or the signal's reason once it aborts first, or a TimeoutError past `timeoutMs` (as fetch rejects). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | null, timeoutMs?: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = timeoutMs === undefined ? undefined
      : setTimeout(() => reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
    p.then(resolve, reject).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    });
  });
}
