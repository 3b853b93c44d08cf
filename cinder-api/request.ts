// Per-request helpers of the volume API: URL base, API version and the view context.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APIVersion, badRequest, notFound } from '../common/api';
import { POLICY, type VolumeAPI } from './volume/api';
import type { VolumeViewCtx } from './views/volumes';

declare module 'fastify' {
  interface FastifyRequest {
    /** Volume microversion of this request (3.0 outside /v3). */
    cinderVersion: APIVersion;
    /** URL prefix the volume API is mounted under ('' or e.g. '/volume'). */
    cinderPrefix: string;
  }
  interface FastifyContextConfig {
    /** Cinder's method needs this microversion: below it there is none (404), whatever the body. */
    minVersion?: string;
    /** Cinder maps the route but no method serves it (404 before the body is read). */
    unserved?: boolean;
  }
}

export type Params = { project_id?: string; id?: string };

export function apiVersionOf(req: FastifyRequest): string {
  const m = /\/(v[123])(\/|$)/.exec(req.url.slice((req.cinderPrefix ?? '').length));
  return m ? m[1] : 'v3';
}

/**
 * The project in the URL must be the caller's; returns it (null for /v3/volumes...). Cinder's
 * wsgi says so in fewer words than Nova's ("Malformed request url").
 */
export function projectInPath(req: FastifyRequest): string | null {
  const p = (req.params as Params).project_id;
  if (p !== undefined && p !== req.ctx.projectId) throw badRequest('Malformed request url');
  return p ?? null;
}

/**
 * An answer Cinder's controller builds as a bare webob.Response (a delete's 202, the type access
 * actions): wsgi.Resource adds no X-Compute-Request-Id to it.
 */
export function bareResponse(reply: FastifyReply): FastifyReply {
  return reply.removeHeader('x-compute-request-id');
}

/**
 * wsgi.Resource's action_peek and action lookup for POST …/action: the body has exactly one key
 * ("Malformed request body" otherwise), naming an action of the resource; returns it. As
 * action_peek_json's len(decoded) and decoded.keys(): a body with no length (null, a number, a
 * boolean) or of length one without keys (a one-character string, a one-element list) is the
 * TypeError or AttributeError wsgi answers 404.
 */
export function actionOf(body: unknown, actions: readonly string[]): string {
  // No body: no content type, so action_peek of None (a KeyError, worded as an unknown action).
  if (body === undefined) throw badRequest('There is no such action: None. Verify the request body and Content-Type header and try again.');
  if (body === null || typeof body === 'number' || typeof body === 'boolean') throw notFound();
  if (typeof body === 'string' || Array.isArray(body)) throw [...body].length === 1 ? notFound() : badRequest('Malformed request body');
  if (typeof body !== 'object' || Object.keys(body).length !== 1) throw badRequest('Malformed request body');
  const [name] = Object.keys(body);
  if (!actions.includes(name)) throw badRequest(`There is no such action: ${name}. Verify the request body and Content-Type header and try again.`);
  return name;
}

/**
 * The view's context. The os-vol-* extension attributes are shown as their policies allow
 * (context.authorize(<policy>, fatal=False), judged by the caller's project as Cinder's
 * extensions do); the other admin-only keys follow is_admin, as Cinder's view builders.
 */
export function viewCtx(req: FastifyRequest, api: VolumeAPI): VolumeViewCtx {
  return {
    base: `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${req.cinderPrefix ?? ''}`,
    apiVersion: apiVersionOf(req), projectInUrl: projectInPath(req), isAdmin: req.ctx.isAdmin, version: req.cinderVersion,
    showHost: api.allows(req.ctx, POLICY.hostAttribute),
    showMigStatus: api.allows(req.ctx, POLICY.migStatusAttribute),
    showTenant: api.allows(req.ctx, POLICY.tenantAttribute),
    showImageMetadata: api.allows(req.ctx, POLICY.showImageMetadata),
  };
}
