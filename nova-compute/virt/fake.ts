// Fake hypervisor (nova/virt/fake.py analogue) that keeps a libvirt-style domain XML per
// instance: the root disk plus one <disk> per attached volume with its <source dev> from
// connection_info and <target dev="vdb" bus="virtio"/>. It refuses what libvirt refuses (a
// target already in use, detaching a disk that is not there).
//
// Test hook (fake driver only): a server created with metadata {"fake_fail": "attach_volume"}
// (or "detach_volume", "swap_volume") makes that guest operation fail the way libvirt's device_add would, so
// multi-process tests can drive the rollback paths; {"fake_slow": "attach_volume"} makes the
// guest attach take FAKE_SLOW_MS (work in flight when a test stops the daemon).
import type { Instance } from '../../nova-common/entities';
import { loadavg, uptime as osUptime } from 'node:os';
import { ComputeDriver, IOTUNE_KEYS, iotuneOf, type GuestDisk, type NodeResources } from './driver';
import { findFlavor } from '../../nova-common/flavors';
import type { InstanceDiagnostics } from '../../nova-common/objects';

export class FakeVirtError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'FakeVirtError';
  }
}

/** libvirt's domain states as the fake keeps them (suspended: managed save, the guest stopped). */
export type GuestState = 'running' | 'paused' | 'shutoff' | 'suspended';

interface Domain {
  name: string;
  uuid: string;
  disks: GuestDisk[];
  state: GuestState;
}

const STATE_OF_POWER: Record<number, GuestState> = { 3: 'paused', 4: 'shutoff', 7: 'suspended' };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const serial = (i: Record<string, unknown>): string | null => (typeof i.serial === 'string' ? i.serial : null);

export const FAKE_SLOW_MS = 2000;

/** A disk's <iotune>, its elements in libvirt's order; '' without limits. */
function iotuneXml(disk: GuestDisk): string {
  if (!disk.iotune) return '';
  const items = IOTUNE_KEYS.filter((k) => disk.iotune?.[k] !== undefined).map((k) => `        <${k}>${esc(String(disk.iotune?.[k]))}</${k}>\n`);
  return `      <iotune>\n${items.join('')}      </iotune>\n`;
}

export class FakeDriver extends ComputeDriver {
  private readonly domains = new Map<string, Domain>();

  private domain(instance: Instance): Domain {
    let d = this.domains.get(instance.uuid);
    if (!d) {
      // A restarted fake "hypervisor" still has the guest: rebuild it with its root disk, in the
      // state the server last recorded.
      d = { name: `instance-${instance.id.toString(16).padStart(8, '0')}`, uuid: instance.uuid,
        disks: [{ targetDev: 'vda', bus: 'virtio', sourceDev: `/var/lib/nova/instances/${instance.uuid}/disk`, serial: null }],
        state: STATE_OF_POWER[instance.powerState ?? 1] ?? 'running' };
      this.domains.set(instance.uuid, d);
    }
    return d;
  }

  /** How many times each guest was spawned (a rebuild spawns it again; tests). */
  readonly spawns = new Map<string, number>();

  async spawn(instance: Instance): Promise<{ rootDeviceName: string }> {
    this.domain(instance).state = 'running';
    this.spawns.set(instance.uuid, (this.spawns.get(instance.uuid) ?? 0) + 1);
    return { rootDeviceName: '/dev/vda' };
  }

  async destroy(instance: Instance): Promise<void> {
    this.domains.delete(instance.uuid);
  }

  /**
   * Move the guest to `target` from one of `from`, refusing as libvirt does otherwise. Already
   * there is done: a cast redone after a restart finds the work finished. The domain and its
   * disks stay in every state.
   */
  private move(instance: Instance, target: GuestState, from: GuestState[]): void {
    const d = this.domain(instance);
    if (d.state === target) return;
    if (!from.includes(d.state)) throw new FakeVirtError(`Requested operation is not valid: domain is ${d.state === 'shutoff' ? 'not running' : d.state}`);
    d.state = target;
  }

  async powerOff(instance: Instance): Promise<void> {
    this.move(instance, 'shutoff', ['running', 'paused', 'suspended']);
  }

  async powerOn(instance: Instance): Promise<void> {
    this.move(instance, 'running', ['shutoff']);
  }

  override async pause(instance: Instance): Promise<void> {
    this.move(instance, 'paused', ['running']);
  }

  override async unpause(instance: Instance): Promise<void> {
    this.move(instance, 'running', ['paused']);
  }

  override async suspend(instance: Instance): Promise<void> {
    this.move(instance, 'suspended', ['running', 'paused']);
  }

  override async resume(instance: Instance): Promise<void> {
    this.move(instance, 'running', ['suspended']);
  }

  /** The guest's state (tests), or null when there is no such guest. */
  guestState(uuid: string): GuestState | null {
    return this.domains.get(uuid)?.state ?? null;
  }

  private hook(instance: Instance, key: 'fake_fail' | 'fake_slow', op: string): boolean {
    try {
      return (JSON.parse(instance.metadataJson ?? '{}') as Record<string, unknown>)[key] === op;
    } catch {
      return false;
    }
  }

  private failing(instance: Instance, op: string): boolean {
    return this.hook(instance, 'fake_fail', op);
  }

  async attachVolume(instance: Instance, connectionInfo: Record<string, unknown>, mountpoint: string): Promise<void> {
    if (this.hook(instance, 'fake_slow', 'attach_volume')) await new Promise((r) => setTimeout(r, FAKE_SLOW_MS));
    if (this.failing(instance, 'attach_volume')) throw new FakeVirtError('internal error: unable to execute QEMU command \'device_add\': Duplicate ID');
    const d = this.domain(instance);
    const target = mountpoint.replace(/^\/dev\//, '');
    const data = (connectionInfo.data ?? {}) as Record<string, unknown>;
    const source = typeof data.device_path === 'string' ? data.device_path : null;
    if (!source) throw new FakeVirtError('connection_info has no data.device_path: the host is not connected');
    // A server booted from a volume has that volume as its root disk instead of the image file.
    const imageRoot = d.disks.findIndex((x) => x.targetDev === target && x.serial === null);
    if (imageRoot >= 0 && target === 'vda') d.disks.splice(imageRoot, 1);
    if (d.disks.some((x) => x.targetDev === target)) throw new FakeVirtError(`Target ${target} already exists in domain ${d.name}`);
    d.disks.push({ targetDev: target, bus: 'virtio', sourceDev: source, serial: typeof connectionInfo.serial === 'string' ? connectionInfo.serial : null, iotune: iotuneOf(connectionInfo) });
  }

  async detachVolume(instance: Instance, _connectionInfo: Record<string, unknown>, mountpoint: string): Promise<void> {
    if (this.failing(instance, 'detach_volume')) throw new FakeVirtError('internal error: unable to execute QEMU command \'device_del\'');
    const d = this.domain(instance);
    const target = mountpoint.replace(/^\/dev\//, '');
    const i = d.disks.findIndex((x) => x.targetDev === target);
    // libvirt's DiskNotFound is ignored by Nova's detach: the guest no longer has it.
    if (i >= 0 && d.disks[i].serial !== null) d.disks.splice(i, 1);
  }

  /** What swapVolume copied, oldest first (a real driver's blockRebase leaves the data on the new volume). */
  /** The guest disk backed by `connectionInfo` (by serial, else host device) takes the new size. */
  override async extendVolume(instance: Instance, connectionInfo: Record<string, unknown>, requestedSizeBytes: number): Promise<void> {
    const data = (connectionInfo.data ?? {}) as { device_path?: string };
    const d = this.domain(instance);
    const disk = d.disks.find((x) => (x.serial !== null && x.serial === serial(connectionInfo)) || (data.device_path && x.sourceDev === data.device_path));
    if (!disk) throw new FakeVirtError(`No disk of volume ${String(serial(connectionInfo))} in domain ${d.name}`);
    disk.sizeBytes = requestedSizeBytes;
  }

  readonly copies: Array<{ instanceUuid: string; mountpoint: string; from: string | null; to: string | null; resizeTo: number }> = [];

  async swapVolume(instance: Instance, oldInfo: Record<string, unknown>, newInfo: Record<string, unknown>, mountpoint: string, resizeTo: number): Promise<void> {
    if (this.failing(instance, 'swap_volume')) throw new FakeVirtError('internal error: unable to execute QEMU command \'blockdev-mirror\'');
    const d = this.domain(instance);
    const target = mountpoint.replace(/^\/dev\//, '');
    const data = (newInfo.data ?? {}) as Record<string, unknown>;
    if (typeof data.device_path !== 'string') throw new FakeVirtError('connection_info has no data.device_path: the new volume is not connected');
    const disk = d.disks.find((x) => x.targetDev === target);
    // A fake restarted since the attach has lost its disks: the swap defines the new one.
    if (disk) Object.assign(disk, { sourceDev: data.device_path, serial: serial(newInfo), iotune: iotuneOf(newInfo) });
    else d.disks.push({ targetDev: target, bus: 'virtio', sourceDev: data.device_path, serial: serial(newInfo), iotune: iotuneOf(newInfo) });
    this.copies.push({ instanceUuid: instance.uuid, mountpoint, from: serial(oldInfo), to: serial(newInfo), resizeTo });
  }

  listDisks(instance: Instance): GuestDisk[] {
    return [...(this.domains.get(instance.uuid)?.disks ?? [])];
  }

  /** The domain XML as libvirt would dump it. */
  domainXml(instance: Instance): string | null {
    const d = this.domains.get(instance.uuid);
    if (!d) return null;
    const disks = d.disks.map((x, i) => i === 0
      ? `    <disk type="file" device="disk">\n      <driver name="qemu" type="qcow2" cache="none"/>\n      <source file="${esc(x.sourceDev)}"/>\n      <target dev="${x.targetDev}" bus="${x.bus}"/>\n    </disk>`
      : `    <disk type="block" device="disk">\n      <driver name="qemu" type="raw" cache="none" io="native"/>\n      <source dev="${esc(x.sourceDev)}"/>\n      <target dev="${x.targetDev}" bus="${x.bus}"/>\n${x.serial ? `      <serial>${esc(x.serial)}</serial>\n` : ''}${iotuneXml(x)}    </disk>`);
    return `<domain type="kvm">\n  <name>${d.name}</name>\n  <uuid>${d.uuid}</uuid>\n  <devices>\n${disks.join('\n')}\n  </devices>\n</domain>\n`;
  }

  /** nova/virt/fake.py's node: plenty of everything, type "fake", version 1.0. */
  getAvailableResource(nodename: string): NodeResources {
    const cpuInfo = { arch: 'x86_64', model: 'Nehalem', vendor: 'Intel', features: ['pge', 'clflush'], topology: { cores: 1, threads: 1, sockets: 4 } };
    return {
      vcpus: 1000, memory_mb: 800000, local_gb: 600000, hypervisor_type: 'fake', hypervisor_version: 1000,
      hypervisor_hostname: nodename, cpu_info: JSON.stringify(cpuInfo), disk_available_least: 0,
    };
  }

  /** os-hosts' host actions, answered as nova/virt/fake.py answers them (nothing changes). */
  override async setHostEnabled(enabled: boolean): Promise<string> {
    return enabled ? 'enabled' : 'disabled';
  }

  override async hostMaintenanceMode(_host: string, mode: boolean): Promise<string> {
    return mode ? 'on_maintenance' : 'off_maintenance';
  }

  override async hostPowerAction(action: string): Promise<string> {
    return action;
  }

  /**
   * A guest's serial console as a booted Linux guest leaves it: the kernel's first lines, its
   * disks (the root and each attached volume, by device), then the login prompt.
   */
  override async getConsoleOutput(instance: Instance): Promise<string> {
    const disks = (this.domains.get(instance.uuid)?.disks ?? []).filter((d) => d.targetDev !== 'vda').map((d, i) =>
      `[    0.${String(812345 + i * 1111).padStart(6, '0')}] virtio_blk virtio${i + 2}: [${d.targetDev}] 2097152 512-byte logical blocks (1.07 GB/1.00 GiB)`);
    return [
      '[    0.000000] Linux version 6.1.0-fake (attachd fake virt driver)',
      `[    0.000000] Command line: root=${instance.rootDeviceName ?? '/dev/vda'} ro console=ttyS0`,
      '[    0.004000] Hypervisor detected: KVM',
      '[    0.512000] virtio_blk virtio1: [vda] 2097152 512-byte logical blocks (1.07 GB/1.00 GiB)',
      ...disks,
      '[    1.204000] EXT4-fs (vda1): mounted filesystem with ordered data mode.',
      '[    2.010000] systemd[1]: Reached target Multi-User System.',
      '',
      `${instance.hostname ?? 'guest'} login: `,
    ].join('\n');
  }

  /**
   * What libvirt's driver reads of a guest, with the fake's guest: a CPU time per vCPU of the
   * flavor, block statistics per disk (the root and each attached volume; nothing has been read
   * or written), the flavor's memory in KiB. No interfaces: servers here have no networks.
   */
  override async getDiagnostics(instance: Instance): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const flavor = findFlavor(instance.flavorId);
    for (let i = 0; i < (flavor?.vcpus ?? 1); i++) out[`cpu${i}_time`] = 0;
    for (const d of this.domain(instance).disks) Object.assign(out, { [`${d.targetDev}_read_req`]: 0, [`${d.targetDev}_read`]: 0, [`${d.targetDev}_write_req`]: 0, [`${d.targetDev}_write`]: 0, [`${d.targetDev}_errors`]: -1 });
    const kib = (flavor?.ram ?? 512) * 1024;
    return { ...out, memory: kib, 'memory-actual': kib };
  }

  /** The same in Nova's common form, worded as libvirt's driver words it (memory in its units: KiB / 2^20). */
  override async getInstanceDiagnostics(instance: Instance): Promise<InstanceDiagnostics> {
    const flavor = findFlavor(instance.flavorId);
    const d = this.domain(instance);
    const state = { running: 'running', paused: 'paused', shutoff: 'shutdown', suspended: 'suspended' }[d.state];
    const kib = (flavor?.ram ?? 512) * 1024;
    return {
      state, driver: 'libvirt', hypervisor: 'kvm', hypervisor_os: 'linux', config_drive: false,
      uptime: instance.launchedAt ? Math.max(0, Math.floor((Date.now() - instance.launchedAt.getTime()) / 1000)) : null,
      memory_details: { maximum: Math.floor(kib / 1048576), used: Math.floor(kib / 1048576) },
      cpu_details: Array.from({ length: flavor?.vcpus ?? 1 }, (_, id) => ({ id, time: 0, utilisation: null })),
      nic_details: [],
      disk_details: d.disks.map(() => ({ read_bytes: 0, read_requests: 0, write_bytes: 0, write_requests: 0, errors_count: -1 })),
    };
  }

  /** This host's own uptime, in the `uptime` command's words (what libvirt's driver answers). */
  override async getHostUptime(): Promise<string> {
    return uptimeLine(new Date(), osUptime(), loadavg());
  }

}

/** ` 12:34:56 up 3 days,  4:05,  0 users,  load average: 0.10, 0.20, 0.30` */
export function uptimeLine(now: Date, seconds: number, load: number[]): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const mins = Math.floor((seconds % 3600) / 60);
  const dayPart = days ? `${days} day${days === 1 ? '' : 's'}, ` : '';
  const clock = hours ? `${String(hours).padStart(2)}:${pad(mins)}` : `${mins} min`;
  const avg = load.slice(0, 3).map((x) => x.toFixed(2)).join(', ');
  return ` ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())} up ${dayPart}${clock},  0 users,  load average: ${avg}\n`;
}
