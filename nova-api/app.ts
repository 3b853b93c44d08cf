// The compute REST API as a fastify plugin (mountable under a prefix, e.g. /compute in the
// all-in-one) and as a standalone app. Routes exist under /v2/{tenant_id}, /v2.1/{tenant_id}
// and /v2.1; every versioned response echoes the negotiated microversion.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import {
  createApiApp, createAuth, healthcheckRoutes, requestedVersion, versionHeaders, type AuthOptions, type HealthBackend,
} from '../common/api';
import { identityRoutes, type IdentityOptions } from './stubs/keystone';
import type { ComputeAPI } from './compute/api';
import { availabilityZoneRoutes } from './controllers/availability-zones';
import { flavorRoutes } from './controllers/flavors';
import { instanceActionRoutes } from './controllers/instance-actions';
import { limitRoutes } from './controllers/limits';
import { serverActionRoutes } from './controllers/server-actions';
import { serverIpRoutes } from './controllers/server-ips';
import { serverExternalEventRoutes } from './controllers/server-external-events';
import { serverMetadataRoutes } from './controllers/server-metadata';
import { serverTagRoutes } from './controllers/server-tags';
import { serverRoutes } from './controllers/servers';
import { serviceRoutes } from './controllers/services';
import { hypervisorRoutes } from './controllers/hypervisors';
import { aggregateRoutes } from './controllers/aggregates';
import { hostRoutes } from './controllers/hosts';
import { keypairRoutes } from './controllers/keypairs';
import { migrationRoutes } from './controllers/migrations';
import { serverPasswordRoutes } from './controllers/server-password';
import { serverDiagnosticsRoutes } from './controllers/server-diagnostics';
import { usageRoutes } from './controllers/simple-tenant-usage';
import { quotaSetRoutes } from './controllers/quota-sets';
import { quotaClassSetRoutes } from './controllers/quota-class-sets';
import { volumeAttachmentRoutes } from './controllers/volume-attachments';
import { volumeProxyRoutes } from './controllers/volumes';
import { COMPUTE_VERSIONS } from './microversions';
import { versionRoutes } from './versions';

export interface NovaApiPluginOptions {
  /** The business layer (see createComputeApi in main.ts). */
  compute: ComputeAPI;
  maxLimit?: number;
}

/** Nova's text for an unexpected error (docs/architecture.md, How exceptions travel). */
export function novaUnexpectedMessage(err: Error): string {
  return 'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n' +
    `<class 'nova.exception.${err.name || 'Exception'}'>`;
}

export const novaApiPlugin: FastifyPluginAsync<NovaApiPluginOptions> = async (app, opts) => {
  const prefix = app.prefix;
  app.decorateRequest('novaVersion', null as never);
  app.decorateRequest('novaPrefix', '');
  app.addHook('onRequest', async (req) => { req.novaPrefix = prefix; });
  versionRoutes(app, prefix);

  await app.register(async (v: FastifyInstance) => {
    v.addHook('onRequest', async (req, reply) => {
      if (req.routeOptions.config?.public) return;
      req.novaVersion = requestedVersion(req.headers, COMPUTE_VERSIONS);
      void reply.headers(versionHeaders(req.novaVersion, COMPUTE_VERSIONS));
    });
    const maxLimit = opts.maxLimit ?? 1000;
    for (const base of ['/v2/:tenant_id', '/v2.1/:tenant_id', '/v2.1']) {
      serverRoutes(v, base, opts.compute, maxLimit);
      serverIpRoutes(v, base, opts.compute);
      serverMetadataRoutes(v, base, opts.compute);
      serverTagRoutes(v, base, opts.compute);
      serverPasswordRoutes(v, base, opts.compute);
      serverDiagnosticsRoutes(v, base, opts.compute);
      serverActionRoutes(v, base, opts.compute);
      flavorRoutes(v, base);
      availabilityZoneRoutes(v, base, opts.compute);
      instanceActionRoutes(v, base, opts.compute);
      limitRoutes(v, base, opts.compute);
      volumeAttachmentRoutes(v, base, opts.compute, maxLimit);
      serverExternalEventRoutes(v, base, opts.compute);
      serviceRoutes(v, base, opts.compute.services);
      hypervisorRoutes(v, base, opts.compute.hypervisors, maxLimit);
      aggregateRoutes(v, base, opts.compute.aggregates);
      migrationRoutes(v, base, opts.compute);
      hostRoutes(v, base, opts.compute.hosts);
      keypairRoutes(v, base, opts.compute.keypairs, maxLimit);
      usageRoutes(v, base, opts.compute.usage, maxLimit);
      volumeProxyRoutes(v, base, opts.compute.volumesProxy, maxLimit);
      quotaSetRoutes(v, base, opts.compute.quotas);
      quotaClassSetRoutes(v, base, opts.compute.quotas);
    }
  });
};

/**
 * A standalone nova-api app (auth, fault format, x-compute-request-id) with the routes at /,
 * and, when `identity` is given, the minimal Keystone at /identity/v3 for the CLIs.
 */
export async function buildNovaApiApp(
  opts: NovaApiPluginOptions & { auth: AuthOptions; identity?: IdentityOptions; health?: HealthBackend[] },
): Promise<FastifyInstance> {
  const app = createApiApp({
    name: 'nova-api', auth: createAuth(opts.auth), requestIdHeaders: ['x-compute-request-id'],
    unexpectedMessage: novaUnexpectedMessage,
  });
  if (opts.health) healthcheckRoutes(app, opts.health);
  await app.register(novaApiPlugin, { compute: opts.compute, maxLimit: opts.maxLimit });
  if (opts.identity) identityRoutes(app, opts.identity);
  return app;
}
