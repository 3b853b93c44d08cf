// A service's liveness: a heartbeat written every report_interval into its database's
// `services` table (nova and cinder each have their own), and the "is it up" rule the
// schedulers use (updated_at within service_down_time).

import { getLogger } from '../log';

const log = getLogger('common.service');

/** Is a service whose last heartbeat is `lastSeen` alive at `now`? */
export function isServiceUp(lastSeen: Date | null, serviceDownTime: number, now = new Date()): boolean {
  if (!lastSeen) return false;
  return (now.getTime() - lastSeen.getTime()) / 1000 <= serviceDownTime;
}

/** Runs `beat` now and every `intervalSec`; a failed beat is logged, the loop goes on. */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly beat: () => Promise<void>, private readonly intervalSec: number, private readonly what: string) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalSec * 1000);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.beat().catch((e: unknown) => log.warning(`Heartbeat of ${this.what} failed: ${(e as Error).message}`));
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
