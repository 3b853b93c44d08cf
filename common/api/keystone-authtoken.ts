// Token validation against a real Keystone v3, the way keystonemiddleware's auth_token does it:
// the service logs in with its own credentials ([keystone_authtoken] auth_type = password …),
// then checks each X-Auth-Token with GET /v3/auth/tokens (its token in X-Auth-Token, the one
// to check in X-Subject-Token). Answers are kept for token_cache_time seconds in a bounded
// cache and never past the token's expiry; a revoked token is refused once its cache entry
// ends. An X-Service-Token is validated the same way; an invalid one fails the request, and
// service_token_roles_required makes one without a service role invalid too. A 401 carries
// `WWW-Authenticate: Keystone uri="<www_authenticate_uri>"`; Keystone unreachable is a 503.
import { RequestContext, type CatalogEntry } from '../context';
import { getLogger } from '../log';
import { HTTPFault } from './faults';
import type { AuthInput } from './auth';

const LOG = getLogger('keystonemiddleware.auth_token');

/** keystonemiddleware's option names ([keystone_authtoken]). */
export interface KeystoneAuthTokenOptions {
  www_authenticate_uri: string | null;
  auth_url: string | null;
  auth_type: string | null;
  username: string | null;
  password: string | null;
  project_name: string | null;
  user_domain_name: string;
  project_domain_name: string;
  service_token_roles: string[];
  service_token_roles_required: boolean;
  /** Seconds a validation is reused. */
  token_cache_time: number;
  /** Seconds to wait for Keystone. */
  http_connect_timeout?: number | null;
}

/** What a Keystone token is made of (Fernet and JWS tokens alike). */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
/** Validations kept at once; the oldest go first. */
const CACHE_ENTRIES = 10_000;
/** Our service token is renewed this long before it expires. */
const RENEW_MARGIN_MS = 60_000;

interface TokenData {
  expiresAt: number;
  userId: string;
  userDomainId: string | null;
  projectId: string | null;
  projectDomainId: string | null;
  roles: string[];
  catalog: CatalogEntry[] | null;
}

interface KeystoneToken {
  expires_at?: string;
  user?: { id?: string; domain?: { id?: string } };
  project?: { id?: string; domain?: { id?: string } };
  roles?: Array<{ name?: string }>;
  catalog?: CatalogEntry[];
}

const MESSAGE = 'The request you have made requires authentication.';

/** keystonemiddleware's 401: its own body, and where to authenticate. */
export class KeystoneUnauthorized extends HTTPFault {
  constructor(uri: string | null) {
    super(401, MESSAGE, uri ? { 'WWW-Authenticate': `Keystone uri="${uri}"` } : {},
      { error: { code: 401, title: 'Unauthorized', message: MESSAGE } });
  }
}

/** Keystone could not be asked: the request cannot be authenticated now. */
const keystoneDown = (): HTTPFault => new HTTPFault(503, 'The Keystone service is temporarily unavailable.');

export class KeystoneAuthToken {
  private readonly cache = new Map<string, { data: TokenData; until: number }>();
  private service: { token: string; expires: number } | null = null;
  private login: Promise<string> | null = null;
  private readonly v3: string;

  constructor(private readonly o: KeystoneAuthTokenOptions) {
    if (!o.auth_url) throw new Error('[keystone_authtoken] auth_url is not set');
    const base = o.auth_url.replace(/\/+$/, '');
    this.v3 = /\/v3$/.test(base) ? base : `${base}/v3`;
  }

  get wwwAuthenticateUri(): string | null {
    return this.o.www_authenticate_uri ?? this.o.auth_url;
  }

  /** The request's context, or KeystoneUnauthorized (401) / 503 when Keystone is away. */
  async authenticate(input: AuthInput): Promise<RequestContext> {
    const reject = (): never => { throw new KeystoneUnauthorized(this.wwwAuthenticateUri); };
    if (!input.token) reject();
    let service: RequestContext['service'] = null;
    if (input.serviceToken) {
      const s = await this.validate(input.serviceToken);
      if (!s) reject();
      const isService = (s as TokenData).roles.some((r) => this.o.service_token_roles.includes(r));
      if (!isService && this.o.service_token_roles_required) reject();
      const sd = s as TokenData;
      service = isService ? { userId: sd.userId, projectId: sd.projectId, roles: sd.roles, token: input.serviceToken } : null;
    }
    const data = await this.validate(input.token as string);
    if (!data) return reject();
    return new RequestContext({
      requestId: input.requestId, globalRequestId: input.globalRequestId ?? null, userId: data.userId, projectId: data.projectId,
      roles: data.roles, authToken: input.token, userDomainId: data.userDomainId, projectDomainId: data.projectDomainId, service,
      serviceCatalog: data.catalog,
    });
  }

  /** The token's data, or null when Keystone does not vouch for it (invalid, revoked, expired). */
  private async validate(token: string): Promise<TokenData | null> {
    // Keystone's tokens are printable ASCII; anything else cannot even be sent on to it (a
    // header refuses it), and is no token: 401, not a 503 for a Keystone that was never asked.
    if (!PRINTABLE_ASCII.test(token)) return null;
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.until > now) return hit.data.expiresAt > now ? hit.data : null;
    if (hit) this.cache.delete(token);
    const data = await this.fetchToken(token, true);
    if (data) {
      if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(token, { data, until: Math.min(now + this.o.token_cache_time * 1000, data.expiresAt) });
    }
    return data && data.expiresAt > now ? data : null;
  }

  private async fetchToken(token: string, retryLogin: boolean): Promise<TokenData | null> {
    const own = await this.serviceToken();
    const res = await this.http('GET', '/auth/tokens', { 'X-Auth-Token': own, 'X-Subject-Token': token });
    if (res.status === 401 && retryLogin) {
      // Our own token expired or was revoked: log in again once.
      this.service = null;
      return this.fetchToken(token, false);
    }
    if (res.status === 404 || res.status === 401) return null;
    if (res.status === 403) {
      LOG.error('The [keystone_authtoken] service user may not validate tokens (403): it needs the admin or service role');
      return null;
    }
    if (res.status !== 200) throw keystoneDown();
    const t = ((await res.json().catch(() => null)) as { token?: KeystoneToken } | null)?.token;
    const expiresAt = Date.parse(t?.expires_at ?? '');
    if (!t?.user?.id || Number.isNaN(expiresAt)) return null;
    return {
      expiresAt, userId: t.user.id, userDomainId: t.user.domain?.id ?? null, projectId: t.project?.id ?? null,
      projectDomainId: t.project?.domain?.id ?? null, roles: (t.roles ?? []).map((r) => r.name).filter((r): r is string => !!r),
      catalog: Array.isArray(t.catalog) ? t.catalog : null,
    };
  }

  /** This service's own token (password login), renewed before it expires. */
  private async serviceToken(): Promise<string> {
    if (this.service && this.service.expires - RENEW_MARGIN_MS > Date.now()) return this.service.token;
    this.login ??= this.passwordLogin().finally(() => { this.login = null; });
    return this.login;
  }

  private async passwordLogin(): Promise<string> {
    const { username, password, project_name: project } = this.o;
    if (this.o.auth_type !== 'password' || !username || !password || !project) {
      LOG.error('[keystone_authtoken] needs auth_type = password with username, password and project_name to validate tokens');
      throw keystoneDown();
    }
    const body = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: username, password, domain: { name: this.o.user_domain_name } } } },
        scope: { project: { name: project, domain: { name: this.o.project_domain_name } } },
      },
    };
    const res = await this.http('POST', '/auth/tokens', { 'Content-Type': 'application/json' }, JSON.stringify(body));
    const token = res.headers.get('x-subject-token');
    if (res.status !== 201 || !token) {
      LOG.error(`The [keystone_authtoken] service user could not log in to Keystone (HTTP ${res.status})`);
      throw keystoneDown();
    }
    const expires = Date.parse(((await res.json().catch(() => null)) as { token?: { expires_at?: string } } | null)?.token?.expires_at ?? '');
    this.service = { token, expires: Number.isNaN(expires) ? Date.now() + 3600_000 : expires };
    return token;
  }

  private async http(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Response> {
    try {
      return await fetch(`${this.v3}${path}`, {
        method, headers: { Accept: 'application/json', ...headers }, body,
        signal: AbortSignal.timeout((this.o.http_connect_timeout ?? 10) * 1000),
      });
    } catch (e) {
      LOG.error(`Unable to validate token: Keystone at ${this.v3} is unreachable (${(e as Error).message})`);
      throw keystoneDown();
    }
  }
}
