// Version discovery (docs/architecture.md, REST conventions): GET / lists versions, any other
// unversioned path answers 300 with the choices; GET /v2.1 and /v2.1/ both answer 200 with the
// v2.1 document (real Nova redirects the slash-less form,
// but the nova CLI reads {"version": …} from exactly that URL). Public: no token needed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../common/api';
import { MAX_VERSION, MIN_VERSION } from './microversions';

function base(req: FastifyRequest, prefix: string): string {
  return `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${prefix}`;
}

const V21 = (b: string): Record<string, unknown> => ({
  id: 'v2.1', status: 'CURRENT', version: MAX_VERSION, min_version: MIN_VERSION, updated: '2013-07-23T11:33:21Z',
  links: [{ rel: 'self', href: `${b}/v2.1/` }, { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' }],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
});
const V20 = (b: string): Record<string, unknown> => ({
  id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z',
  links: [{ rel: 'self', href: `${b}/v2/` }, { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' }],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2' }],
});

/**
 * A first path segment that is not one of the APIs (or the bundled identity/image stubs), which
 * keep their own 404 (and 401 without a token).
 */
const UNVERSIONED = '(^(?!(?:v2|v2\\.1|identity|image)$).+)';

/**
 * Nova's versions app answers every unversioned path but / with 300 Multiple Choices: each
 * version with its self link pointing at that path under the version (views/versions.py
 * build_choices; common.url_join drops the path's outer slashes).
 */
function choices(b: string, path: string): Record<string, unknown> {
  const rest = path.replace(/^\/+|\/+$/g, '');
  return {
    choices: [V20(b), V21(b)].map((d) => ({
      id: d.id, status: d.status,
      links: [{ rel: 'self', href: `${b}/${d.id === 'v2.1' ? 'v2.1' : 'v2'}/${rest}` }],
      'media-types': d['media-types'],
    })),
  };
}

export function versionRoutes(app: FastifyInstance, prefix: string): void {
  const pub = { config: { public: true } };
  app.get('/', pub, async (req) => {
    const b = base(req, prefix);
    const strip = (d: Record<string, unknown>): Record<string, unknown> => ({
      id: d.id, status: d.status, version: d.version, min_version: d.min_version, updated: d.updated,
      links: [(d.links as unknown[])[0]],
    });
    return { versions: [strip(V20(b)), strip(V21(b))] };
  });
  app.get('/v2.1', pub, async (req) => ({ version: V21(base(req, prefix)) }));
  app.get('/v2', pub, async (req) => ({ version: V20(base(req, prefix)) }));
  for (const route of [`/:seg${UNVERSIONED}`, `/:seg${UNVERSIONED}/*`]) {
    app.get(route, pub, async (req, reply) => {
      const p = req.params as { seg: string; '*'?: string };
      return reply.code(300).send(choices(base(req, prefix), `${p.seg}/${p['*'] ?? ''}`));
    });
  }
  app.get('/v2.1/versions/:id', pub, async (req) => {
    const id = (req.params as { id: string }).id;
    if (id !== 'v2.1' && id !== 'v2.0') throw notFound();
    return { version: id === 'v2.1' ? V21(base(req, prefix)) : V20(base(req, prefix)) };
  });
}
