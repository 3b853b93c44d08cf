// /servers/{id}/tags as tempest's ServerTagsTestJSON drives it (add one, check, list, replace
// all, delete one and all), and what Nova answers around it: 404 below 2.26, Nova's 400s for a
// bad tag, a body on the one-tag PUT and more than 50 tags, 403 on another project's server,
// 409 for a server that is not active, paused, suspended or stopped; tags in the server views
// (2.26), given at create (2.52), and the four list filters.
import { expect } from 'chai';
import { activeServer, startNova, type Nova } from '../nova/harness';

const V = '2.26';

describe('tempest-shaped: nova server tags', function () {
  this.timeout(30_000);
  let nova: Nova;
  let sid: string;
  before(async () => {
    nova = await startNova();
    sid = await activeServer(nova, 'tags');
  });
  after(async () => { await nova?.stop(); });
  const tags = (path = '', method = 'GET', body?: unknown, version = V): ReturnType<Nova['req']> =>
    nova.req(method, `/v2.1/servers/${sid}/tags${path}`, { body, version });

  it('adds, checks, lists, replaces and deletes tags', async () => {
    expect((await tags()).body).to.deep.equal({ tags: [] });
    let r = await tags('/tag-b', 'PUT');
    expect(r.status).to.equal(201);
    expect(r.headers.get('location')).to.match(new RegExp(`/v2\\.1/servers/${sid}/tags/tag-b$`));
    expect((await tags('/tag-b', 'PUT')).status).to.equal(204);
    expect((await tags('/tag-a', 'PUT')).status).to.equal(201);
    expect((await tags()).body).to.deep.equal({ tags: ['tag-a', 'tag-b'] });
    expect((await tags('/tag-a')).status).to.equal(204);
    r = await tags('/tag-c');
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Server ${sid} has no tag 'tag-c'`);
    r = await tags('', 'PUT', { tags: ['new-2', 'tag-a', 'new-1', 'new-1'] });
    expect(r.status).to.equal(200);
    expect(r.body.tags).to.have.members(['new-1', 'new-2', 'tag-a']).and.to.have.length(3);
    expect((await tags()).body.tags).to.deep.equal(['new-1', 'new-2', 'tag-a']);
    expect((await tags('/new-1', 'DELETE')).status).to.equal(204);
    r = await tags('/new-1', 'DELETE');
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Instance ${sid} has no tag 'new-1'`);
    const shown = (await nova.req('GET', `/v2.1/servers/${sid}`, { version: V })).body.server;
    expect(shown.tags).to.deep.equal(['new-2', 'tag-a']);
    expect((await nova.req('GET', `/v2.1/servers/${sid}`, { version: '2.25' })).body.server).to.not.have.property('tags');
    expect((await tags('', 'DELETE')).status).to.equal(204);
    expect((await tags()).body).to.deep.equal({ tags: [] });
  });

  it('answers 404 below 2.26, and 400 for what Nova refuses', async () => {
    expect((await tags('', 'GET', undefined, '2.25')).status).to.equal(404);
    expect((await tags('/x', 'PUT', undefined, '2.25')).status).to.equal(404);
    let r = await tags('/a,b', 'PUT');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Tag 'a,b' is invalid. It must be a non empty string without characters '/' and ','. "
      + "Validation error message: 'a,b' does not match '^[^,/]*$'");
    r = await tags(`/${'x'.repeat(61)}`, 'PUT');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.contain('is too long');
    r = await tags('/x', 'PUT', {});
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("{} is not of type 'null'");
    expect((await tags('', 'PUT', { tags: ['ok', 'no/slash'] })).status).to.equal(400);
    expect((await tags('', 'PUT', {})).status).to.equal(400);
    expect((await tags('', 'PUT', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })).status).to.equal(400);
    expect((await tags('', 'PUT', { tags: Array.from({ length: 50 }, (_, i) => `t${i}`) })).status).to.equal(200);
    r = await tags('/one-more', 'PUT');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('The number of tags exceeded the per-server limit 50');
    expect((await tags('', 'DELETE')).status).to.equal(204);
    r = await nova.req('GET', '/v2.1/servers/6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b/tags', { version: V });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('Instance 6a1bbb8d-4f04-4b6e-9a0a-2bd3ce5d9f3b has not been mapped to a cell.');
  });

  it("refuses another project's server with 403; changes a stopped one's, and refuses an errored one's with 409", async () => {
    for (const [m, p, b] of [['GET', ''], ['PUT', '', { tags: ['a'] }], ['DELETE', ''], ['GET', '/a'], ['PUT', '/a'], ['DELETE', '/a']] as Array<[string, string, unknown]>) {
      const r = await nova.req(m, `/v2.1/servers/${sid}/tags${p}`, { body: b, version: V, token: 'other:other' });
      expect(r.status, `${m} ${p}`).to.equal(403);
    }
    expect((await nova.req('POST', `/v2.1/servers/${sid}/action`, { body: { 'os-stop': null } })).status).to.equal(202);
    const stopped = async (): Promise<boolean> => (await nova.req('GET', `/v2.1/servers/${sid}`)).body.server.status === 'SHUTOFF';
    for (let i = 0; i < 200 && !(await stopped()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await stopped()).to.equal(true);
    expect((await tags('/while-stopped', 'PUT')).status).to.equal(201);
    expect((await tags('/while-stopped', 'DELETE')).status).to.equal(204);
    expect((await nova.req('POST', `/v2.1/servers/${sid}/action`, { body: { 'os-start': null } })).status).to.equal(202);
    // A server in error is in no state tags may change in; reading them is fine.
    const eid = await activeServer(nova, 'err');
    await nova.ds.query("UPDATE instances SET vm_state = 'error' WHERE uuid = ?", [eid]);
    let r = await nova.req('PUT', `/v2.1/servers/${eid}/tags/x`, { version: V });
    expect(r.status).to.equal(409);
    expect(r.body.conflictingRequest.message).to.equal(`Cannot 'update tag' instance ${eid} while it is in vm_state error`);
    for (const [m, p, b, method] of [['PUT', '', { tags: ['a'] }, 'update tags'], ['DELETE', '', undefined, 'delete tags'], ['DELETE', '/x', undefined, 'delete tag']] as Array<[string, string, unknown, string]>) {
      r = await nova.req(m, `/v2.1/servers/${eid}/tags${p}`, { body: b, version: V });
      expect(r.status, `${m} ${p}`).to.equal(409);
      expect(r.body.conflictingRequest.message).to.contain(`Cannot '${method}'`);
    }
    expect((await nova.req('GET', `/v2.1/servers/${eid}/tags`, { version: V })).body).to.deep.equal({ tags: [] });
  });

  it('takes tags at create (2.52) and filters the list by them', async () => {
    const create = async (name: string, t: string[]): Promise<string> => {
      const r = await nova.req('POST', '/v2.1/servers', { version: '2.52', body: { server: { name, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1', tags: t } } });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      return r.body.server.id as string;
    };
    const a = await create('ta', ['red', 'big']);
    const b = await create('tb', ['red']);
    const c = await create('tc', []);
    expect((await nova.req('GET', `/v2.1/servers/${a}`, { version: V })).body.server.tags).to.deep.equal(['big', 'red']);
    const ids = async (q: string, version = V): Promise<string[]> =>
      ((await nova.req('GET', `/v2.1/servers?${q}`, { version })).body.servers as Array<{ id: string }>).map((s) => s.id).filter((id) => [a, b, c].includes(id)).sort();
    expect(await ids('tags=red,big')).to.deep.equal([a]);
    expect(await ids('tags-any=big,red')).to.deep.equal([a, b].sort());
    expect(await ids('not-tags=red,big')).to.deep.equal([b, c].sort());
    expect(await ids('not-tags-any=big')).to.deep.equal([b, c].sort());
    expect(await ids('tags=red&not-tags-any=big')).to.deep.equal([b]);
    // Below 2.26 the filters are not Nova's: nothing is filtered.
    expect(await ids('tags=red,big', '2.25')).to.deep.equal([a, b, c].sort());
    const detail = (await nova.req('GET', '/v2.1/servers/detail?tags=big', { version: V })).body.servers as Array<{ id: string; tags: string[] }>;
    expect(detail.map((s) => [s.id, s.tags])).to.deep.equal([[a, ['big', 'red']]]);
    expect((await nova.req('POST', '/v2.1/servers', { version: '2.52', body: { server: { name: 'x', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1', tags: ['a/b'] } } })).status).to.equal(400);
    // A deleted server takes its tags along (instance_destroy).
    expect((await nova.req('DELETE', `/v2.1/servers/${a}`)).status).to.equal(204);
    const gone = async (): Promise<boolean> => (await nova.req('GET', `/v2.1/servers/${a}`)).status === 404;
    for (let i = 0; i < 200 && !(await gone()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await gone()).to.equal(true);
    expect(await nova.ds.query('SELECT tag FROM tags WHERE resource_id = ?', [a])).to.deep.equal([]);
    const r = await nova.req('GET', `/v2.1/servers/${a}/tags`, { version: V });
    expect([r.status, r.body.itemNotFound?.message]).to.deep.equal([404, `Instance ${a} could not be found.`]);
    expect((await nova.req('GET', `/v2.1/servers/${a}/tags`, { version: V, token: 'other:other' })).status).to.equal(403);
  });

  it("leaves no tags behind when a create's instance row cannot be written", async () => {
    const before = Number((await nova.ds.query('SELECT COUNT(*) AS n FROM tags'))[0].n);
    await nova.ds.query("CREATE TRIGGER tw_no_instances BEFORE INSERT ON instances BEGIN SELECT RAISE(ABORT, 'no more instances'); END");
    try {
      const r = await nova.req('POST', '/v2.1/servers', { version: '2.52', body: { server: { name: 'nope', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1', tags: ['orphan'] } } });
      expect(r.status).to.equal(500);
    } finally {
      await nova.ds.query('DROP TRIGGER tw_no_instances');
    }
    expect(Number((await nova.ds.query('SELECT COUNT(*) AS n FROM tags'))[0].n)).to.equal(before);
    expect(await nova.ds.query("SELECT resource_id FROM tags WHERE tag = 'orphan'")).to.deep.equal([]);
  });
});
