// oslo.log-style logging on winston:
//   2026-11-25 01:02:03.123 4242 INFO nova-api.compute-api [req-<global> req-<local> <user> <project> - - -] message
// (oslo.log's logging_context_format_string: global request id, request id, user_identity),
// or one JSON object per line with --log-json / [DEFAULT] log_json. Secrets are masked in both.
// A line logged without a context takes the current request's (common/trace/scope.ts), as
// oslo.log falls back to oslo.context's current context.
import winston from 'winston';
import { currentScope } from '../trace/scope';
import { maskDict, maskPassword } from './mask';

export { maskPassword, maskDict } from './mask';

/** Anything with the context fields a log line shows (RequestContext fits). */
export interface LogContext {
  requestId?: string;
  /** The id of the request this one is part of (the caller's); shown first, as oslo.log. */
  globalRequestId?: string | null;
  userId?: string | null;
  projectId?: string | null;
}

export type LogMeta = Record<string, unknown> & { context?: LogContext };

export interface Logger {
  debug(msg: string, meta?: LogMeta): void;
  info(msg: string, meta?: LogMeta): void;
  warning(msg: string, meta?: LogMeta): void;
  error(msg: string, meta?: LogMeta): void;
  /** error level plus the stack of `err`. */
  exception(msg: string, err: unknown, meta?: LogMeta): void;
}

export interface LogOptions {
  debug?: boolean;
  json?: boolean;
  /** Log file; default stderr. */
  file?: string;
  /** Silence everything (unit tests). */
  silent?: boolean;
}

const LEVELS = { error: 0, warning: 1, info: 2, debug: 3 };

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function formatTimestamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function contextOf(info: winston.Logform.TransformableInfo): LogContext | undefined {
  return (info.context as LogContext | undefined) ?? currentScope()?.ids;
}

/** oslo.context's global_id: the caller's request id, or this request's own when it has none. */
const globalId = (ctx: LogContext): string | undefined => ctx.globalRequestId ?? ctx.requestId;

function contextPart(ctx?: LogContext): string {
  if (!ctx || !ctx.requestId) return '[-]';
  return `[${globalId(ctx)} ${ctx.requestId} ${ctx.userId ?? '-'} ${ctx.projectId ?? '-'} - - -]`;
}

const NOT_META = new Set(['level', 'message', 'logger', 'context', 'stack', 'timestamp']);

function extraMeta(info: winston.Logform.TransformableInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(info)) if (!NOT_META.has(k)) out[k] = info[k];
  return out;
}

/**
 * A message as one printable line: control characters (a newline in a user's input would forge
 * a log line), C1 controls and lone surrogates from bad payloads are written as escapes.
 */
export function escapeLogText(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const osloLine = winston.format.printf((info) => {
  const ctx = contextOf(info);
  const meta = maskDict(extraMeta(info)) as Record<string, unknown>;
  const metaText = Object.keys(meta).length ? ' ' + JSON.stringify(meta) : '';
  const stack = info.stack ? '\n' + maskPassword(String(info.stack)) : '';
  return `${formatTimestamp(new Date())} ${process.pid} ${info.level.toUpperCase()} ${info.logger} ` +
    `${contextPart(ctx)} ${escapeLogText(maskPassword(String(info.message)))}${metaText}${stack}`;
});

const jsonLine = winston.format.printf((info) => {
  const ctx = contextOf(info);
  const rec: Record<string, unknown> = {
    timestamp: formatTimestamp(new Date()),
    pid: process.pid,
    level: info.level.toUpperCase(),
    logger: info.logger,
    global_request_id: ctx ? globalId(ctx) ?? null : null,
    request_id: ctx?.requestId ?? null,
    user_id: ctx?.userId ?? null,
    project_id: ctx?.projectId ?? null,
    message: maskPassword(String(info.message)),
    ...(maskDict(extraMeta(info)) as Record<string, unknown>),
  };
  if (info.stack) rec.traceback = maskPassword(String(info.stack));
  return JSON.stringify(rec);
});

let root: winston.Logger = build({});

function build(opts: LogOptions): winston.Logger {
  const transport = opts.file
    ? new winston.transports.File({ filename: opts.file })
    : new winston.transports.Stream({ stream: process.stderr });
  return winston.createLogger({
    levels: LEVELS,
    // Each named logger gates its own lines (NamedLogger.log); winston passes whatever they send.
    level: 'debug',
    silent: opts.silent ?? false,
    format: opts.json ? jsonLine : osloLine,
    transports: [transport],
  });
}

/** The level of every logger no one set one for: INFO, or DEBUG with --debug. */
let defaultLevel: number = LEVELS.info;

/** Configure the process-wide sink once at start; loggers made earlier follow it. */
export function setupLogging(opts: LogOptions): void {
  root = build(opts);
  defaultLevel = opts.debug ? LEVELS.debug : LEVELS.info;
}

class NamedLogger implements Logger {
  /** Set at run time (setLogLevels); null: the process's default. */
  level: number | null = null;
  constructor(readonly name: string) {}
  private log(level: keyof typeof LEVELS, msg: string, meta?: LogMeta, stack?: string): void {
    // A debug line on an INFO logger costs nothing more than this check (winston would build its record first).
    if (LEVELS[level] > (this.level ?? defaultLevel)) return;
    root.log({ level, message: msg, logger: this.name, ...(meta ?? {}), ...(stack ? { stack } : {}) });
  }
  debug(msg: string, meta?: LogMeta): void { this.log('debug', msg, meta); }
  info(msg: string, meta?: LogMeta): void { this.log('info', msg, meta); }
  warning(msg: string, meta?: LogMeta): void { this.log('warning', msg, meta); }
  error(msg: string, meta?: LogMeta): void { this.log('error', msg, meta); }
  exception(msg: string, err: unknown, meta?: LogMeta): void {
    const stack = err instanceof Error ? err.stack ?? String(err) : String(err);
    this.log('error', msg, meta, stack);
  }
}

/** Every logger of this process by name, for the levels changed at run time. */
const LOGGERS = new Map<string, NamedLogger>();

/** Logger named `<process>.<module>`, e.g. getLogger('cinder-volume.manager'). */
export function getLogger(name: string): Logger {
  let l = LOGGERS.get(name);
  if (!l) LOGGERS.set(name, (l = new NamedLogger(name)));
  return l;
}

/** The level names a run-time change takes (Cinder's utils.LOG_LEVELS), case aside. */
export const LOG_LEVEL_NAMES = ['INFO', 'WARNING', 'ERROR', 'DEBUG'] as const;

/** The LOG_LEVEL_NAMES entry `name` is, any case; undefined for anything else. */
export function logLevelName(name: unknown): (typeof LOG_LEVEL_NAMES)[number] | undefined {
  const up = typeof name === 'string' ? name.toUpperCase() : '';
  return LOG_LEVEL_NAMES.find((n) => n === up);
}

/**
 * Sets the level of every logger whose name starts with `prefix` (all for '' or null), as
 * oslo.log's loggers are set by Cinder's set_log_levels; loggers made later keep the default.
 * `level` must be one of LOG_LEVEL_NAMES (any case).
 */
export function setLogLevels(prefix: string | null, level: string): void {
  const name = logLevelName(level);
  if (!name) throw new Error(`${level} is not a valid log level.`);
  for (const l of LOGGERS.values()) if (l.name.startsWith(prefix ?? '')) l.level = LEVELS[name.toLowerCase() as keyof typeof LEVELS];
}

/** Each logger whose name starts with `prefix`, with the name of the level it logs at. */
export function getLogLevels(prefix: string | null): Record<string, string> {
  const names = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, k.toUpperCase()]));
  const out: Record<string, string> = {};
  for (const l of [...LOGGERS.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (l.name.startsWith(prefix ?? '')) out[l.name] = names[l.level ?? defaultLevel];
  }
  return out;
}
