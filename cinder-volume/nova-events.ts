// Cinder's Nova notifier for extended volumes (cinder/compute/nova.py extend_volume): after an
// attached volume grew, POST /os-server-external-events at 2.51 with one volume-extended event
// per server, as the privileged [nova] user (keystoneauth's password login, or the embedded
// identity's self-signed service token; admin under noauth2). Nova's answer is only logged:
// the extend itself is done, as in Cinder, which records a user message on failure.
import { httpFetch } from '../common/api/http-client';
import type { CatalogEntry, ContextDict } from '../common/context';
import { formatTemplate } from '../common/exception';
import { getLogger } from '../common/log';
import { idsOfContextDict } from '../common/trace';
import { ServiceAuth, type ServiceAuthOptions } from '../nova-common/volume/service-auth';

const LOG = getLogger('cinder-volume.nova');

/** [nova]: where Nova is, and the privileged user to tell it as (ServiceAuth's options; no auth_type: none). */
export interface NovaEventOptions extends Omit<ServiceAuthOptions, 'auth_type' | 'selfUser'> {
  endpoint_template: string | null;
  interface: string;
  auth_type: string | null;
}

export class NovaEvents {
  private readonly auth: ServiceAuth;

  constructor(private readonly o: NovaEventOptions) {
    this.auth = new ServiceAuth({ ...o, auth_type: o.auth_type ?? 'none', selfUser: 'cinder' });
  }

  /** True when Nova took every event (each answered 200). */
  async volumeExtended(ctxt: ContextDict, serverIds: string[], volumeId: string): Promise<boolean> {
    const events = serverIds.map((server_uuid) => ({ name: 'volume-extended', server_uuid, tag: volumeId }));
    const ids = idsOfContextDict(ctxt);
    const meta = { volume_id: volumeId, request_id: ids?.requestId };
    try {
      const caller = await this.auth.adminCaller(ids?.globalRequestId ?? null);
      const base = this.endpoint(caller.catalog ?? (Array.isArray(ctxt.service_catalog) ? ctxt.service_catalog as CatalogEntry[] : null), caller.projectId);
      if (!base) {
        LOG.warning('No compute endpoint ([nova] endpoint_template unset, no catalog): Nova is not told the volume grew', meta);
        return false;
      }
      const headers: Record<string, string> = {
        'Content-Type': 'application/json', Accept: 'application/json', 'X-Auth-Token': caller.authToken ?? '', 'X-OpenStack-Nova-API-Version': '2.51',
      };
      if (caller.globalRequestId) headers['X-OpenStack-Request-ID'] = caller.globalRequestId;
      const res = await httpFetch(`${base}/os-server-external-events`, {
        method: 'POST', headers, body: JSON.stringify({ events }), timeoutMs: (this.o.timeout ?? 30) * 1000,
      });
      const body = (await res.json().catch(() => null)) as { events?: Array<{ code?: number }> } | null;
      if (res.status === 404) {
        LOG.warning(`Nova returned NotFound for events: ${JSON.stringify(events)}.`, meta);
        return false;
      }
      if (res.status !== 200 && res.status !== 207) {
        LOG.error(`Failed to notify nova on events: ${JSON.stringify(events)} (HTTP ${res.status}).`, meta);
        return false;
      }
      const bad = (body?.events ?? []).filter((e) => e.code !== 200);
      if (bad.length) LOG.warning(`Nova event: ${JSON.stringify(bad)} returned with failed status.`, meta);
      else LOG.info(`Nova event response: ${JSON.stringify(body?.events ?? [])}.`, meta);
      return !(body?.events ?? []).some((e) => e.code === undefined);
    } catch (e) {
      LOG.error(`Failed to notify nova on events: ${JSON.stringify(events)}: ${(e as Error).message}`, meta);
      return false;
    }
  }

  private endpoint(catalog: CatalogEntry[] | null, projectId: string | null): string | null {
    if (this.o.endpoint_template) {
      return formatTemplate(this.o.endpoint_template, { project_id: projectId ?? '', tenant_id: projectId ?? '' }).replace(/\/+$/, '');
    }
    const url = catalog?.find((s) => s.type === 'compute')?.endpoints.find((e) => e.interface === this.o.interface)?.url;
    return url ? url.replace(/\/+$/, '') : null;
  }
}
