// Server and flavor list queries as tempest's ListServerFiltersTestJSON, ListServersNegativeTestJSON
// and FlavorsV2TestJSON send them: flavor filter, bad limit / changes-since → 400; flavors by
// minRam / minDisk, limit and marker (flavorid order), bad marker / filter → 400.
import { expect } from 'chai';
import { startNova, type Nova } from '../nova/harness';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';

describe('tempest-shaped: nova server and flavor list queries', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  it('filters servers by flavor and rejects a negative or non-numeric limit and a bad changes-since', async () => {
    const mk = async (name: string, flavorRef: string): Promise<string> =>
      (await nova.req('POST', '/v2.1/servers', { body: { server: { name, imageRef: IMAGE, flavorRef } } })).body.server.id;
    const a = await mk('fa', '1');
    const b = await mk('fb', '2');
    for (const path of ['/v2.1/servers?flavor=2', '/v2.1/servers/detail?flavor=2']) {
      const ids = (await nova.req('GET', path)).body.servers.map((s: { id: string }) => s.id);
      expect(ids).to.include(b).and.not.include(a);
    }
    for (const q of ['limit=-1', 'limit=abc', 'changes-since=2011/01/01']) {
      const r = await nova.req('GET', `/v2.1/servers?${q}`);
      expect(r.status, q).to.equal(400);
      expect(r.body.badRequest.message).to.match(/^Invalid input for query parameters /);
    }
    expect((await nova.req('GET', '/v2.1/servers?changes-since=2011-01-01T12:34:00Z')).status).to.equal(200);
  });

  it('pages servers from a marker, filtered out or not; an unknown marker is 400', async () => {
    const mk = async (name: string, flavorRef: string): Promise<string> =>
      (await nova.req('POST', '/v2.1/servers', { body: { server: { name, imageRef: IMAGE, flavorRef } } })).body.server.id;
    const made = [await mk('m1', '1'), await mk('m2', '2'), await mk('m3', '1')];
    const all = (await nova.req('GET', '/v2.1/servers/detail')).body.servers as Array<{ id: string; flavor: { id: string } }>;
    const ids = all.map((x) => x.id);
    const at = ids.indexOf(made[1]);
    expect(at).to.be.greaterThan(-1);
    let r = await nova.req('GET', `/v2.1/servers?marker=${made[1]}`);
    expect(r.body.servers.map((x: { id: string }) => x.id)).to.deep.equal(ids.slice(at + 1));
    // The marker is a flavor-2 server: the flavor-1 list still pages from its place.
    r = await nova.req('GET', `/v2.1/servers/detail?flavor=1&marker=${made[1]}`);
    expect(r.status).to.equal(200);
    expect(r.body.servers.map((x: { id: string }) => x.id)).to.deep.equal(all.slice(at + 1).filter((x) => x.flavor.id === '1').map((x) => x.id));
    for (const q of ['marker=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', 'marker=nope']) {
      r = await nova.req('GET', `/v2.1/servers?${q}`);
      expect(r.status, q).to.equal(400);
      expect(r.body.badRequest.message).to.equal(`marker [${q.slice(7)}] not found`);
    }
  });

  it('flavors: minRam / minDisk filters, limit and marker on list and detail', async () => {
    for (const kind of ['flavors', 'flavors/detail']) {
      let r = await nova.req('GET', `/v2.1/${kind}?minRam=1024`);
      expect(r.body.flavors.map((f: { id: string }) => f.id)).to.deep.equal(['2', '3']);
      r = await nova.req('GET', `/v2.1/${kind}?minDisk=20`);
      expect(r.body.flavors.map((f: { id: string }) => f.id)).to.deep.equal(['2', '3']);
      r = await nova.req('GET', `/v2.1/${kind}?limit=1`);
      expect(r.body.flavors).to.have.length(1);
      r = await nova.req('GET', `/v2.1/${kind}?marker=1`);
      expect(r.body.flavors.map((f: { id: string }) => f.id)).to.not.include('1');
    }
    let r = await nova.req('GET', '/v2.1/flavors?marker=nope');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('marker [nope] not found');
    r = await nova.req('GET', '/v2.1/flavors/detail?minRam=big');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid minRam filter [big]');
  });
});
