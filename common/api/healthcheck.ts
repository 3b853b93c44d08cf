// GET/HEAD /healthcheck as oslo.middleware's healthcheck answers it, before authentication:
// 200 "OK" (text/plain) when every backend is fine, else 503 with one reason per failing
// backend; HEAD: 204 or 503, no body; `Accept: application/json`: {"reasons": [...],
// "detailed": false}. Backends here: the service's database (SELECT 1) and its message broker
// (connected, or connecting within the timeout). A result is reused for a second so a busy
// load balancer does not turn into database and broker load.
import type { DataSource } from 'typeorm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Transport } from '../rpc';

export const HEALTHCHECK_PATH = '/healthcheck';
/** How long one result is served again, ms. */
const CACHE_MS = 1000;
/** How long one backend may take before it counts as unreachable, ms. */
const CHECK_TIMEOUT_MS = 2000;

export interface HealthBackend {
  name: string;
  /** Resolves when usable; rejects (or takes longer than the timeout) when not. */
  check(): Promise<unknown>;
}

export const databaseHealth = (ds: DataSource): HealthBackend => ({ name: 'database', check: () => ds.query('SELECT 1') });
export const brokerHealth = (t: Transport, timeoutMs = CHECK_TIMEOUT_MS): HealthBackend => ({ name: 'message broker', check: () => t.ping(timeoutMs) });

interface Result { healthy: boolean; reasons: string[] }

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

/** Runs the backends at most once per CACHE_MS; concurrent requests share one run. */
export function healthChecker(backends: readonly HealthBackend[], cacheMs = CACHE_MS): () => Promise<Result> {
  let last: { at: number; result: Promise<Result> } | null = null;
  const run = async (): Promise<Result> => {
    const failures = await Promise.all(backends.map(async (b) => {
      try {
        await within(b.check(), CHECK_TIMEOUT_MS);
        return null;
      } catch (err) {
        // One line: a reason never spans lines of the plain-text answer.
        return `${b.name} unreachable: ${String((err as Error)?.message ?? err).split('\n')[0]}`;
      }
    }));
    const reasons = failures.filter((f): f is string => f !== null);
    return reasons.length ? { healthy: false, reasons } : { healthy: true, reasons: ['OK'] };
  };
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= cacheMs) last = { at: now, result: run() };
    return last.result;
  };
}

/** Adds GET and HEAD /healthcheck (no token needed) to an API app. */
export function healthcheckRoutes(app: FastifyInstance, backends: readonly HealthBackend[]): void {
  const check = healthChecker(backends);
  app.route({
    method: 'GET', url: HEALTHCHECK_PATH, exposeHeadRoute: false, config: { public: true },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const r = await check();
      void reply.code(r.healthy ? 200 : 503);
      if (/application\/json/i.test(String(req.headers.accept ?? ''))) {
        return reply.type('application/json').send(JSON.stringify({ detailed: false, reasons: r.reasons }, null, 4));
      }
      return reply.type('text/plain; charset=UTF-8').send(r.reasons.join('\n'));
    },
  });
  app.route({
    method: 'HEAD', url: HEALTHCHECK_PATH, config: { public: true },
    handler: async (_req: FastifyRequest, reply: FastifyReply) => {
      const r = await check();
      return reply.code(r.healthy ? 204 : 503).type('text/plain; charset=UTF-8').send();
    },
  });
}
