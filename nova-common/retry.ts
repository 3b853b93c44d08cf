// Bounded retries of the steps of an attach/detach when a dependency is lost for a while:
// Cinder unreachable or answering 5xx (its database or broker down), or our own database
// gone. Past the budget the step gives up with StepInterrupted; the durable intent on the
// BDM row stays, and the reconciler takes the operation up again later.
import { isDbConnectionError } from '../common/db/errors';
import { getLogger, type LogMeta } from '../common/log';
import { CinderConnectionFailed } from './exception';
import { CinderHTTPError } from './volume/cinder';

const LOG = getLogger('nova.retry');

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 5000;

/** A step could not reach a dependency within its retry budget; the intent is left for the reconciler. */
export class StepInterrupted extends Error {
  constructor(readonly step: string, readonly reason: unknown) {
    super(`${step} interrupted: ${(reason as Error)?.message ?? String(reason)}`);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'StepInterrupted';
  }
}

/**
 * Errors worth retrying: the other side may be back in a moment. Cinder's 500 is a failure
 * of the operation itself (a backend error) and rolls back at once (docs/attach-detach.md); 502/503/504 mean
 * Cinder or what it depends on is unreachable.
 */
export function isTransient(e: unknown): boolean {
  if (e instanceof StepInterrupted || e instanceof CinderConnectionFailed) return true;
  if (e instanceof CinderHTTPError) return e.status === 502 || e.status === 503 || e.status === 504;
  return isDbConnectionError(e);
}

/**
 * Run `fn` until it succeeds, a non-transient error escapes, or `budgetMs` is spent (then
 * StepInterrupted). `fn` gets the attempt number so a redo can re-check state first.
 */
export async function retrying<T>(step: string, budgetMs: number, fn: (attempt: number) => Promise<T>, meta: LogMeta = {}): Promise<T> {
  const deadline = Date.now() + budgetMs;
  let delay = FIRST_DELAY_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isTransient(e)) throw e;
      // The last attempt runs at the deadline itself, so the whole budget is used.
      const wait = Math.min(delay, deadline - Date.now());
      if (wait <= 0) throw e instanceof StepInterrupted ? e : new StepInterrupted(step, e);
      LOG.warning(`${step} failed (${(e as Error).message}); retrying in ${wait} ms`, meta);
      await new Promise((r) => setTimeout(r, wait));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
