// Nova's view of Cinder: its REST API only (nova/volume/cinder.py analogue), with the caller's
// token forwarded. Cinder faults become Nova exceptions (translate_*_exception): 404 →
// VolumeNotFound, 400 → InvalidInput (text as cinderclient prints it), unreachable →
// CinderConnectionFailed.
import { httpFetch } from '../../common/api/http-client';
import type { FetchLike, FetchResponse } from '../../common/api/local-fetch';
import type { CatalogEntry, ContextDict } from '../../common/context';
import { formatTemplate } from '../../common/exception';
import { getLogger } from '../../common/log';
import { CinderConnectionFailed, Forbidden, InvalidInput, NovaException, OverQuota, SnapshotNotFound, VolumeAttachmentNotFound, VolumeNotFound } from '../exception';
import { restClientSpan, traceHeaders, withSpan, type Span } from '../../common/trace';

const LOG = getLogger('nova.volume.cinder');

/** Who is asking: what the API has in req.ctx, or the compute's oslo context dict. */
export interface CinderCaller {
  projectId: string | null;
  authToken: string | null;
  requestId?: string;
  globalRequestId?: string | null;
  /** The caller's token's service catalog, where Cinder is found without an endpoint_template. */
  catalog?: CatalogEntry[] | null;
}

/** Where Cinder is: [cinder] endpoint_template, else the catalog entry catalog_info names. */
export interface CinderEndpoint {
  /** e.g. http://127.0.0.1:8776/v3/%(project_id)s; null: use the catalog. */
  template: string | null;
  /** <service_type>:<service_name>:<interface> (Nova's catalog_info), e.g. volumev3::publicURL. */
  catalogInfo: string;
}

export function callerFromDict(d: ContextDict): CinderCaller {
  const s = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
  return {
    projectId: s(d.project_id) ?? s(d.tenant) ?? s(d.project),
    authToken: s(d.auth_token),
    requestId: s(d.request_id) ?? undefined,
    globalRequestId: s(d.global_request_id),
    catalog: Array.isArray(d.service_catalog) && d.service_catalog.length ? d.service_catalog as CatalogEntry[] : null,
  };
}

export interface CinderVolume {
  id: string;
  status: string;
  attach_status?: string;
  multiattach?: boolean;
  size?: number;
  availability_zone?: string;
  attachments: Array<{ server_id?: string; attachment_id?: string; device?: string; id?: string }>;
  [k: string]: unknown;
}

/** GET /os-volume-exports (an attachd extension of cinder-api). */
export interface ExportsReport {
  backends: Array<{
    host: string;
    state: 'up' | 'down';
    exports?: string[];
    drift?: Array<{ volume_id: string | null; problem: string; detail?: string }>;
    tgtd?: { pid: number | null; control_port: number | null } | null;
  }>;
}

export interface ConnectionInfo {
  driver_volume_type: string;
  serial?: string;
  data: Record<string, unknown>;
  [k: string]: unknown;
}

/** What Cinder answers for an attachment (its summary, or the detail with connection_info). */
export interface CinderAttachment {
  id: string;
  status: string;
  instance: string | null;
  volume_id: string;
  attach_mode?: string;
  connection_info?: Record<string, unknown> | null;
}

/** The microversion of Nova's attachment calls (attachment_complete needs 3.44). */
export const ATTACH_MV = '3.44';

/** Cinder's flat attachment connection_info as Nova keeps it: {driver_volume_type, data}. */
export function attachmentConnectionInfo(flat: Record<string, unknown>): ConnectionInfo {
  const data = { ...flat };
  delete data.driver_volume_type;
  delete data.attachment_id;
  return { driver_volume_type: String(flat.driver_volume_type), data };
}

export class CinderHTTPError extends NovaException {
  static override msgFmt = '%(message)s (HTTP %(status)s)';
  constructor(readonly status: number, readonly cinderMessage: string, requestId: string | null) {
    // Cinder's own 503 (its database or broker is down) stays a 503 here.
    super({ status, message: cinderMessage, ...(status === 503 ? { code: 503 } : {}) },
      `${cinderMessage} (HTTP ${status})${requestId ? ` (Request-ID: ${requestId})` : ''}`);
  }
}

export class CinderAPI {
  /** `serviceToken`: [service_user]'s token, sent as X-Service-Token with every call. */
  private readonly endpoint: CinderEndpoint;

  /** `fetchImpl`: how requests go out (the all-in-one hands them to its own cinder-api in process). */
  constructor(endpoint: string | CinderEndpoint, private readonly timeoutSec = 60,
    private readonly serviceToken: (() => Promise<string | null>) | null = null,
    private readonly fetchImpl: FetchLike = httpFetch) {
    this.endpoint = typeof endpoint === 'string' ? { template: endpoint, catalogInfo: 'volumev3::publicURL' } : endpoint;
  }

  private base(caller: CinderCaller): string {
    const { template, catalogInfo } = this.endpoint;
    if (template) return formatTemplate(template, { project_id: caller.projectId ?? '', tenant_id: caller.projectId ?? '' }).replace(/\/+$/, '');
    const [type, name, endpointType] = catalogInfo.split(':');
    const iface = (endpointType || 'publicURL').replace(/URL$/, '');
    const service = caller.catalog?.find((s) => s.type === type && (!name || s.name === name));
    const url = service?.endpoints.find((e) => e.interface === iface)?.url;
    if (!url) throw new CinderConnectionFailed({ reason: `no ${catalogInfo} endpoint in the service catalog (set [cinder] endpoint_template)` });
    return url.replace(/\/+$/, '');
  }

  private request(caller: CinderCaller, method: string, path: string, body?: unknown, microversion?: string): Promise<{ status: number; json: unknown }> {
    return withSpan(restClientSpan('cinder-api', method, path, body), (span) => this.send(caller, method, path, body, microversion, span));
  }

  private async send(caller: CinderCaller, method: string, path: string, body: unknown, microversion: string | undefined, span: Span | null): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { Accept: 'application/json', ...traceHeaders() };
    if (microversion) headers['OpenStack-API-Version'] = `volume ${microversion}`;
    if (caller.authToken) headers['X-Auth-Token'] = caller.authToken;
    if (caller.globalRequestId ?? caller.requestId) headers['X-OpenStack-Request-ID'] = (caller.globalRequestId ?? caller.requestId) as string;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: FetchResponse;
    if (this.serviceToken) {
      const st = await this.serviceToken().catch((e: unknown) => { throw new CinderConnectionFailed({ reason: `no service token: ${(e as Error).message}` }); });
      if (st) headers['X-Service-Token'] = st;
    }
    try {
      res = await this.fetchImpl(path.startsWith('http') ? path : `${this.base(caller)}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: this.timeoutSec * 1000,
      });
    } catch (e) {
      throw new CinderConnectionFailed({ reason: (e as Error).message });
    }
    span?.set('http.status_code', res.status);
    const text = await res.text();
    let json: unknown = null;
    if (text) {
      try { json = JSON.parse(text); } catch { json = null; }
    }
    if (res.status >= 400) {
      const fault = json && typeof json === 'object' ? Object.values(json as Record<string, unknown>)[0] : null;
      const message = fault && typeof fault === 'object' && typeof (fault as { message?: unknown }).message === 'string'
        ? (fault as { message: string }).message : res.statusText;
      LOG.debug(`cinder ${method} ${path} -> ${res.status}`, { status: res.status });
      throw new CinderHTTPError(res.status, message, res.headers.get('x-openstack-request-id'));
    }
    return { status: res.status, json };
  }

  /** translate_volume_exception: 404 → VolumeNotFound, 400 → InvalidInput. */
  private async volumeCall<T>(volumeId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CinderHTTPError) {
        if (e.status === 404) throw new VolumeNotFound({ volume_id: volumeId });
        if (e.status === 400) throw new InvalidInput({ reason: e.message });
      }
      throw e;
    }
  }

  private action(caller: CinderCaller, volumeId: string, body: Record<string, unknown>): Promise<{ status: number; json: unknown }> {
    return this.volumeCall(volumeId, () => this.request(caller, 'POST', `/volumes/${encodeURIComponent(volumeId)}/action`, body));
  }

  async get(caller: CinderCaller, volumeId: string): Promise<CinderVolume> {
    const { json } = await this.volumeCall(volumeId, () => this.request(caller, 'GET', `/volumes/${encodeURIComponent(volumeId)}`));
    const v = (json as { volume?: CinderVolume } | null)?.volume;
    if (!v) throw new VolumeNotFound({ volume_id: volumeId });
    const attachments = Array.isArray(v.attachments) ? v.attachments : [];
    // Cinder's volume view has no attach_status: Nova derives it from the attachments listed
    // (_untranslate_volume_summary_view), which its swap and reserve checks then read.
    return { ...v, attachments, attach_status: attachments.length ? 'attached' : 'detached' };
  }

  async reserve(caller: CinderCaller, volumeId: string): Promise<void> {
    await this.action(caller, volumeId, { 'os-reserve': null });
  }

  async unreserve(caller: CinderCaller, volumeId: string): Promise<void> {
    await this.action(caller, volumeId, { 'os-unreserve': null });
  }

  async beginDetaching(caller: CinderCaller, volumeId: string): Promise<void> {
    await this.action(caller, volumeId, { 'os-begin_detaching': null });
  }

  async rollDetaching(caller: CinderCaller, volumeId: string): Promise<void> {
    await this.action(caller, volumeId, { 'os-roll_detaching': null });
  }

  async initializeConnection(caller: CinderCaller, volumeId: string, connector: Record<string, unknown>): Promise<ConnectionInfo> {
    const { json } = await this.action(caller, volumeId, { 'os-initialize_connection': { connector } });
    const info = (json as { connection_info?: ConnectionInfo } | null)?.connection_info;
    if (!info || typeof info !== 'object' || typeof info.data !== 'object') {
      throw new InvalidInput({ reason: `cinder returned no connection_info for volume ${volumeId}` });
    }
    return info;
  }

  async terminateConnection(caller: CinderCaller, volumeId: string, connector: Record<string, unknown>): Promise<void> {
    await this.action(caller, volumeId, { 'os-terminate_connection': { connector } });
  }

  async attach(caller: CinderCaller, volumeId: string, instanceUuid: string, mountpoint: string, mode = 'rw'): Promise<void> {
    await this.action(caller, volumeId, { 'os-attach': { instance_uuid: instanceUuid, mountpoint, mode } });
  }

  async detach(caller: CinderCaller, volumeId: string, attachmentId: string | null): Promise<void> {
    await this.action(caller, volumeId, { 'os-detach': attachmentId ? { attachment_id: attachmentId } : {} });
  }

  /** Every volume the caller sees (all projects for an admin), page by page. */
  listAll(caller: CinderCaller, pageSize = 500): Promise<CinderVolume[]> {
    return this.listPages(caller, 'all_tenants=1&', pageSize);
  }

  /** The caller's project's volumes (no all_tenants): what Nova's volume proxy lists. */
  listOwn(caller: CinderCaller, pageSize = 500): Promise<CinderVolume[]> {
    return this.listPages(caller, '', pageSize);
  }

  /** GET /volumes/detail page by page (marker and limit), bounded. */
  private async listPages(caller: CinderCaller, filter: string, pageSize: number): Promise<CinderVolume[]> {
    const out: CinderVolume[] = [];
    for (let marker: string | null = null, pages = 0; pages < 10_000; pages++) {
      const { json } = await this.request(caller, 'GET', `/volumes/detail?${filter}limit=${pageSize}${marker ? `&marker=${marker}` : ''}`);
      const page = ((json as { volumes?: CinderVolume[] } | null)?.volumes ?? []).map((v) => ({ ...v, attachments: Array.isArray(v.attachments) ? v.attachments : [] }));
      out.push(...page);
      if (page.length < pageSize) break;
      marker = page[page.length - 1].id;
    }
    return out;
  }

  /** os-migrate_volume_completion (admin): the end of a legacy swap; answers the volume id to keep. */
  async migrateVolumeCompletion(caller: CinderCaller, oldId: string, newId: string, error: boolean): Promise<string> {
    const { json } = await this.action(caller, oldId, { 'os-migrate_volume_completion': { new_volume: newId, error } });
    return (json as { save_volume_id?: string } | null)?.save_volume_id ?? newId;
  }

  /** os-force_detach (admin): take the attachment and its connection down whoever holds it. */
  async forceDetach(caller: CinderCaller, volumeId: string, attachmentId: string | null): Promise<void> {
    await this.action(caller, volumeId, { 'os-force_detach': { attachment_id: attachmentId, connector: null } });
  }

  /** os-reset_status (admin): the state an operator says the volume is in. */
  async resetStatus(caller: CinderCaller, volumeId: string, status: string, attachStatus: string): Promise<void> {
    await this.action(caller, volumeId, { 'os-reset_status': { status, attach_status: attachStatus } });
  }

  /** attachd extension (admin): each backend's exports and their drift; `sync` repairs it first. */
  async volumeExports(caller: CinderCaller, sync = false): Promise<ExportsReport> {
    const { json } = sync
      ? await this.request(caller, 'POST', '/os-volume-exports/action', { 'os-sync': {} })
      : await this.request(caller, 'GET', '/os-volume-exports');
    return { backends: ((json as ExportsReport | null)?.backends ?? []) };
  }

  // -- the v3 attachments API (3.27+, os-complete 3.44; nova/volume/cinder.py attachment_*) --

  /**
   * The highest volume API microversion Cinder serves, from the version document at the root
   * of its endpoint (cinderclient's get_server_version); null when it has none (v3.0 only).
   */
  async maxMicroversion(caller: CinderCaller): Promise<string | null> {
    const root = new URL(this.base(caller));
    const { json } = await this.request(caller, 'GET', `${root.origin}${root.pathname.replace(/\/v3(\/.*)?$/, '')}/`).catch((e: unknown) => {
      // A Cinder without version discovery (300 Multiple Choices lands here as an error too).
      if (e instanceof CinderHTTPError && e.status < 500) return { json: null };
      throw e;
    });
    const versions = (json as { versions?: Array<{ id?: string; version?: string; status?: string }> } | null)?.versions ?? [];
    return versions.find((v) => v.id === 'v3.0')?.version || null;
  }

  /** translate_attachment_exception: 404 → VolumeAttachmentNotFound, 400 → InvalidInput. */
  private async attachmentCall<T>(attachmentId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CinderHTTPError && e.status === 404) throw new VolumeAttachmentNotFound({ attachment_id: attachmentId });
      if (e instanceof CinderHTTPError && e.status === 400) throw new InvalidInput({ reason: e.message });
      throw e;
    }
  }

  /** attachment_create without a connector: reserves the volume for the instance (status 'reserved'). */
  async attachmentCreate(caller: CinderCaller, volumeId: string, instanceUuid: string, mode?: 'rw' | 'ro'): Promise<CinderAttachment> {
    const body = { attachment: { volume_uuid: volumeId, instance_uuid: instanceUuid, ...(mode ? { mode } : {}) } };
    const { json } = await this.volumeCall(volumeId, () => this.request(caller, 'POST', '/attachments', body, mode ? '3.54' : ATTACH_MV));
    return (json as { attachment: CinderAttachment }).attachment;
  }

  /**
   * attachment_update with the host's connector: Cinder exports the volume and answers the
   * flat connection_info, which becomes Nova's {driver_volume_type, data} (_translate_attachment_ref).
   */
  async attachmentUpdate(caller: CinderCaller, attachmentId: string, connector: Record<string, unknown>, mountpoint?: string): Promise<ConnectionInfo> {
    // As Nova: the guest's device goes along in the connector, so Cinder shows where it is.
    if (mountpoint && !('mountpoint' in connector)) connector = { ...connector, mountpoint };
    const { json } = await this.attachmentCall(attachmentId, () =>
      this.request(caller, 'PUT', `/attachments/${encodeURIComponent(attachmentId)}`, { attachment: { connector } }, ATTACH_MV));
    const flat = (json as { attachment?: { connection_info?: Record<string, unknown> } } | null)?.attachment?.connection_info;
    if (!flat || typeof flat !== 'object' || typeof flat.driver_volume_type !== 'string') {
      throw new InvalidInput({ reason: `cinder returned no connection_info for attachment ${attachmentId}` });
    }
    return attachmentConnectionInfo(flat);
  }

  async attachmentComplete(caller: CinderCaller, attachmentId: string): Promise<void> {
    await this.attachmentCall(attachmentId, () =>
      this.request(caller, 'POST', `/attachments/${encodeURIComponent(attachmentId)}/action`, { 'os-complete': null }, ATTACH_MV));
  }

  async attachmentDelete(caller: CinderCaller, attachmentId: string): Promise<void> {
    await this.attachmentCall(attachmentId, () => this.request(caller, 'DELETE', `/attachments/${encodeURIComponent(attachmentId)}`, undefined, ATTACH_MV));
  }

  async attachmentGet(caller: CinderCaller, attachmentId: string): Promise<CinderAttachment> {
    const { json } = await this.attachmentCall(attachmentId, () =>
      this.request(caller, 'GET', `/attachments/${encodeURIComponent(attachmentId)}`, undefined, ATTACH_MV));
    return (json as { attachment: CinderAttachment }).attachment;
  }

  /** The attachments of a volume to an instance (every project's for an admin). */
  async attachmentsOf(caller: CinderCaller, volumeId: string, instanceUuid: string): Promise<CinderAttachment[]> {
    const q = `/attachments?all_tenants=1&volume_id=${encodeURIComponent(volumeId)}&instance_id=${encodeURIComponent(instanceUuid)}`;
    const { json } = await this.request(caller, 'GET', q, undefined, ATTACH_MV);
    return ((json as { attachments?: CinderAttachment[] } | null)?.attachments ?? []).filter((a) => a.volume_id === volumeId && a.instance === instanceUuid);
  }

  /** Nova's volume_api.create: Cinder's 413 is OverQuota, its 400 (and 404: an unknown type) InvalidInput. */
  async create(caller: CinderCaller, v: Record<string, unknown>): Promise<CinderVolume> {
    try {
      const { json } = await this.request(caller, 'POST', '/volumes', { volume: v });
      const vol = (json as { volume?: CinderVolume } | null)?.volume;
      if (!vol) throw new CinderConnectionFailed({ reason: 'Cinder answered a create without its volume' });
      return { ...vol, attachments: Array.isArray(vol.attachments) ? vol.attachments : [] };
    } catch (e) {
      if (e instanceof CinderHTTPError && e.status === 413) throw new OverQuota({ overs: 'volumes' });
      if (e instanceof CinderHTTPError && (e.status === 400 || e.status === 404)) throw new InvalidInput({ reason: e.cinderMessage });
      throw e;
    }
  }

  /**
   * A snapshot call, its refusals as Nova translates them (translate_snapshot_exception,
   * translate_mixed_exceptions, translate_cinder_exception): 404 is `missing`, 413 OverQuota
   * (snapshots), 400 InvalidInput and 403 Forbidden with Cinder's text.
   */
  private async snapshotRequest(caller: CinderCaller, method: string, path: string, body: unknown, missing: () => Error): Promise<unknown> {
    try {
      return (await this.request(caller, method, path, body)).json;
    } catch (e) {
      if (!(e instanceof CinderHTTPError)) throw e;
      if (e.status === 404) throw missing();
      if (e.status === 413) throw new OverQuota({ overs: 'snapshots' });
      if (e.status === 400) throw new InvalidInput({ reason: e.cinderMessage });
      if (e.status === 403) throw new Forbidden({}, e.cinderMessage);
      throw e;
    }
  }

  /** GET /snapshots/{id}: there, or SnapshotNotFound. */
  async getSnapshot(caller: CinderCaller, snapshotId: string): Promise<Record<string, unknown>> {
    const json = await this.snapshotRequest(caller, 'GET', `/snapshots/${encodeURIComponent(snapshotId)}`, undefined, () => new SnapshotNotFound({ snapshot_id: snapshotId }));
    return (json as { snapshot?: Record<string, unknown> } | null)?.snapshot ?? {};
  }

  /** Nova's create_snapshot(_force): POST /snapshots as cinderclient sends it; Cinder's 404 is VolumeNotFound. */
  async createSnapshot(caller: CinderCaller, volumeId: string, force: boolean, name: string | null, description: string | null): Promise<Record<string, unknown>> {
    const json = await this.snapshotRequest(caller, 'POST', '/snapshots', { snapshot: { volume_id: volumeId, force, name, description, metadata: {} } },
      () => new VolumeNotFound({ volume_id: volumeId }));
    return (json as { snapshot?: Record<string, unknown> } | null)?.snapshot ?? {};
  }

  /** The caller's snapshots, detailed (get_all_snapshots). */
  async listSnapshots(caller: CinderCaller): Promise<Array<Record<string, unknown>>> {
    const json = await this.snapshotRequest(caller, 'GET', '/snapshots/detail', undefined, () => new SnapshotNotFound({ snapshot_id: '' }));
    return (json as { snapshots?: Array<Record<string, unknown>> } | null)?.snapshots ?? [];
  }

  /** DELETE /snapshots/{id}: 404 is SnapshotNotFound. */
  async deleteSnapshot(caller: CinderCaller, snapshotId: string): Promise<void> {
    await this.snapshotRequest(caller, 'DELETE', `/snapshots/${encodeURIComponent(snapshotId)}`, undefined, () => new SnapshotNotFound({ snapshot_id: snapshotId }));
  }

  async delete(caller: CinderCaller, volumeId: string): Promise<void> {
    await this.volumeCall(volumeId, () => this.request(caller, 'DELETE', `/volumes/${encodeURIComponent(volumeId)}`));
  }
}
