// [api] auth_strategy: turns X-Auth-Token (and X-Service-Token) into a RequestContext.
//  - keystone with [keystone_authtoken] auth_url: every token is validated by that Keystone
//    (keystone-authtoken.ts), as keystonemiddleware does.
//  - keystone without it: the embedded identity (identity.ts) — tokens HMAC-signed with
//    [api] token_secret, which every API process shares, so any worker validates any token
//    without a token table. The secret must be a real one (see checkTokenSecret).
//  - noauth2: the token is "user:project" (or "user"); user "admin" is admin. It lets anyone
//    in by design: it is only ever used when a config asks for it.
import { createHash, createHmac, scryptSync, timingSafeEqual } from 'node:crypto';
import { RequestContext } from '../context';
import { ConfigError } from '../exception';
import { unauthorized } from './faults';
import { KeystoneAuthToken, type KeystoneAuthTokenOptions } from './keystone-authtoken';

export interface AuthInput {
  token: string | undefined;
  serviceToken?: string | undefined;
  requestId?: string;
  globalRequestId?: string | null;
}

export type AuthStrategy = (input: AuthInput) => RequestContext | Promise<RequestContext>;

const MAX_ID = 255;

export function noauth2(input: AuthInput): RequestContext {
  const token = input.token?.trim();
  if (!token) throw unauthorized();
  const [user, project] = token.includes(':') ? token.split(':', 2) : [token, token];
  // Ids longer than the columns that store them (user_id, project_id: 255) name no one.
  if (!user || !project || user.length > MAX_ID || project.length > MAX_ID) throw unauthorized();
  const roles = user === 'admin' ? ['admin', 'member', 'reader'] : ['member', 'reader'];
  return new RequestContext({
    userId: user, projectId: project, roles, isAdmin: user === 'admin', authToken: token,
    requestId: input.requestId, globalRequestId: input.globalRequestId ?? null,
  });
}

export interface TokenClaims {
  user_id: string;
  user_name: string;
  project_id: string;
  project_name: string;
  roles: string[];
  /** Expiry, epoch seconds. */
  exp: number;
}

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export function signToken(claims: TokenClaims, secret: string): string {
  const body = b64(JSON.stringify(claims));
  return `${body}.${b64(createHmac('sha256', secret).update(body).digest())}`;
}

/** Claims of the shape signToken writes; anything else names no one. */
function isClaims(c: unknown): c is TokenClaims {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return false;
  const o = c as Record<string, unknown>;
  return ['user_id', 'user_name', 'project_id', 'project_name'].every((k) => typeof o[k] === 'string' && o[k] !== '') &&
    Array.isArray(o.roles) && o.roles.every((r) => typeof r === 'string') && typeof o.exp === 'number' && Number.isFinite(o.exp);
}

/**
 * The claims of a token signToken made with this secret, or null. Only that exact text is
 * accepted: base64url decoding skips characters outside its alphabet and a split would drop a
 * third part, so the signature is compared as text and a token has exactly two parts, as a
 * Keystone token is one opaque string.
 */
export function verifyToken(token: string, secret: string, now = Date.now() / 1000): TokenClaims | null {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  const [body, sig] = parts;
  if (!body || !sig) return null;
  const want = Buffer.from(b64(createHmac('sha256', secret).update(body).digest()));
  const got = Buffer.from(sig);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    return isClaims(claims) && claims.exp > now ? claims : null;
  } catch {
    return null;
  }
}

/**
 * Tokens of the embedded identity, checked with the shared secret. An X-Service-Token is
 * checked too (an invalid one fails the request, as keystonemiddleware); it counts as a
 * service's when it carries one of `serviceRoles`.
 */
export function keystone(secret: string, serviceRoles: readonly string[] = ['service']): AuthStrategy {
  checkTokenSecret(secret);
  return (input) => {
    const claims = input.token ? verifyToken(input.token, secret) : null;
    if (!claims) throw unauthorized();
    let service: RequestContext['service'] = null;
    if (input.serviceToken) {
      const s = verifyToken(input.serviceToken, secret);
      if (!s) throw unauthorized();
      if (s.roles.some((r) => serviceRoles.includes(r))) service = { userId: s.user_id, projectId: s.project_id, roles: s.roles, token: input.serviceToken };
    }
    return new RequestContext({
      userId: claims.user_id, projectId: claims.project_id, roles: claims.roles,
      isAdmin: claims.roles.includes('admin'), authToken: input.token, service,
      requestId: input.requestId, globalRequestId: input.globalRequestId ?? null,
    });
  };
}

/** Secrets that were printed in earlier samples and sources: known to everyone, so refused. */
const PUBLISHED_SECRETS = new Set(['attachd-dev-secret', 'secret', 'changeme', 'password']);
/** A shorter secret can be guessed offline from any one token. */
export const MIN_SECRET_LENGTH = 32;

/** The embedded identity signs tokens with this secret: an empty, short or published one lets anyone forge them. */
export function checkTokenSecret(secret: string | null | undefined): asserts secret is string {
  if (!secret) throw new ConfigError('[api] token_secret is empty: anyone could forge a token; set a random secret of at least 32 characters, the same in every API process');
  if (PUBLISHED_SECRETS.has(secret) || /^<.*>$/.test(secret)) throw new ConfigError('[api] token_secret is a published sample value: anyone could forge an admin token; set a random secret of at least 32 characters');
  if (secret.length < MIN_SECRET_LENGTH) throw new ConfigError(`[api] token_secret has ${secret.length} characters: use at least ${MIN_SECRET_LENGTH} random ones`);
}

export interface AuthOptions {
  strategy: string;
  /** The embedded identity's secret (keystone without [keystone_authtoken] auth_url). */
  tokenSecret?: string | null;
  /** [keystone_authtoken]: with auth_url set, tokens are validated by that Keystone. */
  keystoneAuthtoken?: KeystoneAuthTokenOptions | null;
}

/** Whether the keystone strategy validates against an external Keystone. */
export function usesExternalKeystone(o: AuthOptions): boolean {
  return o.strategy === 'keystone' && !!o.keystoneAuthtoken?.auth_url;
}

/** The strategy a service runs with; a keystone strategy with an unusable secret refuses to start. */
export function createAuth(o: AuthOptions): AuthStrategy {
  if (o.strategy === 'noauth2') return noauth2;
  if (usesExternalKeystone(o)) {
    const mw = new KeystoneAuthToken(o.keystoneAuthtoken as KeystoneAuthTokenOptions);
    return (input) => mw.authenticate(input);
  }
  return keystone(o.tokenSecret as string, o.keystoneAuthtoken?.service_token_roles ?? ['service']);
}

/** Old entry point kept for tests: (strategy, embedded secret). */
export function authStrategy(name: string, secret: string | null): AuthStrategy {
  return createAuth({ strategy: name, tokenSecret: secret });
}

/** scrypt$<salt>$<hash> of a password, for users whose password is not kept in a config. */
export function hashPassword(password: string, salt: string): string {
  return `scrypt$${salt}$${scryptSync(password, salt, 32).toString('base64url')}`;
}

/** Keystone-style 32-hex ids, stable across processes and restarts. */
export function idOf(kind: 'user' | 'project', name: string): string {
  return createHash('md5').update(`${kind}:${name}`).digest('hex');
}
