// This host's compute node record (the part of Nova's ResourceTracker that os-hypervisors shows):
// what the virt driver offers, and what the live servers here take by their flavors, on top of
// the [DEFAULT] reserved_host_* amounts. Written at start, every update_resources_interval, and
// after a server is built or deleted here. Each write is one UPDATE of the whole record (or the
// first INSERT), so a run cut short leaves the previous record, and the next run corrects it.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { getLogger } from '../common/log';
import { ComputeNode, Instance } from '../nova-common/entities';
import { isDuplicateEntry } from '../nova-common/db';
import { findFlavor } from '../nova-common/flavors';
import { VM_STATES } from '../nova-common/objects';
import type { ComputeDriver } from './virt/driver';

const LOG = getLogger('nova-compute.resource_tracker');

export interface TrackerDeps {
  ds: DataSource;
  host: string;
  driver: ComputeDriver;
  hostIp: string;
  reserved: { memoryMb: number; diskMb: number; cpus: number };
}

/** Columns of a compute node record the tracker writes (all but ids and creation). */
type NodeValues = Omit<ComputeNode, 'id' | 'uuid' | 'createdAt' | 'deletedAt' | 'deleted'>;

export class ResourceTracker {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly d: TrackerDeps) {}

  /** The node is this host: one node per compute, as Nova's libvirt and fake drivers have. */
  get nodename(): string { return this.d.host; }

  /** Recount and write the record; concurrent calls run one after the other. */
  update(): Promise<void> {
    const run = this.chain.then(() => this.write());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** update(), with a failure logged rather than thrown (after a build or delete). */
  async refresh(): Promise<void> {
    await this.update().catch((e: unknown) => LOG.warning(`Could not update the compute node record of ${this.d.host}: ${(e as Error).message}`));
  }

  private async values(): Promise<NodeValues> {
    const r = this.d.driver.getAvailableResource(this.nodename);
    const rows = await this.d.ds.getRepository(Instance).find({
      select: { flavorId: true, vmState: true, taskState: true }, where: { host: this.d.host, deleted: 0 },
    });
    // vm_states.allow_resource_removal: deleted and offloaded servers hold nothing here.
    const live = rows.filter((i) => i.vmState !== VM_STATES.DELETED && i.vmState !== VM_STATES.SHELVED_OFFLOADED);
    const { reserved } = this.d;
    let vcpus = reserved.cpus;
    let ram = reserved.memoryMb;
    let disk = Math.floor(reserved.diskMb / 1024);
    for (const i of live) {
      const f = findFlavor(i.flavorId);
      vcpus += f?.vcpus ?? 0;
      ram += f?.ram ?? 0;
      disk += f?.disk ?? 0;
    }
    return {
      host: this.d.host, hypervisorHostname: r.hypervisor_hostname, hypervisorType: r.hypervisor_type, hypervisorVersion: r.hypervisor_version,
      hostIp: this.d.hostIp, cpuInfo: r.cpu_info, vcpus: r.vcpus, memoryMb: r.memory_mb, localGb: r.local_gb,
      vcpusUsed: vcpus, memoryMbUsed: ram, localGbUsed: disk, freeRamMb: r.memory_mb - ram, freeDiskGb: r.local_gb - disk,
      // stats.calculate_workload: servers with a task under way.
      currentWorkload: live.filter((i) => i.taskState !== null).length, runningVms: live.length,
      diskAvailableLeast: r.disk_available_least, updatedAt: new Date(),
    };
  }

  private async write(): Promise<void> {
    const v = await this.values();
    const repo = this.d.ds.getRepository(ComputeNode);
    const where = { host: this.d.host, hypervisorHostname: v.hypervisorHostname as string, deleted: 0 };
    if (((await repo.update(where, v)).affected ?? 0) > 0) return;
    try {
      await repo.insert({ ...v, uuid: randomUUID(), createdAt: v.updatedAt, deleted: 0 });
      LOG.info(`Compute node record created for ${this.d.host}:${v.hypervisorHostname}`);
    } catch (e) {
      // Another start of this host made it first: write ours over it.
      if (!isDuplicateEntry(e)) throw e;
      await repo.update(where, v);
    }
  }
}
