// workers/cleanup (3.24, cinder work-cleanup): the services that are down by default, those up
// when asked, each up one cleaning at once (its reconciler's pass), bodies checked as Cinder's.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';
import type { FakeDriver } from '../../../cinder-volume/drivers/fake';
import { Service } from '../../../cinder-common/entities';

const ADMIN = 'admin:admin';

describe('cinder workers/cleanup', function () {
  let c: Cinder;
  before(async () => {
    c = await startCinder({ DEFAULT: { enabled_backends: ['backend1', 'backend2'] }, backend1: { total_capacity_gb: 100 }, backend2: { total_capacity_gb: 50 } });
  });
  after(async () => { await c?.stop(); });

  const cleanup = (body: unknown, version = '3.24', token = ADMIN) =>
    c.req('POST', `/v3/${token.split(':')[1]}/workers/cleanup`, { token, body, headers: { 'OpenStack-API-Version': `volume ${version}` } });
  const hosts = (list: Json[]): string[] => list.map((s) => `${s.binary} ${s.host} ${s.cluster_name}`).sort();

  it('is no method below 3.24; by default cleans for the services that are down (none), with is_up for those that are up', async () => {
    expect((await cleanup({}, '3.23')).status).to.equal(404);
    const none = await cleanup({});
    expect([none.status, none.body]).to.deep.equal([202, { cleaning: [], unavailable: [] }]);
    const up = await cleanup({ is_up: 'true', binary: 'cinder-volume' });
    expect(up.status, JSON.stringify(up.body)).to.equal(202);
    expect(hosts(up.body.cleaning)).to.deep.equal(['cinder-volume cinder1@backend1 null', 'cinder-volume cinder1@backend2 null']);
    expect(up.body.unavailable).to.deep.equal([]);
    expect((await cleanup({ is_up: true, host: 'cinder1@backend2' })).body.cleaning.map((s: Json) => s.host)).to.deep.equal(['cinder1@backend2']);
    // A service_id is no services column in Cinder's query: no service matches.
    expect((await cleanup({ is_up: true, service_id: 1 })).body).to.deep.equal({ cleaning: [], unavailable: [] });
  });

  it('sends a service that is up to clean at once: an export left on an available volume goes', async () => {
    const vid = await c.createVolume(1, ADMIN, 'w1');
    const host = (await c.show(vid, ADMIN))['os-vol-host-attr:host'] as string;
    const backend = c.volume.backends.find((b) => host.startsWith(b.host));
    const driver = backend?.driver as FakeDriver;
    driver.exports.add(vid);
    // The stack's reconciler runs only at start: nothing else would take the export away.
    const r = await cleanup({ is_up: true, host: backend?.host });
    expect(r.body.cleaning.map((s: Json) => s.host)).to.deep.equal([backend?.host]);
    await waitFor(() => !driver.exports.has(vid), 5_000, `the export of ${vid} removed`, 20);
  });

  it('checks the body as Cinder: types, the resource type, a resource with no location, admin only', async () => {
    const msg = async (body: unknown): Promise<string> => {
      const r = await cleanup(body);
      expect(r.status, JSON.stringify(r.body)).to.equal(400);
      return r.body.badRequest.message;
    };
    expect(await msg({ resource_type: 'backup' })).to.equal('Invalid input received: Resource type Backup not valid, must be Volume or Snapshot');
    expect(await msg({ resource_id: '0b6a5a5e-8a43-4c3b-a1f1-7a7d2a9f0e11' }))
      .to.equal("Invalid input received: ('There is no resource with UUID %s pending cleanup.', '0b6a5a5e-8a43-4c3b-a1f1-7a7d2a9f0e11')");
    expect(await msg({ binary: null })).to.equal("Invalid input for field/attribute binary. Value: None. None is not one of ['cinder-volume', 'cinder-scheduler']");
    expect(await msg({ service_id: 'x' })).to.equal("Invalid input for field/attribute service_id. Value: x. 'x' does not match '^[0-9]*$'");
    expect(await msg({ x: 1 })).to.equal("Additional properties are not allowed ('x' was unexpected)");
    // With a location the resource is not looked up.
    expect((await cleanup({ resource_id: '0b6a5a5e-8a43-4c3b-a1f1-7a7d2a9f0e11', host: null, resource_type: 'VOLUME' })).status).to.equal(202);
    const user = await cleanup({}, '3.24', 'demo:demo');
    expect([user.status, user.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow workers:cleanup to be performed."]);
  });

  it('lists a backend that is down as unavailable: no other cluster member can clean for it', async () => {
    // A backend whose process is gone: its row, its last heartbeat an hour ago.
    const hourAgo = new Date(Date.now() - 3_600_000);
    const rows = c.ds.getRepository(Service);
    await rows.insert({ host: 'cinder1@gone', binary: 'cinder-volume', topic: 'cinder-volume', createdAt: hourAgo, updatedAt: hourAgo, deleted: false });
    try {
      const r = await cleanup({});
      expect([hosts(r.body.cleaning), hosts(r.body.unavailable)]).to.deep.equal([[], ['cinder-volume cinder1@gone null']]);
      expect(hosts((await cleanup({ is_up: false, host: 'cinder1' })).body.unavailable)).to.deep.equal(['cinder-volume cinder1@gone null']);
      expect(hosts((await cleanup({ is_up: true })).body.cleaning)).to.deep.equal(['cinder-volume cinder1@backend1 null', 'cinder-volume cinder1@backend2 null']);
    } finally {
      await rows.delete({ host: 'cinder1@gone' });
    }
  });
});
