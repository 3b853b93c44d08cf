// The hypervisors (nova hypervisors.py over HostAPI): each nova-compute's compute node record,
// with its service's state, as admins list, show and sum them. A node whose compute service is
// gone is left out. Uptime is asked of the compute itself, by an RPC call, only while its service
// is up.
import { In, Like, MoreThan, type Repository } from 'typeorm';
import type { RequestContext } from '../../common/context';
import { badRequest, HTTPFault, notFound } from '../../common/api';
import { MessageUndeliverable, MessagingTimeout, RemoteError } from '../../common/rpc';
import type { ComputeAPI as ComputeRPCAPI } from '../../nova-compute/rpcapi';
import { ComputeNode, Instance, Service } from '../../nova-common/entities';
import type { NovaDB } from '../../nova-common/db-api';
import { serviceIsUp } from '../../nova-common/servicegroup';
import { pyInt, UUID_RE } from './ids';
import { unsupported } from './rpc-errors';


export interface HypervisorDeps {
  db: NovaDB;
  rpc: ComputeRPCAPI;
  serviceDownTime: number;
  can(ctx: RequestContext, action: string): void;
}

/** What the request's microversion makes a hypervisor view hold. */
export interface HypervisorShape {
  /** 2.53: uuids for ids. */
  uuidIds: boolean;
  detail: boolean;
  /** Up to 2.87: the resource fields of the detail view. */
  resources: boolean;
  /** Up to 2.27: cpu_info as the driver's JSON text, not an object. */
  cpuInfoText: boolean;
  /** 2.88: uptime in the detail view. */
  uptime: boolean;
  /** 2.75: `servers` always there (empty) when asked for. */
  serversAlways: boolean;
}

export interface ListOptions { limit?: number; marker?: string; pattern?: string; withServers: boolean }

type View = Record<string, unknown>;

const notFoundId = (id: string): HTTPFault => notFound(`Hypervisor with ID '${id}' could not be found.`);

export class HypervisorAPI {
  constructor(private readonly d: HypervisorDeps) {}

  private get nodes(): Repository<ComputeNode> { return this.d.db.ds.getRepository(ComputeNode); }

  /** GET /os-hypervisors[/detail]: by id order from the marker, or those matching a pattern. */
  async list(ctx: RequestContext, o: ListOptions, shape: HypervisorShape): Promise<View[]> {
    this.d.can(ctx, `os_compute_api:os-hypervisors:${shape.detail ? 'list-detail' : 'list'}`);
    const nodes = o.pattern !== undefined ? await this.search(o.pattern) : await this.page(o.limit, o.marker);
    return this.views(ctx, nodes, shape, o.withServers);
  }

  /** The pre-2.53 search and servers routes: nodes matching the pattern, 404 when none does. */
  async searchRoute(ctx: RequestContext, pattern: string, withServers: boolean, shape: HypervisorShape): Promise<View[]> {
    this.d.can(ctx, `os_compute_api:os-hypervisors:${withServers ? 'servers' : 'search'}`);
    // Summary views; the servers route adds a node's servers when it has some.
    return this.views(ctx, await this.search(pattern), { ...shape, detail: false, uptime: false, serversAlways: false }, withServers);
  }

  async show(ctx: RequestContext, id: string, withServers: boolean, shape: HypervisorShape): Promise<View> {
    this.d.can(ctx, 'os_compute_api:os-hypervisors:show');
    const node = await this.byId(id, shape.uuidIds);
    const [view] = await this.views(ctx, [node], shape, withServers, true);
    if (!view) throw notFoundId(id);
    return view;
  }

  /** GET /os-hypervisors/{id}/uptime (before 2.88): the summary view and the host's uptime line. */
  async uptime(ctx: RequestContext, id: string, shape: HypervisorShape): Promise<View> {
    this.d.can(ctx, 'os_compute_api:os-hypervisors:uptime');
    const node = await this.byId(id, shape.uuidIds);
    const service = (await this.services([node.host])).get(node.host ?? '');
    if (!service) throw notFoundId(id);
    if (!serviceIsUp(service, this.d.serviceDownTime)) throw badRequest(`Compute service of ${node.host} is unavailable at this time.`);
    const up = await this.d.rpc.getHostUptime(ctx, node.host as string).catch(unsupported);
    return { ...this.view(node, service, { ...shape, detail: false, uptime: false }), uptime: up };
  }

  /** GET /os-hypervisors/statistics (before 2.88): sums over the nodes of enabled computes. */
  async statistics(ctx: RequestContext): Promise<View> {
    this.d.can(ctx, 'os_compute_api:os-hypervisors:statistics');
    const all = await this.nodes.find({ where: { deleted: 0 } });
    const enabled = await this.services(all.map((n) => n.host));
    const nodes = all.filter((n) => enabled.get(n.host ?? '')?.disabled === false);
    const sum = (f: (n: ComputeNode) => number | null): number => nodes.reduce((a, n) => a + (f(n) ?? 0), 0);
    return {
      count: nodes.length, vcpus: sum((n) => n.vcpus), memory_mb: sum((n) => n.memoryMb), local_gb: sum((n) => n.localGb),
      vcpus_used: sum((n) => n.vcpusUsed), memory_mb_used: sum((n) => n.memoryMbUsed), local_gb_used: sum((n) => n.localGbUsed),
      free_ram_mb: sum((n) => n.freeRamMb), free_disk_gb: sum((n) => n.freeDiskGb), current_workload: sum((n) => n.currentWorkload),
      running_vms: sum((n) => n.runningVms), disk_available_least: sum((n) => n.diskAvailableLeast),
    };
  }

  /** compute_node_get_all: after the marker (a node's uuid or id), by id, at most `limit`. */
  private async page(limit: number | undefined, marker: string | undefined): Promise<ComputeNode[]> {
    let after = 0;
    if (marker !== undefined) {
      const m = await this.find(marker);
      if (!m) throw badRequest(`marker [${marker}] not found`);
      after = m.id;
    }
    return this.nodes.find({ where: { deleted: 0, id: MoreThan(after) }, order: { id: 'ASC' }, ...(limit !== undefined ? { take: limit } : {}) });
  }

  /** compute_node_search_by_hypervisor: hypervisor_hostname LIKE %pattern%; none is a 404. */
  private async search(pattern: string): Promise<ComputeNode[]> {
    const nodes = await this.nodes.find({ where: { deleted: 0, hypervisorHostname: Like(`%${pattern}%`) }, order: { id: 'ASC' } });
    if (!nodes.length) throw notFound(`No hypervisor matching '${pattern}' could be found.`);
    return nodes;
  }

  /** compute_node_get: by uuid from 2.53 (400 when the id is not one), by integer id before (404 when not one). */
  private async byId(id: string, uuidIds: boolean): Promise<ComputeNode> {
    if (uuidIds && !UUID_RE.test(id)) throw badRequest(`Invalid uuid ${id}`);
    if (!uuidIds && pyInt(id) === null) throw notFoundId(id);
    const n = await this.find(id);
    if (!n) throw notFoundId(id);
    return n;
  }

  /** A live node by uuid, else by integer id. */
  private async find(id: string): Promise<ComputeNode | null> {
    if (UUID_RE.test(id)) return this.nodes.findOneBy({ uuid: id, deleted: 0 });
    const n = pyInt(id);
    return n !== null && Number.isSafeInteger(n) ? this.nodes.findOneBy({ id: n, deleted: 0 }) : null;
  }

  /** The live nova-compute service of each host. */
  private async services(hosts: Array<string | null>): Promise<Map<string, Service>> {
    const wanted = [...new Set(hosts.filter((h): h is string => !!h))];
    if (!wanted.length) return new Map();
    const rows = await this.d.db.ds.getRepository(Service).find({ where: { binary: 'nova-compute', host: In(wanted), deleted: 0 } });
    return new Map(rows.map((s) => [s.host as string, s]));
  }

  /** Views of the nodes whose compute service is there (the others are skipped, or 404 for `one`). */
  private async views(ctx: RequestContext, nodes: ComputeNode[], shape: HypervisorShape, withServers: boolean, one = false): Promise<View[]> {
    const services = await this.services(nodes.map((n) => n.host));
    const servers = withServers ? await this.serversOn(nodes.map((n) => n.host)) : new Map<string, View[]>();
    const out: View[] = [];
    for (const n of nodes) {
      const s = services.get(n.host ?? '');
      if (!s) {
        if (one) return [];
        continue;
      }
      const v = this.view(n, s, shape);
      if (shape.uptime) v.uptime = await this.uptimeOrNull(ctx, n, s);
      const on = servers.get(n.host ?? '') ?? [];
      if (on.length) v.servers = on;
      else if (withServers && shape.serversAlways) v.servers = [];
      out.push(v);
    }
    return out;
  }

  /** The 2.88 detail's uptime: null where the host cannot tell (down, no answer, unsupported). */
  private async uptimeOrNull(ctx: RequestContext, n: ComputeNode, s: Service): Promise<string | null> {
    if (!serviceIsUp(s, this.d.serviceDownTime)) return null;
    try {
      return await this.d.rpc.getHostUptime(ctx, n.host as string);
    } catch (e) {
      if (e instanceof RemoteError || e instanceof MessagingTimeout || e instanceof MessageUndeliverable) return null;
      throw e;
    }
  }

  /** instance_get_all_by_host: each host's live servers as {name, uuid}, name being instance-%08x. */
  private async serversOn(hosts: Array<string | null>): Promise<Map<string, View[]>> {
    const wanted = [...new Set(hosts.filter((h): h is string => !!h))];
    const out = new Map<string, View[]>();
    if (!wanted.length) return out;
    const rows = await this.d.db.ds.getRepository(Instance).find({ select: { id: true, uuid: true, host: true }, where: { host: In(wanted), deleted: 0 }, order: { id: 'ASC' } });
    for (const i of rows) {
      const list = out.get(i.host as string) ?? [];
      list.push({ name: `instance-${i.id.toString(16).padStart(8, '0')}`, uuid: i.uuid });
      out.set(i.host as string, list);
    }
    return out;
  }

  private view(n: ComputeNode, s: Service, shape: HypervisorShape): View {
    const v: View = {
      id: shape.uuidIds ? n.uuid : n.id, hypervisor_hostname: n.hypervisorHostname,
      state: serviceIsUp(s, this.d.serviceDownTime) ? 'up' : 'down', status: s.disabled ? 'disabled' : 'enabled',
    };
    if (!shape.detail) return v;
    Object.assign(v, {
      hypervisor_type: n.hypervisorType, hypervisor_version: n.hypervisorVersion, host_ip: n.hostIp,
      service: { id: shape.uuidIds ? s.uuid : s.id, host: n.host, disabled_reason: s.disabledReason },
    });
    if (shape.resources) {
      Object.assign(v, {
        vcpus: n.vcpus, memory_mb: n.memoryMb, local_gb: n.localGb, vcpus_used: n.vcpusUsed, memory_mb_used: n.memoryMbUsed,
        local_gb_used: n.localGbUsed, free_ram_mb: n.freeRamMb, free_disk_gb: n.freeDiskGb, current_workload: n.currentWorkload,
        running_vms: n.runningVms, disk_available_least: n.diskAvailableLeast,
        cpu_info: shape.cpuInfoText ? n.cpuInfo : cpuInfoObject(n.cpuInfo),
      });
    }
    return v;
  }
}

/** cpu_info as an object (2.28): a record another writer left that is no JSON object shows as {}, not a 500. */
function cpuInfoObject(text: string | null): unknown {
  try {
    const v: unknown = text ? JSON.parse(text) : {};
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}
