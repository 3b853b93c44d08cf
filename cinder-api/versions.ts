// Version discovery (docs/architecture.md, REST conventions): GET / answers 300 with the versions list (cinderclient
// reads versions[*].version / min_version), /v3/ answers 200 with the same list (the SDK). Only
// v3.0 is listed, as in cinder since v2's removal (tempest's test_show_version GETs each listed
// major and expects it first); /v1/, /v2/ still describe themselves for old clients. Public.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestedVersion, versionHeaders, VersionNotAcceptable } from '../common/api';
import { MAX_VERSION, MIN_VERSION, VOLUME_VERSIONS } from './microversions';

function base(req: FastifyRequest, prefix: string): string {
  return `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${prefix}`;
}

const doc = (b: string, id: string, status: string, version: string, min: string, updated: string): Record<string, unknown> => ({
  id, status, version, min_version: min, updated,
  links: [{ rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' }, { rel: 'self', href: `${b}/${id.split('.')[0]}/` }],
  'media-types': [{ base: 'application/json', type: `application/vnd.openstack.volume+json;version=${id.slice(1, 2)}` }],
});

const v1 = (b: string): Record<string, unknown> => doc(b, 'v1.0', 'DEPRECATED', '', '', '2016-05-02T20:25:19Z');
const v2 = (b: string): Record<string, unknown> => doc(b, 'v2.0', 'DEPRECATED', '', '', '2017-02-25T12:00:00Z');

export function allVersions(b: string): Record<string, unknown>[] {
  return [doc(b, 'v3.0', 'CURRENT', MAX_VERSION, MIN_VERSION, '2022-08-31T00:00:00Z')];
}

/**
 * The request's microversion, echoed in OpenStack-API-Version (and Vary); a version out of
 * range is echoed on its 406 too, as Cinder does, unless Cinder takes it for its v1/v2
 * endpoints' (its _is_legacy_endpoint: "1.0" or "2.0" anywhere in the version, e.g. 2.0, 11.0).
 * A malformed one (400) is not.
 */
export async function negotiateVersion(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  try {
    req.cinderVersion = requestedVersion(req.headers, VOLUME_VERSIONS);
  } catch (e) {
    if (e instanceof VersionNotAcceptable && !/[12]\.0/.test(e.version.toString())) void reply.headers(versionHeaders(e.version, VOLUME_VERSIONS));
    throw e;
  }
  void reply.headers(versionHeaders(req.cinderVersion, VOLUME_VERSIONS));
}

export function versionRoutes(app: FastifyInstance, prefix: string): void {
  // Public, but the microversion header is negotiated (and echoed, 406 when out of range) as on
  // every other route of Cinder's.
  const pub = { config: { public: true }, onRequest: negotiateVersion };
  // Cinder's routers connect / and /v3/ with no method condition: any method gets the document.
  const ANY = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
  app.route({ method: ANY, url: '/', ...pub, handler: async (req, reply) => reply.code(300).send({ versions: allVersions(base(req, prefix)) }) });
  // /v3 (no slash) is redirected to the document at /v3/ (Cinder's mapper.redirect), before any
  // microversion is read.
  const slash = (req: FastifyRequest): boolean => req.url.split('?')[0].endsWith('/');
  const v3 = { config: { public: true }, onRequest: async (req: FastifyRequest, reply: FastifyReply) => { if (slash(req)) await negotiateVersion(req, reply); } };
  app.route({ method: ANY, url: '/v3', ...v3, handler: async (req, reply) => {
    if (!slash(req)) return reply.removeHeader('x-compute-request-id').code(302).header('location', `${base(req, prefix)}/v3/`).type('text/plain; charset=utf8').send();
    return { versions: allVersions(base(req, prefix)) };
  } });
  app.get('/v2', pub, async (req) => ({ versions: [v2(base(req, prefix))] }));
  app.get('/v1', pub, async (req) => ({ versions: [v1(base(req, prefix))] }));
}
