// The all-in-one runs nova and cinder in one process, so Nova's calls to cinder-api need not
// cross a loopback socket: a request to an API served by this process is handed to its
// fastify instance with `inject` (the same routing, hooks, auth and views as over HTTP), and
// any other URL goes out with the global fetch. The caller sees a standard Response either way.
import type { FastifyInstance } from 'fastify';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Responses that carry no body (the Response constructor refuses one for them). */
const NULL_BODY = new Set([101, 204, 205, 304]);

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
    if (!app) return fetch(url, init);
    const signal = init.signal ?? null;
    signal?.throwIfAborted();
    const injected = app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: u.pathname + u.search,
      // A plain object as our clients pass; a Headers or pair list as fetch also takes.
      headers: plainHeaders(init.headers),
      payload: init.body as string | undefined,
    });
    const res = signal ? await abortable(injected, signal) : await injected;
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (Array.isArray(v)) for (const x of v) headers.append(k, String(x));
      else if (v !== undefined) headers.set(k, String(v));
    }
    const body = NULL_BODY.has(res.statusCode) || init.method === 'HEAD' ? null : res.rawPayload;
    return new Response(body, { status: res.statusCode, statusText: res.statusMessage, headers });
  };
}

function plainHeaders(h: RequestInit['headers']): Record<string, string> | undefined {
  if (h === undefined || (typeof h === 'object' && !Array.isArray(h) && !(h instanceof Headers))) return h as Record<string, string> | undefined;
  return Object.fromEntries(new Headers(h));
}

/** `p`, or the signal's reason once it aborts first (as fetch rejects on a timeout). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
