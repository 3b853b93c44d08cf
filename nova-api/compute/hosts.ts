// The compute hosts (nova hosts.py over HostAPI, up to 2.42): list the enabled computes, show a
// host's resources (its node record, then what its servers' flavors take, in all and per
// project), and the host actions, which ask the compute's driver by an RPC call: the fake
// driver answers as Nova's fake does; a driver without them (libvirt's) makes it a 501.
import type { Repository } from 'typeorm';
import type { RequestContext } from '../../common/context';
import { badRequest, notFound } from '../../common/api';
import { unsupported } from './rpc-errors';
import type { ComputeAPI as ComputeRPCAPI } from '../../nova-compute/rpcapi';
import { ComputeNode, Instance, Service } from '../../nova-common/entities';
import type { NovaDB } from '../../nova-common/db-api';
import { findFlavor } from '../../nova-common/flavors';

const ZONE = 'nova';

export interface HostDeps {
  db: NovaDB;
  rpc: ComputeRPCAPI;
  can(ctx: RequestContext, action: string): void;
}

type Resource = { host: string; project: string; cpu: number; memory_mb: number; disk_gb: number };


export class HostAPI {
  constructor(private readonly d: HostDeps) {}

  private get services(): Repository<Service> { return this.d.db.ds.getRepository(Service); }

  /** GET /os-hosts[?zone=]: the enabled computes ('' or no zone: all). */
  async list(ctx: RequestContext, zone: string | undefined): Promise<Array<Record<string, string | null>>> {
    this.d.can(ctx, 'os_compute_api:os-hosts:list');
    const rows = await this.services.find({ where: { binary: 'nova-compute', disabled: false, deleted: 0 }, order: { id: 'ASC' } });
    return zone && zone !== ZONE ? [] : rows.map((s) => ({ host_name: s.host, service: s.topic ?? 'compute', zone: ZONE }));
  }

  /** GET /os-hosts/{host}: (total), (used_now), (used_max), then each project's share. */
  async show(ctx: RequestContext, host: string): Promise<Array<{ resource: Resource }>> {
    this.d.can(ctx, 'os_compute_api:os-hosts:show');
    if (!(await this.compute(host))) throw notFound(`Host '${host}' is not mapped to any cell`);
    const node = await this.d.db.ds.getRepository(ComputeNode).findOne({ where: { host, deleted: 0 }, order: { id: 'ASC' } });
    if (!node) throw notFound(`Compute host ${host} could not be found.`);
    const servers = await this.d.db.instances.find({ select: { projectId: true, flavorId: true }, where: { host, deleted: 0 }, order: { id: 'ASC' } });
    const sum = (project: string, list: Instance[]): Resource => list.reduce((r, i) => {
      const f = findFlavor(i.flavorId);
      return { ...r, cpu: r.cpu + (f?.vcpus ?? 0), memory_mb: r.memory_mb + (f?.ram ?? 0), disk_gb: r.disk_gb + (f?.disk ?? 0) };
    }, { host, project, cpu: 0, memory_mb: 0, disk_gb: 0 });
    const projects = [...new Set(servers.map((i) => i.projectId ?? ''))];
    return [
      { resource: { host, project: '(total)', cpu: node.vcpus, memory_mb: node.memoryMb, disk_gb: node.localGb } },
      { resource: { host, project: '(used_now)', cpu: node.vcpusUsed, memory_mb: node.memoryMbUsed, disk_gb: node.localGbUsed } },
      { resource: sum('(used_max)', servers) },
      ...projects.map((p) => ({ resource: sum(p, servers.filter((i) => (i.projectId ?? '') === p)) })),
    ];
  }

  /** PUT /os-hosts/{host}: status and/or maintenance_mode ('enable' or not), each asked of the compute. */
  async update(ctx: RequestContext, host: string, change: { status?: string; maintenance_mode?: string }): Promise<Record<string, string>> {
    this.d.can(ctx, 'os_compute_api:os-hosts:update');
    const on = (v: string): boolean => v.trim().toLowerCase() === 'enable';
    const out: Record<string, string> = { host };
    // A driver's answer other than the expected words is its explanation, as a 400.
    const expect = (answer: string, words: string[]): string => {
      if (!words.includes(answer)) throw badRequest(answer);
      return answer;
    };
    if (change.status !== undefined) {
      await this.assertExists(host);
      out.status = expect(await this.d.rpc.setHostEnabled(ctx, host, on(change.status)).catch(unsupported), ['enabled', 'disabled']);
    }
    if (change.maintenance_mode !== undefined) {
      await this.assertExists(host);
      out.maintenance_mode = expect(await this.d.rpc.hostMaintenanceMode(ctx, host, on(change.maintenance_mode)).catch(unsupported), ['on_maintenance', 'off_maintenance']);
    }
    return out;
  }

  /** GET /os-hosts/{host}/startup|shutdown|reboot. */
  async powerAction(ctx: RequestContext, host: string, action: 'startup' | 'shutdown' | 'reboot'): Promise<Record<string, string>> {
    this.d.can(ctx, `os_compute_api:os-hosts:${action === 'startup' ? 'start' : action}`);
    await this.assertExists(host);
    return { host, power_action: await this.d.rpc.hostPowerAction(ctx, host, action).catch(unsupported) };
  }

  private compute(host: string): Promise<Service | null> {
    return this.services.findOneBy({ host, binary: 'nova-compute', deleted: 0 });
  }

  /** HostAPI._assert_host_exists. */
  private async assertExists(host: string): Promise<void> {
    if (!(await this.compute(host))) throw notFound(`Host ${host} could not be found.`);
  }
}
