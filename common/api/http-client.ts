// Service-to-service HTTP (Nova → cinder-api, cinder-api → nova-api, cinder-volume → Nova's
// external events): node's http/https over keep-alive agents, answering as fetch does
// (FetchResponse). The global fetch (undici) cost about 0.27 ms more CPU per request than this
// on loopback (WHATWG Request/Response/Headers, body streams, an AbortSignal's set-up), a
// quarter of what such a request costs end to end (docs/performance.md).
import http from 'node:http';
import https from 'node:https';
import type { FetchInit, FetchResponse } from './local-fetch';

/**
 * Idle connections close after 4 s: before our APIs' (fastify, 72 s) and node's (5 s) keep-alive
 * timeouts, so a request is never written to a connection the server is closing.
 */
const AGENT_OPTIONS = { keepAlive: true, timeout: 4000, scheduling: 'lifo' as const };
const agents = { 'http:': new http.Agent(AGENT_OPTIONS), 'https:': new https.Agent(AGENT_OPTIONS) };
/** A service's answer is small; past this the peer is not one of ours. */
const MAX_BODY = 32 * 1024 * 1024;
/** Answers that carry no body. */
export const NULL_BODY = new Set([101, 204, 205, 304]);
/** Safe to send again when a kept-alive connection turns out closed before any answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** fetch's failure for a request that got no answer: TypeError "fetch failed", the cause attached. */
const failed = (cause: unknown): Error => new TypeError('fetch failed', { cause });

export async function httpFetch(url: string, init: FetchInit = {}): Promise<FetchResponse> {
  try {
    return await once(url, init);
  } catch (e) {
    // The server closed an idle kept-alive connection as we wrote to it: nothing reached it.
    const stale = (e as { cause?: { code?: string; reusedSocket?: boolean } }).cause;
    if (stale?.reusedSocket && stale.code === 'ECONNRESET' && IDEMPOTENT.has((init.method ?? 'GET').toUpperCase())) return once(url, init);
    throw e;
  }
}

function once(url: string, init: FetchInit): Promise<FetchResponse> {
  return new Promise<FetchResponse>((resolve, reject) => {
    const signal = init.signal ?? null;
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    let u: URL;
    try {
      u = new URL(url);
    } catch (e) {
      reject(failed(e));
      return;
    }
    const agent = agents[u.protocol as keyof typeof agents];
    if (!agent) {
      reject(failed(new Error(`unsupported protocol ${u.protocol}`)));
      return;
    }
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      reject(new TypeError('httpFetch sends a string or bytes body only'));
      return;
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const req = (u.protocol === 'https:' ? https : http).request(u, { method, agent, headers: plainHeaders(init.headers) });
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => { req.destroy(signal?.reason as Error); };
    const done = (): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    let answered = false;
    const fail = (e: unknown): void => {
      done();
      if (!answered && req.reusedSocket && e && typeof e === 'object') Object.assign(e, { reusedSocket: true });
      const aborted = signal?.aborted && e === signal.reason;
      reject(aborted || (e as Error)?.name === 'TimeoutError' ? e : failed(e));
    };
    if (init.timeoutMs !== undefined) {
      timer = setTimeout(() => req.destroy(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), init.timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) res.destroy(new Error(`answer larger than ${MAX_BODY} bytes`));
        else chunks.push(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        done();
        const status = res.statusCode ?? 0;
        const text = NULL_BODY.has(status) || method === 'HEAD' ? '' : Buffer.concat(chunks).toString('utf8');
        resolve(answer(status, res.statusMessage ?? '', res.headers, text));
      });
    });
    req.end(body ?? undefined);
  });
}

/**
 * The FetchResponse of an answer read whole. Header names are lower case (node and
 * light-my-request both give them so); a repeated header reads as fetch joins it.
 */
export function answer(status: number, statusText: string, headers: Record<string, string | string[] | number | undefined>, text: string): FetchResponse {
  return {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    headers: {
      get: (name: string): string | null => {
        const v = headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
      },
    },
    text: async () => text,
    // As Response.json(): a SyntaxError for an empty or malformed body.
    json: async () => JSON.parse(text) as unknown,
  };
}

/** A plain object as our clients pass; a Headers or pair list as fetch also takes. */
export function plainHeaders(h: FetchInit['headers']): Record<string, string> | undefined {
  if (h === undefined || (typeof h === 'object' && !Array.isArray(h) && !(h instanceof Headers))) return h as Record<string, string> | undefined;
  return Object.fromEntries(new Headers(h));
}
