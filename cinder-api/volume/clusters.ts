// Clusters (cinder/api/v3/clusters.py, 3.7; admin only): the active-active groups of volume
// services. No service here joins one (there is no [DEFAULT] cluster option), so, as Cinder with
// none configured, every list is empty and every name unknown; the filters and bodies are
// still checked as Cinder checks them.
import type { RequestContext } from '../../common/context';
import { pyRepr, validateBody, type APIVersion } from '../../common/api';
import { ClusterNotFound, InvalidInput, NotFound } from '../../cinder-common/exception';
import { boolParam } from '../list-filters';
import { ClusterDisableBody, ClusterEnableBody } from '../schemas/clusters';
import type { VolumeAPI } from './api';

export const CLUSTER_POLICY = { getAll: 'clusters:get_all', get: 'clusters:get', update: 'clusters:update' } as const;

const REPLICATION_CLUSTER = '3.26';
const LIST_KEYS = ['name', 'binary', 'is_up', 'disabled', 'num_hosts', 'num_down_hosts'];
const REPLICATION_KEYS = ['replication_status', 'frozen', 'active_backend_id'];

/** ClusterNotFound as Cluster.get_by_id words it: the filters it looked by, as a Python dict. */
const notFound = (binary: string | null, name: string): ClusterNotFound =>
  new ClusterNotFound({ id: `{'binary': ${binary === null ? 'None' : pyRepr(binary)}, 'name': ${pyRepr(name)}}` });

export class ClusterAPI {
  constructor(private readonly volumes: VolumeAPI) {}

  /** GET clusters[/detail]: unknown filter keys are 400, is_up and disabled strict booleans. */
  list(ctx: RequestContext, query: Record<string, string>, version: APIVersion): [] {
    this.volumes.authorize(ctx, CLUSTER_POLICY.getAll);
    const allowed = version.atLeast(REPLICATION_CLUSTER) ? [...LIST_KEYS, ...REPLICATION_KEYS] : LIST_KEYS;
    const invalid = Object.keys(query).filter((k) => !allowed.includes(k));
    if (invalid.length) throw new InvalidInput({ reason: `Invalid filter keys: ${invalid.join(', ')}` });
    for (const k of ['disabled', 'is_up']) if (query[k] !== undefined) boolParam(k, query[k]);
    return [];
  }

  /** GET clusters/{name} (of cinder-volume). */
  show(ctx: RequestContext, name: string): never {
    this.volumes.authorize(ctx, CLUSTER_POLICY.get);
    throw notFound('cinder-volume', name);
  }

  /** PUT clusters/enable|disable {"name", "binary", "disabled_reason"}. */
  update(ctx: RequestContext, action: string, body: unknown): never {
    this.volumes.authorize(ctx, CLUSTER_POLICY.update);
    if (action !== 'enable' && action !== 'disable') throw new NotFound({}, 'Unknown action');
    const b = action === 'disable' ? validateBody(ClusterDisableBody, body, null) : validateBody(ClusterEnableBody, body, null);
    throw notFound(b.binary === undefined ? 'cinder-volume' : b.binary, b.name);
  }
}
