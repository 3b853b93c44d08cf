// Test-only pause points for the fault-injection suite. With ATTACHD_PAUSE_AT=<name>[,<name>…]
// in its environment, a process that reaches one of those steps appends "<name> <pid>" to
// ATTACHD_PAUSE_FILE and never returns from the step, so a test can kill -9 it exactly there.
// Without the variable (every real deployment) a pause point is a no-op.
import { appendFileSync } from 'node:fs';
import { getLogger } from '../log';

const LOG = getLogger('common.fault');

const armed = new Set((process.env.ATTACHD_PAUSE_AT ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** Whether any pause point is armed in this process. */
export const pausePointsArmed = armed.size > 0;

/** Stop here forever when `name` is armed (see the file comment); otherwise return at once. */
export function pausePoint(name: string): Promise<void> | void {
  if (!pausePointsArmed || !armed.has(name)) return;
  LOG.warning(`Paused at ${name} (ATTACHD_PAUSE_AT)`);
  const file = process.env.ATTACHD_PAUSE_FILE;
  if (file) appendFileSync(file, `${name} ${process.pid}\n`);
  return new Promise<void>(() => undefined);
}
