// A server create whose database goes away after it recorded a server but before any build was
// cast answers 503, and what it recorded is removed (in the background, the lost database waited
// for): nothing is left building for the compute's reconciler to fail later, under a create the
// caller was told had failed. A build whose compute loses the database waits for it (bounded) and
// goes on: the create was answered 202.
import { expect } from 'chai';
import { DBConnectionError } from '../../../common/db/errors';
import type { NovaDB } from '../../../nova-common/db-api';
import { waitFor } from '../../support/processes';
import { startNova, type Nova } from './harness';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';

describe('nova: a server create cut short by a lost database', function () {
  this.timeout(30_000);
  let nova: Nova;
  let db: NovaDB;
  const restore: Array<() => void> = [];
  before(async () => {
    nova = await startNova();
    db = (nova.api.compute as unknown as { o: { db: NovaDB } }).o.db;
  });
  afterEach(() => { for (const r of restore.splice(0)) r(); });
  after(async () => { await nova?.stop(); });

  /** `db[name]` fails as a lost database on its calls numbered in `failing` (1-based). */
  function cut<K extends 'actionStart' | 'instanceConditionalUpdate' | 'instanceGet'>(name: K, failing: number[], of: NovaDB = db): { calls: number } {
    const real = of[name].bind(of) as (...a: unknown[]) => Promise<unknown>;
    const seen = { calls: 0 };
    (of as unknown as Record<string, unknown>)[name] = async (...a: unknown[]) => {
      if (failing.includes(++seen.calls)) throw new DBConnectionError({ reason: 'connect ENOENT /run/mysqld/mysqld.sock' });
      return real(...a);
    };
    restore.push(() => { (of as unknown as Record<string, unknown>)[name] = real; });
    return seen;
  }

  const live = async (token: string): Promise<Array<{ uuid: string }>> =>
    nova.ds.query("SELECT i.uuid FROM instances i WHERE i.deleted = 0 AND i.project_id = ?", [token.split(':')[1]]);
  const liveBdms = async (token: string): Promise<unknown[]> =>
    nova.ds.query("SELECT b.id FROM block_device_mapping b JOIN instances i ON i.uuid = b.instance_uuid WHERE b.deleted = 0 AND i.project_id = ?", [token.split(':')[1]]);

  for (const [what, extra, failAt] of [
    ['a single server', {}, 1],
    ['the second server of three', { min_count: 3 }, 2],
  ] as Array<[string, Record<string, unknown>, number]>) {
    it(`${what}: 503, then no server and no mapping is left`, async () => {
      const token = `cut${failAt}:cut${failAt}`;
      cut('actionStart', [failAt]);
      // The removal's first try meets the database still gone; it is retried.
      const undo = cut('instanceConditionalUpdate', [1]);
      const r = await nova.req('POST', '/v2.1/servers', { token, body: { server: { name: 'cut', imageRef: IMAGE, flavorRef: '1', ...extra } } });
      expect(r.status, JSON.stringify(r.body)).to.equal(503);
      expect(r.body.serviceUnavailable.code).to.equal(503);
      await waitFor(async () => (await live(token)).length === 0, 20_000, 'the recorded servers to be removed', 100);
      expect(await liveBdms(token)).to.deep.equal([]);
      expect(undo.calls, 'the removal was retried').to.be.greaterThan(1);
      expect((await nova.req('GET', '/v2.1/servers', { token })).body.servers).to.deep.equal([]);
    });
  }

  it("a build whose compute finds the database gone waits for it and makes the server ACTIVE", async () => {
    const computeDb = (nova.compute.manager as unknown as { d: { db: NovaDB } }).d.db;
    const reads = cut('instanceGet', [1, 2], computeDb);
    const r = await nova.req('POST', '/v2.1/servers', { token: 'wait:wait', body: { server: { name: 'wait', imageRef: IMAGE, flavorRef: '1' } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const id = r.body.server.id as string;
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${id}`, { token: 'wait:wait' })).body.server.status !== 'BUILD', 20_000, 'the build to end', 100);
    expect((await nova.req('GET', `/v2.1/servers/${id}`, { token: 'wait:wait' })).body.server.status).to.equal('ACTIVE');
    expect(reads.calls, 'the read was retried').to.be.greaterThan(2);
  });
});
