// Server tags on MariaDB: the tags table as the migration makes it there (keyed by server and
// tag), a create's tags, adding one twice, replacing them all in one transaction, the list
// filters, and the tags going with the deleted server.
import { expect } from 'chai';
import { novaOnMariaDB } from './on-mariadb';
import { activeServer, type Json } from '../../functional/nova/harness';

describe('nova server tags on MariaDB', function () {
  this.timeout(60_000);
  const novaOf = novaOnMariaDB();

  const req = (method: string, path: string, body?: unknown, mv = '2.52'): Promise<Json> => novaOf().req(method, `/v2.1${path}`, { body, version: mv });

  it('keeps, replaces, filters and drops tags', async () => {
    const s = await req('POST', '/servers', { server: { name: 't', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1', tags: ['b', 'a'] } });
    expect(s.status, JSON.stringify(s.body)).to.equal(202);
    const id = s.body.server.id as string;
    const other = await activeServer(novaOf(), 'u');
    expect((await req('GET', `/servers/${id}/tags`)).body.tags).to.deep.equal(['a', 'b']);
    expect((await req('PUT', `/servers/${other}/tags/c`)).status).to.equal(201);
    expect((await req('PUT', `/servers/${other}/tags/c`)).status).to.equal(204);
    const r = await req('PUT', `/servers/${id}/tags`, { tags: ['c', 'b', 'ключ'] });
    expect(r.status).to.equal(200);
    expect([...r.body.tags].sort()).to.deep.equal(['b', 'c', 'ключ']);
    const listed = async (q: string): Promise<string[]> => ((await req('GET', `/servers?${q}`)).body.servers as Json[]).map((x) => x.id as string).sort();
    expect(await listed('tags=c,b')).to.deep.equal([id]);
    expect(await listed('tags-any=c')).to.deep.equal([id, other].sort());
    expect(await listed('not-tags-any=b')).to.deep.equal([other]);
    expect((await req('DELETE', `/servers/${id}/tags/ключ`)).status).to.equal(204);
    expect((await req('GET', `/servers/${id}`)).body.server.tags).to.deep.equal(['b', 'c']);
    expect((await req('DELETE', `/servers/${id}`)).status).to.equal(204);
    for (let i = 0; i < 200 && (await req('GET', `/servers/${id}`)).status !== 404; i++) await new Promise((res) => setTimeout(res, 25));
    expect(await novaOf().ds.query('SELECT tag FROM tags WHERE resource_id = ?', [id])).to.deep.equal([]);
    expect((await novaOf().ds.query('SELECT tag FROM tags WHERE resource_id = ?', [other])).map((x: Json) => x.tag)).to.deep.equal(['c']);
  });
});
