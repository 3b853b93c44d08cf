// The v3 attachments API (3.27 create/update/delete, 3.44 os-complete) over HTTP: the new-style
// flow (docs/attach-flows.md) with the states after each step, and its errors.
import { expect } from 'chai';
import { CinderDB } from '../../../cinder-common/db-api';
import { waitFor } from '../../support/processes';
import type { FakeDriver } from '../../../cinder-volume/drivers';
import { startCinder, type Cinder, type Json, type Res } from './cinder-stack';

const SERVER = '9de3d836-be91-4348-9fc1-b67d8623157f';
const CONNECTOR = { ip: '127.0.0.1', host: 'compute1', initiator: 'iqn.1993-08.org.debian:01:att', mountpoint: '/dev/vdb' };

describe('cinder-api attachments (3.27 / 3.44)', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  const call = (method: string, path: string, body?: unknown, version = '3.44'): Promise<Res> =>
    c.req(method, `/v3/demo${path}`, { body, headers: { 'OpenStack-API-Version': `volume ${version}` } });

  it('reserve → update (connector) → os-complete → delete, with the volume state after each step', async () => {
    const vid = await c.createVolume();
    let r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } }, '3.27');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const att: Json = r.body.attachment;
    expect(att).to.deep.include({ status: 'reserved', instance: SERVER, volume_id: vid, attached_at: '', detached_at: '', attach_mode: 'null', connection_info: {} });
    expect((await c.show(vid)).status).to.equal('reserved');

    r = await call('PUT', `/attachments/${att.id}`, { attachment: { connector: CONNECTOR } }, '3.27');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const ci = r.body.attachment.connection_info;
    expect(ci).to.include({ driver_volume_type: 'iscsi', attachment_id: att.id, target_iqn: `iqn.2010-10.org.openstack:volume-${vid}`,
      target_lun: 1, auth_method: 'CHAP', access_mode: 'rw', volume_id: vid });
    expect(r.body.attachment.status).to.equal('attaching');
    expect(r.body.attachment.attach_mode).to.equal('rw');
    expect((await c.show(vid)).status).to.equal('attaching');
    expect((c.volume.backends[0].driver as FakeDriver).exports.has(vid)).to.equal(true);

    r = await call('POST', `/attachments/${att.id}/action`, { 'os-complete': null });
    expect(r.status).to.equal(204);
    const v = await c.show(vid);
    expect(v.status).to.equal('in-use');
    expect(v.attachments[0]).to.include({ attachment_id: att.id, server_id: SERVER, device: '/dev/vdb' });

    r = await call('GET', `/attachments?volume_id=${vid}`);
    expect(r.body.attachments).to.deep.equal([{ id: att.id, status: 'attached', instance: SERVER, volume_id: vid }]);
    r = await call('GET', `/attachments/${att.id}`);
    expect(r.body.attachment.status).to.equal('attached');
    // Set when the connection was made (the update with a connector), as Cinder's volume_attached.
    expect(r.body.attachment.attached_at).to.match(/^\d{4}-\d\d-\d\dT/);

    expect((await c.action(vid, 'os-begin_detaching', null)).status).to.equal(202);
    r = await call('DELETE', `/attachments/${att.id}`);
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ attachments: [] });
    expect((await c.show(vid)).status).to.equal('available');
    expect((c.volume.backends[0].driver as FakeDriver).exports.has(vid)).to.equal(false);
  });

  it('os-complete without a connection: attached, with no attached_at (Cinder sets it only with a connector)', async () => {
    const vid = await c.createVolume();
    const id = (await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } }, '3.27')).body.attachment.id as string;
    expect((await call('POST', `/attachments/${id}/action`, { 'os-complete': null })).status).to.equal(204);
    const r = await call('GET', `/attachments/${id}`);
    expect(r.body.attachment).to.deep.include({ status: 'attached', attached_at: '' });
    expect((await c.show(vid)).status).to.equal('in-use');
  });

  it('os-complete on a volume being deleted is refused (400) and changes nothing: the attach is the caller\'s to roll back', async () => {
    const vid = await c.createVolume();
    let r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } }, '3.27');
    const id = r.body.attachment.id as string;
    expect((await call('PUT', `/attachments/${id}`, { attachment: { connector: CONNECTOR } }, '3.27')).status).to.equal(200);
    // A forced delete took the volume (delete's CAS passes an attach in flight) and its cast is on the way.
    expect(await new CinderDB(c.ds).volumeConditionalUpdate(vid, { status: 'attaching' }, { status: 'deleting' })).to.equal(true);
    r = await call('POST', `/attachments/${id}/action`, { 'os-complete': null });
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: Volume ${vid} is being deleted: its attachment ${id} cannot be completed.`);
    expect((await c.show(vid)).status).to.equal('deleting');
    expect((await call('GET', `/attachments/${id}`)).body.attachment.status).to.equal('attaching');
  });

  it('an admin\'s all_tenants list keeps to the project_id asked; a member\'s lists its own project only', async () => {
    const mine = await c.createVolume(1, 'demo:demo');
    const theirs = await c.createVolume(1, 'other:other');
    for (const [vid, token] of [[mine, 'demo:demo'], [theirs, 'other:other']]) {
      const r = await c.req('POST', `/v3/${token.split(':')[1]}/attachments`, { token, body: { attachment: { volume_uuid: vid, instance_uuid: SERVER } }, headers: { 'OpenStack-API-Version': 'volume 3.27' } });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
    }
    const volumesOf = async (path: string, token: string): Promise<string[]> => {
      const r = await c.req('GET', path, { token, headers: { 'OpenStack-API-Version': 'volume 3.27' } });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return (r.body.attachments as Json[]).map((a) => a.volume_id as string);
    };
    expect(await volumesOf('/v3/admin/attachments?all_tenants=1', 'admin:admin')).to.include.members([mine, theirs]);
    expect(await volumesOf('/v3/admin/attachments?all_tenants=1&project_id=other', 'admin:admin')).to.deep.equal([theirs]);
    expect(await volumesOf('/v3/admin/attachments/detail?all_tenants=1&project_id=demo', 'admin:admin')).to.include(mine).and.not.include(theirs);
    expect(await volumesOf('/v3/demo/attachments?all_tenants=1&project_id=other', 'demo:demo')).to.include(mine).and.not.include(theirs);
    // What Nova sends as the volume's user (3.44, where a user's filters are checked): all_tenants
    // only drops out, it filters nothing.
    for (const mv of ['3.27', '3.44']) {
      const r = await c.req('GET', `/v3/demo/attachments?all_tenants=1&volume_id=${mine}&instance_id=${SERVER}`, { token: 'demo:demo', headers: { 'OpenStack-API-Version': `volume ${mv}` } });
      expect((r.body.attachments as Json[]).map((a) => a.volume_id), mv).to.deep.equal([mine]);
    }
  });

  it('a connector for a volume no backend took: 400, and the attachment made for it is gone', async () => {
    const lift = await c.req('PUT', '/v3/demo/os-quota-sets/demo', { token: 'admin:demo', body: { quota_set: { volumes: -1, gigabytes: -1, per_volume_gigabytes: -1 } } });
    expect(lift.status).to.equal(200);
    const vid = (await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1_000_000 } } })).body.volume.id as string;
    await waitFor(async () => (await c.show(vid)).status === 'error', 10_000, 'no backend for it', 20);
    expect((await c.action(vid, 'os-reset_status', { status: 'available' }, 'admin:demo')).status).to.equal(202);
    const r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER, connector: CONNECTOR } });
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: Volume ${vid} has no host: it cannot be connected.`);
    expect((await call('GET', `/attachments?volume_id=${vid}`)).body.attachments).to.deep.equal([]);
    expect((await c.show(vid)).status).to.equal('available');
  });

  it('an attachment deleted by a racing request while it is being connected: 404, not a 500', async () => {
    const vid = await c.createVolume();
    let r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } });
    const id = r.body.attachment.id as string;
    // The racing DELETE lands between cinder-api's read of the attachment and cinder-volume's.
    const manager = c.volume.backends[0].manager as unknown as { attachmentUpdate: (ctxt: unknown, args: Record<string, unknown>) => Promise<unknown> };
    const real = manager.attachmentUpdate.bind(manager);
    manager.attachmentUpdate = async (ctxt, args) => {
      await new CinderDB(c.ds).attachmentDestroy(String(args.attachment_id));
      return real(ctxt, args);
    };
    try {
      r = await call('PUT', `/attachments/${id}`, { attachment: { connector: CONNECTOR } });
    } finally {
      manager.attachmentUpdate = real;
    }
    expect(r.status, JSON.stringify(r.body)).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Volume attachment could not be found with filter: attachment_id = ${id}.`);
  });

  /** PUT the attachment's connector, with `during` run inside the driver's initialize_connection. */
  async function connectWhile(id: string, during: () => Promise<void>): Promise<Res> {
    const driver = c.volume.backends[0].driver as FakeDriver;
    const real = driver.initializeConnection.bind(driver);
    driver.initializeConnection = async (...a: Parameters<FakeDriver['initializeConnection']>) => {
      await during();
      return real(...a);
    };
    try {
      return await call('PUT', `/attachments/${id}`, { attachment: { connector: CONNECTOR } });
    } finally {
      driver.initializeConnection = real;
    }
  }

  it("an attachment deleted while cinder-volume connects it: 404, the volume left as the delete set it, and no export left", async () => {
    // A race probe left the volume 'attaching' with no attachment: cinder-api deletes a
    // 'reserved' attachment itself, without waiting for the volume's lock.
    const vid = await c.createVolume();
    const id = (await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } })).body.attachment.id as string;
    let deleted: Res | null = null;
    const r = await connectWhile(id, async () => { deleted = await call('DELETE', `/attachments/${id}`); });
    expect(deleted!.status).to.equal(200);
    expect(r.status, JSON.stringify(r.body)).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Volume attachment could not be found with filter: attachment_id = ${id}.`);
    const v = await c.show(vid, 'admin:demo');
    expect([v.status, v.attachments]).to.deep.equal(['available', []]);
    expect(await (c.volume.backends[0].driver as FakeDriver).listExports()).to.not.include(vid);
    expect((await new CinderDB(c.ds).volumeGet(vid))?.providerLocation).to.equal(null);
  });

  it("an attachment deleted as cinder-volume marks its volume 'attaching': 404, and the volume back to available", async () => {
    // The multi-process race probe's order: the delete lands between cinder-volume's writes.
    const vid = await c.createVolume();
    const id = (await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } })).body.attachment.id as string;
    const db = (c.volume.backends[0].manager as unknown as { d: { db: CinderDB } }).d.db;
    const real = db.volumeConditionalUpdate.bind(db);
    let deleted = 0;
    db.volumeConditionalUpdate = async (...a: Parameters<CinderDB['volumeConditionalUpdate']>) => {
      const r = await real(...a);
      if (!deleted && (a[2] as { status?: string }).status === 'attaching') deleted = (await call('DELETE', `/attachments/${id}`)).status;
      return r;
    };
    let r: Res;
    try {
      r = await call('PUT', `/attachments/${id}`, { attachment: { connector: CONNECTOR } });
    } finally {
      db.volumeConditionalUpdate = real;
    }
    expect(deleted).to.equal(200);
    expect(r.status, JSON.stringify(r.body)).to.equal(404);
    const v = await c.show(vid, 'admin:demo');
    expect([v.status, v.attachments]).to.deep.equal(['available', []]);
  });

  it('an attachment completed while cinder-volume connects it: the volume follows it (in-use), not left attaching', async () => {
    const vid = await c.createVolume();
    const id = (await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } })).body.attachment.id as string;
    const r = await connectWhile(id, async () => {
      expect((await call('POST', `/attachments/${id}/action`, { 'os-complete': null })).status).to.equal(204);
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect((await call('GET', `/attachments/${id}`)).body.attachment.status).to.equal('attached');
    const v = await c.show(vid, 'admin:demo');
    expect([v.status, v.attachments.map((a: Json) => a.attachment_id)]).to.deep.equal(['in-use', [id]]);
    expect((await call('DELETE', `/attachments/${id}`)).status).to.equal(200);
  });

  it('lists sorted, paged and filtered on volume_attachment columns (found by the differential test)', async () => {
    const [v1, v2] = [await c.createVolume(1, 'admin:alist'), await c.createVolume(1, 'admin:alist')];
    const list = (q: string): Promise<Res> => c.req('GET', `/v3/alist/attachments${q}`, { token: 'admin:alist', headers: { 'OpenStack-API-Version': 'volume 3.27' } });
    const made: string[] = [];
    for (const vid of [v1, v2]) {
      const r = await c.req('POST', '/v3/alist/attachments', { token: 'admin:alist', headers: { 'OpenStack-API-Version': 'volume 3.27' }, body: { attachment: { volume_uuid: vid, instance_uuid: SERVER } } });
      made.push(r.body.attachment.id);
    }
    const ids = (r: Res): string[] => r.body.attachments.map((a: Json) => a.id);
    expect((await list('?limit=1')).body.attachments).to.have.length(1);
    const all = ids(await list('?sort=volume_id:asc'));
    expect(all).to.deep.equal(made.map((id, i) => [id, [v1, v2][i]]).sort((x, y) => (x[1] < y[1] ? -1 : 1)).map(([id]) => id));
    expect(ids(await list(`?marker=${all[0]}&sort=volume_id:asc`))).to.deep.equal([all[1]]);
    expect(ids(await list('?offset=1&sort=volume_id:asc'))).to.deep.equal([all[1]]);
    expect(ids(await list(`?volume_id=${v1}`))).to.deep.equal([made[0]]);
    expect(ids(await list('?attach_status=reserved')).sort()).to.deep.equal([...made].sort());
    // status names no column (it is attach_status), nor does an unknown key: nothing matches.
    expect(ids(await list('?status=reserved'))).to.deep.equal([]);
    expect(ids(await list('?bogus=1&sort=bogus'))).to.deep.equal([]);
    expect((await list('?sort=bogus')).status).to.equal(400);
    const gone = await list('?marker=951be889-b794-4723-9ac9-efde61cacf3a');
    expect([gone.status, gone.body.itemNotFound?.message]).to.deep.equal([404, 'Volume attachment could not be found with filter: attachment_id = 951be889-b794-4723-9ac9-efde61cacf3a.']);
  });

  it('a list\'s marker is a live attachment by id: one the filters leave out still says where the page starts; a user\'s from its own project', async () => {
    const mv = { 'OpenStack-API-Version': 'volume 3.27' };
    const OTHER = 'a1b2c3d4-0000-4000-8000-000000000001';
    const attach = async (token: string, instance: string): Promise<{ id: string; vid: string }> => {
      const project = token.split(':')[1];
      const vid = await c.createVolume(1, token);
      const r = await c.req('POST', `/v3/${project}/attachments`, { token, headers: mv, body: { attachment: { volume_uuid: vid, instance_uuid: instance } } });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return { id: r.body.attachment.id, vid };
    };
    const mine = [await attach('admin:amark', SERVER), await attach('admin:amark', SERVER), await attach('admin:amark', SERVER)];
    const left = await attach('admin:amark', OTHER);
    const list = (q: string, token = 'admin:amark'): Promise<Res> => c.req('GET', `/v3/${token.split(':')[1]}/attachments${q}`, { token, headers: mv });
    const after = (m: { vid: string }, rows: Array<{ id: string; vid: string }>): string[] => rows.filter((a) => a.vid > m.vid).sort((x, y) => (x.vid < y.vid ? -1 : 1)).map((a) => a.id);
    const ids = (r: Res): string[] => { expect(r.status, JSON.stringify(r.body)).to.equal(200); return r.body.attachments.map((a: Json) => a.id); };
    // Filtered out by instance_id: the page starts after its volume_id all the same.
    expect(ids(await list(`?instance_id=${SERVER}&sort=volume_id:asc&marker=${left.id}`))).to.deep.equal(after(left, mine));
    // Another project's attachment is no user's marker (Cinder's would be: a deliberate difference);
    // an admin's all-tenants list takes it.
    const theirs = await attach('u:amark2', SERVER);
    const foreign = await list(`?sort=volume_id:asc&marker=${left.id}`, 'u:amark2');
    expect([foreign.status, foreign.body.itemNotFound?.message]).to.deep.equal([404, `Volume attachment could not be found with filter: attachment_id = ${left.id}.`]);
    // Exactly those of every project whose volume sorts after the marker's (none, when its volume id is the greatest).
    const everyone = await list(`?all_tenants=1&instance_id=${SERVER}&sort=volume_id:asc`, 'admin:amark2');
    const rows = (everyone.body.attachments as Json[]).map((a) => ({ id: a.id as string, vid: a.volume_id as string }));
    expect(rows.map((r) => r.id)).to.include.members([...mine, theirs].map((a) => a.id));
    expect(ids(await list(`?all_tenants=1&instance_id=${SERVER}&sort=volume_id:asc&marker=${left.id}`, 'admin:amark2'))).to.deep.equal(after(left, rows));
    // A deleted attachment is no marker.
    expect((await c.req('DELETE', `/v3/amark/attachments/${left.id}`, { token: 'admin:amark', headers: mv })).status).to.equal(200);
    const gone = await list(`?instance_id=${SERVER}&marker=${left.id}`);
    expect([gone.status, gone.body.itemNotFound?.message]).to.deep.equal([404, `Volume attachment could not be found with filter: attachment_id = ${left.id}.`]);
  });

  it('a paging or sorting key given twice: the first value pages, the later one is a filter naming no column', async () => {
    const vid = await c.createVolume(1, 'admin:atwice');
    const list = (q: string, token = 'admin:atwice', mv = '3.27'): Promise<Res> =>
      c.req('GET', `/v3/atwice/attachments${q}`, { token, headers: { 'OpenStack-API-Version': `volume ${mv}` } });
    await c.req('POST', '/v3/atwice/attachments', { token: 'admin:atwice', headers: { 'OpenStack-API-Version': 'volume 3.27' }, body: { attachment: { volume_uuid: vid, instance_uuid: SERVER } } });
    expect((await list('?limit=1')).body.attachments).to.have.length(1);
    expect((await list('?limit=1&limit=1')).body.attachments).to.deep.equal([]);
    expect((await list('?sort=volume_id:asc&sort=volume_id:asc')).body.attachments).to.deep.equal([]);
    const bad = await list('?offset=x&offset=0');
    expect([bad.status, bad.body.badRequest?.message]).to.deep.equal([400, 'offset must be an integer']);
    // A user's leftover is refused from 3.31.
    const refused = await list('?offset=0&offset=0', 'atwice:atwice', '3.31');
    expect([refused.status, refused.body.badRequest?.message]).to.deep.equal([400, 'Invalid filters offset are found in query options.']);
  });

  it("a multiattach volume reserved for another server: 400 naming the statuses Cinder's _attachment_reserve expects of it", async () => {
    const t = await c.req('POST', '/v3/demo/types', { token: 'admin:demo', body: { volume_type: { name: 'att-multiattach', extra_specs: { multiattach: '<is> True' } } } });
    expect(t.status, JSON.stringify(t.body)).to.equal(200);
    const v = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1, volume_type: 'att-multiattach' } } });
    const vid = v.body.volume.id as string;
    await waitFor(async () => (await c.show(vid)).status === 'available', 10_000, 'available', 20);
    const first = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } });
    expect(first.status).to.equal(200);
    const r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: 'a1b2c3d4-0000-4000-8000-000000000000' } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: Volume ${vid} status must be available or in-use or downloading to reserve, but the current status is reserved.`);
    expect((await call('DELETE', `/attachments/${first.body.attachment.id}`)).status).to.equal(200);
  });

  it('errors: below 3.27 404, second reserve 400, unknown attachment 404, bad bodies 400, os-complete below 3.44 404', async () => {
    const vid = await c.createVolume();
    let r = await call('POST', '/attachments', { attachment: { volume_uuid: vid } }, '3.0');
    expect(r.status).to.equal(404);
    r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } });
    expect(r.status).to.equal(200);
    const id = r.body.attachment.id;
    r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: 'a1b2c3d4-0000-4000-8000-000000000000' } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: Volume ${vid} status must be available or downloading to reserve, but the current status is reserved.`);
    // the same instance may reserve again (live migration)
    r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } });
    expect(r.status).to.equal(200);
    const missing = '951be889-b794-4723-9ac9-efde61cacf3a';
    r = await call('GET', `/attachments/${missing}`);
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Volume attachment could not be found with filter: attachment_id = ${missing}.`);
    r = await call('POST', '/attachments', { attachment: { volume_uuid: missing } });
    expect(r.status).to.equal(404);
    r = await call('POST', '/attachments', { attachment: { instance_uuid: SERVER } });
    expect(r.status).to.equal(400);
    r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, mode: 'ro' } });
    expect(r.status).to.equal(400); // mode needs 3.54
    r = await call('PUT', `/attachments/${id}`, { attachment: { connector: {} } });
    expect(r.status).to.equal(400);
    r = await call('POST', `/attachments/${id}/action`, { 'os-complete': null }, '3.27');
    expect(r.status).to.equal(404);
    r = await call('POST', `/attachments/${id}/action`, { 'os-complete': null, 'os-bogus': null });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Malformed request body');
    r = await call('POST', `/attachments/${id}/action`, { 'os-bogus': null });
    expect(r.body.badRequest.message).to.equal('There is no such action: os-bogus. Verify the request body and Content-Type header and try again.');
    // two attachments and no attachment_id: the deletion check (OSSA-2023-003) refuses before the manager is asked
    r = await c.action(vid, 'os-detach', {});
    expect(r.status).to.equal(409);
    expect(r.body).to.deep.equal({ conflictingRequest: { code: 409, message: 'ConflictNovaUsingAttachment: Detach volume from instance  using the Compute API' } });
    r = await call('DELETE', `/attachments/${id}`);
    expect(r.status).to.equal(200);
    expect(r.body.attachments).to.have.length(1);
    expect((await c.show(vid)).status).to.equal('reserved');
  });

  it('create with an empty connector only reserves; a connector the backend refuses leaves nothing behind', async () => {
    const vid = await c.createVolume();
    // cinderclient/OSC send "connector": {} when given none: Cinder tests its truthiness.
    let r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER, connector: {} } }, '3.27');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.attachment).to.include({ status: 'reserved' });
    expect(r.body.attachment.connection_info).to.deep.equal({});
    expect((await call('DELETE', `/attachments/${r.body.attachment.id}`)).status).to.equal(200);
    expect((await c.show(vid)).status).to.equal('available');

    // No initiator for an iSCSI backend: refused, and the reservation is taken back.
    r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER, connector: { host: 'compute1', ip: '127.0.0.1' } } }, '3.27');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal("Invalid input received: Connector doesn't have required information: initiator");
    expect((await call('GET', `/attachments?volume_id=${vid}`)).body.attachments).to.deep.equal([]);
    const v = await c.show(vid);
    expect([v.status, v.attachments]).to.deep.equal(['available', []]);
  });

  it('update beside another attachment: refused when any of them is connected, itself included', async () => {
    const vid = await c.createVolume();
    const a1 = (await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } })).body.attachment.id;
    // Alone, an attachment may be connected again.
    for (let i = 0; i < 2; i++) expect((await call('PUT', `/attachments/${a1}`, { attachment: { connector: CONNECTOR } })).status).to.equal(200);
    expect((await call('POST', `/attachments/${a1}/action`, { 'os-complete': null })).status).to.equal(204);
    // The same server reserves it again (a live migration's second attachment).
    const r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, instance_uuid: SERVER } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    for (const id of [a1, r.body.attachment.id]) {
      const u = await call('PUT', `/attachments/${id}`, { attachment: { connector: CONNECTOR } });
      expect([u.status, u.body.badRequest?.message]).to.deep.equal([400, `Invalid volume: duplicate connectors detected on volume ${vid}`]);
    }
  });

  it('create with a connector beside a connected attachment: no duplicate-connector check (Cinder calls the volume service directly)', async () => {
    const vid = await c.createVolume();
    const a1 = (await call('POST', '/attachments', { attachment: { volume_uuid: vid, connector: CONNECTOR } })).body.attachment.id;
    expect((await call('POST', `/attachments/${a1}/action`, { 'os-complete': null })).status).to.equal(204);
    // A reset leaves the connected attachment in place (seed 7002 of the differential).
    await c.req('POST', `/v3/demo/volumes/${vid}/action`, { token: 'admin:demo', body: { 'os-reset_status': { status: 'available' } } });
    const r = await call('POST', '/attachments', { attachment: { volume_uuid: vid, connector: CONNECTOR } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect((await c.show(vid)).status).to.equal('attaching');
  });

  it('update with a connector without host: 400 once the attachment is found, nothing connected', async () => {
    const vid = await c.createVolume();
    const r = await call('POST', '/attachments', { attachment: { volume_uuid: vid } }, '3.27');
    const id = r.body.attachment.id;
    // Cinder's lock name reads connector['host'] (a KeyError, its 500).
    const noHost = { attachment: { connector: { initiator: CONNECTOR.initiator, ip: '127.0.0.1' } } };
    const bad = await call('PUT', `/attachments/${id}`, noHost, '3.27');
    expect(bad.status, JSON.stringify(bad.body)).to.equal(400);
    expect(bad.body.badRequest.message).to.equal("Invalid input received: Connector doesn't have required information: host");
    expect((await call('PUT', '/attachments/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', noHost, '3.27')).status).to.equal(404);
    expect((await call('GET', `/attachments/${id}`)).body.attachment).to.include({ status: 'reserved' });
    expect((await c.show(vid)).status).to.equal('reserved');
    expect((c.volume.backends[0].driver as FakeDriver).exports.has(vid)).to.equal(false);
  });
});
