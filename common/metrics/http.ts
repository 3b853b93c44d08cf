// REST request counts and latencies of both APIs, labelled by the route pattern (never the
// raw URL: ids would make a series per volume), the method and the status code.
import { Counter, Histogram } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { exposition, registry } from './registry';

const LABELS = ['api', 'method', 'route', 'code'] as const;

const requests = new Counter({
  name: 'attachd_http_requests_total', help: 'REST requests answered, by API, method, route pattern and status code',
  labelNames: LABELS, registers: [registry],
});
const duration = new Histogram({
  name: 'attachd_http_request_duration_seconds', help: 'REST request latency, by API, method, route pattern and status code',
  labelNames: LABELS, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
});

/** Records every answer of `app` (added where the app is made, so every plugin's routes inherit it). */
export function observeHttp(app: FastifyInstance, api: string): void {
  // Each series' children, kept: prom-client otherwise sorts and joins the labels on every call.
  const series = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
  app.addHook('onResponse', async (req, reply) => {
    // No route matched (404, a URL the router refused): one series, whatever the URL was.
    const route = req.routeOptions?.url ?? 'unmatched';
    const key = `${req.method} ${reply.statusCode} ${route}`;
    let s = series.get(key);
    if (!s) {
      const labels = { api, method: req.method, route, code: String(reply.statusCode) };
      series.set(key, (s = { count: requests.labels(labels), time: duration.labels(labels) }));
    }
    s.count.inc();
    s.time.observe(reply.elapsedTime / 1000);
  });
}

/**
 * GET /metrics on the API listener, without a token, as Prometheus scrapes and as oslo's
 * healthcheck is served. It shows counts and latencies only (no ids, tokens or names).
 */
export function metricsRoute(app: FastifyInstance): void {
  app.get('/metrics', { config: { public: true } }, async (_req, reply) => {
    const { contentType, body } = await exposition();
    return reply.type(contentType).send(body);
  });
}
