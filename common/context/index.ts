// RequestContext, after oslo.context: who is asking, for which project, under which
// request id. It crosses RPC as a flat dict (oslo's to_dict keys), which the RPC layer
// flattens into `_context_<key>` fields.
import { randomUUID } from 'node:crypto';

export type ContextDict = Record<string, unknown>;

export interface RequestContextInit {
  requestId?: string;
  globalRequestId?: string | null;
  userId?: string | null;
  projectId?: string | null;
  roles?: string[];
  isAdmin?: boolean;
  authToken?: string | null;
  readOnly?: boolean;
  showDeleted?: boolean;
  userDomainId?: string | null;
  projectDomainId?: string | null;
  /** The identity of a valid X-Service-Token sent with the user's token (keystonemiddleware). */
  service?: ServiceIdentity | null;
  /** The token's service catalog (keystonemiddleware's X-Service-Catalog). */
  serviceCatalog?: CatalogEntry[] | null;
}

/** One service of a Keystone v3 token's catalog. */
export interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: Array<{ interface: string; region?: string | null; url: string }>;
}

/** Who sent the X-Service-Token, as Keystone validated it. */
export interface ServiceIdentity {
  userId: string;
  projectId: string | null;
  roles: string[];
  /** The token: forwarded again as X-Service-Token on calls made for this request. */
  token: string;
}

export function generateRequestId(): string {
  return `req-${randomUUID()}`;
}

export class RequestContext {
  readonly requestId: string;
  readonly globalRequestId: string | null;
  readonly userId: string | null;
  readonly projectId: string | null;
  readonly roles: readonly string[];
  readonly isAdmin: boolean;
  readonly authToken: string | null;
  readonly readOnly: boolean;
  readonly showDeleted: boolean;
  readonly userDomainId: string | null;
  readonly projectDomainId: string | null;
  readonly service: ServiceIdentity | null;
  readonly serviceCatalog: CatalogEntry[] | null;

  constructor(init: RequestContextInit = {}) {
    this.requestId = init.requestId ?? generateRequestId();
    this.globalRequestId = init.globalRequestId ?? null;
    this.userId = init.userId ?? null;
    this.projectId = init.projectId ?? null;
    this.roles = [...(init.roles ?? [])];
    this.isAdmin = init.isAdmin ?? this.roles.includes('admin');
    this.authToken = init.authToken ?? null;
    this.readOnly = init.readOnly ?? false;
    this.showDeleted = init.showDeleted ?? false;
    this.userDomainId = init.userDomainId ?? null;
    this.projectDomainId = init.projectDomainId ?? null;
    this.service = init.service ?? null;
    this.serviceCatalog = init.serviceCatalog ?? null;
  }

  /** oslo.context's global_id: the caller's request id, or this request's own when it has none. */
  get globalId(): string {
    return this.globalRequestId ?? this.requestId;
  }

  /** The dict oslo.context's to_dict() produces (the keys peers read). */
  toDict(): ContextDict {
    const user = this.userId;
    const project = this.projectId;
    return {
      user,
      tenant: project,
      project,
      user_id: user,
      project_id: project,
      domain: null,
      user_domain: this.userDomainId,
      project_domain: this.projectDomainId,
      system_scope: null,
      is_admin: this.isAdmin,
      read_only: this.readOnly,
      show_deleted: this.showDeleted,
      auth_token: this.authToken,
      request_id: this.requestId,
      // The request this one is part of: the caller's id, else this request's own, so the
      // receiver of a cast logs the API request's id as its global id (oslo.context's global_id).
      global_request_id: this.globalId,
      resource_uuid: null,
      roles: [...this.roles],
      user_identity: `${user ?? '-'} ${project ?? '-'} - - -`,
      is_admin_project: true,
      // As Nova's context: the catalog travels to the compute, which finds Cinder in it.
      service_catalog: this.serviceCatalog ?? [],
    };
  }

  /** Rebuild from a dict sent by any oslo peer (Python or ours); unknown keys ignored. */
  static fromDict(d: ContextDict): RequestContext {
    const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
    const roles = Array.isArray(d.roles) ? d.roles.filter((r): r is string => typeof r === 'string') : [];
    return new RequestContext({
      requestId: str(d.request_id) ?? undefined,
      globalRequestId: str(d.global_request_id),
      userId: str(d.user_id) ?? str(d.user),
      projectId: str(d.project_id) ?? str(d.tenant) ?? str(d.project),
      roles,
      isAdmin: typeof d.is_admin === 'boolean' ? d.is_admin : roles.includes('admin'),
      authToken: str(d.auth_token),
      readOnly: d.read_only === true,
      showDeleted: d.show_deleted === true,
      userDomainId: str(d.user_domain),
      projectDomainId: str(d.project_domain),
      serviceCatalog: Array.isArray(d.service_catalog) && d.service_catalog.length ? d.service_catalog as CatalogEntry[] : null,
    });
  }

  /** Same identity with admin rights (service-internal work, e.g. periodic tasks). */
  elevated(): RequestContext {
    const roles = this.roles.includes('admin') ? [...this.roles] : [...this.roles, 'admin'];
    return new RequestContext({ ...this.fields(), roles, isAdmin: true });
  }

  private fields(): RequestContextInit {
    return {
      requestId: this.requestId, globalRequestId: this.globalRequestId, userId: this.userId,
      projectId: this.projectId, roles: [...this.roles], isAdmin: this.isAdmin,
      authToken: this.authToken, readOnly: this.readOnly, showDeleted: this.showDeleted,
      userDomainId: this.userDomainId, projectDomainId: this.projectDomainId, service: this.service, serviceCatalog: this.serviceCatalog,
    };
  }
}

/** Context for work the service starts itself (heartbeats, start-up recovery). */
export function getAdminContext(): RequestContext {
  return new RequestContext({ roles: ['admin'], isAdmin: true });
}
