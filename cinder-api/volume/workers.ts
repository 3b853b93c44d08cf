// workers/cleanup (3.24, cinder/api/v3/workers.py with the scheduler's work_cleanup; admin
// only): which services' resources to clean. A service that is up is sent do_cleanup (its
// reconciler's pass, at once); one that is down is "unavailable": no cluster here has another
// member to clean for it, and it cleans for itself when it starts again. There is no workers
// table, so a resource named without its location has nothing pending.
import type { RequestContext } from '../../common/context';
import { pyRepr } from '../../common/api';
import type { Service } from '../../cinder-common/entities';
import { InvalidInput } from '../../cinder-common/exception';
import { toBoolean } from '../schemas/parameter-types';
import type { CleanupBody } from '../schemas/workers';
import type { VolumeAPI } from './api';
import { hostMatches, liveServices, serviceUp } from './services';

export const WORKERS_POLICY = 'workers:cleanup';

/** cleanable_resource_types (Volume and Snapshot register as cleanable). */
const CLEANABLE = ['Volume', 'Snapshot'];

/** Python's str.title(): each run of letters capitalised, the rest lower case. */
const pyTitle = (s: string): string => s.replace(/\p{L}+/gu, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());

type ServiceView = { id: number; host: string | null; binary: string | null; cluster_name: string | null };
const view = (s: Service): ServiceView => ({ id: s.id, host: s.host, binary: s.binary, cluster_name: s.clusterName });

export class WorkerAPI {
  constructor(private readonly api: VolumeAPI) {}

  private isUp(s: Service, now: Date): boolean {
    return serviceUp(this.api, s, now);
  }

  async cleanup(ctx: RequestContext, body: CleanupBody): Promise<{ cleaning: ServiceView[]; unavailable: ServiceView[] }> {
    this.api.authorize(ctx, WORKERS_POLICY);
    const resourceType = body.resource_type ? pyTitle(body.resource_type) : body.resource_type ?? null;
    if (resourceType && !CLEANABLE.includes(resourceType)) {
      throw new InvalidInput({ reason: `Resource type ${resourceType} not valid, must be ${CLEANABLE.join(' or ')}` });
    }
    // A key given, even as null, is a location (Cinder tests the body's keys).
    const given = (k: keyof CleanupBody): boolean => body[k] !== undefined;
    if (body.resource_id && !(['service_id', 'cluster_name', 'host'] as const).some(given)) {
      // Worded as Cinder words it: its message is a tuple that was never formatted.
      throw new InvalidInput({ reason: `('There is no resource with UUID %s pending cleanup.', ${pyRepr(body.resource_id)})` });
    }
    // The schema takes no null for either: is_up defaults to False (CleanupRequest's: the services
    // that are down), disabled to no filter.
    const isUp = body.is_up === undefined ? false : toBoolean(body.is_up);
    const disabled = body.disabled === undefined ? null : toBoolean(body.disabled);
    const now = new Date();
    // A service_id is no services column: Cinder's query then matches no service.
    const services = body.service_id !== undefined && body.service_id !== null ? [] : (await liveServices(this.api))
      .filter((s) => (!body.host || hostMatches(s.host, body.host)) && (!body.cluster_name || hostMatches(s.clusterName, body.cluster_name))
        && (!body.binary || s.binary === body.binary) && (disabled === null || !!s.disabled === disabled)
        && this.isUp(s, now) === isUp);
    const cleaning: ServiceView[] = [];
    const unavailable: ServiceView[] = [];
    for (const s of services) {
      if (!this.isUp(s, now)) {
        unavailable.push(view(s));
        continue;
      }
      await this.api.d.rpc.doCleanup(ctx, s.host as string, {
        serviceId: s.id, clusterName: s.clusterName, host: s.host, binary: s.binary, isUp, disabled,
        resourceId: body.resource_id ?? null, resourceType, until: now,
      });
      cleaning.push(view(s));
    }
    return { cleaning, unavailable };
  }
}
