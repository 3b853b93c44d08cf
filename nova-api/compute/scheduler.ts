// The part of nova-scheduler a server create needs: parse an admin's forced "zone:host[:node]"
// (nova/compute/api.py parse_availability_zone) and weigh the live hosts the way Nova's default
// weighers spread instances — the host with the fewest live instances wins, ties by name so
// the choice is reproducible.
import { InvalidInput } from '../../nova-common/exception';

export interface ParsedZone {
  zone: string | null;
  forcedHost: string | null;
  forcedNode: string | null;
}

/** "zone", "zone:host", "zone::node" or "zone:host:node"; more colons → InvalidInput. */
export function parseAvailabilityZone(az: string | null): ParsedZone {
  if (!az || !az.includes(':')) return { zone: az || null, forcedHost: null, forcedNode: null };
  const parts = az.split(':');
  if (parts.length > 3) throw new InvalidInput({ reason: 'Unable to parse availability_zone' });
  const [zone, host = '', node = ''] = parts;
  return { zone: zone || null, forcedHost: host || null, forcedNode: node || null };
}

/** The least loaded of `hosts` (instances per host from `counts`), or null when there is none. */
export function weighHosts(hosts: readonly string[], counts: ReadonlyMap<string, number>): string | null {
  let best: string | null = null;
  for (const h of hosts) {
    if (best === null) { best = h; continue; }
    const d = (counts.get(h) ?? 0) - (counts.get(best) ?? 0);
    if (d < 0 || (d === 0 && h < best)) best = h;
  }
  return best;
}
