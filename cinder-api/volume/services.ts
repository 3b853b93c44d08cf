// os-services and os-hosts (cinder/api/contrib/services.py, hosts.py): the services table our
// heartbeats fill, shown and switched the way Cinder does. Admin only (policies/services.py,
// hosts.py). A disabled or frozen backend is skipped by pickBackend (api.ts).
import { hostname } from 'node:os';
import type { RequestContext } from '../../common/context';
import { validateBody, type APIVersion } from '../../common/api';
import { isServiceUp } from '../../common/service';
import type { Service } from '../../cinder-common/entities';
import { InvalidInput, InvalidParameterValue, ServiceNotFound } from '../../cinder-common/exception';
import { DisableLogReasonBody, EnableBody, FreezeBody, GetLogBody, SetLogBody } from '../schemas/services';
import { LogLevelAPI } from './log-levels';
import { isoTime } from '../views/volumes';
import type { VolumeAPI } from './api';
import { collationEquals } from '../collation';
import { listPools } from './pools';
import { showCapabilities } from './backend-capabilities';

export const SERVICE_POLICY = {
  index: 'volume_extension:services:index',
  update: 'volume_extension:services:update',
  freeze: 'volume:freeze_host',
  thaw: 'volume:thaw_host',
  hosts: 'volume_extension:hosts',
} as const;

/** Microversions of os-services (cinder/api/microversions.py). */
const CLUSTER_SUPPORT = '3.7';
const REPLICATION_CLUSTER = '3.26';
const BACKEND_STATE_REPORT = '3.49';
const LOG_LEVEL = '3.32';

/** set-log's answer: webob's bare 202. */
export const ACCEPTED = Symbol('202');

const VOLUME_BINARY = 'cinder-volume';

/**
 * _filter_host: exact, or value#pool; a bare host name also matches its value@backend rows
 * (a value with '#' is a pool and matches only itself).
 */
export function hostMatches(field: string | null, value: string): boolean {
  if (!field) return false;
  if (field === value) return true;
  if (value.includes('#')) return false;
  if (field.startsWith(`${value}#`)) return true;
  return !value.includes('@') && field.startsWith(`${value}@`);
}

type Dict = Record<string, unknown>;

/** The services rows not deleted, by id. */
export function liveServices(api: VolumeAPI): Promise<Service[]> {
  return api.db.services.find({ where: { deleted: false }, order: { id: 'ASC' } });
}

/** Up while its last heartbeat (or its creation) is younger than service_down_time. */
export function serviceUp(api: VolumeAPI, s: Service, now: Date): boolean {
  return isServiceUp(s.updatedAt ?? s.createdAt, api.d.serviceDownTime, now);
}

export class ServiceAPI {
  private readonly logs: LogLevelAPI;

  constructor(private readonly api: VolumeAPI) {
    this.logs = new LogLevelAPI({
      rpc: api.d.rpc, host: api.d.host ?? hostname(),
      upServices: async () => {
        const now = new Date();
        return (await this.all()).filter((s) => this.up(s, now));
      },
      matches: (s, server) => hostMatches(s.host, server) || hostMatches(s.clusterName, server),
    });
  }

  private all(): Promise<Service[]> {
    return liveServices(this.api);
  }

  private up(s: Service, now: Date): boolean {
    return serviceUp(this.api, s, now);
  }

  /** GET scheduler-stats/get_pools (pools.ts). */
  pools(ctx: RequestContext, query: Record<string, unknown>, version: APIVersion): Promise<{ pools: Dict[] }> {
    return listPools(this.api, ctx, query, version);
  }

  /** GET capabilities/{host} (backend-capabilities.ts). */
  capabilities(ctx: RequestContext, host: string): Promise<Dict> {
    return showCapabilities(this.api, ctx, host);
  }

  /** GET os-services (?host, ?binary). */
  async list(ctx: RequestContext, q: { host?: string; binary?: string }, version: APIVersion): Promise<Dict[]> {
    this.api.authorize(ctx, SERVICE_POLICY.index);
    const now = new Date();
    let rows = await this.all();
    if (q.host) rows = rows.filter((s) => hostMatches(s.host, q.host as string));
    // An SQL equality in Cinder: under the tables' collation.
    if (q.binary) rows = rows.filter((s) => s.binary !== null && collationEquals(s.binary, q.binary as string));
    return rows.map((s) => {
      const seen = s.updatedAt ?? s.createdAt;
      // An enable/disable after the last heartbeat is the newer change: Cinder shows its time.
      const updated = s.modifiedAt && (!seen || s.modifiedAt > seen) ? s.modifiedAt : s.updatedAt;
      const out: Dict = {
        binary: s.binary, host: s.host, zone: s.availabilityZone, status: s.disabled ? 'disabled' : 'enabled',
        state: this.up(s, now) ? 'up' : 'down', updated_at: isoTime(updated),
      };
      if (version.atLeast(BACKEND_STATE_REPORT) && s.binary === VOLUME_BINARY) out.backend_state = this.backendState(s, now);
      if (version.atLeast(CLUSTER_SUPPORT)) out.cluster = s.clusterName;
      out.disabled_reason = s.disabledReason;
      if (s.binary === VOLUME_BINARY) {
        out.replication_status = s.replicationStatus;
        out.active_backend_id = s.activeBackendId;
        out.frozen = !!s.frozen;
      }
      return out;
    });
  }

  /** The scheduler's pool report: the driver's backend_state, 'up' when it says none; none for a backend it does not track. */
  private backendState(s: Service, now: Date): string | null {
    if (s.disabled || !this.up(s, now)) return null;
    try {
      return (JSON.parse(s.capabilities ?? '{}') as { backend_state?: string }).backend_state ?? 'up';
    } catch {
      return 'up';
    }
  }

  /** PUT os-services/<action>. */
  async update(ctx: RequestContext, action: string, raw: unknown, version: APIVersion): Promise<Dict | string | null | typeof ACCEPTED> {
    this.api.authorize(ctx, SERVICE_POLICY.update);
    if (version.atLeast(LOG_LEVEL) && action === 'get-log') return this.logs.get(ctx, validateBody(GetLogBody, raw, null));
    if (version.atLeast(LOG_LEVEL) && action === 'set-log') {
      await this.logs.set(ctx, validateBody(SetLogBody, raw, null));
      return ACCEPTED;
    }
    if (action === 'freeze' || action === 'thaw') {
      const body = validateBody(FreezeBody, raw, null);
      const host = clusterHost(body, version.atLeast(REPLICATION_CLUSTER));
      return action === 'freeze' ? this.freeze(ctx, host) : this.thaw(ctx, host);
    }
    if (action !== 'enable' && action !== 'disable' && action !== 'disable-log-reason') throw new InvalidInput({ reason: 'Unknown action' });
    const withReason = action === 'disable-log-reason';
    const body: DisableLogReasonBody = validateBody(withReason ? DisableLogReasonBody : EnableBody, raw, null);
    const host = clusterHost(body, false);
    const service = body.service ?? '';
    const binary = body.binary ?? '';
    const key = binary || service;
    const svc = (await this.all()).find((s) => hostMatches(s.host, host) && s.binary === key);
    if (!svc) throw new ServiceNotFound({ service_id: key, host });
    const disabled = action !== 'enable';
    const values: Partial<Service> = { disabled, modifiedAt: new Date() };
    const out: Dict = {};
    if (withReason) {
      values.disabledReason = body.disabled_reason ?? null;
      out.disabled_reason = values.disabledReason;
    }
    await this.api.db.services.update({ id: svc.id }, values);
    return { ...out, disabled, host, service, binary, status: disabled ? 'disabled' : 'enabled' };
  }

  /** volume_api.freeze_host: frozen false → true on the backend's row(s), then the backend disables itself. */
  private async freeze(ctx: RequestContext, host: string): Promise<null> {
    this.api.authorize(ctx, SERVICE_POLICY.freeze);
    const svc = await this.changeFrozen(host, false);
    await this.api.d.rpc.freezeHost(ctx, svc.host as string);
    return null;
  }

  private async thaw(ctx: RequestContext, host: string): Promise<string | null> {
    this.api.authorize(ctx, SERVICE_POLICY.thaw);
    const svc = await this.changeFrozen(host, true);
    const ok = await this.api.d.rpc.thawHost(ctx, svc.host as string);
    return ok ? null : 'Backend reported error during thaw_host operation.';
  }

  /** _replication_db_change on frozen (no clusters here): a missing or ambiguous host is a 400, as Cinder's proxy makes it. */
  private async changeFrozen(host: string, expected: boolean): Promise<Service> {
    const rows = (await this.all()).filter((s) => s.binary === VOLUME_BINARY && hostMatches(s.host, host));
    // Cinder's proxy re-raises ServiceNotFound as InvalidInput(ex.msg): its text, no "Invalid input received:" prefix.
    if (!rows.length) throw new InvalidInput({}, `No service found with host=${host}`);
    if (rows.some((s) => s.host !== rows[0].host)) throw new InvalidParameterValue({ err: 'Services from different clusters found.' });
    const res = await this.api.db.services.update({ id: rows[0].id, frozen: expected }, { frozen: !expected });
    if (!res.affected) throw new InvalidInput({ reason: `frozen in ['${rows[0].host}'] must be ${expected ? 'True' : 'False'} to failover.` });
    return rows[0];
  }

  /** GET os-hosts (?zone): the enabled services, available while their heartbeat is fresh. */
  async hosts(ctx: RequestContext, zone?: string): Promise<Dict[]> {
    this.api.authorize(ctx, SERVICE_POLICY.hosts);
    const now = new Date();
    let rows = (await this.all()).filter((s) => !s.disabled);
    if (zone) rows = rows.filter((s) => s.availabilityZone === zone);
    return rows.map((s) => ({
      host_name: s.host, service: s.topic, zone: s.availabilityZone, 'service-status': this.up(s, now) ? 'available' : 'unavailable',
      'service-state': s.disabled ? 'disabled' : 'enabled', 'last-update': isoTime(s.updatedAt),
    }));
  }

  /** GET os-hosts/<host>: volume usage on an enabled cinder-volume, in total and per project (counts as strings). */
  async showHost(ctx: RequestContext, host: string): Promise<Dict[]> {
    this.api.authorize(ctx, SERVICE_POLICY.hosts);
    const svc = (await this.all()).find((s) => !s.disabled && s.topic === VOLUME_BINARY && hostMatches(s.host, host));
    if (!svc?.host) throw new ServiceNotFound({ service_id: VOLUME_BINARY, host });
    const volumes = await this.api.db.volumesOnHost(svc.host);
    const row = (project: string, vs: typeof volumes): Dict => ({
      resource: {
        host, project, volume_count: String(vs.length), total_volume_gb: String(vs.reduce((n, v) => n + (v.size ?? 0), 0)),
        snapshot_count: '0', total_snapshot_gb: '0',
      },
    });
    const projects = [...new Set(volumes.map((v) => v.projectId ?? ''))];
    return [row('(total)', volumes), ...projects.map((p) => row(p, volumes.filter((v) => (v.projectId ?? '') === p)))];
  }
}

/** common.get_cluster_host: exactly one of cluster and host (clusters from `clusterOk`); we have no clusters. */
function clusterHost(body: FreezeBody, clusterOk: boolean): string {
  const cluster = clusterOk ? body.cluster : null;
  const host = body.host;
  if (!!cluster === !!host) throw new InvalidInput({ reason: clusterOk ? 'One and only one of cluster and host must be set.' : 'Host field is missing.' });
  if (cluster) throw new InvalidInput({ reason: `No service found with cluster=${cluster}` });
  return host ?? '';
}
