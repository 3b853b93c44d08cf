// os-retype over HTTP on fake:// + SQLite: tempest's retype without migration, an in-use volume,
// the refusals (Cinder's codes and texts), and the per-type quota moved from the old type to the
// new one with nothing left reserved, whether the retype lands or goes back.
import { expect } from 'chai';
import type { FakeDriver } from '../../../cinder-volume/drivers';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from './cinder-stack';

const ADMIN = 'admin:demo';
const CONNECTOR = { ip: '10.160.161.32', host: 'xfolsom', initiator: 'iqn.1993-08.org.debian:01:11a1a0aa28f1' };
const SERVER = '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2';

describe('cinder-api os-retype', function () {
  let c: Cinder;
  let fake: FakeDriver;
  let n = 0;
  before(async () => {
    c = await startCinder();
    fake = c.volume.backends[0].driver as FakeDriver;
  });
  after(async () => { await c?.stop(); });

  const makeType = async (specs: Record<string, string> = {}): Promise<{ id: string; name: string }> => {
    const name = `retype-${++n}`;
    const r = await c.req('POST', '/v3/demo/types', { token: ADMIN, body: { volume_type: { name, extra_specs: specs } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return { id: r.body.volume_type.id, name };
  };
  const volumeOf = async (type: string, size = 1): Promise<string> => {
    const r = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size, name: 'v', volume_type: type } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitFor(async () => (await c.show(r.body.volume.id)).status === 'available', 10_000, 'available', 20);
    return r.body.volume.id as string;
  };
  const retype = (id: string, body: unknown, token?: string) => c.action(id, 'os-retype', body, token);
  const usage = async (): Promise<Record<string, { in_use: number; reserved: number }>> =>
    (await c.req('GET', '/v3/demo/os-quota-sets/demo?usage=true', { token: ADMIN })).body.quota_set;
  const settled = (id: string, status: string, type: string) => waitFor(async () => {
    const v = await c.show(id);
    return v.status === status && v.volume_type === type;
  }, 10_000, `volume ${id} ${status} of type ${type}`, 20);

  it('an available volume changes type in place; its per-type quota moves with it', async () => {
    const [from, to] = [await makeType(), await makeType()];
    const id = await volumeOf(from.name, 2);
    const before = await c.req('GET', `/v3/demo/volumes/${id}`, { token: ADMIN });
    const r = await retype(id, { new_type: to.name, migration_policy: 'never' });
    expect(r.status).to.equal(202);
    await settled(id, 'available', to.name);
    const after = (await c.req('GET', `/v3/demo/volumes/${id}`, { token: ADMIN })).body.volume;
    expect(after['os-vol-host-attr:host']).to.equal(before.body.volume['os-vol-host-attr:host']);
    expect(after.migration_status).to.equal(null);
    const q = await usage();
    expect(q[`volumes_${from.name}`]).to.deep.include({ in_use: 0, reserved: 0 });
    expect(q[`gigabytes_${from.name}`]).to.deep.include({ in_use: 0, reserved: 0 });
    expect(q[`volumes_${to.name}`]).to.deep.include({ in_use: 1, reserved: 0 });
    expect(q[`gigabytes_${to.name}`]).to.deep.include({ in_use: 2, reserved: 0 });
    // By id too, and back (no migration_policy: 'never').
    expect((await retype(id, { new_type: from.id })).status).to.equal(202);
    await settled(id, 'available', from.name);
  });

  it('an in-use volume stays in-use with its attachment', async () => {
    const [from, to] = [await makeType({ 'capabilities:storage_protocol': 'iSCSI' }), await makeType()];
    const id = await volumeOf(from.name);
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(id, 'os-initialize_connection', { connector: CONNECTOR })).status).to.equal(200);
    expect((await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' })).status).to.equal(202);
    expect((await retype(id, { new_type: to.name, migration_policy: 'on-demand' })).status).to.equal(202);
    await settled(id, 'in-use', to.name);
    expect((await c.show(id)).attachments).to.have.length(1);
  });

  it('an in-use volume keeps its front-end QoS: a retype that would change it is refused, a back-end one goes', async () => {
    const [from, front, back] = [await makeType(), await makeType(), await makeType()];
    const qos = async (consumer: string, type: string): Promise<void> => {
      const q = await c.req('POST', '/v3/demo/qos-specs', { token: ADMIN, body: { qos_specs: { name: `qos-${type}`, consumer, total_iops_sec: '9' } } });
      expect((await c.req('GET', `/v3/demo/qos-specs/${q.body.qos_specs.id}/associate?vol_type_id=${type}`, { token: ADMIN })).status).to.equal(202);
    };
    await qos('front-end', front.id);
    await qos('back-end', back.id);
    const id = await volumeOf(from.name);
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(id, 'os-initialize_connection', { connector: CONNECTOR })).status).to.equal(200);
    expect((await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' })).status).to.equal(202);
    const r = await retype(id, { new_type: front.name });
    expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, 'Invalid volume: Retype needs volume to be in available or in-use state, '
      + 'not be part of an active migration or a consistency group, requested type has to be different that the one from the volume, and for '
      + 'in-use volumes front-end qos specs cannot change.']);
    expect((await retype(id, { new_type: back.name })).status).to.equal(202);
    await settled(id, 'in-use', back.name);
  });

  it('refusals: same type, unknown type, bad bodies, multiattach while in use, size bounds, another project', async () => {
    const [from, multi, small] = [await makeType(), await makeType({ multiattach: '<is> True' }), await makeType({ 'provisioning:max_vol_size': '1' })];
    const id = await volumeOf(from.name, 2);
    let r = await retype(id, { new_type: from.name });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid volume: Retype needs volume to be in available or in-use state, not be part of an active '
      + 'migration or a consistency group, requested type has to be different that the one from the volume, and for in-use volumes front-end qos '
      + 'specs cannot change.');
    r = await retype(id, { new_type: 'no-such-type' });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('Volume type with name no-such-type could not be found.');
    r = await retype(id, { new_type: '3f4bc1b4-6c1e-4a43-9bd3-c7a0d6a0c0aa' });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal('Volume type 3f4bc1b4-6c1e-4a43-9bd3-c7a0d6a0c0aa could not be found.');
    r = await retype(id, {});
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.match(/'new_type' is a required property/);
    r = await retype(id, { new_type: multi.name, migration_policy: 'sometimes' });
    expect(r.status).to.equal(400);
    r = await retype(id, { new_type: small.name });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid input received: Specified volume size of '2' is greater than the maximum allowable size of '1' for volume type '${small.name}'.`);
    r = await retype(id, { new_type: multi.name }, 'other:other');
    expect(r.status).to.equal(404);
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    r = await retype(id, { new_type: multi.name });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid input received: Invalid volume_type passed, retypes affecting multiattach are only allowed '
      + 'on available volumes, the specified volume however currently has a status of: attaching.');
    expect((await c.action(id, 'os-unreserve', null)).status).to.equal(202);
    // An available volume may become multiattach.
    expect((await retype(id, { new_type: multi.name })).status).to.equal(202);
    await settled(id, 'available', multi.name);
    expect((await c.show(id)).multiattach).to.equal(true);
    expect((await c.show(id, ADMIN)).status).to.equal('available');
  });

  it('a type\'s provisioning:min_vol_size / max_vol_size bound create and extend too', async () => {
    const bounded = await makeType({ 'provisioning:min_vol_size': '2', 'provisioning:max_vol_size': '3' });
    let r = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1, volume_type: bounded.name } } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid input received: Specified volume size of '1' is less than the minimum required size of '2' for volume type '${bounded.name}'.`);
    const id = await volumeOf(bounded.name, 3);
    r = await c.action(id, 'os-extend', { new_size: 4 });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid input received: Specified volume size of '4' is greater than the maximum allowable size of '3' for volume type '${bounded.name}'.`);
    expect((await c.show(id)).status).to.equal('available');
  });

  it('over the new type\'s quota: 413, and the volume and the quota are as before', async () => {
    const [from, to] = [await makeType(), await makeType()];
    const id = await volumeOf(from.name);
    const set = await c.req('PUT', '/v3/demo/os-quota-sets/demo', { token: ADMIN, body: { quota_set: { [`volumes_${to.name}`]: 0 } } });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    const r = await retype(id, { new_type: to.name });
    expect(r.status).to.equal(413);
    expect(r.body.overLimit.message).to.equal(`VolumeLimitExceeded: Maximum number of volumes allowed (0) exceeded for quota 'volumes_${to.name}'.`);
    expect(await c.show(id)).to.include({ status: 'available', volume_type: from.name });
    const q = await usage();
    expect(q[`volumes_${from.name}`]).to.deep.include({ in_use: 1, reserved: 0 });
    expect(q[`volumes_${to.name}`]).to.deep.include({ in_use: 0, reserved: 0 });
  });

  it('a type the volume\'s backend does not report (CapabilitiesFilter): no cast; the volume goes back with its type, nothing reserved', async () => {
    const [from, to] = [await makeType(), await makeType({ volume_backend_name: 'elsewhere' })];
    const id = await volumeOf(from.name);
    fake.failNext.set('retype', new Error('must not be reached'));
    try {
      expect((await retype(id, { new_type: to.name, migration_policy: 'on-demand' })).status).to.equal(202);
      expect(await c.show(id)).to.include({ status: 'available', volume_type: from.name });
      expect(fake.failNext.has('retype'), 'the backend was never asked').to.equal(true);
    } finally {
      fake.failNext.delete('retype');
    }
    const q = await usage();
    expect(q[`volumes_${from.name}`]).to.deep.include({ in_use: 1, reserved: 0 });
    expect(q[`volumes_${to.name}`]).to.deep.include({ in_use: 0, reserved: 0 });
  });

  it('a backend that cannot retype in place: the volume goes back with its type, nothing reserved', async () => {
    const [from, to] = [await makeType(), await makeType({ 'vendor:some': 'spec' })];
    const id = await volumeOf(from.name);
    fake.failNext.set('retype', new Error('backend says no'));
    expect((await retype(id, { new_type: to.name })).status).to.equal(202);
    await waitFor(async () => (await c.show(id)).status === 'available', 10_000, 'back to available', 20);
    expect((await c.show(id)).volume_type).to.equal(from.name);
    expect(fake.failNext.has('retype')).to.equal(false);
    const q = await usage();
    expect(q[`volumes_${from.name}`]).to.deep.include({ in_use: 1, reserved: 0 });
    expect(q[`volumes_${to.name}`]).to.deep.include({ in_use: 0, reserved: 0 });
  });
});
