// GET /limits as tempest's AbsoluteLimitsTestJSON (get_limit schema: the required absolute keys,
// additionalProperties false) and AbsoluteLimitsV257TestJSON (creating a server with more than
// maxServerMeta items → 403) read it; keys drop out at 2.36, 2.39 and 2.57 as in Nova.
import { expect } from 'chai';
import { activeServer, startNova, type Nova } from '../nova/harness';

const V21 = ['maxImageMeta', 'maxPersonality', 'maxPersonalitySize', 'maxSecurityGroupRules', 'maxSecurityGroups', 'maxServerMeta',
  'maxTotalCores', 'maxTotalFloatingIps', 'maxTotalInstances', 'maxTotalKeypairs', 'maxTotalRAMSize', 'totalCoresUsed',
  'totalFloatingIpsUsed', 'totalInstancesUsed', 'totalRAMUsed', 'totalSecurityGroupsUsed', 'maxServerGroups', 'maxServerGroupMembers',
  'totalServerGroupsUsed'];

describe('tempest-shaped: nova limits', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova({ quota: { metadata_items: 2 } }); });
  after(async () => { await nova?.stop(); });

  it('shows absolute limits and usage, trimmed by microversion', async () => {
    await activeServer(nova, 'lim');
    let r = await nova.req('GET', '/v2.1/limits');
    expect(r.status).to.equal(200);
    expect(r.body.limits.rate).to.deep.equal([]);
    expect(r.body.limits.absolute).to.have.all.keys(...V21);
    expect(r.body.limits.absolute).to.include({ maxServerMeta: 2, totalInstancesUsed: 1, totalCoresUsed: 1, totalRAMUsed: 512 });
    r = await nova.req('GET', '/v2.1/limits', { version: '2.57' });
    expect(r.body.limits.absolute).to.not.have.any.keys('maxImageMeta', 'maxPersonality', 'maxSecurityGroups', 'totalFloatingIpsUsed');
    expect(r.body.limits.absolute).to.include.keys('maxServerMeta', 'maxTotalInstances');
    r = await nova.req('GET', '/v2.1/limits?tenant_id=other');
    expect(r.status).to.equal(403);
    r = await nova.req('GET', '/v2.1/limits?tenant_id=demo', { token: 'admin:admin' });
    expect(r.body.limits.absolute.totalInstancesUsed).to.equal(1);
  });

  it('refuses a server with more metadata items than maxServerMeta (403)', async () => {
    const r = await nova.req('POST', '/v2.1/servers', { body: { server: { name: 'm', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1',
      metadata: { 0: '0', 1: '1', 2: '2' } } } });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal('Maximum number of metadata items exceeds 2');
  });
});
