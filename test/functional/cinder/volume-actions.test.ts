// Every volume action over HTTP on fake:// + SQLite: success paths and their errors (code +
// message, as Cinder's), state checked after each step.
import { expect } from 'chai';
import type { FakeDriver } from '../../../cinder-volume/drivers';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from './cinder-stack';

const CONNECTOR = { ip: '10.160.161.32', host: 'xfolsom', initiator: 'iqn.1993-08.org.debian:01:11a1a0aa28f1' };
const SERVER = '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2';
const OTHER_SERVER = '0b7a3f5e-6c1d-4e2a-9f48-2d5c7e91a3b6';
const ADMIN = 'admin:demo';

describe('cinder-api volume actions', function () {
  let c: Cinder;
  let fake: FakeDriver;
  before(async () => {
    c = await startCinder();
    fake = c.volume.backends[0].driver as FakeDriver;
  });
  after(async () => { await c?.stop(); });

  const attached = async (): Promise<string> => {
    const id = await c.createVolume();
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(id, 'os-initialize_connection', { connector: CONNECTOR })).status).to.equal(200);
    expect((await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' })).status).to.equal(202);
    return id;
  };

  it('unknown volume, other project, unknown action, bad bodies', async () => {
    const missing = '951be889-b794-4723-9ac9-efde61cacf3a';
    let r = await c.action(missing, 'os-reserve', null);
    expect(r.status).to.equal(404);
    expect(r.body).to.deep.equal({ itemNotFound: { code: 404, message: `Volume ${missing} could not be found.` } });
    // the body is checked before the lookup (Cinder's schema decorator runs first)
    r = await c.action(missing, 'os-attach', {});
    expect(r.status).to.equal(400);
    const id = await c.createVolume();
    r = await c.action(id, 'os-reserve', null, 'other:other');
    expect(r.status).to.equal(404);
    r = await c.action(id, 'os-bogus', null);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('There is no such action: os-bogus. Verify the request body and Content-Type header and try again.');
    r = await c.req('POST', `/v3/demo/volumes/${id}/action`, { body: '{"os-reserve": ' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Malformed request body');
    r = await c.req('POST', `/v3/demo/volumes/${id}/action`, { body: '[]' });
    expect(r.status).to.equal(400);
    r = await c.req('POST', `/v3/demo/volumes/${id}/action`, { body: JSON.stringify({ 'os-reserve': 'x'.repeat(200_000) }) });
    expect(r.status).to.equal(413);
    r = await c.req('POST', `/v3/demo/volumes/${id}/action`, { token: null, body: { 'os-reserve': null } });
    expect(r.status).to.equal(401);
    expect(r.body.unauthorized.code).to.equal(401);
  });

  it('os-reserve / os-unreserve', async () => {
    const id = await c.createVolume();
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('attaching');
    const r = await c.action(id, 'os-reserve', null);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid volume: Volume status must be available to reserve, but the status is attaching.');
    expect((await c.action(id, 'os-unreserve', null)).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('available');
    // not attaching: a silent no-op
    expect((await c.action(id, 'os-unreserve', null)).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('available');
    // attaching with an attachment (a multiattach volume reserved again): back to in-use
    const held = await attached();
    expect(await c.api.volumes.db.volumeConditionalUpdate(held, { status: 'in-use' }, { status: 'attaching' })).to.equal(true);
    expect((await c.action(held, 'os-unreserve', null)).status).to.equal(202);
    expect((await c.show(held)).status).to.equal('in-use');
  });

  it('os-initialize_connection returns the seed-shaped connection_info; bad connectors are 400; backend failure 500', async () => {
    const id = await c.createVolume();
    let r = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR });
    expect(r.status).to.equal(200);
    const ci = r.body.connection_info;
    expect(ci.driver_volume_type).to.equal('iscsi');
    // exactly the keys of the seed's "initialize the connection" answer (docs/attach-detach.md)
    expect(Object.keys(ci.data).sort()).to.deep.equal(['access_mode', 'auth_method', 'auth_password', 'auth_username', 'encrypted',
      'qos_specs', 'target_discovered', 'target_iqn', 'target_lun', 'target_portal', 'volume_id']);
    expect(ci.data).to.include({ target_iqn: `iqn.2010-10.org.openstack:volume-${id}`, target_lun: 1, volume_id: id, auth_method: 'CHAP',
      access_mode: 'rw', encrypted: false, qos_specs: null, target_discovered: false, target_portal: '127.0.0.1:3260' });
    expect(ci.data.auth_password).to.have.length(20);
    expect((await c.show(id)).status).to.equal('available');
    // the same CHAP credentials on a second call
    r = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR });
    expect(r.body.connection_info.data.auth_password).to.equal(ci.data.auth_password);

    r = await c.action(id, 'os-initialize_connection', { connector: { ip: '1.2.3.4', host: 'h' } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input received: Connector doesn't have required information: initiator");
    // Cinder's iSCSI targets check only that the key is there.
    for (const initiator of ['', [], null]) {
      expect((await c.action(id, 'os-initialize_connection', { connector: { ...CONNECTOR, initiator } })).status, JSON.stringify(initiator)).to.equal(200);
    }
    r = await c.action(id, 'os-initialize_connection', {});
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute os-initialize_connection. Value: {}. 'connector' is a required property");
    r = await c.action(id, 'os-initialize_connection', { connector: 5 });
    expect(r.status).to.equal(400);
    fake.failNext.set('initializeConnection', new Error('backend exploded'));
    r = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR });
    expect(r.status).to.equal(500);
    expect(r.body).to.deep.equal({ computeFault: { code: 500, message: 'Unable to fetch connection information from backend.' } });
  });

  it('os-initialize_connection with a multipath connector adds the portal/iqn/lun lists', async () => {
    const id = await c.createVolume();
    const r = await c.action(id, 'os-initialize_connection', { connector: { ...CONNECTOR, multipath: true } });
    expect(r.status).to.equal(200);
    const d = r.body.connection_info.data;
    expect(d).to.deep.include({ target_portals: ['127.0.0.1:3260'], target_iqns: [`iqn.2010-10.org.openstack:volume-${id}`], target_luns: [1] });
    expect(d).to.include({ target_portal: '127.0.0.1:3260', target_lun: 1 });
  });

  it('os-initialize_connection in maintenance is 400', async () => {
    const id = await c.createVolume();
    expect((await c.action(id, 'os-reset_status', { status: 'maintenance' }, ADMIN)).status).to.equal(202);
    const r = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid volume: The volume connection cannot be initialized in maintenance mode.');
    const a = await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb' });
    expect(a.body.badRequest.message).to.equal('Invalid volume: The volume cannot be attached in maintenance mode.');
    const d = await c.action(id, 'os-detach', {});
    expect(d.body.badRequest.message).to.equal('Invalid volume: The volume cannot be detached in maintenance mode.');
    const u = await c.req('PUT', `/v3/demo/volumes/${id}`, { body: { volume: { name: 'x' } } });
    expect(u.status).to.equal(400);
    expect(u.body.badRequest.message).to.equal('Invalid volume: The volume cannot be updated during maintenance.');
  });

  it('os-attach records the attachment (in-use) and shows it; a second attach is 400', async () => {
    const id = await attached();
    const v = await c.show(id);
    expect(v.status).to.equal('in-use');
    expect(v.attachments).to.have.length(1);
    expect(v.attachments[0]).to.include({ id, volume_id: id, server_id: SERVER, device: '/dev/vdb', host_name: null });
    expect(v.attachments[0].attachment_id).to.be.a('string');
    const r = await c.action(id, 'os-attach', { instance_uuid: '11111111-2222-3333-4444-555555555555', mountpoint: '/dev/vdc' });
    expect(r.status).to.equal(400);
    // cinder-volume's InvalidVolume comes back rebuilt, not as a RemoteError: its own text (Cinder
    // appends the remote traceback to it).
    expect(r.body.badRequest.message).to.equal('Invalid volume: volume is already attached and multiple attachments are not enabled');
  });

  it('os-attach records its host_name sanitized, as Cinder (RFC 952: word characters, dots, dashes; lower case)', async () => {
    const id = await c.createVolume();
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(id, 'os-attach', { host_name: '.My_Host %00é☃-', mountpoint: '/dev/vdb' })).status).to.equal(202);
    expect((await c.show(id, ADMIN)).attachments.map((a: { host_name: string }) => a.host_name)).to.deep.equal(['my-host-00é']);
    // The same host, spelt as given, finds that attachment again rather than making a second.
    expect((await c.action(id, 'os-attach', { host_name: '.My_Host %00é☃-', mountpoint: '/dev/vdb' })).status).to.equal(202);
    expect((await c.show(id)).attachments).to.have.length(1);
  });

  it('os-attach body errors', async () => {
    const id = await c.createVolume();
    let r = await c.action(id, 'os-attach', { instance_uuid: SERVER });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid input for field/attribute os-attach. Value: {'instance_uuid': '${SERVER}'}. 'mountpoint' is a required property`);
    r = await c.action(id, 'os-attach', { mountpoint: '/dev/vdb' });
    expect(r.status).to.equal(400);
    r = await c.action(id, 'os-attach', { instance_uuid: 'not-a-uuid', mountpoint: '/dev/vdb' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute instance_uuid. Value: not-a-uuid. 'not-a-uuid' is not a 'uuid'");
    r = await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rx' });
    expect(r.status).to.equal(400);
    r = await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', extra: 1 });
    expect(r.status).to.equal(400);
    // host_name instead of instance_uuid is fine
    r = await c.action(id, 'os-attach', { host_name: 'baremetal1', mountpoint: '/dev/sdb' });
    expect(r.status).to.equal(202);
    expect((await c.show(id)).status).to.equal('in-use');
  });

  it('os-attach adds readonly=False admin metadata (shown in metadata); readonly flag only on an available volume', async () => {
    const id = await attached();
    expect((await c.show(id)).metadata).to.deep.equal({ readonly: 'False', attached_mode: 'rw' });
    const r = await c.action(id, 'os-update_readonly_flag', { readonly: true });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: Volume ${id} status must be available to update readonly flag, but current status is: in-use.`);
    expect((await c.action(id, 'os-detach', {})).status).to.equal(202);
    expect((await c.show(id)).metadata).to.deep.equal({ readonly: 'False' });
  });

  it('an action body must name exactly one action', async () => {
    const id = await c.createVolume();
    const r = await c.req('POST', `/v3/demo/volumes/${id}/action`, { body: { 'os-reserve': null, 'os-unreserve': null } });
    expect(r.status).to.equal(400);
    expect(r.body).to.deep.equal({ badRequest: { code: 400, message: 'Malformed request body' } });
    expect((await c.show(id)).status).to.equal('available');
  });

  it('os-begin_detaching / os-roll_detaching', async () => {
    const avail = await c.createVolume();
    let r = await c.action(avail, 'os-begin_detaching', null);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid volume: Unable to detach volume. Volume status must 'in-use' and attach_status must be 'attached' to detach.".replace("must 'in-use'", "must be 'in-use'"));
    const id = await attached();
    expect((await c.action(id, 'os-begin_detaching', null)).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('detaching');
    r = await c.action(id, 'os-begin_detaching', null);
    expect(r.status).to.equal(400);
    expect((await c.action(id, 'os-roll_detaching', null)).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('in-use');
    // not detaching: no-op
    expect((await c.action(id, 'os-roll_detaching', null)).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('in-use');
  });

  it('os-terminate_connection + os-detach: the export goes, the volume is available again', async () => {
    const id = await attached();
    expect(fake.exports.has(id)).to.equal(true);
    expect((await c.action(id, 'os-begin_detaching', null)).status).to.equal(202);
    expect((await c.action(id, 'os-terminate_connection', { connector: CONNECTOR })).status).to.equal(202);
    expect(fake.exports.has(id)).to.equal(false);
    expect((await c.show(id)).status).to.equal('detaching');
    const v = await c.show(id);
    const r = await c.action(id, 'os-detach', { attachment_id: v.attachments[0].attachment_id });
    expect(r.status).to.equal(202);
    const after = await c.show(id);
    expect(after.status).to.equal('available');
    expect(after.attachments).to.deep.equal([]);
    // detaching a detached volume is still 202 (tempest cleanup)
    expect((await c.action(id, 'os-detach', {})).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('available');
  });

  it('os-terminate_connection unreserves an attaching volume; backend failure is 500', async () => {
    const id = await c.createVolume();
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(id, 'os-initialize_connection', { connector: CONNECTOR })).status).to.equal(200);
    expect((await c.action(id, 'os-terminate_connection', { connector: CONNECTOR })).status).to.equal(202);
    expect((await c.show(id)).status).to.equal('available');
    let r = await c.action(id, 'os-terminate_connection', {});
    expect(r.status).to.equal(400);
    fake.failNext.set('terminateConnection', new Error('boom'));
    r = await c.action(id, 'os-terminate_connection', { connector: CONNECTOR });
    expect(r.status).to.equal(500);
    expect(r.body.computeFault.message).to.equal('Unable to terminate volume connection from backend.');
  });

  it('os-detach body errors; an attachment of another volume', async () => {
    const other = await attached();
    const aid = (await c.show(other)).attachments[0].attachment_id;
    const id = await c.createVolume();
    const m = await c.action(id, 'os-detach', { attachment_id: aid });
    expect(m.status).to.equal(400);
    expect(m.body.badRequest.message).to.equal('Invalid input received: Mismatched volume and attachment');
    const r = await c.action(id, 'os-detach', { attachment_id: 'xxx' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute attachment_id. Value: xxx. 'xxx' is not valid under any of the given schemas");
  });

  it('os-detach null: 404 for an unknown volume, else 400, and the attached volume stays attached', async () => {
    expect((await c.action('951be889-b794-4723-9ac9-efde61cacf3a', 'os-detach', null)).status).to.equal(404);
    const id = await attached();
    const r = await c.action(id, 'os-detach', null);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid input received: os-detach must be an object, not null');
    const v = await c.show(id);
    expect([v.status, v.attachments.length]).to.deep.equal(['in-use', 1]);
  });

  it('os-extend', async () => {
    const id = await c.createVolume(1);
    let r = await c.action(id, 'os-extend', { new_size: 1 });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid input received: New size for extend must be greater than current size. (current: 1, extended: 1).');
    r = await c.action(id, 'os-extend', { new_size: 0 });
    expect(r.status).to.equal(400);
    r = await c.action(id, 'os-extend', { new_size: 'abc' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute new_size. Value: abc. 'abc' does not match '^[0-9]+$'");
    r = await c.action(id, 'os-extend', { new_size: '3' });
    expect(r.status).to.equal(202);
    const v = await c.show(id);
    expect(v.size).to.equal(3);
    expect(v.status).to.equal('available');
    const used = await attached();
    r = await c.action(used, 'os-extend', { new_size: 2 });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: Volume ${used} status must be '{'status': 'available'}' to extend, currently in-use.`);
    // from 3.42 an in-use volume may be extended, and stays in-use
    r = await c.req('POST', `/v3/demo/volumes/${used}/action`, { body: { 'os-extend': { new_size: 2 } }, headers: { 'OpenStack-API-Version': 'volume 3.42' } });
    expect(r.status).to.equal(202);
    const grown = await c.show(used);
    expect(grown.size).to.equal(2);
    expect(grown.status).to.equal('in-use');
  });

  it('os-extend of a volume no backend took: 400, and neither its status nor the quota moves', async () => {
    const lift = await c.req('PUT', '/v3/demo/os-quota-sets/demo', { token: ADMIN, body: { quota_set: { volumes: -1, gigabytes: -1, per_volume_gigabytes: -1 } } });
    expect(lift.status, JSON.stringify(lift.body)).to.equal(200);
    const made = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1_000_000, name: 'huge' } } });
    expect(made.status).to.equal(202);
    const id = made.body.volume.id as string;
    await waitFor(async () => (await c.show(id)).status === 'error', 10_000, 'no backend for it', 20);
    expect((await c.action(id, 'os-reset_status', { status: 'available' }, ADMIN)).status).to.equal(202);
    for (let i = 0; i < 2; i++) {
      const r = await c.action(id, 'os-extend', { new_size: 1_000_001 });
      expect(r.status).to.equal(400);
      expect(r.body.badRequest.message).to.equal(`Invalid volume: Volume ${id} has no host: it cannot be extended.`);
      expect((await c.show(id)).status).to.equal('available');
    }
    const usage = await c.req('GET', '/v3/demo/os-quota-sets/demo?usage=true', { token: ADMIN });
    expect(usage.body.quota_set.gigabytes.reserved).to.equal(0);
  });

  it('os-reset_status to detached during a migration: the status the last but one detach left stands', async () => {
    const id = await c.createVolume();
    const att = { attachment: { volume_uuid: id, instance_uuid: SERVER } };
    const mv = { 'OpenStack-API-Version': 'volume 3.27' };
    // Two reservations of one server (a live migration's), then a migration marked on the volume.
    for (let i = 0; i < 2; i++) expect((await c.req('POST', '/v3/demo/attachments', { body: att, headers: mv })).status).to.equal(200);
    expect((await c.action(id, 'os-reset_status', { migration_status: 'migrating' }, ADMIN)).status).to.equal(202);
    expect((await c.action(id, 'os-reset_status', { status: 'available', attach_status: 'detached' }, ADMIN)).status).to.equal(202);
    // Cinder's volume_detached per attachment: the first leaves the other's 'reserved'; the last,
    // with a migration running, does not set the status.
    const v = await c.show(id);
    expect([v.status, v.attachments]).to.deep.equal(['reserved', []]);
  });

  it('os-reset_status (admin)', async () => {
    const id = await c.createVolume();
    let r = await c.action(id, 'os-reset_status', { status: 'error' });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.");
    r = await c.action(id, 'os-reset_status', { status: 'deleting' }, ADMIN);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Cannot reset-state to deleting');
    r = await c.action(id, 'os-reset_status', { status: 'in-use' }, ADMIN);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Cannot reset-state to in-use because volume does not have any attachments.');
    r = await c.action(id, 'os-reset_status', { status: 'bogus' }, ADMIN);
    expect(r.status).to.equal(400);
    r = await c.action(id, 'os-reset_status', {}, ADMIN);
    expect(r.status).to.equal(400);
    r = await c.action(id, 'os-reset_status', { status: 'ERROR' }, ADMIN);
    expect(r.status).to.equal(202);
    expect((await c.show(id)).status).to.equal('error');
    r = await c.action(id, 'os-reset_status', { status: 'available', attach_status: 'detached' }, ADMIN);
    expect(r.status).to.equal(202);
    expect((await c.show(id)).status).to.equal('available');
  });

  it('os-force_detach (admin) after a reset to error', async () => {
    const id = await attached();
    const aid = (await c.show(id)).attachments[0].attachment_id;
    let r = await c.action(id, 'os-force_detach', { connector: null, attachment_id: aid });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow volume_extension:volume_admin_actions:force_detach to be performed.");
    expect((await c.action(id, 'os-reset_status', { status: 'error' }, ADMIN)).status).to.equal(202);
    r = await c.action(id, 'os-force_detach', { connector: null, attachment_id: aid }, ADMIN);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const v = await c.show(id);
    expect(v.status).to.equal('available');
    expect(v.attachments).to.deep.equal([]);
    fake.failNext.set('terminateConnection', new Error('boom'));
    r = await c.action(id, 'os-force_detach', {}, ADMIN);
    expect(r.status).to.equal(500);
    expect(r.body.computeFault.message).to.equal('Unable to terminate volume connection from backend.');
  });

  it('os-set_bootable (200), os-update_readonly_flag (202; ro attach only), os-force_delete (admin)', async () => {
    const id = await c.createVolume();
    let r = await c.action(id, 'os-set_bootable', { bootable: true });
    expect(r.status).to.equal(200);
    expect((await c.show(id)).bootable).to.equal('true');
    r = await c.action(id, 'os-set_bootable', { bootable: 'maybe' });
    expect(r.status).to.equal(400);
    r = await c.action(id, 'os-update_readonly_flag', { readonly: true });
    expect(r.status).to.equal(202);
    expect((await c.show(id)).metadata).to.deep.equal({ readonly: 'True' });
    r = await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid attaching mode 'rw' for volume ${id}.`);
    r = await c.action(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'ro' });
    expect(r.status).to.equal(202);
    expect((await c.show(id)).metadata).to.deep.equal({ readonly: 'True', attached_mode: 'ro' });
    const ci = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR });
    expect(ci.body.connection_info.data.access_mode).to.equal('ro');
    r = await c.action(id, 'os-force_delete', {});
    expect(r.status).to.equal(403);
    r = await c.action(id, 'os-force_delete', {}, ADMIN);
    expect(r.status).to.equal(400); // attached volumes cannot be deleted, even forced
    // forced, Cinder formats "Volume %s must not…" with '' for the status part
    expect(r.body.badRequest.message).to.equal('Invalid volume: Volume  must not be migrating, attached, belong to a group, have snapshots, ' +
      'awaiting a transfer, or be disassociated from snapshots after volume transfer.');
    expect((await c.action(id, 'os-detach', {})).status).to.equal(202);
    expect((await c.show(id)).metadata).to.deep.equal({ readonly: 'True' });
    expect((await c.action(id, 'os-reset_status', { status: 'error' }, ADMIN)).status).to.equal(202);
    r = await c.action(id, 'os-force_delete', {}, ADMIN);
    expect(r.status).to.equal(202);
  });

  it('20 concurrent os-reserve: exactly one wins', async () => {
    const id = await c.createVolume();
    const results = await Promise.all(Array.from({ length: 20 }, () => c.action(id, 'os-reserve', null)));
    const codes = results.map((r) => r.status);
    expect(codes.filter((s) => s === 202)).to.have.length(1);
    expect(codes.filter((s) => s === 400)).to.have.length(19);
    for (const r of results.filter((x) => x.status === 400)) {
      expect(r.body.badRequest.message).to.equal('Invalid volume: Volume status must be available to reserve, but the status is attaching.');
    }
    expect((await c.show(id)).status).to.equal('attaching');
  });

  it('os-migrate_volume_completion (Nova\'s legacy swap): admin only, new_volume required; moves the attachment to the new volume', async () => {
    const old = await attached();
    const target = await c.createVolume();
    let r = await c.action(old, 'os-migrate_volume_completion', { new_volume: target });
    expect(r.status).to.equal(403);
    expect(r.body.forbidden.message).to.equal("Policy doesn't allow volume_extension:volume_admin_actions:migrate_volume_completion to be performed.");
    r = await c.action(old, 'os-migrate_volume_completion', {}, ADMIN);
    expect(r.status).to.equal(400);
    r = await c.action(old, 'os-migrate_volume_completion', { new_volume: 'x' }, ADMIN);
    expect(r.status).to.equal(400);
    // What Nova's compute did first: os-reserve of the new volume, its connection; then the callback.
    expect((await c.action(target, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(target, 'os-initialize_connection', { connector: CONNECTOR })).status).to.equal(200);
    expect((await c.action(old, 'os-begin_detaching', null)).status).to.equal(202);
    r = await c.action(old, 'os-migrate_volume_completion', { new_volume: target, error: false }, ADMIN);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.deep.equal({ save_volume_id: target });
    const [o, n] = [await c.show(old), await c.show(target)];
    expect([o.status, o.attachments]).to.deep.equal(['available', []]);
    expect(n.status).to.equal('in-use');
    expect(n.attachments.map((a: { server_id: string; device: string }) => [a.server_id, a.device])).to.deep.equal([[SERVER, '/dev/vdb']]);
    // A redo finds nothing left on the old volume and changes nothing.
    r = await c.action(old, 'os-migrate_volume_completion', { new_volume: target }, ADMIN);
    expect(r.body).to.deep.equal({ save_volume_id: target });
    expect((await c.show(target)).attachments).to.have.length(1);
  });

  it('os-migrate_volume_completion to a volume that cannot take the attachment refuses before moving anything', async () => {
    const old = await attached();
    const busy = await c.createVolume();
    expect((await c.action(busy, 'os-reserve', null)).status).to.equal(202);
    expect((await c.action(busy, 'os-attach', { instance_uuid: OTHER_SERVER, mountpoint: '/dev/vdc', mode: 'rw' })).status).to.equal(202);
    const before = [await c.show(old), await c.show(busy)];
    // Cinder would detach the old volume's attachment, then fail to attach it to the busy one.
    const r = await c.action(old, 'os-migrate_volume_completion', { new_volume: busy, error: false }, ADMIN);
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid volume: volume is already attached and multiple attachments are not enabled');
    const after = [await c.show(old), await c.show(busy)];
    expect(after.map((v) => [v.status, v.attachments.map((a: { attachment_id: string }) => a.attachment_id)]))
      .to.deep.equal(before.map((v) => [v.status, v.attachments.map((a: { attachment_id: string }) => a.attachment_id)]));
    expect(after[0].attachments).to.have.length(1);
    // A read-only volume: the attachment would be made again 'rw', which the attach refuses.
    const ro = await c.createVolume();
    expect((await c.action(ro, 'os-update_readonly_flag', { readonly: true })).status).to.equal(202);
    const r2 = await c.action(old, 'os-migrate_volume_completion', { new_volume: ro, error: false }, ADMIN);
    expect(r2.status, JSON.stringify(r2.body)).to.equal(400);
    expect(r2.body.badRequest.message).to.equal(`Invalid attaching mode 'rw' for volume ${ro}.`);
    expect(((await c.show(old)).attachments as unknown[]).length).to.equal(1);
    expect([(await c.show(ro)).status, (await c.show(ro)).attachments]).to.deep.equal(['available', []]);
  });
});
