// os-simple-tenant-usage on MariaDB: the period's bounds bound as the columns store them, so a
// server launched inside the window counts and one terminated before it does not.
import { expect } from 'chai';
import { Instance } from '../../../nova-common/entities';
import { novaOnMariaDB } from './on-mariadb';
import { waitFor } from '../../support/processes';
import type { Json } from '../../functional/nova/harness';

describe('nova os-simple-tenant-usage on MariaDB', function () {
  this.timeout(60_000);
  const novaOf = novaOnMariaDB();

  it('counts a server launched in the window, not one terminated before it', async () => {
    const nova = novaOf();
    const made = await nova.req('POST', '/v2.1/servers', { body: { server: { name: 'u', flavorRef: '1' } } });
    expect(made.status, JSON.stringify(made.body)).to.equal(202);
    const id = made.body.server.id as string;
    // The build sets launched_at when it ends: back-dated only after that, or the build's time wins.
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${id}`)).body.server?.status === 'ACTIVE', 20_000, `server ${id} ACTIVE`, 50);
    const rows = nova.ds.getRepository(Instance);
    const hourAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    await rows.update({ uuid: id }, { launchedAt: hourAgo });
    const period = (start: Date, end: Date): string =>
      `?start=${start.toISOString().slice(0, 19)}&end=${end.toISOString().slice(0, 19)}`;
    let r: Json = await nova.req('GET', `/v2.1/os-simple-tenant-usage/demo${period(new Date(hourAgo.getTime() - 60_000), new Date())}`, { token: 'admin:demo' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const u = r.body.tenant_usage.server_usages.find((x: Json) => x.instance_id === id);
    expect(u.hours).to.be.closeTo(1, 0.05);
    await rows.update({ uuid: id }, { terminatedAt: new Date(hourAgo.getTime() + 60_000) });
    r = await nova.req('GET', `/v2.1/os-simple-tenant-usage/demo${period(new Date(hourAgo.getTime() + 120_000), new Date())}`, { token: 'admin:demo' });
    expect(r.body.tenant_usage).to.deep.equal({});
  });
});
