// Cinder's view of Nova (cinder/compute/nova.py), the one question the attachment-deletion check
// asks: which attachment Nova's BDM holds for a volume on a server (os-volume_attachments show
// at 2.89, which reports attachment_id), asked with the caller's own token. Nova is found at
// [nova] endpoint_template, else in the token's catalog (service type compute, [nova] interface).
import { httpFetch, type FetchLike, type FetchResponse } from '../../common/api';
import type { CatalogEntry, RequestContext } from '../../common/context';
import { formatTemplate, OpenStackException } from '../../common/exception';
import { getLogger } from '../../common/log';
import { restClientSpan, traceHeaders, withSpan } from '../../common/trace';

const LOG = getLogger('cinder-api.nova');

/** Nova could not be asked: the check cannot decide, so the request cannot go on (503). */
export class NovaUnavailable extends OpenStackException {
  static override msgFmt = 'The Compute API could not be reached to check the attachment: %(reason)s';
  static override code = 503;
}

export interface NovaOptions {
  endpoint_template: string | null;
  interface: string;
  timeout?: number;
  /** How the request goes out (the all-in-one reaches its own nova-api in process). */
  fetch?: FetchLike;
}

/**
 * The attachment id Nova holds for (server, volume); null when Nova has no such BDM (404);
 * undefined when this Cinder knows of no Nova to ask (no [nova] endpoint_template and no catalog:
 * a Cinder without a compute service).
 */
export async function novaAttachmentId(o: NovaOptions, ctx: RequestContext, serverId: string, volumeId: string): Promise<string | null | undefined> {
  const base = endpoint(o, ctx.serviceCatalog, ctx.projectId);
  if (!base) return undefined;
  const path = `/servers/${encodeURIComponent(serverId)}/os-volume_attachments/${encodeURIComponent(volumeId)}`;
  return withSpan(restClientSpan('nova-api', 'GET', path), async (span) => {
    const id = await askNova(o, base, path, ctx);
    span?.set('http.status_code', id === null ? 404 : 200);
    return id;
  });
}

async function askNova(o: NovaOptions, base: string, path: string, ctx: RequestContext): Promise<string | null> {
  let res: FetchResponse;
  try {
    res = await (o.fetch ?? httpFetch)(`${base}${path}`, {
      headers: { Accept: 'application/json', 'X-Auth-Token': ctx.authToken ?? '', 'X-OpenStack-Nova-API-Version': '2.89',
        'X-OpenStack-Request-ID': ctx.globalRequestId ?? ctx.requestId, ...traceHeaders() },
      timeoutMs: (o.timeout ?? 30) * 1000,
    });
  } catch (e) {
    throw new NovaUnavailable({ reason: (e as Error).message });
  }
  if (res.status === 404) return null;
  if (res.status !== 200) throw new NovaUnavailable({ reason: `HTTP ${res.status}` });
  const body = (await res.json().catch(() => null)) as { volumeAttachment?: { attachment_id?: string | null } } | null;
  LOG.debug('Nova holds the volume on the server', { path });
  return body?.volumeAttachment?.attachment_id ?? null;
}

function endpoint(o: NovaOptions, catalog: CatalogEntry[] | null, projectId: string | null): string | null {
  if (o.endpoint_template) return formatTemplate(o.endpoint_template, { project_id: projectId ?? '', tenant_id: projectId ?? '' }).replace(/\/+$/, '');
  const url = catalog?.find((s) => s.type === 'compute')?.endpoints.find((e) => e.interface === o.interface)?.url;
  return url ? url.replace(/\/+$/, '') : null;
}
