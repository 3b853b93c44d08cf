// The HTTP shell both REST APIs share (fastify): JSON parsing that answers bad bodies with
// 4xx faults, auth → RequestContext, request-id headers, the fault format for every error,
// and an oslo-style access log. Controllers stay thin: they get `req.ctx` and throw faults.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyError } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Duplex } from 'node:stream';
import { RequestContext, generateRequestId } from '../context';
import { OpenStackException } from '../exception';
import { getLogger, type Logger } from '../log';
import { isDbConnectionError } from '../db/errors';
import { MessageDeliveryFailure, MessagingTimeout, MessageUndeliverable } from '../rpc';
import { observeHttp } from '../metrics/http';
import { restServerSpan, runInScope, type Span } from '../trace';
import { type AuthStrategy } from './auth';
import { HTTPFault, badRequest, faultBody } from './faults';
import { putOwn } from './own-keys';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
    /** This request's server span (null when not tracing). */
    traceSpan: Span | null;
  }
  interface FastifyContextConfig {
    /** Served without a token (version documents, identity). */
    public?: boolean;
  }
}

export interface ApiAppOptions {
  /** Logger name, e.g. 'nova.api' or 'cinder.api'. */
  name: string;
  auth: AuthStrategy;
  /** Extra response headers carrying the request id (Nova adds x-compute-request-id). */
  requestIdHeaders?: string[];
  /** Largest request body accepted (oslo's max_request_body_size default 114688). */
  maxBodyBytes?: number;
  /** Message of an unexpected (500) error; Nova's text differs from Cinder's. */
  unexpectedMessage?: (err: Error) => string;
  /**
   * A query key given more than once counts once, with its last value, as Cinder reads webob's
   * MultiDict (Nova's schemas take some keys as lists, so it keeps them all).
   */
  lastQueryValue?: boolean;
}

/** The query string with each repeated key's last value. */
function lastValues(text: string): Record<string, string> {
  const parsed = parseQuery(text);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(parsed)) putOwn(out, k, Array.isArray(v) ? v[v.length - 1] : v ?? '');
  return out;
}

/** Request types read as JSON: Nova's and Cinder's supported types, and none / text/plain. */
const JSON_READ_TYPES = new Set(['', 'text/plain', 'application/vnd.openstack.compute+json', 'application/vnd.openstack.volume+json']);

const REQ_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function header(req: FastifyRequest, name: string): string | undefined {
  const h = req.headers[name];
  return Array.isArray(h) ? h[0] : h;
}

function parseJson(body: string): unknown {
  // wsgi reads no body only when there is none (len(request.body) == 0): blanks are broken JSON.
  if (body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    const lenient = withPythonConstants(body);
    if (lenient !== undefined) return lenient;
    throw badRequest('Malformed request body');
  }
}

const PY_CONSTANTS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * Python's json.loads also takes NaN, Infinity and -Infinity as values: `body` read so (each
 * outside a string becomes a marker string, revived to the number), or undefined if still not JSON.
 */
function withPythonConstants(body: string): unknown {
  const mark = `\u0000py${Math.random().toString(36).slice(2)}:`;
  let out = '';
  let found = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') {
      // Copy the string through, escapes included.
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      out += body.slice(i, j + 1);
      i = j;
      continue;
    }
    const word = /^(-Infinity|Infinity|NaN)/.exec(body.slice(i, i + 9));
    if (word) {
      out += JSON.stringify(mark + word[1]);
      i += word[1].length - 1;
      found = true;
      continue;
    }
    out += c;
  }
  if (!found) return undefined;
  try {
    return JSON.parse(out, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(mark) ? PY_CONSTANTS[v.slice(mark.length)] : v));
  } catch {
    return undefined;
  }
}

/** A lost dependency (database, broker, the service behind an RPC call): 503, never a 500. */
function unavailableReason(err: unknown): string | null {
  if (isDbConnectionError(err)) return 'the database is unreachable';
  if (err instanceof MessagingTimeout) return 'a service did not answer in time';
  if (err instanceof MessageUndeliverable) return 'no service is consuming its messages';
  if (err instanceof MessageDeliveryFailure) return 'the message broker is unreachable';
  return null;
}

/** Seconds a client should wait before retrying a 503 (oslo's Retry-After convention). */
const RETRY_AFTER = '5';

/** Map anything thrown to (status, fault body); unexpected errors become a logged 500. */
function toFault(err: unknown, opts: ApiAppOptions, log: Logger, req: FastifyRequest): { code: number; body: Record<string, unknown>; headers: Record<string, string> } {
  const unavailable = unavailableReason(err);
  if (unavailable) {
    log.warning(`${req.method} ${req.url}: 503, ${unavailable}: ${(err as Error).message}`, { context: req.ctx });
    return { code: 503, body: faultBody(503, `Service temporarily unavailable: ${unavailable}. Try again later.`), headers: { 'Retry-After': RETRY_AFTER } };
  }
  if (err instanceof OpenStackException && err.code === 503) {
    log.warning(`${req.method} ${req.url}: 503: ${err.message}`, { context: req.ctx });
    return { code: 503, body: faultBody(503, err.message), headers: { 'Retry-After': RETRY_AFTER, ...(err instanceof HTTPFault ? err.headers : {}) } };
  }
  if (err instanceof OpenStackException && err.code >= 400 && err.code < 600) {
    if (err.code >= 500) log.exception(`${req.method} ${req.url} failed`, err, { context: req.ctx });
    if (err instanceof HTTPFault) return { code: err.code, body: err.body ?? faultBody(err.code, err.message), headers: err.headers };
    const cls = err.constructor as typeof OpenStackException;
    const message = cls.namedInFault ? `${err.name}: ${err.message}` : err.message;
    // webob's overLimit fault repeats Retry-After in the body as retryAfter.
    const retry = err.code === 413 ? cls.faultHeaders['Retry-After'] : undefined;
    return { code: err.code, body: faultBody(err.code, message, retry !== undefined ? { retryAfter: retry } : {}), headers: { ...cls.faultHeaders } };
  }
  const fe = err as FastifyError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { code: 413, body: faultBody(413, 'Request is too large.'), headers: {} };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return { code: 415, body: faultBody(415, 'Unsupported Content-Type'), headers: {} };
      default:
        return { code: fe.statusCode, body: faultBody(fe.statusCode, fe.statusCode === 400 ? 'Malformed request body' : fe.message), headers: {} };
    }
  }
  const e = err instanceof Error ? err : new Error(String(err));
  log.exception(`Unexpected error in ${req.method} ${req.url}`, e, { context: req.ctx });
  const message = opts.unexpectedMessage ? opts.unexpectedMessage(e) : 'The server has either erred or is incapable of performing the requested operation.';
  return { code: 500, body: faultBody(500, message), headers: {} };
}

/**
 * A request Node's parser refuses before any route sees it (a request line or headers over the
 * 16 KiB limit, a broken request line) still gets a fault, as every other 4xx, and the
 * connection ends: the client must not send its next request on a socket being destroyed.
 */
function answerClientError(this: unknown, err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request line or headers too large.']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request timed out.'] : [400, 'Malformed request.'];
  const body = JSON.stringify(faultBody(code, message));
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function createApiApp(opts: ApiAppOptions): FastifyInstance {
  const log = getLogger(opts.name);
  const maxBody = opts.maxBodyBytes ?? 114688;
  const app = Fastify({
    logger: false, bodyLimit: maxBody,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500, ...(opts.lastQueryValue ? { querystringParser: lastValues } : {}) },
    // URLs the router cannot even take apart still answer in the fault format: an id longer
    // than any we hand out names nothing (404); a bad %-escape is a malformed request (400).
    clientErrorHandler: answerClientError,
    frameworkErrors: (err, _req, res) => {
      const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 404 : 400;
      const reply = res as unknown as FastifyReply;
      void reply.code(code).type('application/json').send(faultBody(code, code === 404 ? 'The resource could not be found.' : 'Malformed request URL'));
    },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: maxBody }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // As Nova's and Cinder's wsgi: no type or text/plain is read as JSON like the JSON types;
  // any other declared type is 415 (get_content_type → InvalidContentType).
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxBody }, (req, body, done) => {
    try {
      const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!JSON_READ_TYPES.has(type)) throw new HTTPFault(415, 'Unsupported Content-Type');
      done(null, parseJson(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.decorateRequest('traceSpan', null);
  // The request's scope (ids for log lines, its span for trace context) around everything after:
  // a callback hook, so the rest of the lifecycle runs inside runInScope.
  const service = opts.name.replace(/\./g, '-');
  app.addHook('onRequest', (req, _reply, done) => {
    const span = restServerSpan(service, req.method, header(req, 'traceparent'), header(req, 'tracestate'));
    req.traceSpan = span;
    runInScope(span?.scope ?? {}, done);
  });
  app.addHook('onRequest', async (req, reply) => {
    const incoming = req.headers['x-openstack-request-id'];
    const globalId = typeof incoming === 'string' && REQ_ID.test(incoming) ? incoming : null;
    const requestId = generateRequestId();
    reply.header('x-openstack-request-id', requestId);
    for (const h of opts.requestIdHeaders ?? []) reply.header(h, requestId);
    req.ctx = new RequestContext({ requestId, globalRequestId: globalId });
    setScopeIds(req);
    if (req.routeOptions.config?.public) return;
    req.ctx = await opts.auth({ token: header(req, 'x-auth-token'), serviceToken: header(req, 'x-service-token'), requestId, globalRequestId: globalId });
    setScopeIds(req);
  });

  app.setErrorHandler((err, req, reply) => {
    req.traceSpan?.fail(err);
    const { code, body, headers } = toFault(err, opts, log, req);
    void reply.code(code).headers(headers).type('application/json').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    if (!req.ctx) req.ctx = new RequestContext();
    void reply.code(404).type('application/json').send(faultBody(404, 'The resource could not be found.'));
  });

  observeHttp(app, opts.name);
  app.addHook('onResponse', async (req, reply) => {
    const len = reply.getHeader('content-length') ?? 0;
    log.info(`${req.ip} "${req.method} ${req.url}" status: ${reply.statusCode} len: ${String(len)} time: ${(reply.elapsedTime / 1000).toFixed(7)}`,
      { context: req.ctx });
    endRestServerSpan(req, reply.statusCode);
  });
  return app;
}

/** The scope's ids follow req.ctx (set again once authentication has named the user). */
function setScopeIds(req: FastifyRequest): void {
  const scope = req.traceSpan?.scope;
  if (scope) scope.ids = req.ctx;
}

function endRestServerSpan(req: FastifyRequest, status: number): void {
  const span = req.traceSpan;
  if (!span) return;
  span.set('http.route', req.routeOptions.url ?? req.url.split('?')[0]).set('http.status_code', status);
  // An action's name is the body's one key (os-attach, os-initialize_connection...).
  const body = req.body as Record<string, unknown> | undefined;
  if (req.url.split('?')[0].endsWith('/action') && body && typeof body === 'object') {
    const action = Object.keys(body)[0];
    if (action) span.set('http.action', action.slice(0, 64));
  }
  if (status >= 400 && !span.failed) span.fail({ name: 'HTTPError', message: `HTTP ${status}` });
  span.end();
}


/** Nova/Cinder refuse a URL whose project differs from the caller's. */
export function checkProjectInPath(req: FastifyRequest, projectId: string | undefined): void {
  if (projectId !== undefined && projectId !== req.ctx.projectId) {
    throw badRequest(`Malformed request URL: URL's project_id '${projectId}' doesn't match Context's project_id '${req.ctx.projectId}'`);
  }
}

export type { FastifyInstance, FastifyReply, FastifyRequest };
