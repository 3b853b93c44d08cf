// Finishes the deletes of servers that have no host. A local delete (local-delete.ts) records
// 'deleting' first, so one cut short (its nova-api killed, or Cinder lost past the request's
// retry budget) keeps the rows it has not released yet. A server with a host has its compute's
// reconciler to finish it; a server that was never scheduled (boot volumes reserved, build
// failed) has no compute, and only a second DELETE would. Every nova-api runs this pass: the
// local delete is safe to redo, and its steps are compare-and-swap.
import { RequestContext } from '../../common/context';
import { getLogger } from '../../common/log';
import type { NovaDB } from '../../nova-common/db-api';
import type { CinderAPI } from '../../nova-common/volume/cinder';
import type { ServiceAuth } from '../../nova-common/volume/service-auth';
import { localDelete } from './local-delete';

const LOG = getLogger('nova-api.hostless-deletes');

export interface HostlessDeletesDeps {
  db: NovaDB;
  cinder: CinderAPI;
  auth: ServiceAuth;
  /** A delete this old is no longer some request's own ([compute] pending_volume_op_timeout). */
  ageMs: number;
  /** How long a lost Cinder is retried per step before the pass leaves the server for the next. */
  undoRetryMs: number;
}

export class HostlessDeletes {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<string[]> | null = null;

  constructor(private readonly d: HostlessDeletesDeps) {}

  /** One pass every `intervalSec` seconds (none when 0). */
  start(intervalSec: number): void {
    if (intervalSec <= 0 || this.timer) return;
    this.timer = setInterval(() => { void this.runOnce().catch((e: unknown) => LOG.warning(`Hostless delete pass failed: ${(e as Error).message}`)); },
      intervalSec * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Finishes each such server; answers the uuids of those it deleted. One pass at a time. */
  runOnce(): Promise<string[]> {
    this.running ??= this.pass().finally(() => { this.running = null; });
    return this.running;
  }

  private async pass(): Promise<string[]> {
    const done: string[] = [];
    for (const inst of await this.d.db.instancesDeletingWithoutHost(new Date(Date.now() - this.d.ageMs))) {
      const ctx = new RequestContext({ userId: inst.userId, projectId: inst.projectId });
      LOG.warning(`Finishing the delete of server ${inst.uuid}, cut short with no host to finish it`, { context: ctx });
      try {
        // The owner's caller: what the owner's own second DELETE would send (service-auth.ts).
        const who = await this.d.auth.callerFor({ userId: inst.userId, projectId: inst.projectId }, ctx.requestId);
        await localDelete({ db: this.d.db, cinder: this.d.cinder, undoRetryMs: this.d.undoRetryMs, caller: () => who }, ctx, inst);
        done.push(inst.uuid);
      } catch (e) {
        LOG.warning(`Delete of server ${inst.uuid} not finished, left for the next pass: ${(e as Error).message}`, { context: ctx });
      }
    }
    return done;
  }
}
