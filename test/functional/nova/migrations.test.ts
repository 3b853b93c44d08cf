// os-migrations and /servers/{id}/migrations: no migration is ever made here, so the lists are
// empty; what is checked is Nova's policy, query schema by microversion and marker handling.
import { expect } from 'chai';
import { activeServer, novaWithCinderFixture } from './harness';

describe('nova: os-migrations (empty: nothing migrates)', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();
  const ADMIN = 'admin:demo';
  const get = (path: string, version = '2.1', token = ADMIN): ReturnType<typeof s.nova.req> => s.nova.req('GET', `/v2.1${path}`, { token, version });

  it('lists none for an admin (extra keys pass below 2.59), 403 for a member', async () => {
    for (const [path, version] of [['/os-migrations', '2.1'], ['/os-migrations?status=done&foo=1', '2.58'], ['/os-migrations?limit=1&changes-since=2020-01-01T00:00:00Z', '2.59'], ['/os-migrations?user_id=u', '2.80']]) {
      const r = await get(path, version);
      expect([r.status, r.body], `${path} at ${version}`).to.deep.equal([200, { migrations: [] }]);
    }
    const r = await get('/os-migrations', '2.1', 'demo:demo');
    expect([r.status, r.body]).to.deep.equal([403, { forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-migrations:index to be performed." } }]);
  });

  it('refuses as Nova from 2.59: unknown keys, a bad limit or date, a marker naming no migration, changes-before before changes-since', async () => {
    const bad = async (path: string, version: string): Promise<string> => {
      const r = await get(path, version);
      expect(r.status, `${path} at ${version}`).to.equal(400);
      return r.body.badRequest.message as string;
    };
    expect(await bad('/os-migrations?foo=1', '2.59')).to.equal("Additional properties are not allowed ('foo' was unexpected)");
    expect(await bad('/os-migrations?user_id=u', '2.79')).to.equal("Additional properties are not allowed ('user_id' was unexpected)");
    expect(await bad('/os-migrations?limit=-1', '2.59')).to.match(/^Invalid input for query parameters limit\. Value: -1\./);
    expect(await bad('/os-migrations?changes-since=yesterday', '2.59')).to.equal("Invalid input for query parameters changes-since. Value: yesterday. 'yesterday' is not a 'date-time'");
    expect(await bad('/os-migrations?marker=abc', '2.59')).to.equal('Marker abc could not be found.');
    expect(await bad('/os-migrations?changes-since=2021-01-01T00:00:00Z&changes-before=2020-01-01T00:00:00Z', '2.66'))
      .to.equal('The value of changes-since must be less than or equal to changes-before.');
  });

  it("a server's in-progress migrations from 2.23: none; 404 below, for no such server; 403 for the owner", async () => {
    const sid = await activeServer(s.nova, 'mig');
    expect([(await get(`/servers/${sid}/migrations`, '2.23')).status, (await get(`/servers/${sid}/migrations`, '2.23')).body]).to.deep.equal([200, { migrations: [] }]);
    expect((await get(`/servers/${sid}/migrations`, '2.22')).status).to.equal(404);
    expect((await get('/servers/6e1a2b3c-0000-4000-8000-000000000000/migrations', '2.23')).status).to.equal(404);
    const r = await get(`/servers/${sid}/migrations`, '2.23', 'demo:demo');
    expect([r.status, r.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow os_compute_api:servers:migrations:index to be performed."]);
  });
});
