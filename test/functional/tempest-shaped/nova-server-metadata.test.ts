// /servers/{id}/metadata as tempest's ServerMetadataTestJSON / ServerMetadataNegativeTestJSON
// drive it: list, merge (POST), replace (PUT), per-key show/set/delete; blank keys, a missing
// "metadata" field and a URI/body key mismatch are 400, unknown servers and keys 404, more than
// [quota] metadata_items keys 403.
import { expect } from 'chai';
import { activeServer, startNova, type Nova } from '../nova/harness';

describe('tempest-shaped: nova server metadata', function () {
  this.timeout(30_000);
  let nova: Nova;
  let sid: string;
  before(async () => {
    nova = await startNova({ quota: { metadata_items: 3 } });
    sid = await activeServer(nova, 'md');
  });
  after(async () => { await nova?.stop(); });
  const md = (path = '', method = 'GET', body?: unknown): ReturnType<Nova['req']> =>
    nova.req(method, `/v2.1/servers/${sid}/metadata${path}`, { body });

  it('lists, merges, replaces, shows, sets and deletes items', async () => {
    let r = await md('', 'PUT', { metadata: { key1: 'value1', key2: 'value2' } });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ metadata: { key1: 'value1', key2: 'value2' } });
    r = await md('', 'POST', { metadata: { key2: 'new', key3: 'value3' } });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ metadata: { key1: 'value1', key2: 'new', key3: 'value3' } });
    expect((await md()).body).to.deep.equal({ metadata: { key1: 'value1', key2: 'new', key3: 'value3' } });
    r = await md('/key1');
    expect(r.body).to.deep.equal({ meta: { key1: 'value1' } });
    r = await md('/key1', 'PUT', { meta: { key1: 'alt' } });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ meta: { key1: 'alt' } });
    r = await md('/key3', 'DELETE');
    expect(r.status).to.equal(204);
    expect((await md()).body.metadata).to.deep.equal({ key1: 'alt', key2: 'new' });
    expect((await nova.req('GET', `/v2.1/servers/${sid}`)).body.server.metadata).to.deep.equal({ key1: 'alt', key2: 'new' });
  });

  it('answers 400 / 404 / 403 like Nova', async () => {
    let r = await md('', 'POST', { metadata: { '': 'data1' } });
    expect(r.status).to.equal(400);
    expect((await md('', 'PUT', { metadata: { '': 'data1' } })).status).to.equal(400);
    r = await md('', 'PUT', { meta: { meta1: 'data1' } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("'metadata' is a required property");
    r = await md('/key', 'PUT', { meta: { testkey: 'testvalue' } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Request body and URI mismatch');
    expect((await md('/a', 'PUT', { meta: { a: '1', b: '2' } })).status).to.equal(400);
    r = await md('/nokey');
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('Metadata item was not found');
    expect((await md('/nokey', 'DELETE')).status).to.equal(404);
    const other = '6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b';
    for (const [m, p, b] of [['GET', ''], ['POST', '', { metadata: { a: 'b' } }], ['PUT', '', { metadata: { a: 'b' } }],
      ['PUT', '/a', { meta: { a: 'b' } }], ['DELETE', '/a']] as Array<[string, string, unknown]>) {
      expect((await nova.req(m, `/v2.1/servers/${other}/metadata${p}`, { body: b })).status, `${m} ${p}`).to.equal(404);
    }
    r = await md('', 'PUT', { metadata: { a: '1', b: '2', c: '3', d: '4' } });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal('Maximum number of metadata items exceeds 3');
    expect((await md('', 'POST', { metadata: { a: '1', b: '2' } })).status).to.equal(403);
  });
});
