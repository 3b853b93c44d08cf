// The volume REST API as a fastify plugin (mountable under a prefix, e.g. /volume in the
// all-in-one) and as a standalone app. Routes under /v1/{project_id}, /v2/{project_id},
// /v3/{project_id} and /v3; /v3 responses echo the negotiated microversion.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { APIVersion, createApiApp, createAuth, healthcheckRoutes, requestedVersion, versionHeaders, type AuthOptions, type HealthBackend } from '../../common/api';
import { AttachmentAPI } from './attachment-api';
import { attachmentRoutes } from './controllers/attachments';
import { discoveryRoutes } from './controllers/discovery';
import { typeRoutes } from './controllers/types';
import { volumeExportRoutes } from './controllers/volume-exports';
import { volumeActionRoutes } from './controllers/volume-actions';
import { volumeMetadataRoutes } from './controllers/volume-metadata';
import { volumeRoutes } from './controllers/volumes';
import { MIN_VERSION, VOLUME_VERSIONS } from './microversions';
import './request';
import { ExportAPI } from './export-api';
import { versionRoutes } from './versions';
import type { VolumeAPI } from './volume-api';

export interface CinderApiPluginOptions {
  /** The business layer (see createVolumeApi in main.ts). */
  volumes: VolumeAPI;
  /** Largest page a list returns ([api] max_limit). */
  maxLimit?: number;
}

export const cinderApiPlugin: FastifyPluginAsync<CinderApiPluginOptions> = async (app, opts) => {
  const prefix = app.prefix;
  app.decorateRequest('cinderVersion', null as never);
  app.decorateRequest('cinderPrefix', '');
  app.addHook('onRequest', async (req) => {
    req.cinderPrefix = prefix;
    req.cinderVersion = APIVersion.parse(MIN_VERSION);
  });
  versionRoutes(app, prefix);

  const attachments = new AttachmentAPI(opts.volumes);
  const exports = new ExportAPI(opts.volumes);
  await app.register(async (v3: FastifyInstance) => {
    v3.addHook('onRequest', async (req, reply) => {
      if (req.routeOptions.config?.public) return;
      req.cinderVersion = requestedVersion(req.headers, VOLUME_VERSIONS);
      void reply.headers(versionHeaders(req.cinderVersion, VOLUME_VERSIONS));
    });
    for (const base of ['/v3/:project_id', '/v3']) {
      volumeRoutes(v3, base, opts.volumes, opts.maxLimit);
      typeRoutes(v3, base, opts.volumes.types);
      volumeActionRoutes(v3, base, opts.volumes);
      volumeMetadataRoutes(v3, base, opts.volumes);
      attachmentRoutes(v3, base, attachments);
      discoveryRoutes(v3, base, opts.volumes);
      volumeExportRoutes(v3, base, exports);
    }
  });
  for (const base of ['/v1/:project_id', '/v2/:project_id']) {
    volumeRoutes(app, base, opts.volumes, opts.maxLimit);
    volumeActionRoutes(app, base, opts.volumes);
    volumeMetadataRoutes(app, base, opts.volumes);
  }
};

/** A standalone cinder-api app (auth, fault format) with the routes at /. */
export async function buildCinderApiApp(opts: CinderApiPluginOptions & { auth: AuthOptions; health?: HealthBackend[] }): Promise<FastifyInstance> {
  const app = createApiApp({ name: 'cinder-api', auth: createAuth(opts.auth) });
  if (opts.health) healthcheckRoutes(app, opts.health);
  await app.register(cinderApiPlugin, { volumes: opts.volumes, maxLimit: opts.maxLimit });
  return app;
}
