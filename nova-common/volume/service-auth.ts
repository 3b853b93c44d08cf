// Nova's own credentials towards Cinder ([cinder] auth_type …, as keystoneauth reads them in
// Nova): what the compute's reconciler and nova-manage use when no user request is behind a
// call, so there is no user token to forward.
//   - password: a Keystone v3 password login at auth_url (our identity endpoint or a real
//     Keystone); the token is cached until shortly before it expires, or until Cinder says 401.
//   - none, with the embedded identity ([api] auth_strategy = keystone, no external Keystone):
//     the services hold the signing secret, so Nova signs itself a token of user nova in project
//     service with the admin and service roles.
//   - none in a noauth2 cloud, where a token only names who is asking: the call is made as the
//     owner of the server ("<user_id>:<project_id>"), which is exactly what that user would send.
import { idOf, signToken } from '../../common/api/auth';
import type { CatalogEntry } from '../../common/context';
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
  /** The embedded identity's signing secret, when that is what the APIs check tokens with. */
  signingSecret?: string | null;
  /** Who a self-signed token names (default nova; cinder-volume signs as cinder). */
  selfUser?: string;
}

/** Lifetime of a token Nova signs itself. */
const SELF_SIGNED_TTL_S = 3600;

/** Refresh this long before the token's expires_at. */
const EXPIRY_MARGIN_MS = 60_000;

export class ServiceAuth {
  private cached: { token: string; projectId: string; expires: number; catalog?: CatalogEntry[] | null } | null = null;
  private pending: Promise<{ token: string; projectId: string; catalog?: CatalogEntry[] | null }> | null = null;

  constructor(private readonly o: ServiceAuthOptions) {}

  /** The caller for Cinder calls made on behalf of a server owned by (userId, projectId). */
  async callerFor(owner: { userId: string | null; projectId: string | null }, requestId: string | null): Promise<CinderCaller> {
    const globalRequestId = requestId ?? null;
    if (this.o.auth_type !== 'password' && this.o.signingSecret) return { ...this.selfSigned(), globalRequestId };
    if (this.o.auth_type !== 'password') {
      const token = owner.userId && owner.projectId ? `${owner.userId}:${owner.projectId}` : null;
      return { projectId: owner.projectId, authToken: token, globalRequestId };
    }
    const { token, projectId, catalog } = await this.login();
    return { projectId, authToken: token, globalRequestId, catalog };
  }

  /**
   * An admin caller for cloud-wide reads and repairs (nova-manage): the service user's token,
   * or under noauth2 the admin named by [cinder] username/project_name (default admin:admin).
   */
  async adminCaller(requestId: string | null = null): Promise<CinderCaller> {
    if (this.o.auth_type !== 'password' && this.o.signingSecret) return { ...this.selfSigned(), globalRequestId: requestId };
    if (this.o.auth_type !== 'password') {
      const user = this.o.username ?? 'admin';
      const project = this.o.project_name ?? user;
      return { projectId: project, authToken: `${user}:${project}`, globalRequestId: requestId };
    }
    const { token, projectId, catalog } = await this.login();
    return { projectId, authToken: token, globalRequestId: requestId, catalog };
  }

  private selfSigned(): { projectId: string; authToken: string } {
    const now = Date.now();
    if (!this.cached || this.cached.expires - EXPIRY_MARGIN_MS <= now) {
      const projectId = idOf('project', 'service');
      const user = this.o.selfUser ?? 'nova';
      const token = signToken({ user_id: idOf('user', user), user_name: user, project_id: projectId, project_name: 'service',
        roles: ['admin', 'member', 'reader', 'service'], exp: Math.floor(now / 1000) + SELF_SIGNED_TTL_S }, this.o.signingSecret as string);
      this.cached = { token, projectId, expires: now + SELF_SIGNED_TTL_S * 1000 };
    }
    return { projectId: this.cached.projectId, authToken: this.cached.token };
  }

  /** Forget the token (Cinder answered 401: expired or revoked). */
  invalidate(): void {
    this.cached = null;
  }

  private async login(): Promise<{ token: string; projectId: string; catalog?: CatalogEntry[] | null }> {
    if (this.cached && this.cached.expires - EXPIRY_MARGIN_MS > Date.now()) return this.cached;
    this.pending ??= this.fetchToken().finally(() => { this.pending = null; });
    return this.pending;
  }

  private async fetchToken(): Promise<{ token: string; projectId: string; catalog?: CatalogEntry[] | null }> {
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
    // keystoneauth takes the identity URL with or without its version.
    const base = url.replace(/\/+$/, '');
    const res = await fetch(`${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body),
      signal: AbortSignal.timeout((this.o.timeout ?? 30) * 1000),
    });
    const token = res.headers.get('x-subject-token');
    const json = (await res.json().catch(() => null)) as { token?: { expires_at?: string; project?: { id?: string }; catalog?: CatalogEntry[] } } | null;
    if (res.status !== 201 || !token) throw new Error(`Keystone login of Nova's service user ${username} failed: HTTP ${res.status}`);
    const expires = Date.parse(json?.token?.expires_at ?? '') || Date.now() + 3600_000;
    const projectId = json?.token?.project?.id ?? project;
    this.cached = { token, projectId, expires, catalog: json?.token?.catalog ?? null };
    LOG.info('Logged in to Keystone as a service user', { user: username, project });
    return this.cached;
  }
}

/** This service's own token (password login or self-signed): what [service_user] sends as X-Service-Token. */
export async function serviceTokenOf(auth: ServiceAuth): Promise<string | null> {
  return (await auth.adminCaller()).authToken;
}

/**
 * [service_user]: when send_service_user_token is set, the X-Service-Token Nova sends to Cinder
 * beside the user's token (Cinder then lets Nova delete attachments a user may not).
 */
export function novaServiceTokens(conf: {
  service_user: { send_service_user_token: boolean; auth_type: string | null; auth_url: string | null; username: string | null; password: string | null;
    project_name: string | null; user_domain_name: string; project_domain_name: string };
  api: { auth_strategy: string; token_secret: string | null };
  keystone_authtoken: { auth_url: string | null };
}): (() => Promise<string | null>) | null {
  const su = conf.service_user;
  if (!su.send_service_user_token) return null;
  const embedded = conf.api.auth_strategy === 'keystone' && !conf.keystone_authtoken.auth_url;
  const authType = su.auth_type ?? 'none';
  // Without credentials or the embedded identity's secret there is no token of Nova's own to
  // send (noauth2 reads none; an external Keystone would refuse a made-up one, and the request with it).
  if (authType === 'none' && !embedded) {
    if (conf.api.auth_strategy === 'keystone') LOG.warning('[service_user] send_service_user_token is set but [service_user] has no auth_type: no service token is sent');
    return null;
  }
  const auth = new ServiceAuth({ ...su, auth_type: authType, signingSecret: embedded ? conf.api.token_secret : null });
  return () => serviceTokenOf(auth);
}

/** Nova's credentials from its config: [cinder], and the embedded identity's secret when that is in use. */
export function novaServiceAuth(conf: {
  cinder: Omit<ServiceAuthOptions, 'timeout' | 'signingSecret'> & { http_timeout: number };
  api: { auth_strategy: string; token_secret: string | null };
  keystone_authtoken: { auth_url: string | null };
}): ServiceAuth {
  const embedded = conf.api.auth_strategy === 'keystone' && !conf.keystone_authtoken.auth_url;
  return new ServiceAuth({ ...conf.cinder, timeout: conf.cinder.http_timeout, signingSecret: embedded ? conf.api.token_secret : null });
}
