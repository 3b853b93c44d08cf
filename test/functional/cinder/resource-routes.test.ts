// Methods Cinder's router maps for a resource we serve but whose method neither serves (found by
// the differential test): the wsgi resource's plain 404, with the version headers and request ids.
import { expect } from 'chai';
import { request } from 'node:http';
import { createApiApp, noauth2 } from '../../../common/api';
import { cinderApiPlugin, createVolumeApi } from '../../../cinder-api/main';
import { startCinder, type Cinder } from './cinder-stack';

describe('cinder-api: mapped routes without a method', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  const call = (method: string, path: string) =>
    c.req(method, `/v3/demo${path}`, { token: 'admin:demo', body: method === 'POST' || method === 'PUT' ? {} : undefined, headers: { 'OpenStack-API-Version': 'volume 3.42' } });

  it('POST on a collection, a member of an index-only resource, new, edit: 404 with the version headers', async () => {
    const vid = await c.createVolume();
    for (const [method, path] of [['POST', '/os-availability-zone'], ['POST', '/limits'], ['GET', '/limits/x'], ['DELETE', '/os-services/x'],
      ['GET', '/volumes/new'], [`GET`, `/volumes/${vid}/edit`], ['GET', '/types/new'], ['GET', '/attachments/summary'], ['GET', '/os-quota-sets'],
      ['GET', `/volumes/${vid}/metadata/new`], ['GET', '/os-hosts/h/startup']]) {
      const r = await call(method, path);
      expect([r.status, r.body], `${method} ${path}`).to.deep.equal([404, { itemNotFound: { code: 404, message: 'The resource could not be found.' } }]);
      expect(r.headers.get('openstack-api-version'), `${method} ${path}`).to.equal('volume 3.42');
      expect(r.headers.get('x-compute-request-id'), `${method} ${path}`).to.be.a('string');
    }
    // What the routes do serve is unchanged.
    expect((await call('GET', `/volumes/${vid}`)).status).to.equal(200);
    expect((await call('GET', '/limits')).status).to.equal(200);
  });

  it('a GET or DELETE body is 400 only where a method takes the request: below its version, or with none, 404', async () => {
    const missing = '/attachments/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    // fetch sends no GET body: node's http does.
    const withBody = (method: string, path: string, version: string): Promise<number> => new Promise((resolve, reject) => {
      const r = request(`${c.api.url}/v3/demo${path}`, {
        method, headers: { 'X-Auth-Token': 'admin:demo', 'Content-Type': 'application/json', 'Content-Length': '5', 'OpenStack-API-Version': `volume ${version}` },
      }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      r.on('error', reject);
      r.end('false');
    });
    for (const [method, path, version, status] of [['DELETE', missing, '3.26', 404], ['DELETE', missing, '3.27', 400], ['GET', '/attachments', '3.26', 404],
      ['GET', '/volumes/summary', '3.11', 404], ['GET', '/volumes/summary', '3.12', 400], ['GET', '/attachments/summary', '3.27', 404]] as const) {
      expect(await withBody(method, path, version), `${method} ${path} ${version}`).to.equal(status);
    }
  });

  it('registers beside the routes it fills in also under a prefix (an API behind one port, /volume)', async () => {
    const app = createApiApp({ name: 'test.cinder-prefix', auth: noauth2 });
    try {
      await app.register(cinderApiPlugin, { prefix: '/volume', volumes: createVolumeApi(c.conf, c.ds, c.transport) });
      await app.ready();
      const get = async (url: string) => app.inject({ method: 'GET', url, headers: { 'X-Auth-Token': 'admin:demo', 'OpenStack-API-Version': 'volume 3.42' } });
      expect((await get('/volume/v3/demo/volumes')).statusCode).to.equal(200);
      expect((await get('/volume/v3/demo/volumes/new')).json()).to.deep.equal({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    } finally {
      await app.close();
    }
  });
});
