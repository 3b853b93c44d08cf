// The compute services (nova services.py and HostAPI): list them with their state, enable,
// disable or force down a nova-compute, delete one that hosts no server. Only nova-compute rows
// live in our services table (nova-api registers none, and there is no conductor or scheduler
// process). A disabled compute stays up: it only takes no new servers. A forced-down one is down
// at once, whatever its heartbeat, so deletes of its servers are done by nova-api itself.
import type { Repository } from 'typeorm';
import type { RequestContext } from '../../common/context';
import { badRequest, conflict, notFound, pyDateTime } from '../../common/api';
import { serviceIsUp } from '../../nova-common/servicegroup';
import { pyInt, UUID_RE } from './ids';
import { ComputeNode, Instance, Service } from '../../nova-common/entities';
import { transactionWithRetry } from '../../common/db/retry';
import type { NovaDB } from '../../nova-common/db-api';

const COMPUTE = 'nova-compute';
/** Every compute is in the default zone (no host aggregates). */
const ZONE = 'nova';

const usg = pyDateTime;

export interface ServiceDeps {
  db: NovaDB;
  serviceDownTime: number;
  can(ctx: RequestContext, action: string): void;
}

/** What PUT /os-services/{id} may change from 2.53 (schema-checked by the controller). */
export interface ServiceChange { status?: 'enabled' | 'disabled'; disabled_reason?: string; forced_down?: boolean }

/** host_status of a server (2.16): its compute's state as an admin sees it; '' without one. */
export function hostStatus(s: Service | undefined, serviceDownTime: number): string {
  if (!s) return '';
  if (s.forcedDown) return 'DOWN';
  if (s.disabled) return 'MAINTENANCE';
  return serviceIsUp(s, serviceDownTime) ? 'UP' : 'UNKNOWN';
}

export class ServiceAPI {
  constructor(private readonly d: ServiceDeps) {}

  private get repo(): Repository<Service> { return this.d.db.ds.getRepository(Service); }

  /** GET /os-services, narrowed by host and binary (exact, as Nova compares them). */
  async list(ctx: RequestContext, filter: { host?: string; binary?: string }, withForcedDown: boolean, uuidIds: boolean): Promise<Array<Record<string, unknown>>> {
    this.d.can(ctx, 'os_compute_api:os-services:list');
    const rows = await this.repo.find({ where: { deleted: 0 }, order: { id: 'ASC' } });
    return rows.filter((s) => (!filter.host || s.host === filter.host) && (!filter.binary || s.binary === filter.binary))
      .map((s) => this.view(s, withForcedDown, uuidIds));
  }

  /** The compute services of `hosts`, for the servers' host_status. */
  async computesOf(hosts: Array<string | null>): Promise<Map<string, Service>> {
    const wanted = [...new Set(hosts.filter((h): h is string => !!h))];
    if (!wanted.length) return new Map();
    const rows = await this.repo.find({ where: { binary: COMPUTE, deleted: 0 } });
    return new Map(rows.filter((s) => wanted.includes(s.host ?? '')).map((s) => [s.host as string, s]));
  }

  /**
   * PUT /os-services/{enable|disable|disable-log-reason|force-down} before 2.53: the service named
   * by host and binary in the body.
   */
  async updateByAction(ctx: RequestContext, action: string, body: { host: string; binary: string; disabled_reason?: string; forced_down?: boolean }, forceDown: boolean): Promise<Record<string, unknown>> {
    this.d.can(ctx, 'os_compute_api:os-services:update');
    const { host, binary } = body;
    let values: Partial<Service>;
    let out: Record<string, unknown>;
    if (action === 'enable') {
      values = { disabled: false, disabledReason: null };
      out = { host, binary, status: 'enabled' };
    } else if (action === 'disable' || action === 'disable-log-reason') {
      if (action === 'disable-log-reason' && body.disabled_reason === undefined) throw badRequest('Missing disabled reason field');
      const reason = action === 'disable-log-reason' ? body.disabled_reason as string : null;
      values = { disabled: true, disabledReason: reason };
      out = { host, binary, status: 'disabled', ...(reason ? { disabled_reason: reason } : {}) };
    } else if (action === 'force-down' && forceDown) {
      if (body.forced_down === undefined) throw badRequest('Missing forced_down field');
      values = { forcedDown: body.forced_down };
      out = { host, binary, forced_down: body.forced_down };
    } else {
      throw notFound('Unknown action');
    }
    if (binary !== COMPUTE) throw badRequest(notUpdatable(binary));
    const s = await this.repo.findOneBy({ host, binary, deleted: 0 });
    if (!s || !(await this.save(s.id, values))) throw notFound(`Could not find binary ${binary} on host ${host}.`);
    return { service: out };
  }

  /** PUT /os-services/{service_id} from 2.53: the service by uuid, the change in the body. */
  async update(ctx: RequestContext, id: string, change: ServiceChange): Promise<Record<string, unknown>> {
    if (!UUID_RE.test(id)) throw badRequest(`Invalid uuid ${id}`);
    this.d.can(ctx, 'os_compute_api:os-services:update');
    const s = await this.repo.findOneBy({ uuid: id, deleted: 0 });
    if (!s) throw notFound(`Service ${id} could not be found.`);
    if (s.binary !== COMPUTE) throw badRequest(notUpdatable(s.binary ?? ''));
    const values: Partial<Service> = {};
    if (change.status === 'enabled') {
      if (change.disabled_reason) throw badRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.");
      Object.assign(values, { disabled: false, disabledReason: null });
    } else if (change.status === 'disabled') {
      Object.assign(values, { disabled: true, disabledReason: change.disabled_reason ?? null });
    }
    if (change.forced_down !== undefined) values.forcedDown = change.forced_down;
    if (!Object.keys(values).length) throw badRequest("No updates were requested. Fields 'status' or 'forced_down' should be specified.");
    if (!(await this.save(s.id, values))) throw notFound(`Service ${id} could not be found.`);
    const now = await this.repo.findOneBy({ id: s.id });
    return { service: this.view(now ?? Object.assign(s, values), true, true) };
  }

  /** DELETE /os-services/{id}: a compute that hosts servers stays (409). */
  async delete(ctx: RequestContext, id: string, uuidIds: boolean): Promise<void> {
    this.d.can(ctx, 'os_compute_api:os-services:delete');
    if (uuidIds && !UUID_RE.test(id)) throw badRequest(`Invalid uuid ${id}`);
    if (!uuidIds && pyInt(id) === null) throw badRequest('Invalid input received: id must be an integer');
    const s = await this.byId(id);
    if (!s) throw notFound(`Service ${id} not found.`);
    if (s.binary === COMPUTE && await this.d.db.ds.getRepository(Instance).countBy({ host: s.host ?? '', deleted: 0 })) {
      throw conflict('Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');
    }
    // Soft delete as Nova's service_destroy (deleted = id), with a compute's node records, in
    // one transaction; a compute still running registers itself and its node anew.
    const at = new Date();
    await transactionWithRetry(this.d.db.ds, async (m) => {
      await m.update(Service, { id: s.id, deleted: 0 }, { deleted: s.id, deletedAt: at });
      if (s.binary !== COMPUTE) return;
      const nodes = await m.find(ComputeNode, { select: { id: true }, where: { host: s.host ?? '', deleted: 0 } });
      for (const n of nodes) await m.update(ComputeNode, { id: n.id, deleted: 0 }, { deleted: n.id, deletedAt: at });
    });
  }

  /** HostAPI.service_get_by_id: a uuid-like id is a uuid, else the integer id. */
  private async byId(id: string): Promise<Service | null> {
    if (UUID_RE.test(id)) return this.repo.findOneBy({ uuid: id, deleted: 0 });
    const n = pyInt(id);
    return n !== null && Number.isSafeInteger(n) ? this.repo.findOneBy({ id: n, deleted: 0 }) : null;
  }

  private async save(id: number, values: Partial<Service>): Promise<boolean> {
    const res = await this.repo.update({ id, deleted: 0 }, { ...values, updatedAt: new Date() });
    return (res.affected ?? 0) > 0;
  }

  private view(s: Service, withForcedDown: boolean, uuidIds: boolean): Record<string, unknown> {
    const up = serviceIsUp(s, this.d.serviceDownTime);
    return {
      binary: s.binary, host: s.host, id: uuidIds ? s.uuid : s.id, zone: ZONE, status: s.disabled ? 'disabled' : 'enabled',
      state: up ? 'up' : 'down', updated_at: usg(s.updatedAt), disabled_reason: s.disabledReason,
      ...(withForcedDown ? { forced_down: !!s.forcedDown } : {}),
    };
  }
}

const notUpdatable = (binary: string): string => `Updating a ${binary} service is not supported. Only nova-compute services can be updated.`;
