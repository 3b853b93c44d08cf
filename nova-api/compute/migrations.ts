// Server migrations (os-migrations, /servers/{id}/migrations), read only: there are none. No
// cold or live migration, resize or evacuation is served, so the lists are empty, and a marker
// names no migration. The clients read them (`openstack server migration list`).
import type { RequestContext } from '../../common/context';
import { badRequest } from '../../common/api';
import type { Instance } from '../../nova-common/entities';

export interface MigrationDeps {
  can: (ctx: RequestContext, action: string, inst?: Instance) => void;
  /** The caller's live server (404 otherwise). */
  server: (ctx: RequestContext, uuid: string) => Promise<Instance>;
}

export class MigrationAPI {
  constructor(private readonly d: MigrationDeps) {}

  /**
   * GET /os-migrations (Nova's migrations controller): the policy, then the changes-since /
   * changes-before order (2.66), then the marker (2.59, MarkerNotFound).
   */
  list(ctx: RequestContext, q: { marker?: string; since?: number; before?: number }): never[] {
    this.d.can(ctx, 'os_compute_api:os-migrations:index');
    if (q.since !== undefined && q.before !== undefined && q.before < q.since) {
      throw badRequest('The value of changes-since must be less than or equal to changes-before.');
    }
    if (q.marker !== undefined) throw badRequest(`Marker ${q.marker} could not be found.`);
    return [];
  }

  /** GET /servers/{id}/migrations (2.23): the server first, then the policy on its project, as Nova's; none in progress. */
  async ofServer(ctx: RequestContext, uuid: string): Promise<never[]> {
    const inst = await this.d.server(ctx, uuid);
    this.d.can(ctx, 'os_compute_api:servers:migrations:index', inst);
    return [];
  }
}
