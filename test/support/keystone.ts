// A real Keystone 22 for system tests: the private one scripts/test.sh starts with
// scripts/keystone.sh, or the one KEYSTONE_URL names (with KEYSTONE_ADMIN_PASSWORD, the password
// of its bootstrap admin: user `admin`, project `admin`, domain Default). A test that needs it
// fails under CI=true when it is missing, and is skipped (with a reason) otherwise, as with the
// servers of ./servers.
//
// Fixtures are made through Keystone's REST API v3 as that admin. Every password login costs
// Keystone about 0.25 s of CPU (bcrypt), so tokens are cached per user and project and reused
// until shortly before they expire. Passwords never go into a log line or an error message.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Context } from 'mocha';

const run = promisify(execFile);

const SCRIPT = join(__dirname, '../../../scripts/keystone.sh');
const DEFAULT_DOMAIN = 'default';
const REGION = 'RegionOne';
/** A cached token is issued anew when it has less than this left. */
const RENEW_MARGIN_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;

function missing(ctx: Context | null, why: string): never {
  // The rule of ./servers: fail in CI, skip (with the reason) elsewhere.
  if (process.env.CI === 'true' || !ctx) throw new Error(`required server or tool unavailable: ${why}`);
  ctx.skip();
  throw new Error('unreachable');
}

/** An id and a name, as Keystone returns projects, users, roles. */
export interface Named {
  id: string;
  name: string;
}

/** Who logs in: by id, or by name in a domain (id `default` unless given). */
export interface Credentials {
  id?: string;
  name?: string;
  domainId?: string;
  password: string;
}

/** A project to scope a token to: by id, or by name in a domain (id `default` unless given). */
export interface ProjectRef {
  id?: string;
  name?: string;
  domainId?: string;
}

export interface CatalogEndpoint {
  id: string;
  interface: string;
  region: string;
  region_id?: string;
  url: string;
}

export interface CatalogService {
  id: string;
  type: string;
  name: string;
  endpoints: CatalogEndpoint[];
}

/** The `token` object of a Keystone v3 token response. */
export interface KeystoneToken {
  methods: string[];
  expires_at: string;
  issued_at: string;
  audit_ids: string[];
  user: { id: string; name: string; domain: { id: string; name: string } };
  project?: { id: string; name: string; domain: { id: string; name: string } };
  roles?: Named[];
  catalog?: CatalogService[];
  is_domain?: boolean;
}

export interface IssuedToken {
  /** The token itself (the X-Subject-Token header of the answer). */
  token: string;
  /** The answer's `token` object. */
  body: KeystoneToken;
  expiresAt: Date;
}

export interface TokenValidation {
  /** 200 valid, 404 revoked/expired/unknown, 403 the caller may not validate it, 401 the caller's own token is bad. */
  status: number;
  /** The token's data when valid. */
  token?: KeystoneToken;
  /** The whole answer (an `error` object when not 200). */
  body: unknown;
}

export interface EndpointOptions {
  /** public (default), internal or admin. */
  interface?: string;
  /** RegionOne unless given. */
  region?: string;
}

/** A non-2xx answer Keystone gave a fixture request. */
export class KeystoneError extends Error {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly body: unknown) {
    const e = (body as { error?: { message?: string } } | null)?.error;
    super(`Keystone ${method} ${path} answered ${status}${e?.message ? `: ${e.message}` : ''}`);
    this.name = 'KeystoneError';
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface RequestOptions {
  body?: unknown;
  /** X-Auth-Token; the admin's token unless given (null: none). */
  token?: string | null;
  subject?: string;
  /** Statuses that are not an error (default: any 2xx). */
  ok?: number[];
}

function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/v3$/, '');
}

function userRef(c: Credentials): Record<string, unknown> {
  if (c.id) return { id: c.id, password: c.password };
  if (!c.name) throw new Error('credentials need an id or a name');
  return { name: c.name, domain: { id: c.domainId ?? DEFAULT_DOMAIN }, password: c.password };
}

function projectRef(p: ProjectRef): Record<string, unknown> {
  if (p.id) return { id: p.id };
  if (!p.name) throw new Error('a project needs an id or a name');
  return { name: p.name, domain: { id: p.domainId ?? DEFAULT_DOMAIN } };
}

/**
 * Keystone as its bootstrap admin: fixtures through the REST API v3, tokens for any user
 * (cached per user and project), validation and revocation.
 */
export class KeystoneAdmin {
  /** Keystone's root, e.g. http://127.0.0.1:PORT (what KEYSTONE_URL gives). */
  readonly url: string;
  /** Its identity API: url + /v3 (an auth_url). */
  readonly authUrl: string;
  /** The bootstrap admin (a test may configure a service with it). */
  readonly adminCredentials: Credentials;
  private readonly adminProject: ProjectRef;
  private readonly tokens = new Map<string, Promise<IssuedToken>>();

  constructor(url: string, adminPassword: string, adminUser = 'admin', adminProject = 'admin') {
    this.url = normalizeUrl(url);
    this.authUrl = `${this.url}/v3`;
    this.adminCredentials = { name: adminUser, password: adminPassword };
    this.adminProject = { name: adminProject };
  }

  /** The admin's token scoped to its project (cached unless `fresh`). */
  adminLogin(opts: { fresh?: boolean } = {}): Promise<IssuedToken> {
    return this.issueToken(this.adminCredentials, this.adminProject, opts);
  }

  async adminToken(): Promise<string> {
    return (await this.adminLogin()).token;
  }

  /** One request to the identity API; `path` starts with /v3. Throws KeystoneError unless the status is ok. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = opts.token === undefined ? await this.adminToken() : opts.token;
    if (token) headers['X-Auth-Token'] = token;
    if (opts.subject) headers['X-Subject-Token'] = opts.subject;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = null;
    if (text) {
      try { body = JSON.parse(text); } catch { body = text; }
    }
    const fine = opts.ok ? opts.ok.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!fine) throw new KeystoneError(method, path.split('?')[0], res.status, body);
    return { status: res.status, headers: res.headers, body };
  }

  // ---- tokens ---------------------------------------------------------------------------

  /**
   * A project-scoped token for a user, by password. Cached per user and project until
   * shortly before it expires; `fresh` issues a new one (and caches that).
   */
  issueToken(user: Credentials, project: ProjectRef, opts: { fresh?: boolean } = {}): Promise<IssuedToken> {
    // The password counts too: a login with another (wrong) one must not get the cached token.
    const key = JSON.stringify([user.id ?? `${user.domainId ?? DEFAULT_DOMAIN}/${user.name}`,
      project.id ?? `${project.domainId ?? DEFAULT_DOMAIN}/${project.name}`,
      createHash('sha256').update(user.password).digest('hex')]);
    const cached = this.tokens.get(key);
    if (cached && !opts.fresh) {
      return cached.then((t) => (t.expiresAt.getTime() - Date.now() > RENEW_MARGIN_MS ? t : this.issueToken(user, project, { fresh: true })));
    }
    const issued = this.login(user, project);
    this.tokens.set(key, issued);
    issued.catch(() => { if (this.tokens.get(key) === issued) this.tokens.delete(key); });
    return issued;
  }

  private async login(user: Credentials, project: ProjectRef): Promise<IssuedToken> {
    const who = user.name ?? user.id;
    let answer: Answer;
    try {
      answer = await this.request('POST', '/v3/auth/tokens', {
        token: null,
        body: { auth: { identity: { methods: ['password'], password: { user: userRef(user) } }, scope: { project: projectRef(project) } } },
      });
    } catch (e) {
      if (e instanceof KeystoneError) {
        throw new KeystoneError(e.method, `${e.path} (login of ${who} to project ${project.name ?? project.id})`, e.status, e.body);
      }
      throw e;
    }
    const token = answer.headers.get('x-subject-token');
    const body = (answer.body as { token: KeystoneToken }).token;
    if (!token || !body) throw new Error(`Keystone issued no token for ${who}`);
    return { token, body, expiresAt: new Date(body.expires_at) };
  }

  /**
   * GET /v3/auth/tokens: `subject` checked with `authToken` (the admin's by default) as the
   * caller, the way keystonemiddleware validates. Resolves with any status.
   */
  async validateToken(subject: string, opts: { authToken?: string; allowExpired?: boolean; noCatalog?: boolean } = {}): Promise<TokenValidation> {
    const query = [opts.allowExpired ? 'allow_expired=1' : '', opts.noCatalog ? 'nocatalog' : ''].filter(Boolean).join('&');
    const answer = await this.request('GET', `/v3/auth/tokens${query ? `?${query}` : ''}`, {
      token: opts.authToken, subject, ok: [200, 401, 403, 404],
    });
    const token = answer.status === 200 ? (answer.body as { token: KeystoneToken }).token : undefined;
    return { status: answer.status, token, body: answer.body };
  }

  /** DELETE /v3/auth/tokens (204 when revoked); forgets it if cached. Resolves with the status. */
  async revokeToken(subject: string, opts: { authToken?: string } = {}): Promise<number> {
    for (const [key, p] of this.tokens) {
      const t = await p.catch(() => null);
      if (t?.token === subject) this.tokens.delete(key);
    }
    const answer = await this.request('DELETE', '/v3/auth/tokens', { token: opts.authToken, subject, ok: [204, 401, 403, 404] });
    return answer.status;
  }

  // ---- fixtures -------------------------------------------------------------------------

  async createProject(name: string, opts: { domainId?: string; description?: string } = {}): Promise<Named> {
    const a = await this.request('POST', '/v3/projects', {
      body: { project: { name, domain_id: opts.domainId ?? DEFAULT_DOMAIN, description: opts.description ?? '', enabled: true } },
    });
    const p = (a.body as { project: Named }).project;
    return { id: p.id, name: p.name };
  }

  /** A user with a password (and a default project when given). */
  async createUser(name: string, password: string, opts: { domainId?: string; defaultProjectId?: string } = {}): Promise<Named> {
    const user: Record<string, unknown> = { name, password, domain_id: opts.domainId ?? DEFAULT_DOMAIN, enabled: true };
    if (opts.defaultProjectId) user.default_project_id = opts.defaultProjectId;
    const a = await this.request('POST', '/v3/users', { body: { user } });
    const u = (a.body as { user: Named }).user;
    return { id: u.id, name: u.name };
  }

  /** The global role of that name, created when missing. */
  async ensureRole(name: string): Promise<Named> {
    const find = async (): Promise<Named | undefined> => {
      const a = await this.request('GET', `/v3/roles?name=${encodeURIComponent(name)}`);
      return (a.body as { roles: Array<Named & { domain_id?: string | null }> }).roles.find((r) => r.name === name && !r.domain_id);
    };
    const found = await find();
    if (found) return { id: found.id, name: found.name };
    try {
      const a = await this.request('POST', '/v3/roles', { body: { role: { name } } });
      const r = (a.body as { role: Named }).role;
      return { id: r.id, name: r.name };
    } catch (e) {
      // Someone else created it in between.
      if (e instanceof KeystoneError && e.status === 409) {
        const again = await find();
        if (again) return { id: again.id, name: again.name };
      }
      throw e;
    }
  }

  /** Grants a role to a user on a project (idempotent). */
  async assignRole(roleId: string, to: { userId: string; projectId: string }): Promise<void> {
    await this.request('PUT', `/v3/projects/${to.projectId}/users/${to.userId}/roles/${roleId}`);
  }

  /** A service in the catalog (e.g. type compute, name nova). */
  async createService(type: string, name: string, description = ''): Promise<Named & { type: string }> {
    const a = await this.request('POST', '/v3/services', { body: { service: { type, name, description, enabled: true } } });
    const s = (a.body as { service: Named & { type: string } }).service;
    return { id: s.id, name: s.name, type: s.type };
  }

  /** An endpoint of a service: interface public and region RegionOne unless given. */
  async createEndpoint(serviceId: string, url: string, opts: EndpointOptions = {}): Promise<CatalogEndpoint> {
    const a = await this.request('POST', '/v3/endpoints', {
      body: { endpoint: { service_id: serviceId, url, interface: opts.interface ?? 'public', region_id: opts.region ?? REGION, enabled: true } },
    });
    const e = (a.body as { endpoint: CatalogEndpoint & { region_id: string } }).endpoint;
    return { id: e.id, interface: e.interface, region: e.region_id, region_id: e.region_id, url: e.url };
  }

  /** A service and its (public, RegionOne) endpoint: what `openstack service create` + `endpoint create` do. */
  async registerService(type: string, name: string, url: string, opts: EndpointOptions = {}): Promise<{ serviceId: string; endpointId: string; url: string }> {
    const service = await this.createService(type, name);
    const endpoint = await this.createEndpoint(service.id, url, opts);
    return { serviceId: service.id, endpointId: endpoint.id, url };
  }

  /** Deletes a service (Keystone deletes its endpoints with it); a missing one is fine. */
  async deleteService(id: string): Promise<void> {
    await this.request('DELETE', `/v3/services/${id}`, { ok: [204, 404] });
  }

  async deleteUser(id: string): Promise<void> {
    await this.request('DELETE', `/v3/users/${id}`, { ok: [204, 404] });
  }

  async deleteProject(id: string): Promise<void> {
    await this.request('DELETE', `/v3/projects/${id}`, { ok: [204, 404] });
  }
}

async function answersV3(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v3`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

const admins = new Map<string, Promise<KeystoneAdmin>>();

/**
 * The Keystone of KEYSTONE_URL as its admin (KEYSTONE_ADMIN_PASSWORD); fails (CI) or skips when
 * either is unset or Keystone does not answer. A wrong password fails the test.
 */
export async function requireKeystone(ctx: Context | null): Promise<KeystoneAdmin> {
  const raw = process.env.KEYSTONE_URL;
  if (!raw) missing(ctx, 'KEYSTONE_URL is not set (run the suite with npm test, or start one with scripts/keystone.sh)');
  const password = process.env.KEYSTONE_ADMIN_PASSWORD;
  if (!password) missing(ctx, 'KEYSTONE_URL is set but KEYSTONE_ADMIN_PASSWORD (its admin\'s password) is not');
  const url = normalizeUrl(raw);
  if (!(await answersV3(url))) missing(ctx, `KEYSTONE_URL points at ${url}, where GET /v3 does not answer 200`);
  const key = `${url} ${password}`;
  let admin = admins.get(key);
  if (!admin) {
    const a = new KeystoneAdmin(url, password);
    // Logs in once here: a wrong password shows up as such, not in some fixture call.
    admin = a.adminToken().then(() => a);
    admins.set(key, admin);
    admin.catch(() => admins.delete(key));
  }
  return admin;
}

// ---- a whole cloud's identities ------------------------------------------------------------

export type CloudUserName = 'reader1' | 'member1' | 'admin1' | 'member2' | 'nova' | 'cinder';
export type CloudProjectName = 'p1' | 'p2' | 'service';

export interface CloudUser extends Named {
  password: string;
  /** The project it has its roles on (and its default project). */
  project: Named;
  roles: string[];
}

export interface RegisteredEndpoint {
  serviceId: string;
  endpointId: string;
  url: string;
}

export interface CloudOptions {
  /** Prefix of every name (default `attachd`); a random suffix follows it. */
  prefix?: string;
  /** Register a compute service (name nova-<suffix>) with this public endpoint, e.g. http://127.0.0.1:8774/v2.1. */
  computeUrl?: string;
  /** Register a volumev3 service (name cinderv3-<suffix>) with this public endpoint; it contains %(project_id)s. */
  volumeUrl?: string;
}

export interface Cloud {
  keystone: KeystoneAdmin;
  /** The random part of every name of this call. */
  suffix: string;
  projects: Record<CloudProjectName, Named>;
  users: Record<CloudUserName, CloudUser>;
  roles: Record<'admin' | 'member' | 'reader' | 'service', Named>;
  endpoints: { compute?: RegisteredEndpoint; volumev3?: RegisteredEndpoint };
  /** A token of that user scoped to its project (cached). */
  login(user: CloudUserName, opts?: { fresh?: boolean }): Promise<IssuedToken>;
  token(user: CloudUserName): Promise<string>;
  /** A [keystone_authtoken] section validating tokens as this service user (nova by default). */
  authtokenSection(user?: CloudUserName): Record<string, string>;
  /** Nova's [service_user] section for this service user (nova by default). */
  serviceUserSection(user?: CloudUserName): Record<string, string>;
  /** Deletes what this call created: its services (with their endpoints), users and projects. */
  cleanup(): Promise<void>;
}

function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * One call makes a small cloud's identities, every name unique to the call: projects p1, p2 and
 * service; users reader1 (reader on p1), member1 (member on p1), admin1 (admin on p1), member2
 * (member on p2); service users nova and cinder (admin and service on the service project); the
 * role `service` when missing; optionally compute / volumev3 services with public endpoints.
 * Calls run one request at a time: SQLite-backed Keystone fails parallel writes.
 */
export async function provisionCloud(keystone: KeystoneAdmin, opts: CloudOptions = {}): Promise<Cloud> {
  if (opts.volumeUrl !== undefined && !/[%$]\(project_id\)s/.test(opts.volumeUrl)) {
    throw new Error(`volumeUrl ${opts.volumeUrl} has no %(project_id)s`);
  }
  const suffix = randomBytes(4).toString('hex');
  const prefix = opts.prefix ?? 'attachd';
  const name = (n: string): string => `${prefix}-${n}-${suffix}`;

  const created = { users: [] as string[], projects: [] as string[], services: [] as string[] };
  const cleanup = async (): Promise<void> => {
    for (const id of created.services.splice(0)) await keystone.deleteService(id);
    for (const id of created.users.splice(0)) await keystone.deleteUser(id);
    for (const id of created.projects.splice(0)) await keystone.deleteProject(id);
  };

  try {
    const roles = {
      admin: await keystone.ensureRole('admin'),
      member: await keystone.ensureRole('member'),
      reader: await keystone.ensureRole('reader'),
      service: await keystone.ensureRole('service'),
    };
    const projects = {} as Record<CloudProjectName, Named>;
    for (const p of ['p1', 'p2', 'service'] as const) {
      projects[p] = await keystone.createProject(name(p), { description: `attachd test project ${p}` });
      created.projects.push(projects[p].id);
    }
    const plan: Array<[CloudUserName, CloudProjectName, Array<keyof typeof roles>]> = [
      ['reader1', 'p1', ['reader']],
      ['member1', 'p1', ['member']],
      ['admin1', 'p1', ['admin']],
      ['member2', 'p2', ['member']],
      ['nova', 'service', ['admin', 'service']],
      ['cinder', 'service', ['admin', 'service']],
    ];
    const users = {} as Record<CloudUserName, CloudUser>;
    for (const [u, p, roleNames] of plan) {
      const password = newPassword();
      const user = await keystone.createUser(name(u), password, { defaultProjectId: projects[p].id });
      created.users.push(user.id);
      for (const r of roleNames) await keystone.assignRole(roles[r].id, { userId: user.id, projectId: projects[p].id });
      users[u] = { ...user, password, project: projects[p], roles: roleNames };
    }
    const endpoints: Cloud['endpoints'] = {};
    if (opts.computeUrl !== undefined) {
      endpoints.compute = await keystone.registerService('compute', `nova-${suffix}`, opts.computeUrl);
      created.services.push(endpoints.compute.serviceId);
    }
    if (opts.volumeUrl !== undefined) {
      endpoints.volumev3 = await keystone.registerService('volumev3', `cinderv3-${suffix}`, opts.volumeUrl);
      created.services.push(endpoints.volumev3.serviceId);
    }

    const login = (u: CloudUserName, o: { fresh?: boolean } = {}): Promise<IssuedToken> =>
      keystone.issueToken({ id: users[u].id, password: users[u].password }, { id: users[u].project.id }, o);
    const section = (u: CloudUserName): Record<string, string> => ({
      auth_url: keystone.url,
      auth_type: 'password',
      username: users[u].name,
      password: users[u].password,
      project_name: users[u].project.name,
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    });
    return {
      keystone,
      suffix,
      projects,
      users,
      roles,
      endpoints,
      login,
      token: async (u) => (await login(u)).token,
      authtokenSection: (u = 'nova') => ({ www_authenticate_uri: keystone.url, ...section(u) }),
      serviceUserSection: (u = 'nova') => ({ send_service_user_token: 'true', ...section(u) }),
      cleanup,
    };
  } catch (e) {
    await cleanup().catch(() => undefined);
    throw e;
  }
}

// ---- a Keystone of the test's own ----------------------------------------------------------

export interface PrivateKeystone {
  url: string;
  admin: KeystoneAdmin;
  /** Stops it and removes its state directory. */
  stop(): Promise<void>;
}

/**
 * A Keystone of the test's own, through scripts/keystone.sh (e.g. with a short token lifetime).
 * It uses the packages the suite's private Keystone unpacked (KEYSTONE_DIR, which scripts/test.sh
 * exports) and is up in about 8 s; without that, it fetches (from KEYSTONE_DEB_CACHE when set) and
 * unpacks them, about 15 s. Fails (CI) or skips where apt-get / dpkg are missing.
 */
export async function startKeystone(ctx: Context | null, opts: { tokenExpiration?: number; processes?: number } = {}): Promise<PrivateKeystone> {
  try {
    await run('sh', ['-c', 'command -v apt-get && command -v dpkg'], { timeout: 10_000 });
  } catch {
    missing(ctx, 'starting a Keystone needs apt-get and dpkg (Debian)');
  }
  const dir = await mkdtemp(join(tmpdir(), 'attachd-keystone-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (opts.tokenExpiration !== undefined) env.KEYSTONE_TOKEN_EXPIRATION = String(opts.tokenExpiration);
  if (opts.processes !== undefined) env.KEYSTONE_PROCESSES = String(opts.processes);
  const running = process.env.KEYSTONE_DIR;
  if (running && existsSync(join(running, 'root', 'usr', 'bin', 'keystone-manage'))) env.KEYSTONE_SHARE_DIR = running;
  try {
    await run('bash', [SCRIPT, 'start', dir], { env, timeout: 300_000, maxBuffer: 4 << 20 });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (e as { stderr?: string }).stderr ?? '';
    throw new Error(`scripts/keystone.sh start failed: ${(e as Error).message.split('\n')[0]}\n${stderr.slice(-4000)}`, { cause: e });
  }
  const vars: Record<string, string> = {};
  for (const line of (await readFile(join(dir, 'env'), 'utf8')).split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  const url = vars.KEYSTONE_URL;
  const stop = async (): Promise<void> => {
    await run('bash', [SCRIPT, 'stop', dir], { timeout: 60_000 });
  };
  if (!url || !vars.KEYSTONE_ADMIN_PASSWORD) {
    await stop();
    throw new Error(`scripts/keystone.sh wrote no KEYSTONE_URL / KEYSTONE_ADMIN_PASSWORD in ${dir}/env`);
  }
  return { url, admin: new KeystoneAdmin(url, vars.KEYSTONE_ADMIN_PASSWORD), stop };
}
