// os-simple-tenant-usage (nova/api/openstack/compute/simple_tenant_usage.py): what each project's
// servers used over a period, from the servers table (deleted ones too: a server counts from
// launched_at until terminated_at or the period's end). Hours are fractional; the totals weigh
// each flavor's vCPUs, RAM and disk by them. Servers are taken in (project, uuid) order, paged
// by marker and limit from 2.40.
import type { RequestContext } from '../../common/context';
import { badRequest, pyDateTime } from '../../common/api';
import type { NovaDB } from '../../nova-common/db-api';
import type { Instance } from '../../nova-common/entities';
import { findFlavor } from '../../nova-common/flavors';

type Dict = Record<string, unknown>;

export interface UsageDeps {
  db: NovaDB;
  can: (ctx: RequestContext, action: string, target?: Pick<Instance, 'projectId' | 'userId'> | null) => void;
}

export interface UsageQuery { start: Date; stop: Date; detailed: boolean; limit: number; marker?: string }

const pyTime = (d: Date): string => pyDateTime(d) as string;

const HOUR_MS = 3_600_000;

export class UsageAPI {
  constructor(private readonly d: UsageDeps) {}

  /**
   * GET os-simple-tenant-usage (admin): every project's summary. `query` reads the request's
   * period and page, after the policy, as Nova's controller does.
   */
  async list(ctx: RequestContext, query: () => UsageQuery): Promise<{ usages: Dict[]; servers: Dict[]; q: UsageQuery }> {
    this.d.can(ctx, 'os_compute_api:os-simple-tenant-usage:list');
    const q = query();
    return { ...await this.forPeriod(q, null), q };
  }

  /** GET os-simple-tenant-usage/{tenant_id}: one project's ({} when it had no server), judged by that project. */
  async show(ctx: RequestContext, tenantId: string, query: () => UsageQuery): Promise<{ usage: Dict; servers: Dict[]; q: UsageQuery }> {
    this.d.can(ctx, 'os_compute_api:os-simple-tenant-usage:show', { projectId: tenantId, userId: null });
    const q = query();
    const { usages, servers } = await this.forPeriod({ ...q, detailed: true }, tenantId);
    return { usage: usages[0] ?? {}, servers, q };
  }

  private async forPeriod(q: UsageQuery, projectId: string | null): Promise<{ usages: Dict[]; servers: Dict[] }> {
    // The period never runs past now.
    const now = new Date();
    const stop = q.stop > now ? now : q.stop;
    let rows = await this.d.db.instancesActiveInWindow(q.start, stop, projectId);
    if (q.marker !== undefined) {
      const i = rows.findIndex((r) => r.uuid === q.marker);
      if (i < 0) throw badRequest(`Marker ${q.marker} could not be found.`);
      rows = rows.slice(i + 1);
    }
    rows = rows.slice(0, q.limit);
    const byProject = new Map<string, Dict & { server_usages?: Dict[] }>();
    const servers: Dict[] = [];
    for (const inst of rows) {
      const flavor = findFlavor(inst.flavorId);
      const launched = inst.launchedAt as Date;
      const ended = inst.terminatedAt;
      const from = Math.max(launched.getTime(), q.start.getTime());
      const hours = Math.max(0, (Math.min(stop.getTime(), ended?.getTime() ?? Infinity) - from) / HOUR_MS);
      const info: Dict = {
        hours, flavor: flavor?.name ?? '', instance_id: inst.uuid, name: inst.displayName, tenant_id: inst.projectId,
        memory_mb: flavor?.ram ?? 0, local_gb: flavor?.disk ?? 0, vcpus: flavor?.vcpus ?? 0,
        started_at: pyTime(launched), ended_at: ended ? pyTime(ended) : null, state: ended ? 'terminated' : inst.vmState,
        uptime: Math.floor(((ended ?? now).getTime() - launched.getTime()) / 1000),
      };
      const key = inst.projectId ?? '';
      let sum = byProject.get(key);
      if (!sum) {
        sum = { tenant_id: inst.projectId, ...(q.detailed ? { server_usages: [] } : {}), total_local_gb_usage: 0, total_vcpus_usage: 0,
          total_memory_mb_usage: 0, total_hours: 0, start: pyTime(q.start), stop: pyTime(stop) };
        byProject.set(key, sum);
      }
      sum.total_local_gb_usage = (sum.total_local_gb_usage as number) + (info.local_gb as number) * hours;
      sum.total_vcpus_usage = (sum.total_vcpus_usage as number) + (info.vcpus as number) * hours;
      sum.total_memory_mb_usage = (sum.total_memory_mb_usage as number) + (info.memory_mb as number) * hours;
      sum.total_hours = (sum.total_hours as number) + hours;
      sum.server_usages?.push(info);
      servers.push(info);
    }
    return { usages: [...byProject.values()], servers };
  }
}
