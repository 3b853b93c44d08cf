// [api] auth_strategy: turns X-Auth-Token into a RequestContext.
//  - noauth2: the token is "user:project" (or "user", project = user); user "admin" is admin —
//    as nova's/cinder's noauth2 middleware.
//  - keystone: tokens issued by our minimal Keystone (identity.ts), HMAC-signed with a secret
//    every API process shares, so any worker validates any token without a token table.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RequestContext } from '../context';
import { unauthorized } from './faults';

export interface AuthInput {
  token: string | undefined;
  requestId?: string;
  globalRequestId?: string | null;
}

export type AuthStrategy = (input: AuthInput) => RequestContext;

export function noauth2(input: AuthInput): RequestContext {
  const token = input.token?.trim();
  if (!token) throw unauthorized();
  const [user, project] = token.includes(':') ? token.split(':', 2) : [token, token];
  if (!user || !project) throw unauthorized();
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

export function verifyToken(token: string, secret: string, now = Date.now() / 1000): TokenClaims | null {
  const [body, sig] = token.split('.', 2);
  if (!body || !sig) return null;
  const want = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    return claims.exp > now ? claims : null;
  } catch {
    return null;
  }
}

export function keystone(secret: string): AuthStrategy {
  return (input) => {
    const claims = input.token ? verifyToken(input.token, secret) : null;
    if (!claims) throw unauthorized();
    return new RequestContext({
      userId: claims.user_id, projectId: claims.project_id, roles: claims.roles,
      isAdmin: claims.roles.includes('admin'), authToken: input.token,
      requestId: input.requestId, globalRequestId: input.globalRequestId ?? null,
    });
  };
}

export function authStrategy(name: string, secret: string): AuthStrategy {
  return name === 'keystone' ? keystone(secret) : noauth2;
}
