// A minimal Keystone v3 (and a Glance version stub) so the real openstack/nova/cinder CLIs can
// authenticate against attachd: GET /v3, POST /v3/auth/tokens (password or token method) →
// 201 + X-Subject-Token with a service catalog. Tokens are HMAC-signed (auth.ts) so every API
// process validates them with the shared [api] token_secret. See docs/identity.md.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashPassword, idOf, signToken, verifyToken, type TokenClaims } from '../../common/api/auth';
import { badRequest, unauthorized } from '../../common/api/faults';
import { imageRoutes } from './glance';
import { projectRoutes } from './keystone-projects';

export interface IdentityUser {
  name: string;
  /** Plain password from the config, or passwordHash (scrypt, see hashPassword) instead. */
  password?: string;
  passwordHash?: string;
  project: string;
  roles: string[];
}

export interface IdentityOptions {
  users: IdentityUser[];
  /** The token signing secret (keystone mode); unused under noauth2. */
  secret: string | null;
  /**
   * noauth2: the APIs take "user:project" tokens, so hand out exactly that (ids = names) and
   * the real CLIs and noauth2 callers see the same projects. keystone: signed tokens, hex ids.
   */
  mode?: 'noauth2' | 'keystone';
  /** Token lifetime, seconds (Keystone's default, an hour, when absent). */
  ttl?: number;
  region?: string;
  /**
   * Public endpoints; volume may contain %(project_id)s. A function gets the base URL the
   * client used (scheme://host:port); absent, /compute/v2.1, /volume/v3/%(project_id)s, /image.
   */
  computeUrl?: string | ((base: string) => string);
  volumeUrl?: string | ((base: string) => string);
  imageUrl?: string | ((base: string) => string);
}

/** Keystone's implied roles (bootstrap): admin implies member, member implies reader. */
function withImplied(roles: string[]): string[] {
  const out = new Set(roles);
  if (out.has('admin')) out.add('member');
  if (out.has('member')) out.add('reader');
  return [...out];
}

/** Parse `[identity] users = alice:pw:p1, bob:pw:p1:reader` (name:password:project[:role+role]; default role member). */
export function parseUsers(list: readonly string[]): IdentityUser[] {
  return list.map((entry) => {
    const [name, password, project, roles] = entry.split(':');
    if (!name || !password || !project) throw new Error(`bad identity user entry (want name:password:project[:roles]): ${entry.split(':')[0]}`);
    return { name, password, project, roles: withImplied(roles ? roles.split('+') : ['member']) };
  });
}


function passwordMatches(user: IdentityUser, given: string | undefined): boolean {
  if (typeof given !== 'string') return false;
  if (user.passwordHash) {
    const [, salt] = user.passwordHash.split('$');
    const a = Buffer.from(hashPassword(given, salt ?? ''));
    const b = Buffer.from(user.passwordHash);
    return a.length === b.length && timingSafeEqual(a, b);
  }
  const digest = (x: string): Buffer => createHash('sha256').update(x).digest();
  return user.password !== undefined && timingSafeEqual(digest(user.password), digest(given));
}


interface AuthBody {
  auth?: {
    identity?: {
      methods?: string[];
      password?: { user?: { name?: string; id?: string; password?: string } };
      token?: { id?: string };
    };
    scope?: { project?: { name?: string; id?: string } };
  };
}

function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? '127.0.0.1'}`;
}

export function identityRoutes(app: FastifyInstance, opts: IdentityOptions): void {
  const ttl = opts.ttl ?? 3600;
  const region = opts.region ?? 'RegionOne';
  const versionDoc = (req: FastifyRequest): Record<string, unknown> => ({
    id: 'v3.14', status: 'stable', updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${baseUrl(req)}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  });
  const pub = { config: { public: true } };

  app.get('/identity', pub, async (req, reply) => reply.code(300).send({ versions: { values: [versionDoc(req)] } }));
  app.get('/identity/v3', pub, async (req) => ({ version: versionDoc(req) }));

  app.post('/identity/v3/auth/tokens', pub, async (req, reply) => {
    const identity = (req.body as AuthBody | undefined)?.auth?.identity;
    if (!identity || !Array.isArray(identity.methods)) throw badRequest("'auth.identity.methods' is a required property");
    const scope = (req.body as AuthBody).auth?.scope?.project;
    let user: IdentityUser | undefined;
    // A token made from a token ends when that one does, as Keystone's: never a way to extend one.
    let expiresWith: number | null = null;
    if (identity.methods.includes('password')) {
      const u = identity.password?.user;
      user = opts.users.find((x) => (x.name === u?.name || idOf('user', x.name) === u?.id) && passwordMatches(x, u?.password));
    } else if (identity.methods.includes('token')) {
      const id = typeof identity.token?.id === 'string' ? identity.token.id : '';
      const given = opts.mode === 'noauth2' ? null : verifyToken(id, opts.secret ?? '');
      const name = opts.mode === 'noauth2' ? id.split(':')[0] : given?.user_name;
      expiresWith = given?.exp ?? null;
      user = name ? opts.users.find((x) => x.name === name) : undefined;
    }
    if (!user) throw unauthorized('The request you have made requires authentication.');
    if (scope && scope.name !== undefined && scope.name !== user.project) throw unauthorized(`User ${user.name} has no access to project ${scope.name}`);
    if (scope && scope.id !== undefined && scope.id !== (opts.mode === 'noauth2' ? user.project : idOf('project', user.project))) throw unauthorized(`User ${user.name} has no access to project ${scope.id}`);
    const noauth = opts.mode === 'noauth2';
    const projectId = noauth ? user.project : idOf('project', user.project);
    const exp = expiresWith ?? Math.floor(Date.now() / 1000) + ttl;
    const claims: TokenClaims = {
      user_id: noauth ? user.name : idOf('user', user.name), user_name: user.name, project_id: projectId,
      project_name: user.project, roles: user.roles, exp,
    };
    const token = noauth ? `${user.name}:${user.project}` : signToken(claims, opts.secret as string);
    const base = baseUrl(req);
    const endpoint = (type: string, url: string): Record<string, unknown> => ({
      type, name: type, id: idOf('project', type),
      endpoints: ['public', 'internal', 'admin'].map((iface) => ({ id: idOf('user', `${type}-${iface}`), interface: iface, region_id: region, region, url })),
    });
    const url = (u: IdentityOptions['computeUrl'], dflt: string): string => (typeof u === 'function' ? u(base) : u ?? `${base}${dflt}`);
    const volumeUrl = url(opts.volumeUrl, '/volume/v3/%(project_id)s').replace('%(project_id)s', projectId);
    const domain = { id: 'default', name: 'Default' };
    void reply.code(201).header('X-Subject-Token', token).send({
      token: {
        methods: identity.methods, expires_at: new Date(exp * 1000).toISOString().replace('Z', '000Z'),
        issued_at: new Date().toISOString().replace('Z', '000Z'), audit_ids: [idOf('user', token).slice(0, 22)],
        user: { id: claims.user_id, name: user.name, domain },
        project: { id: projectId, name: user.project, domain },
        roles: user.roles.map((r) => ({ id: idOf('user', `role-${r}`), name: r })),
        is_domain: false,
        catalog: [
          // Itself too, as Keystone's catalog has it: the CLIs look projects and users up there.
          endpoint('identity', `${base}/identity`),
          endpoint('compute', url(opts.computeUrl, '/compute/v2.1')),
          endpoint('volumev3', volumeUrl),
          endpoint('block-storage', volumeUrl),
          endpoint('image', url(opts.imageUrl, '/image')),
        ],
      },
    });
  });

  projectRoutes(app, opts);
  // Glance stub: OSC builds an image client before server/volume commands.
  imageRoutes(app, baseUrl);
}
