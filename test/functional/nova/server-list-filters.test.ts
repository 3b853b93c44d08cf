// GET /servers filters beyond name, as Nova's list filters them: host, uuid, user_id, vm_state
// and task_state exactly (a repeated one is any of its values), node, key_name,
// availability_zone and power_state as regular expressions. Admins use them all; others from
// 2.83 all but host, node and uuid; below 2.83 they are dropped, not refused. status as vm and
// task states; the keys Nova refuses (2.75's unknown ones, joined-table and '_' ones).
import { expect } from 'chai';
import { Instance } from '../../../nova-common/entities';
import { activeServer, novaWithCinderFixture } from './harness';

describe('nova: server list filters', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();
  const ADMIN = 'admin:demo';
  let a: string;
  let b: string;
  let host: string;

  const ids = async (q: string, token = ADMIN, version = '2.1'): Promise<string[]> => {
    const r = await s.nova.req('GET', `/v2.1/servers${q}`, { token, version });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return (r.body.servers as Array<{ id: string }>).map((x) => x.id).filter((id) => id === a || id === b).sort();
  };

  before(async () => {
    a = await activeServer(s.nova, 'flt-a');
    b = await activeServer(s.nova, 'flt-b');
    host = (await s.nova.req('GET', `/v2.1/servers/${a}`, { token: ADMIN })).body.server['OS-EXT-SRV-ATTR:host'] as string;
    expect(host).to.be.a('string').and.not.equal('');
    expect((await s.nova.req('POST', `/v2.1/servers/${b}/action`, { token: ADMIN, body: { 'os-resetState': { state: 'error' } } })).status).to.equal(202);
  });

  it('host (tempest\'s filter by an existing host), for an admin only', async () => {
    expect(await ids(`?all_tenants=1&host=${host}`)).to.deep.equal([a, b].sort());
    expect(await ids('?all_tenants=1&host=nonexistent_host')).to.deep.equal([]);
    // Not the owner's to use: dropped, at any version.
    expect(await ids('?host=nonexistent_host', 'demo:demo', '2.90')).to.deep.equal([a, b].sort());
  });

  it('uuid and vm_state exactly, a repeated value as any of them', async () => {
    expect(await ids(`?uuid=${a}`)).to.deep.equal([a]);
    expect(await ids('?vm_state=error')).to.deep.equal([b]);
    expect(await ids('?vm_state=err')).to.deep.equal([]);
    expect(await ids('?vm_state=error&vm_state=active')).to.deep.equal([a, b].sort());
  });

  it('vm_state and power_state for the owner from 2.83, dropped below', async () => {
    expect(await ids('?vm_state=error', 'demo:demo', '2.82')).to.deep.equal([a, b].sort());
    expect(await ids('?vm_state=error', 'demo:demo', '2.83')).to.deep.equal([b]);
    expect(await ids('?power_state=^1$', 'demo:demo', '2.83')).to.deep.equal([a, b].sort());
    expect(await ids(`?uuid=${a}`, 'demo:demo', '2.83')).to.deep.equal([a, b].sort());
  });

  it('status as Nova maps it: ACTIVE is any task of an active server, REBOOT only its reboot; several are any of them', async () => {
    await s.nova.ds.getRepository(Instance).update({ uuid: a }, { taskState: 'rebooting' });
    try {
      expect(await ids('?status=ACTIVE')).to.deep.equal([a]);
      expect(await ids('?status=reboot')).to.deep.equal([a]);
      expect(await ids('?status=HARD_REBOOT')).to.deep.equal([]);
      expect(await ids('?status=error&status=REBOOT')).to.deep.equal([a, b].sort());
    } finally {
      await s.nova.ds.getRepository(Instance).update({ uuid: a }, { taskState: null });
    }
  });

  it('an unknown status is 400 from 2.38 (an empty list below); DELETED is for admins (403)', async () => {
    expect(await ids('?status=bogus', 'demo:demo', '2.37')).to.deep.equal([]);
    let r = await s.nova.req('GET', '/v2.1/servers?status=bogus', { version: '2.38' });
    expect([r.status, r.body]).to.deep.equal([400, { badRequest: { code: 400, message: 'Invalid status value' } }]);
    r = await s.nova.req('GET', '/v2.1/servers?status=deleted');
    expect([r.status, r.body]).to.deep.equal([403, { forbidden: { code: 403, message: 'Only administrators may list deleted instances' } }]);
    expect(await ids('?status=deleted')).to.deep.equal([]);
  });

  it('refuses the keys Nova refuses: unknown ones from 2.75, joined-table and \'_\' ones for an admin (others\' are dropped)', async () => {
    const fault = async (q: string, version: string, token = ADMIN): Promise<[number, string]> => {
      const r = await s.nova.req('GET', `/v2.1/servers${q}`, { token, version });
      return [r.status, r.body.badRequest?.message];
    };
    expect(await fault('?foo=1', '2.75', 'demo:demo')).to.deep.equal([400, "'foo' does not match any of the regexes: '^_'"]);
    expect(await ids('?foo=1', 'demo:demo', '2.74')).to.deep.equal([a, b].sort());
    expect(await fault('?metadata=x', '2.1')).to.deep.equal([400, 'Invalid filter field: metadata.']);
    expect(await fault('?_secret=x', '2.75')).to.deep.equal([400, 'Invalid filter field: _secret.']);
    expect(await ids('?metadata=x&_secret=x', 'demo:demo', '2.75')).to.deep.equal([a, b].sort());
  });
});
