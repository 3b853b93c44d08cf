// The virt driver contract (nova/virt/driver.py, the part attach/detach and boot need).
import type { Instance } from '../../nova-common/entities';
import type { InstanceDiagnostics } from '../../nova-common/objects';

export interface GuestDisk {
  /** e.g. "vdb". */
  targetDev: string;
  bus: string;
  /** Host block device backing it (connection_info.data.device_path). */
  sourceDev: string;
  serial: string | null;
  /** Bytes the guest was last told the disk has (set by extendVolume). */
  sizeBytes?: number;
  /** The disk's I/O limits (libvirt's <iotune>), from connection_info.data.qos_specs. */
  iotune?: Record<string, unknown>;
}

/** The qos_specs keys libvirt's volume driver applies (<iotune>'s elements), in the order its XML writes them. */
export const IOTUNE_KEYS = ['read_bytes_sec', 'read_iops_sec', 'write_bytes_sec', 'write_iops_sec', 'total_bytes_sec', 'total_iops_sec',
  'read_bytes_sec_max', 'write_bytes_sec_max', 'total_bytes_sec_max', 'read_iops_sec_max', 'write_iops_sec_max', 'total_iops_sec_max',
  'size_iops_sec'] as const;

/**
 * LibvirtBaseVolumeDriver.get_config's rate limits: the keys of data.qos_specs libvirt knows
 * (others are ignored, as are specs that are no dict); undefined when there are none.
 */
export function iotuneOf(connectionInfo: Record<string, unknown>): Record<string, unknown> | undefined {
  const specs = ((connectionInfo.data ?? {}) as Record<string, unknown>).qos_specs;
  if (!specs || typeof specs !== 'object' || Array.isArray(specs)) return undefined;
  const tune = Object.fromEntries(IOTUNE_KEYS.filter((k) => (specs as Record<string, unknown>)[k] != null).map((k) => [k, (specs as Record<string, unknown>)[k]]));
  return Object.keys(tune).length ? tune : undefined;
}

/** What a hypervisor offers on one node (get_available_resource's keys the compute node keeps). */
export interface NodeResources {
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  hypervisor_type: string;
  hypervisor_version: number;
  hypervisor_hostname: string;
  /** JSON text (arch, model, vendor, features, topology). */
  cpu_info: string;
  disk_available_least: number | null;
}

/** What a driver cannot do; crosses RPC as Python's builtins.NotImplementedError (the API's 501). */
export class NotImplementedError extends Error {
  constructor(message = '') {
    super(message);
    this.name = 'NotImplementedError';
  }
}

export abstract class ComputeDriver {
  /** Create and start the guest; returns the root device name. */
  abstract spawn(instance: Instance): Promise<{ rootDeviceName: string }>;
  abstract destroy(instance: Instance): Promise<void>;
  /** Shut the guest down (os-stop); its disks stay defined. */
  abstract powerOff(instance: Instance): Promise<void>;
  /** Boot the stopped guest again (os-start) with the disks it had. */
  abstract powerOn(instance: Instance): Promise<void>;
  /** Freeze the running guest in memory (libvirt's suspend); a driver without it: NotImplementedError, as Nova's. */
  async pause(_instance: Instance): Promise<void> {
    throw new NotImplementedError();
  }
  async unpause(_instance: Instance): Promise<void> {
    throw new NotImplementedError();
  }
  /** Save the guest's memory to disk and stop it (libvirt's managed save). */
  async suspend(_instance: Instance): Promise<void> {
    throw new NotImplementedError();
  }
  async resume(_instance: Instance): Promise<void> {
    throw new NotImplementedError();
  }
  /** Attach a connected host volume to the guest at `mountpoint` (e.g. /dev/vdb). */
  abstract attachVolume(instance: Instance, connectionInfo: Record<string, unknown>, mountpoint: string): Promise<void>;
  abstract detachVolume(instance: Instance, connectionInfo: Record<string, unknown>, mountpoint: string): Promise<void>;
  /**
   * Replace the disk at `mountpoint` (connected by `oldInfo`) with the volume connected by
   * `newInfo`, copying its contents first (libvirt's blockRebase); `resizeTo` GB when larger.
   */
  abstract swapVolume(instance: Instance, oldInfo: Record<string, unknown>, newInfo: Record<string, unknown>, mountpoint: string, resizeTo: number): Promise<void>;
  /**
   * Tell the guest the volume connected by `connectionInfo` is now `requestedSizeBytes`
   * (libvirt's blockResize). Nova refuses with ExtendVolumeNotSupported when a driver cannot.
   */
  async extendVolume(_instance: Instance, _connectionInfo: Record<string, unknown>, _requestedSizeBytes: number): Promise<void> {
    throw new Error('Volume size extension is not supported by the hypervisor.');
  }
  /** The node's resources, for the resource tracker's compute node record. */
  abstract getAvailableResource(nodename: string): NodeResources;
  /** The guest's console log (os-getConsoleOutput); a driver without one answers NotImplementedError (501). */
  async getConsoleOutput(_instance: Instance): Promise<string> {
    throw new NotImplementedError();
  }
  /** The guest's statistics as the hypervisor words them (server diagnostics below 2.48). */
  async getDiagnostics(_instance: Instance): Promise<Record<string, number>> {
    throw new NotImplementedError();
  }
  /** The guest's statistics in Nova's common form (server diagnostics from 2.48). */
  async getInstanceDiagnostics(_instance: Instance): Promise<InstanceDiagnostics> {
    throw new NotImplementedError();
  }
  /** The host's `uptime` line (os-hypervisors uptime). */
  async getHostUptime(): Promise<string> {
    throw new NotImplementedError();
  }
  /** os-hosts' host actions; a driver without them (libvirt's) answers NotImplementedError (501). */
  async setHostEnabled(_enabled: boolean): Promise<string> {
    throw new NotImplementedError();
  }
  async hostMaintenanceMode(_host: string, _mode: boolean): Promise<string> {
    throw new NotImplementedError();
  }
  async hostPowerAction(_action: string): Promise<string> {
    throw new NotImplementedError();
  }
  /** Guest disks as the hypervisor sees them (tests, diagnostics). */
  abstract listDisks(instance: Instance): GuestDisk[];
}
