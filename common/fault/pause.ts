// Test-only pause points for the fault-injection suite: a step can be made to stop forever,
// so a test can kill -9 the process exactly there. Two ways to arm one:
//   - ATTACHD_PAUSE_AT=<name>[,<name>…] at start (the step then appends "<name> <pid>" to
//     ATTACHD_PAUSE_FILE when it is reached);
//   - ATTACHD_PAUSE_CONTROL=<dir>: the names listed in <dir>/armed, read at each step, so a
//     running process can be armed without a restart; a step that stops writes <dir>/hit.
// Without either variable (every real deployment) a pause point is a no-op.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLogger } from '../log';

const LOG = getLogger('common.fault');

const armedAtStart = new Set((process.env.ATTACHD_PAUSE_AT ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const controlDir = process.env.ATTACHD_PAUSE_CONTROL ?? '';

/** Whether pause points can fire in this process at all. */
export const pausePointsArmed = armedAtStart.size > 0 || controlDir !== '';

function armedNow(name: string): boolean {
  if (armedAtStart.has(name)) return true;
  if (!controlDir) return false;
  try {
    return readFileSync(join(controlDir, 'armed'), 'utf8').split(/\s+/).includes(name);
  } catch {
    return false;
  }
}

/** Stop here forever when `name` is armed (see the file comment); otherwise return at once. */
export function pausePoint(name: string): Promise<void> | void {
  if (!pausePointsArmed || !armedNow(name)) return;
  LOG.warning(`Paused at ${name} (test pause point)`);
  if (process.env.ATTACHD_PAUSE_FILE) appendFileSync(process.env.ATTACHD_PAUSE_FILE, `${name} ${process.pid}\n`);
  if (controlDir) writeFileSync(join(controlDir, 'hit'), `${name} ${process.pid}\n`);
  return new Promise<void>(() => undefined);
}
