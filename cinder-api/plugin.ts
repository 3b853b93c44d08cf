// The volume REST API as a fastify plugin (mountable under a prefix, e.g. /volume in the
// all-in-one) and as a standalone app. Routes under /v1/{project_id}, /v2/{project_id},
// /v3/{project_id} and /v3; /v3 responses echo the negotiated microversion.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { APIVersion, createApiApp, createAuth, HTTPFault, notFound, type AuthOptions, healthcheckRoutes, type HealthBackend } from '../common/api';
import { AttachmentAPI } from './volume/attachments';
import { attachmentRoutes } from './controllers/attachments';
import { discoveryRoutes } from './controllers/discovery';
import { typeRoutes } from './controllers/types';
import { serviceRoutes } from './controllers/services';
import { volumeExportRoutes } from './controllers/volume-exports';
import { volumeActionRoutes } from './controllers/volume-actions';
import { volumeMetadataRoutes } from './controllers/volume-metadata';
import { volumeRoutes } from './controllers/volumes';
import { resourceGapRoutes } from './resource-routes';
import { quotaRoutes } from './controllers/quotas';
import { QuotaAPI } from './volume/quotas';
import { QuotaEngine } from '../cinder-common/quota';
import { MIN_VERSION } from './microversions';
import './request';
import { ExportAPI } from './volume/exports';
import { ServiceAPI } from './volume/services';
import { TransferAPI } from './volume/transfers';
import { transferRoutes } from './controllers/transfers';
import { QosSpecsAPI } from './volume/qos-specs';
import { qosSpecsRoutes } from './controllers/qos-specs';
import { GroupTypeAPI } from './volume/group-types';
import { groupTypeRoutes } from './controllers/group-types';
import { GroupAPI } from './volume/groups';
import { groupRoutes } from './controllers/groups';
import { GroupSnapshotAPI } from './volume/group-snapshots';
import { groupSnapshotRoutes } from './controllers/group-snapshots';
import { TypeEncryptionAPI } from './volume/type-encryption';
import { typeEncryptionRoutes } from './controllers/type-encryption';
import { snapshotRoutes } from './controllers/snapshots';
import { volumeManageRoutes } from './controllers/volume-manage';
import { snapshotMetadataRoutes } from './controllers/snapshot-metadata';
import { SnapshotAPI } from './volume/snapshots';
import { MessageAPI } from './volume/messages';
import { messageRoutes } from './controllers/messages';
import { ClusterAPI } from './volume/clusters';
import { clusterRoutes } from './controllers/clusters';
import { workerRoutes } from './controllers/workers';
import { WorkerAPI } from './volume/workers';
import { negotiateVersion, versionRoutes } from './versions';
import type { VolumeAPI } from './volume/api';

export interface CinderApiPluginOptions {
  /** The business layer (see createVolumeApi in main.ts). */
  volumes: VolumeAPI;
  /** Largest page a list returns ([api] max_limit). */
  maxLimit?: number;
}

const JSON_TYPES = ['application/json', 'application/vnd.openstack.volume+json'];
const WEBOB_BAD_REQUEST = 'The server could not comply with the request since it is either malformed or otherwise incorrect.';

/** Whether the request carries a body (webob reads len(request.body)). */
function hasBody(req: FastifyRequest): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}
/** The paths that answer with a trailing slash: the version documents. */
const VERSION_DOCUMENTS = new Set(['/v1/', '/v2/', '/v3/']);

export const cinderApiPlugin: FastifyPluginAsync<CinderApiPluginOptions> = async (app, opts) => {
  const prefix = app.prefix;
  app.decorateRequest('cinderVersion', null as never);
  app.decorateRequest('cinderPrefix', '');
  app.addHook('onRequest', async (req, reply) => {
    req.cinderPrefix = prefix;
    req.cinderVersion = APIVersion.parse(MIN_VERSION);
    // Cinder's routes match a path exactly: a trailing slash names nothing, but on the version
    // documents (/v3/ is the document, as / is).
    const path = req.url.split('?')[0].slice(prefix.length);
    if (path.length > 1 && path.endsWith('/') && !VERSION_DOCUMENTS.has(path)) throw notFound();
    // Cinder's routes take HEAD only on the version documents (/ and /v3/); elsewhere webob's
    // bare 404.
    if (req.method === 'HEAD' && path !== '/' && path !== '/v3/') return reply.code(404).type('text/html; charset=UTF-8').send();
    // What Cinder's wsgi.Resource answers (not its router's 404s) carries the request id twice.
    void reply.header('x-compute-request-id', req.ctx.requestId);
  });
  // An empty answer still names a type, as webob's do: JSON for the actions (and extra specs,
  // quota sets), webob's default text/html for the rest.
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.getHeader('content-type') !== undefined || (payload !== undefined && payload !== null && payload !== '')) return payload;
    const path = req.url.split('?')[0];
    void reply.header('content-type', /\/(volumes|attachments|snapshots)\/[^/]+\/action$|\/extra_specs\/|\/os-quota-sets\//.test(path) ? 'application/json' : 'text/html; charset=UTF-8');
    return payload;
  });
  versionRoutes(app, prefix);

  const attachments = new AttachmentAPI(opts.volumes);
  const exports = new ExportAPI(opts.volumes);
  // Shown even where creates do not enforce them (a VolumeAPI built without an engine).
  const quotas = new QuotaAPI(opts.volumes, opts.volumes.d.quota ?? new QuotaEngine(opts.volumes.db.ds));
  const services = new ServiceAPI(opts.volumes);
  const transfers = new TransferAPI(opts.volumes);
  const messages = new MessageAPI(opts.volumes);
  const clusters = new ClusterAPI(opts.volumes);
  const workers = new WorkerAPI(opts.volumes);
  const qosSpecs = new QosSpecsAPI(opts.volumes);
  const groupTypes = new GroupTypeAPI(opts.volumes);
  const groups = new GroupAPI(opts.volumes, groupTypes);
  const groupSnapshots = new GroupSnapshotAPI(groups);
  const typeEncryption = new TypeEncryptionAPI(opts.volumes);
  const snapshots = new SnapshotAPI(opts.volumes);
  await app.register(async (v3: FastifyInstance) => {
    v3.addHook('onRequest', async (req, reply) => {
      if (req.routeOptions.config?.public) return;
      await negotiateVersion(req, reply);
      // Cinder's wsgi reads a body only of its two JSON types (text/plain too is 415, unlike Nova),
      // compared as webob gives the type: the text before any ';', case and spaces kept. It reads
      // the body of any method: a GET's or DELETE's too; a body without a type is eventlet's
      // empty CONTENT_TYPE, 415 as well.
      const type = req.headers['content-type'];
      if (((req.method === 'POST' || req.method === 'PUT' || hasBody(req)) && type !== undefined && !JSON_TYPES.includes(type.split(';')[0]))
        || (type === undefined && hasBody(req))) {
        throw new HTTPFault(415, 'Unsupported Content-Type');
      }
    });
    // A GET's or DELETE's JSON body reaches Cinder's handler as a `body` argument none of them
    // takes: the TypeError is webob's bare 400 (after the body parsed: broken JSON is Malformed
    // request body first).
    v3.addHook('preHandler', async (req) => {
      // No method to call (unserved, or versioned above the request): its 404 comes first.
      const { minVersion, unserved } = req.routeOptions.config ?? {};
      if (unserved || (minVersion && !req.cinderVersion.atLeast(minVersion))) return;
      if (req.method !== 'POST' && req.method !== 'PUT' && req.headers['content-type'] !== undefined && hasBody(req) && !req.routeOptions.config?.public) {
        throw new HTTPFault(400, WEBOB_BAD_REQUEST);
      }
    });
    for (const base of ['/v3/:project_id', '/v3']) {
      volumeRoutes(v3, base, opts.volumes, opts.maxLimit);
      typeRoutes(v3, base, opts.volumes.types, opts.maxLimit);
      volumeActionRoutes(v3, base, opts.volumes);
      volumeMetadataRoutes(v3, base, opts.volumes);
      attachmentRoutes(v3, base, attachments, opts.maxLimit);
      discoveryRoutes(v3, base, opts.volumes);
      volumeExportRoutes(v3, base, exports);
      quotaRoutes(v3, base, quotas);
      serviceRoutes(v3, base, services);
      transferRoutes(v3, base, transfers, opts.maxLimit);
      messageRoutes(v3, base, messages, opts.maxLimit);
      clusterRoutes(v3, base, clusters);
      workerRoutes(v3, base, workers);
      qosSpecsRoutes(v3, base, qosSpecs, opts.maxLimit);
      groupTypeRoutes(v3, base, groupTypes, opts.maxLimit);
      groupRoutes(v3, base, groups, opts.maxLimit, groupSnapshots);
      groupSnapshotRoutes(v3, base, groupSnapshots, opts.maxLimit);
      typeEncryptionRoutes(v3, base, typeEncryption);
      snapshotRoutes(v3, base, snapshots, opts.maxLimit);
      snapshotMetadataRoutes(v3, base, snapshots);
      volumeManageRoutes(v3, base, opts.volumes);
      resourceGapRoutes(v3, base);
    }
  });
  for (const base of ['/v1/:project_id', '/v2/:project_id']) {
    volumeRoutes(app, base, opts.volumes, opts.maxLimit);
    volumeActionRoutes(app, base, opts.volumes);
    volumeMetadataRoutes(app, base, opts.volumes);
    quotaRoutes(app, base, quotas);
  }
};

/** A standalone cinder-api app (auth, fault format) with the routes at /. */
export async function buildCinderApiApp(opts: CinderApiPluginOptions & { auth: AuthOptions; health?: HealthBackend[] }): Promise<FastifyInstance> {
  const app = createApiApp({ name: 'cinder-api', auth: createAuth(opts.auth), lastQueryValue: true });
  if (opts.health) healthcheckRoutes(app, opts.health);
  await app.register(cinderApiPlugin, { volumes: opts.volumes, maxLimit: opts.maxLimit });
  return app;
}
