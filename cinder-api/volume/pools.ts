// GET /scheduler-stats/get_pools (Cinder's scheduler_stats extension, admin): each live, enabled,
// unfrozen backend as its one pool, named as a volume's host names it (host@backend#pool), and
// with detail=true the capabilities its driver last reported, completed as Cinder's scheduler
// completes a backend's (volume_backend_name, vendor_name, driver_version, timestamp). Filters by
// microversion, as Cinder's: none below 3.28; name and capability values from 3.28; from 3.33 only
// name and volume_type, any other key 400 (admins too: the pool API is admin only); volume_type
// from 3.35, the pools whose capabilities take its extra specs (capabilities-filter.ts).
import { RESOURCE_FILTERS } from '../resource-filters';
import type { APIVersion } from '../../common/api';
import type { RequestContext } from '../../common/context';
import { isServiceUp } from '../../common/service';
import type { Service } from '../../cinder-common/entities';
import { boolFromString, boolParam, rejectInvalidFilters } from '../list-filters';
import type { VolumeAPI } from './api';
import { capabilitiesOf, satisfiesExtraSpecs } from './capabilities-filter';

export const GET_POOLS_POLICY = 'scheduler_extension:scheduler_stats:get_pools';

const POOL_FILTER = '3.28';
const RESOURCE_FILTER = '3.33';
const POOL_TYPE_FILTER = '3.35';
const POOL_FILTERS = RESOURCE_FILTERS.pool;

/** The pool a backend's volumes are placed in (its one pool: the backend's name). */
export function poolName(s: Service, caps: Record<string, unknown>): string {
  const name = typeof caps.volume_backend_name === 'string' && caps.volume_backend_name ? caps.volume_backend_name : (s.host ?? '').split('@')[1] ?? 'pool';
  return `${s.host}#${name}`;
}

/** A query value as Cinder's filters compare it with a capability (_equal_after_convert). */
function equalAfterConvert(cap: unknown, value: string): boolean {
  if (typeof cap === 'string' || cap === null || cap === undefined) return cap === value;
  if (typeof cap === 'boolean') return cap === boolFromString(value);
  return String(cap) === value;
}

const last = (v: unknown): string | undefined => (Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v));

export async function listPools(api: VolumeAPI, ctx: RequestContext, query: Record<string, unknown>, v: APIVersion): Promise<{ pools: Array<Record<string, unknown>> }> {
  api.authorize(ctx, GET_POOLS_POLICY);
  const raw = last(query.detail);
  const detail = raw !== undefined && boolParam('detail', raw);
  const filters = new Map(Object.keys(query).filter((k) => k !== 'detail').map((k) => [k, last(query[k]) as string]));
  if (v.atLeast(RESOURCE_FILTER)) rejectInvalidFilters([...filters.keys()], false, POOL_FILTERS);
  else if (!v.atLeast(POOL_FILTER)) filters.clear();
  const typeName = v.atLeast(POOL_TYPE_FILTER) ? filters.get('volume_type') : undefined;
  filters.delete('volume_type');
  const name = filters.get('name');
  filters.delete('name');
  const specs = typeName !== undefined ? (await api.types.getByNameOrId(ctx.elevated(), typeName)).specs : null;
  const pools: Array<Record<string, unknown>> = [];
  for (const s of await api.db.serviceList('cinder-volume')) {
    if (s.disabled || s.frozen || !s.host || !isServiceUp(s.updatedAt, api.d.serviceDownTime)) continue;
    const caps: Record<string, unknown> = {
      ...capabilitiesOf(s), timestamp: (s.updatedAt ?? new Date()).toISOString().replace('Z', '000'),
    };
    const pool = poolName(s, caps);
    if (name !== undefined && pool !== name) continue;
    if ([...filters].some(([k, want]) => !equalAfterConvert(caps[k], want))) continue;
    if (specs && !satisfiesExtraSpecs(caps, specs)) continue;
    pools.push(detail ? { name: pool, capabilities: caps } : { name: pool });
  }
  return { pools };
}
