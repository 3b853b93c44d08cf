// min_count / max_count as tempest's MultipleCreateTestJSON and MultipleCreateNegativeTestJSON
// send them: two servers named <name>-1, <name>-2; return_reservation_id gives only
// {"reservation_id"}; non-integer or < 1 counts and max < min are 400; beyond a set quota 403.
import { expect } from 'chai';
import { startNova, type Nova } from '../nova/harness';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';

describe('tempest-shaped: nova multiple create', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });
  const create = (extra: Record<string, unknown>, token = 'demo:demo'): ReturnType<Nova['req']> =>
    nova.req('POST', '/v2.1/servers', { token, body: { server: { name: 'multi', imageRef: IMAGE, flavorRef: '1', ...extra } } });

  it('creates min_count servers with suffixed names, or answers with a reservation id', async () => {
    let r = await create({ min_count: 2 });
    expect(r.status).to.equal(202);
    expect(r.body.server).to.include.keys('id', 'adminPass');
    const names = (await nova.req('GET', '/v2.1/servers')).body.servers.map((s: { name: string }) => s.name);
    expect(names).to.include.members(['multi-1', 'multi-2']);
    r = await create({ min_count: 1, max_count: 2, return_reservation_id: true }, 'res:res');
    expect(r.status).to.equal(202);
    expect(r.body).to.have.all.keys('reservation_id');
    expect(r.body.reservation_id).to.match(/^r-[a-z0-9]{8}$/);
    expect((await nova.req('GET', '/v2.1/servers', { token: 'res:res' })).body.servers).to.have.length(2);
  });

  it('rejects bad counts (400) and counts beyond the instances quota (403)', async () => {
    for (const [extra, msg] of [
      [{ max_count: 0 }, /^Invalid input for field\/attribute max_count\. Value: 0\. 0 is less than the minimum of 1$/],
      [{ min_count: 0 }, /minimum of 1/], [{ max_count: 'abc' }, /does not match/], [{ min_count: 'abc' }, /does not match/],
      [{ min_count: 3, max_count: 2 }, /^min_count must be <= max_count$/],
    ] as Array<[Record<string, unknown>, RegExp]>) {
      const r = await create(extra, 'neg:neg');
      expect(r.status, JSON.stringify(extra)).to.equal(400);
      expect(r.body.badRequest.message).to.match(msg);
    }
    // The project's instances limit set (Nova's default binds once set: docs/quotas.md).
    expect((await nova.req('PUT', '/v2.1/os-quota-sets/neg', { token: 'admin:admin', body: { quota_set: { instances: 10 } } })).status).to.equal(200);
    const r = await create({ min_count: 11 }, 'neg:neg');
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal('Quota exceeded for instances: Requested 11, but already used 0 of 10 instances');
    expect((await nova.req('GET', '/v2.1/servers', { token: 'neg:neg' })).body.servers).to.have.length(0);
  });

  // With no instances limit bound, only the ports a create would need bound it (Neutron's default
  // port quota, 500): without that bound this create would be making servers for hours.
  it('answers 403 for a min_count over the ports a create may have, and makes nothing', async () => {
    for (const extra of [{ min_count: 2147483647 }, { min_count: 501, max_count: 600 }]) {
      const r = await create(extra, 'ports:ports');
      expect(r.status, JSON.stringify(extra)).to.equal(403);
      expect(r.body).to.deep.equal({ forbidden: { code: 403, message: 'Maximum number of ports exceeded' } });
    }
    expect((await nova.req('GET', '/v2.1/servers', { token: 'ports:ports' })).body.servers).to.have.length(0);
  });
});
