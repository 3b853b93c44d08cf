// How many servers of a flavor a create may make, as Nova's check_num_instances_quota over its
// counting quota driver: the project's live servers, cores and RAM (and the user's, when the
// user has limits of its own for them) plus the request, against the limits. Over a limit, the
// count shrinks to what still fits if that is at least min_count; otherwise TooManyInstances
// (403) names every resource over, what was asked, what is used and what is allowed.
import { PortLimitExceeded, TooManyInstances } from '../../nova-common/exception';

/**
 * Neutron's default port quota (`quota_port`, 500 a project). With Neutron, Nova's
 * _check_requested_networks bounds a create by the ports still free: max_count shrinks to them,
 * and a min_count over them is 403. There is no Neutron here and a server holds no port, so the
 * bound falls on one create alone; without it a create whose instances limit does not bind
 * (docs/quotas.md) would make as many servers as it asked for, 2147483647 say.
 */
export const PORTS_PER_CREATE = 500;

/** max_count as the ports leave it, or PortLimitExceeded when min_count cannot have its ports. */
export function portsAllow(min: number, max: number): number {
  if (min > PORTS_PER_CREATE) throw new PortLimitExceeded();
  return Math.min(max, PORTS_PER_CREATE);
}

export interface Counted { instances: number; cores: number; ram: number }

const RESOURCES = ['cores', 'instances', 'ram'] as const; // Nova sorts the overs

/** Nova's get_headroom: room left per resource; unlimited cores or RAM follow the instances' room. */
function headroom(q: Counted, used: Counted, deltas: Counted): Counted {
  const h = { instances: q.instances - used.instances, cores: q.cores - used.cores, ram: q.ram - used.ram };
  if (q.cores === -1) h.cores = deltas.cores ? (h.instances * deltas.cores) / (deltas.instances || 1) : h.instances;
  if (q.ram === -1) h.ram = deltas.ram ? (h.instances * deltas.ram) / (deltas.instances || 1) : h.instances;
  return h;
}

/** The number of servers (max, or fewer but at least min) that fit `limits` over `used`. */
export function serversAllowed(limits: Counted, used: Counted, flavor: { vcpus: number; ram: number }, min: number, max: number): number {
  const deltas = { instances: max, cores: max * flavor.vcpus, ram: max * flavor.ram };
  const overs = RESOURCES.filter((r) => limits[r] >= 0 && used[r] + deltas[r] > limits[r]);
  if (!overs.length) return max;
  const room = headroom(limits, used, deltas);
  let allowed = room.instances;
  if (flavor.vcpus) allowed = Math.min(allowed, Math.floor(room.cores / flavor.vcpus));
  if (flavor.ram) allowed = Math.min(allowed, Math.floor(room.ram / flavor.ram));
  // Fewer servers may fit; as many as asked cannot (a limit already passed, a flavor using none of it).
  if (allowed > 0 && min <= allowed && allowed < max) return serversAllowed(limits, used, flavor, min, allowed);
  const requested = { instances: min === max ? `${min}` : `${min}-${max}`, cores: `${deltas.cores}`, ram: `${deltas.ram}` };
  const join = (f: (r: typeof RESOURCES[number]) => string | number): string => overs.map(f).join(', ');
  throw new TooManyInstances({ overs: join((r) => r), req: join((r) => requested[r]), used: join((r) => limits[r] - room[r]), allowed: join((r) => limits[r]) });
}

/**
 * Nova's recheck ([quota] recheck_quota): counted again once a create's servers exist, the usage
 * must not pass a limit, or racing creates passed the first check together. As Nova's message
 * for it, "used" is the limit itself and "requested" the original count.
 */
export function recheckServers(limits: Counted, used: Counted, flavor: { vcpus: number; ram: number }, requested: number): void {
  const overs = RESOURCES.filter((r) => limits[r] >= 0 && used[r] > limits[r]);
  if (!overs.length) return;
  const req = { instances: requested, cores: requested * flavor.vcpus, ram: requested * flavor.ram };
  const join = (f: (r: typeof RESOURCES[number]) => string | number): string => overs.map(f).join(', ');
  throw new TooManyInstances({ overs: join((r) => r), req: join((r) => req[r]), used: join((r) => limits[r]), allowed: join((r) => limits[r]) });
}
