// The spans an API's project recorded, for `attachd trace` (admin only):
//   GET <prefix>/os-traces/{request_id}  → {"spans": [...]}   (request id local or global, or trace id)
//   GET <prefix>/os-traces?limit=N       → {"requests": [...]} (recent requests, newest first)
// and, on the all-in-one, the trace page behind an unguessable key printed at start.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { renderTracePage, renderRequestList } from '../trace/page';
import type { SpanReader } from '../trace';
import { badRequest, forbidden } from './faults';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkId(id: string): string {
  if (!ID.test(id)) throw badRequest(`Invalid request id '${id.slice(0, 80)}'`);
  return id;
}

function checkAdmin(req: FastifyRequest): void {
  if (!req.ctx.isAdmin) throw forbidden('Policy doesn\'t allow os-traces to be performed.');
}

function limitOf(q: unknown): number {
  const raw = (q as { limit?: string } | undefined)?.limit;
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw badRequest('limit must be an integer between 1 and 500');
  return n;
}

export function traceRoutes(app: FastifyInstance, reader: SpanReader, prefixes: readonly string[]): void {
  for (const p of prefixes) {
    app.get(`${p}/os-traces/:request_id`, async (req) => {
      checkAdmin(req);
      return { spans: await reader.forRequest(checkId((req.params as { request_id: string }).request_id)) };
    });
    app.get(`${p}/os-traces`, async (req) => {
      checkAdmin(req);
      return { requests: await reader.recent(limitOf(req.query)) };
    });
  }
}

/** The HTML pages (list, one request) at /traces/<key>/, readable without a token by who knows the key. */
export function tracePageRoutes(app: FastifyInstance, reader: SpanReader, key: string): void {
  const base = `/traces/${key}`;
  app.get(`${base}/`, { config: { public: true } }, async (_req, reply) => {
    void reply.type('text/html; charset=utf-8');
    return renderRequestList(await reader.recent(100), `${base}/`);
  });
  app.get(`${base}/:request_id`, { config: { public: true } }, async (req, reply) => {
    const id = checkId((req.params as { request_id: string }).request_id);
    void reply.type('text/html; charset=utf-8');
    return renderTracePage(await reader.forRequest(id), id, `${base}/`);
  });
}
