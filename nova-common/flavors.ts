// A fixed set of flavors, enough for clients that resolve --flavor by id or name (novaclient
// boot, OSC server create/list/show). The fake hypervisor does not size guests; the compute
// node record counts what its servers' flavors take (os-hypervisors).
export interface Flavor { id: string; name: string; ram: number; vcpus: number; disk: number }

export const FLAVORS: Flavor[] = [
  { id: '1', name: 'm1.tiny', ram: 512, vcpus: 1, disk: 1 },
  { id: '2', name: 'm1.small', ram: 2048, vcpus: 1, disk: 20 },
  { id: '3', name: 'm1.medium', ram: 4096, vcpus: 2, disk: 40 },
  { id: '42', name: 'm1.nano', ram: 128, vcpus: 1, disk: 1 },
];

export function findFlavor(ref: string | null): Flavor | undefined {
  return FLAVORS.find((f) => f.id === ref || f.name === ref);
}
