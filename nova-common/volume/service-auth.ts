// Nova's own credentials towards Cinder ([cinder] auth_type …, as keystoneauth reads them in
// Nova): what the compute's reconciler and nova-manage use when no user request is behind a
// call, so there is no user token to forward.
//   - password: a Keystone v3 password login at auth_url (our identity endpoint or a real
//     Keystone); the token is cached until shortly before it expires, or until Cinder says 401.
//   - none: a noauth2 cloud, where a token only names who is asking; the call is made as the
//     owner of the server ("<user_id>:<project_id>"), which is exactly what that user would send.
import { getLogger } from '../../common/log';
import type { CinderCaller } from './cinder';

const LOG = getLogger('nova.volume.service-auth');

export interface ServiceAuthOptions {
  auth_type: string;
  auth_url: string | null;
  username: string | null;
  password: string | null;
  project_name: string | null;
  user_domain_name: string;
  project_domain_name: string;
  /** Seconds to wait for Keystone. */
  timeout?: number;
}

/** Refresh this long before the token's expires_at. */
const EXPIRY_MARGIN_MS = 60_000;

export class ServiceAuth {
  private cached: { token: string; projectId: string; expires: number } | null = null;
  private pending: Promise<{ token: string; projectId: string }> | null = null;

  constructor(private readonly o: ServiceAuthOptions) {}

  /** The caller for Cinder calls made on behalf of a server owned by (userId, projectId). */
  async callerFor(owner: { userId: string | null; projectId: string | null }, requestId: string | null): Promise<CinderCaller> {
    const globalRequestId = requestId ?? null;
    if (this.o.auth_type !== 'password') {
      const token = owner.userId && owner.projectId ? `${owner.userId}:${owner.projectId}` : null;
      return { projectId: owner.projectId, authToken: token, globalRequestId };
    }
    const { token, projectId } = await this.login();
    return { projectId, authToken: token, globalRequestId };
  }

  /**
   * An admin caller for cloud-wide reads and repairs (nova-manage): the service user's token,
   * or under noauth2 the admin named by [cinder] username/project_name (default admin:admin).
   */
  async adminCaller(requestId: string | null = null): Promise<CinderCaller> {
    if (this.o.auth_type !== 'password') {
      const user = this.o.username ?? 'admin';
      const project = this.o.project_name ?? user;
      return { projectId: project, authToken: `${user}:${project}`, globalRequestId: requestId };
    }
    const { token, projectId } = await this.login();
    return { projectId, authToken: token, globalRequestId: requestId };
  }

  /** Forget the token (Cinder answered 401: expired or revoked). */
  invalidate(): void {
    this.cached = null;
  }

  private async login(): Promise<{ token: string; projectId: string }> {
    if (this.cached && this.cached.expires - EXPIRY_MARGIN_MS > Date.now()) return this.cached;
    this.pending ??= this.fetchToken().finally(() => { this.pending = null; });
    return this.pending;
  }

  private async fetchToken(): Promise<{ token: string; projectId: string }> {
    const { auth_url: url, username, password, project_name: project } = this.o;
    if (!url || !username || !password || !project) {
      throw new Error('[cinder] auth_type = password needs auth_url, username, password and project_name');
    }
    const body = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: username, password, domain: { name: this.o.user_domain_name } } } },
        scope: { project: { name: project, domain: { name: this.o.project_domain_name } } },
      },
    };
    const res = await fetch(`${url.replace(/\/+$/, '')}/auth/tokens`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body),
      signal: AbortSignal.timeout((this.o.timeout ?? 30) * 1000),
    });
    const token = res.headers.get('x-subject-token');
    const json = (await res.json().catch(() => null)) as { token?: { expires_at?: string; project?: { id?: string } } } | null;
    if (res.status !== 201 || !token) throw new Error(`Keystone login of the [cinder] service user failed: HTTP ${res.status}`);
    const expires = Date.parse(json?.token?.expires_at ?? '') || Date.now() + 3600_000;
    const projectId = json?.token?.project?.id ?? project;
    this.cached = { token, projectId, expires };
    LOG.info('Logged in to Keystone as the [cinder] service user', { user: username, project });
    return this.cached;
  }
}
