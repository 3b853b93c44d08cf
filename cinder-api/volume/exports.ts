// Business layer of os-volume-exports, an attachd extension (not in Cinder) for the operator
// audit (`nova-manage volume_attachment audit`): each cinder-volume backend's exports and the
// drift between them and the volume rows, from its reconciler (get_export_report), or one
// reconciler pass that repairs the drift (sync_exports). Admin only by default: its policies
// (policy.ts) may be opened by [oslo_policy] policy_file. A backend that is down by its
// heartbeat is not asked; one that does not answer (or fails) is listed "down", so one dead
// backend never turns the whole answer into an error.
import type { RequestContext } from '../../common/context';
import { getLogger } from '../../common/log';
import { isServiceUp } from '../../common/service';
import type { Drift, ExportReport, Repair } from '../../cinder-volume/reconciler';
import type { VolumeAPI } from './api';

const LOG = getLogger('cinder-api.exports');

export const POLICY_INDEX = 'volume_extension:volume_exports:index';
export const POLICY_SYNC = 'volume_extension:volume_exports:sync';

export interface BackendExports {
  /** host@backend */
  host: string;
  state: 'up' | 'down';
  exports: string[];
  drift: Drift[];
  /** os-sync only: what the pass repaired (the drift left after it is in `drift`). */
  repaired?: Repair[];
}

export class ExportAPI {
  constructor(private readonly volumes: VolumeAPI) {}

  async report(ctx: RequestContext): Promise<BackendExports[]> {
    this.volumes.authorize(ctx, POLICY_INDEX);
    return this.eachBackend((host) => this.volumes.d.rpc.getExportReport(ctx, host));
  }

  async sync(ctx: RequestContext): Promise<BackendExports[]> {
    this.volumes.authorize(ctx, POLICY_SYNC);
    return this.eachBackend((host) => this.volumes.d.rpc.syncExports(ctx, host));
  }

  /** Every cinder-volume backend, asked side by side, sorted by host. */
  private async eachBackend(ask: (host: string) => Promise<unknown>): Promise<BackendExports[]> {
    const services = (await this.volumes.d.db.serviceList('cinder-volume')).filter((s) => !!s.host);
    const down = (host: string): BackendExports => ({ host, state: 'down', exports: [], drift: [] });
    const out = await Promise.all(services.map(async (s): Promise<BackendExports> => {
      const host = s.host!;
      if (!isServiceUp(s.updatedAt, this.volumes.d.serviceDownTime)) return down(host);
      try {
        const r = (await ask(host)) as ExportReport & { repaired?: Repair[] };
        return { host, state: 'up', exports: r.exports ?? [], drift: r.drift ?? [], ...(r.repaired ? { repaired: r.repaired } : {}) };
      } catch (e) {
        LOG.warning(`Backend ${host} did not answer about its exports: ${(e as Error).message}`);
        return down(host);
      }
    }));
    return out.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }
}
