// The quota housekeeping Cinder's scheduler does (_clean_expired_reservation, every
// reservation_clean_interval seconds) plus a usage refresh: reservations past their expiry
// (a cinder-api killed between reserve and commit, an extend whose cast was lost) are rolled
// back, and in_use of volumes and gigabytes is set to what the volumes table holds wherever the
// two differ (rows written before quotas existed, by hand, or a commit lost with an expired
// reservation). One runs per cinder-volume process: both steps are safe to run side by side.
import type { DataSource } from 'typeorm';
import { getLogger } from '../common/log';
import { QuotaDB } from '../cinder-common/quota-db';

const LOG = getLogger('cinder-volume.quota');

export interface QuotaPass { expired: number; corrected: Array<[string, string, number, number]> }

export class QuotaCleaner {
  readonly db: QuotaDB;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<QuotaPass> | null = null;

  constructor(ds: DataSource) {
    this.db = new QuotaDB(ds);
  }

  /** One pass (a pass already running is joined, not doubled). */
  runOnce(): Promise<QuotaPass> {
    this.running ??= (async () => {
      try {
        return { expired: await this.db.expire(), corrected: await this.db.sync() };
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** A pass now and every `intervalSec` seconds; a failed one is retried at the next. */
  start(intervalSec: number): void {
    if (this.timer) return;
    const pass = (): void => {
      this.runOnce().catch((e: unknown) => LOG.warning(`Quota reservation cleanup failed, next try in ${intervalSec} s: ${(e as Error).message}`));
    };
    pass();
    this.timer = setInterval(pass, intervalSec * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
