// Where a new server goes, with two nova-compute hosts in one process (SQLite + fake://): the
// live host with the fewest live instances, or the host an admin forces with
// availability_zone "zone:host"; no acceptable host → ERROR with Nova's NoValidHost fault.
import { expect } from 'chai';
import { Service } from '../../../nova-common/entities';
import type { RunningNovaCompute } from '../../../nova-compute/main';
import { waitFor } from '../../support/processes';
import { startNova, type Json, type Nova } from './harness';

const ADMIN = 'admin:admin';

describe('nova scheduling over two compute hosts', function () {
  this.timeout(30_000);
  let nova: Nova;
  let compute2: RunningNovaCompute;

  beforeEach(async () => {
    nova = await startNova({ DEFAULT: { host: 'compute1' } });
    compute2 = await nova.extraCompute('compute2');
  });
  afterEach(async () => {
    await nova?.stop();
  });

  const show = async (id: string): Promise<Json> => (await nova.req('GET', `/v2.1/servers/${id}`, { token: ADMIN })).body.server;
  async function create(name: string, opts: { az?: string; token?: string } = {}): Promise<Json> {
    const r = await nova.req('POST', '/v2.1/servers', { token: opts.token ?? ADMIN, body: { server: { name, flavorRef: '1', ...(opts.az ? { availability_zone: opts.az } : {}) } } });
    if (r.status !== 202) return r;
    return waitFor(async () => { const s = await show(r.body.server.id); return ['ACTIVE', 'ERROR'].includes(s.status) ? s : null; }, 10_000, `server ${name}`, 20);
  }
  const hostOf = (s: Json): string | null => s['OS-EXT-SRV-ATTR:host'];
  const markDown = (host: string) => nova.ds.getRepository(Service).update({ host, binary: 'nova-compute' }, { lastSeenUp: new Date(Date.now() - 3600_000) });

  it('spreads servers: the host with the fewest live instances wins (ties by name); deleted ones do not count', async () => {
    const hosts: string[] = [];
    for (let i = 0; i < 4; i++) hosts.push(hostOf(await create(`s${i}`)) as string);
    expect(hosts).to.deep.equal(['compute1', 'compute2', 'compute1', 'compute2']);
    const first = (await nova.req('GET', '/v2.1/servers?name=^s0$', { token: ADMIN })).body.servers[0].id as string;
    expect((await nova.req('DELETE', `/v2.1/servers/${first}`, { token: ADMIN })).status).to.equal(204);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${first}`, { token: ADMIN })).status === 404, 10_000, 's0 deleted', 20);
    // compute2 has 2 live instances, compute1 now 1.
    expect(hostOf(await create('s4'))).to.equal('compute1');
    expect(hostOf(await create('s5'))).to.equal('compute1');
    expect(hostOf(await create('s6'))).to.equal('compute2');
  });

  it('skips a down host, however empty', async () => {
    expect(hostOf(await create('a'))).to.equal('compute1');
    await compute2.stop();
    await markDown('compute2');
    expect(hostOf(await create('b'))).to.equal('compute1');
  });

  it('an admin forces a host or node with availability_zone "zone:host[:node]", even a busier one', async () => {
    expect(hostOf(await create('a'))).to.equal('compute1');
    const forced = await create('forced', { az: 'nova:compute1' });
    expect(forced).to.include({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': 'compute1', 'OS-EXT-AZ:availability_zone': 'nova' });
    expect(hostOf(await create('node', { az: 'nova::compute1' }))).to.equal('compute1');
    expect(hostOf(await create('both', { az: 'nova:compute2:compute2' }))).to.equal('compute2');
  });

  it('a non-admin forcing a host gets 403 and no server is created', async () => {
    const r = await create('forced', { az: 'nova:compute1', token: 'demo:demo' });
    expect(r.status).to.equal(403);
    expect(r.body).to.deep.equal({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:create:forced_host to be performed." } });
    expect((await nova.req('GET', '/v2.1/servers', { token: 'demo:demo' })).body.servers).to.deep.equal([]);
    // A plain zone is no forcing: allowed to anyone.
    expect(hostOf(await create('zoned', { az: 'nova', token: 'demo:demo' }))).to.equal('compute1');
  });

  it('an unparsable availability_zone → 400', async () => {
    const r = await create('bad', { az: 'a:b:c:d' });
    expect(r.status).to.equal(400);
    expect(r.body).to.deep.equal({ badRequest: { code: 400, message: 'Invalid input received: Unable to parse availability_zone' } });
  });

  it('a forced host that is unknown or down → ERROR "No valid host was found. There are not enough hosts available."', async () => {
    await compute2.stop();
    await markDown('compute2');
    for (const az of ['nova:no-such-host', 'nova:compute2', 'nova:compute1:compute2']) {
      const s = await create(az, { az });
      expect(s, az).to.include({ status: 'ERROR', 'OS-EXT-SRV-ATTR:host': null });
      expect(s.fault).to.include({ code: 500, message: 'No valid host was found. There are not enough hosts available.' });
    }
  });

  it('no compute service at all → ERROR "No valid host was found. " (no reason, as with no placement candidates)', async () => {
    await compute2.stop();
    await nova.compute.stop();
    nova.compute.stop = async () => undefined;
    await nova.ds.getRepository(Service).delete({ binary: 'nova-compute' });
    const s = await create('none');
    expect(s.status).to.equal('ERROR');
    expect(s.fault.message).to.equal('No valid host was found. ');
  });
});
