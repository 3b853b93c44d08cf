// oslo.db's wrap_db_retry: run a unit of work again when the database aborted it for a reason
// that a second try may not meet. A deadlock (1213) rolled the whole transaction back, and on
// Galera a certification failure at COMMIT shows up as that same deadlock, so re-running the
// whole transaction is always safe. A lost connection is only retried when the caller says the
// unit is idempotent (retryOnDisconnect): a COMMIT whose answer was lost may have applied.
import type { DataSource, EntityManager } from 'typeorm';
import { getLogger } from '../log';
import { isDbConnectionError, WSREP_UNAVAILABLE_TEXT } from './errors';

const LOG = getLogger('attachd.db.retry');

export interface DbRetryOptions {
  /** Retries after the first attempt (oslo.db's max_retries); Nova uses 5 for its deadlock retries. */
  maxRetries?: number;
  /** First wait, ms; doubles per retry (inc_retry_interval) up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Also retry a lost / refused connection: only for idempotent units of work. */
  retryOnDisconnect?: boolean;
  /** Extra errors to retry (oslo.db's exception_checker). */
  exceptionChecker?: (e: unknown) => boolean;
  /** For log lines. */
  what?: string;
  /** Waits, replaceable by tests. */
  sleep?: (ms: number) => Promise<void>;
}

export const DB_RETRY_DEFAULTS = { maxRetries: 5, intervalMs: 50, maxIntervalMs: 1000 } as const;

function codeOf(e: unknown): { code?: string; errno?: number; message?: string } {
  const err = e as { code?: unknown; errno?: unknown; message?: unknown; driverError?: Record<string, unknown> };
  const d = err?.driverError ?? {};
  const code = typeof d.code === 'string' ? d.code : typeof err?.code === 'string' ? err.code : undefined;
  const errno = typeof d.errno === 'number' ? d.errno : typeof err?.errno === 'number' ? err.errno : undefined;
  const message = typeof d.message === 'string' ? d.message : typeof err?.message === 'string' ? err.message : undefined;
  return { code, errno, message };
}

/**
 * oslo.db's DBDeadlock: InnoDB's deadlock and lock-wait timeout, Galera's "detected
 * deadlock/conflict" (a certification failure), SQLite's busy database.
 */
export function isDbDeadlock(e: unknown): boolean {
  const { code, errno, message } = codeOf(e);
  if (code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY') return true;
  if (errno === 1213 || errno === 1205) return true;
  return typeof message === 'string' && /Deadlock found|detected deadlock\/conflict|Lock wait timeout exceeded/i.test(message);
}

/**
 * A Galera node that is not (or no longer) part of the primary component answers every query
 * with 1047 "WSREP has not yet prepared node for application use": as unavailable as a closed
 * port, and a fresh connection may reach a healthy node (a write caught replicating as it fell
 * out answers 1180 instead: WSREP_UNAVAILABLE_TEXT).
 */
export function isWsrepNotReady(e: unknown): boolean {
  const { code, errno, message } = codeOf(e);
  return code === 'ER_UNKNOWN_COM_ERROR' || errno === 1047 || WSREP_UNAVAILABLE_TEXT.test(message ?? '');
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run `fn` again on a retriable error, at most maxRetries more times, with doubling waits (jittered). */
export async function withDbRetry<T>(fn: (attempt: number) => Promise<T>, opts: DbRetryOptions = {}): Promise<T> {
  const maxRetries = opts.maxRetries ?? DB_RETRY_DEFAULTS.maxRetries;
  const maxInterval = opts.maxIntervalMs ?? DB_RETRY_DEFAULTS.maxIntervalMs;
  const sleep = opts.sleep ?? defaultSleep;
  let interval = opts.intervalMs ?? DB_RETRY_DEFAULTS.intervalMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const retriable = isDbDeadlock(e)
        || (opts.retryOnDisconnect === true && (isDbConnectionError(e) || isWsrepNotReady(e)))
        || (opts.exceptionChecker?.(e) ?? false);
      if (!retriable || attempt >= maxRetries) throw e;
      // Jitter keeps two writers that deadlocked each other from colliding again in step.
      const wait = Math.round(interval * (0.5 + Math.random() / 2));
      LOG.warning(`${opts.what ?? 'database operation'} failed (${(e as Error).message}); retry ${attempt + 1}/${maxRetries} in ${wait} ms`);
      await sleep(wait);
      interval = Math.min(interval * 2, maxInterval);
    }
  }
}

/**
 * One transaction, re-run whole on a deadlock / certification failure (and, with
 * retryOnDisconnect, a lost connection: then `fn` must be idempotent as a whole).
 */
export function transactionWithRetry<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>, opts: DbRetryOptions = {}): Promise<T> {
  return withDbRetry(() => ds.transaction(fn), opts);
}
