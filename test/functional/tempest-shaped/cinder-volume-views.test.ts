// Volume bodies as tempest's volume response schemas see them (tempest 33
// lib/api_schema/response/volume/volumes.py: additionalProperties false, required keys).
// Found by running tempest's volume API tests against the all-in-one.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from '../cinder/cinder-stack';

// The base detail keys every create/update/show carries at 3.0.
const BASE = ['id', 'status', 'size', 'availability_zone', 'created_at', 'updated_at', 'attachments', 'name', 'description',
  'volume_type', 'snapshot_id', 'source_volid', 'metadata', 'links', 'user_id', 'bootable', 'encrypted', 'replication_status',
  'consistencygroup_id', 'multiattach'];
const EXTENSIONS_ADMIN = ['os-vol-tenant-attr:tenant_id', 'os-vol-host-attr:host', 'os-vol-mig-status-attr:migstat', 'os-vol-mig-status-attr:name_id'];

describe('tempest-shaped: cinder volume views', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  it('create (202) has no os-vol-* extension keys and null snapshot_id/source_volid (tempest create_volume schema)', async () => {
    // tempest's create_volume body: {"volume": {"size": 1, "name": ...}}
    let r = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1, name: 'tempest-v' } } });
    expect(r.status).to.equal(202);
    expect(r.body.volume).to.have.all.keys(...BASE);
    expect(r.body.volume).to.include({ snapshot_id: null, source_volid: null, description: null, status: 'creating' });

    r = await c.req('POST', '/v3/admin/volumes', { token: 'admin:admin', body: { volume: { size: 1 } } });
    expect(r.status).to.equal(202);
    expect(r.body.volume).to.have.all.keys(...BASE, 'migration_status');
    expect(r.body.volume.migration_status).to.equal(null);
  });

  it('update (200) has no os-vol-* extension keys; show and list-detail do', async () => {
    const id = await c.createVolume(1, 'admin:admin', 'upd');
    let r = await c.req('PUT', `/v3/admin/volumes/${id}`, { token: 'admin:admin', body: { volume: { name: 'renamed', description: 'd' } } });
    expect(r.status).to.equal(200);
    expect(r.body.volume).to.have.all.keys(...BASE, 'migration_status');

    r = await c.req('GET', `/v3/admin/volumes/${id}`, { token: 'admin:admin' });
    expect(r.status).to.equal(200);
    expect(r.body.volume).to.have.all.keys(...BASE, 'migration_status', ...EXTENSIONS_ADMIN);
    expect(r.body.volume['os-vol-host-attr:host']).to.match(/.+@.+#.+/);

    r = await c.req('GET', '/v3/admin/volumes/detail', { token: 'admin:admin' });
    expect(r.body.volumes.find((v: { id: string }) => v.id === id)).to.have.all.keys(...BASE, 'migration_status', ...EXTENSIONS_ADMIN);
  });

  it('a project reader sees only the tenant attribute on show', async () => {
    const id = await c.createVolume(1, 'demo:demo', 'reader');
    await waitFor(async () => (await c.show(id)).status === 'available', 5000, 'available', 20);
    const r = await c.req('GET', `/v3/demo/volumes/${id}`);
    expect(r.body.volume).to.have.all.keys(...BASE, 'os-vol-tenant-attr:tenant_id');
    expect(r.body.volume['os-vol-tenant-attr:tenant_id']).to.equal('demo');
  });
});
