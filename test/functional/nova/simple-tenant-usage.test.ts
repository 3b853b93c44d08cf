// os-simple-tenant-usage: what a project's servers used over a period, deleted ones included,
// with Nova's date formats, checks and (2.40) pages; the list is admin only, a project's own
// usage its readers'.
import { expect } from 'chai';
import { activeServer, novaWithCinderFixture, type Nova } from './harness';
import { parseUsageTime } from '../../../nova-api/controllers/simple-tenant-usage';

describe('nova: os-simple-tenant-usage', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();
  const ADMIN = 'admin:demo';
  const pyTime = (d: Date): string => d.toISOString().slice(0, 19);

  const get = (path: string, token = ADMIN, mv?: string): ReturnType<Nova['req']> =>
    s.nova.req('GET', `/v2.1/${path}`, { token, ...(mv ? { headers: { 'X-OpenStack-Nova-API-Version': mv } } : {}) });

  it('counts live and deleted servers by their flavor and hours, per project; show answers one project', async () => {
    const start = pyTime(new Date(Date.now() - 3_600_000));
    const live = await activeServer(s.nova, 'usage-live');
    const gone = await activeServer(s.nova, 'usage-gone');
    expect((await s.nova.req('DELETE', `/v2.1/servers/${gone}`)).status).to.equal(204);
    let r = await get(`os-simple-tenant-usage?start=${start}&detailed=1`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const demo = r.body.tenant_usages.find((u: { tenant_id: string }) => u.tenant_id === 'demo');
    const mine = demo.server_usages.filter((u: { instance_id: string }) => [live, gone].includes(u.instance_id));
    expect(mine.map((u: { instance_id: string; state: string }) => [u.instance_id, u.state]).sort()).to.deep.equal(
      [[live, 'active'], [gone, 'terminated']].sort());
    const g = mine.find((u: { instance_id: string }) => u.instance_id === gone);
    expect(g.ended_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(g.hours).to.be.a('number').and.above(0).and.below(1);
    expect(demo.total_hours).to.be.closeTo(demo.server_usages.reduce((a: number, u: { hours: number }) => a + u.hours, 0), 1e-9);
    expect(demo.total_memory_mb_usage).to.be.closeTo(demo.server_usages.reduce((a: number, u: { hours: number; memory_mb: number }) => a + u.hours * u.memory_mb, 0), 1e-6);
    // Without detailed, no server_usages.
    r = await get(`os-simple-tenant-usage?start=${start}`);
    expect(r.body.tenant_usages[0]).to.not.have.property('server_usages');
    // A project's own usage, by a member of it; another project's is refused.
    r = await get(`os-simple-tenant-usage/demo?start=${start}`, 'demo:demo');
    expect(r.status).to.equal(200);
    expect(r.body.tenant_usage.server_usages.map((u: { instance_id: string }) => u.instance_id)).to.include.members([live, gone]);
    expect((await get(`os-simple-tenant-usage/other?start=${start}`, 'demo:demo')).status).to.equal(403);
    expect((await get('os-simple-tenant-usage/nobody-here', ADMIN)).body).to.deep.equal({ tenant_usage: {} });
  });

  it('refuses what Nova refuses: a user listing all, bad dates, a start after the end, an unknown marker, unknown keys from 2.75', async () => {
    expect((await get('os-simple-tenant-usage', 'demo:demo')).status).to.equal(403);
    expect((await get('os-simple-tenant-usage/?start=2020-01-01T00:00:00')).status).to.equal(404);
    let r = await get('os-simple-tenant-usage?start=2026-13-01T00:00:00');
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Invalid datetime string: Datetime is in invalid format']);
    r = await get('os-simple-tenant-usage?start=2026-01-02T00:00:00&end=2026-01-01T00:00:00');
    expect(r.body.badRequest?.message).to.equal('Invalid start time. The start time cannot occur after the end time.');
    r = await get('os-simple-tenant-usage?start=2020-01-01T00:00:00&marker=nope', ADMIN, '2.40');
    expect(r.body.badRequest?.message).to.equal('Marker nope could not be found.');
    expect((await get('os-simple-tenant-usage?bogus=1', ADMIN, '2.74')).status).to.equal(200);
    expect((await get('os-simple-tenant-usage?bogus=1', ADMIN, '2.75')).status).to.equal(400);
  });

  it('pages by server from 2.40, with a next link on a full page', async () => {
    await activeServer(s.nova, 'usage-page');
    const r = await get('os-simple-tenant-usage?start=2020-01-01T00:00:00&detailed=1&limit=1', ADMIN, '2.40');
    expect(r.status).to.equal(200);
    const id = r.body.tenant_usages[0].server_usages[0].instance_id;
    const next = new URL(r.body.tenant_usages_links[0].href);
    expect(next.searchParams.get('marker')).to.equal(id);
    const r2 = await get(`os-simple-tenant-usage${next.search}`, ADMIN, '2.40');
    expect(r2.body.tenant_usages[0].server_usages[0].instance_id).to.not.equal(id);
  });

  it('reads the three strptime formats, UTC, and absent as now', () => {
    const now = new Date();
    expect(parseUsageTime(undefined, now)).to.equal(now);
    expect(parseUsageTime('2026-1-2T3:04:05', now).toISOString()).to.equal('2026-01-02T03:04:05.000Z');
    expect(parseUsageTime('2026-01-02T03:04:05.5', now).toISOString()).to.equal('2026-01-02T03:04:05.500Z');
    expect(parseUsageTime('2026-01-02 03:04:05.123456', now).toISOString()).to.equal('2026-01-02T03:04:05.123Z');
    expect(parseUsageTime('0050-01-02T03:04:05', now).getUTCFullYear()).to.equal(50);
    for (const bad of ['2026-01-02', '2026-01-02 03:04:05', '2026-02-30T00:00:00', '2026-01-02T03:04:05Z', '0000-01-01T00:00:00']) expect(() => parseUsageTime(bad, now), bad).to.throw();
  });
});
