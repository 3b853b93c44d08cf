// Per-request helpers of the compute API: the negotiated microversion and URL bases.
import type { FastifyRequest } from 'fastify';
import { APIVersion, checkProjectInPath } from '../common/api';
import type { Enforcer } from '../common/policy';
import type { ViewCtx } from './views/servers';

declare module 'fastify' {
  interface FastifyRequest {
    /** Compute microversion of this request (set by the versioned routes' hook). */
    novaVersion: APIVersion;
    /** URL prefix the compute API is mounted under ('' or e.g. '/compute'). */
    novaPrefix: string;
  }
}

export type Params = { tenant_id?: string };
/** The path parameters of a route under /servers/{server_id} (typed through the route's generic). */
export type ServerParams = { tenant_id?: string; server_id: string };
export type VolumeParams = ServerParams & { volume_id: string };

export function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${req.novaPrefix ?? ''}`;
}

/** The project in the URL must be the caller's; returns it (or null for /v2.1/servers...). */
export function projectInPath(req: FastifyRequest): string | null {
  const p = (req.params as Params).tenant_id;
  checkProjectInPath(req, p);
  return p ?? null;
}

/** The view's context; `isAdmin` says whether the extended server attributes policy lets the caller see them. */
export function viewCtx(req: FastifyRequest, policy: Enforcer): ViewCtx {
  return {
    base: baseUrl(req), projectInUrl: projectInPath(req), version: req.novaVersion,
    isAdmin: policy.allows(req.ctx, 'os_compute_api:os-extended-server-attributes'),
  };
}
