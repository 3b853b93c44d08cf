// Host aggregates, read only: there are none. Every compute is in the one zone `nova`, and no
// aggregate can be made (no create route), so the list is empty and every id is not found. The
// clients read it around hosts (`openstack hypervisor show` lists a host's aggregates).
import type { RequestContext } from '../../common/context';
import { badRequest, notFound } from '../../common/api';
import { pyInt } from './ids';

export class AggregateAPI {
  constructor(private readonly can: (ctx: RequestContext, action: string) => void) {}

  list(ctx: RequestContext): Array<Record<string, unknown>> {
    this.can(ctx, 'os_compute_api:os-aggregates:index');
    return [];
  }

  /** As Nova's show: the policy, then an integer id, then the lookup. */
  show(ctx: RequestContext, id: string): never {
    this.can(ctx, 'os_compute_api:os-aggregates:show');
    if (pyInt(id) === null) throw badRequest('Invalid input received: id must be an integer');
    throw notFound(`Aggregate ${id} could not be found.`);
  }
}
