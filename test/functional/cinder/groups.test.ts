// Generic volume groups (cinder group-*; 3.13+): create on a backend every type takes, volumes
// made in it, show and list (with list_volume), update in Cinder's order, delete with and
// without its volumes, reset_status, the `groups` quota, and the reconciler finishing a group
// whose cast was lost (create, update, delete).
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';

const ADMIN = 'admin:admin';
const P = '/v3/admin';
const MV = (v = '3.25') => ({ 'OpenStack-API-Version': `volume ${v}` });

describe('cinder groups', function () {
  let c: Cinder;
  let groupType: string;
  let typeA: string;
  let typeB: string;
  before(async () => {
    c = await startCinder();
    groupType = (await req('POST', `${P}/group_types`, { group_type: { name: 'gt-groups' } })).body.group_type.id;
    typeA = (await req('POST', `${P}/types`, { volume_type: { name: 'grp-a' } })).body.volume_type.id;
    typeB = (await req('POST', `${P}/types`, { volume_type: { name: 'grp-b' } })).body.volume_type.id;
  });
  after(async () => { await c?.stop(); });

  function req(method: string, path: string, body?: unknown, v?: string) {
    return c.req(method, path, { token: ADMIN, body, headers: MV(v) });
  }
  const show = async (id: string, q = ''): Promise<Json> => (await req('GET', `${P}/groups/${id}${q}`)).body.group;
  const waitGroup = (id: string, status: string) => waitFor(async () => (await show(id))?.status === status, 10_000, `group ${id} ${status}`, 20);
  const waitGone = (id: string) => waitFor(async () => (await req('GET', `${P}/groups/${id}`)).status === 404, 10_000, `group ${id} gone`, 20);
  const message = async (method: string, path: string, body: unknown, status: number, v?: string): Promise<string> => {
    const r = await req(method, path, body, v);
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return Object.values(r.body as Record<string, { message: string }>)[0].message;
  };
  const makeGroup = async (name: string, types = ['grp-a', typeB]): Promise<string> => {
    const r = await req('POST', `${P}/groups`, { group: { name, group_type: 'gt-groups', volume_types: types } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body).to.deep.equal({ group: { id: r.body.group.id, name } });
    await waitGroup(r.body.group.id, 'available');
    return r.body.group.id;
  };
  const volumeIn = async (group: string, type = typeA): Promise<string> => {
    const r = await req('POST', `${P}/volumes`, { volume: { size: 1, volume_type: type, group_id: group } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitFor(async () => (await c.show(r.body.volume.id, ADMIN)).status === 'available', 10_000, 'volume available', 20);
    return r.body.volume.id;
  };
  const groupsUsed = async (): Promise<number> => (await req('GET', `${P}/os-quota-sets/admin?usage=True`)).body.quota_set.groups.in_use;

  it('creates a group on a backend its types take, shows it and lists it; volumes are made in it', async () => {
    const before = await groupsUsed();
    const id = await makeGroup('g1');
    expect(await groupsUsed()).to.equal(before + 1);
    const g = await show(id, '?list_volume=True');
    expect(g).to.include({ id, name: 'g1', status: 'available', group_type: groupType, description: null, group_snapshot_id: null, source_group_id: null });
    expect(g.volume_types).to.have.members([typeA, typeB]);
    expect(g.volumes).to.deep.equal([]);
    const vol = await volumeIn(id);
    expect((await c.req('GET', `${P}/volumes/${vol}`, { token: ADMIN, headers: MV('3.13') })).body.volume.group_id).to.equal(id);
    expect((await show(id, '?list_volume=true')).volumes).to.deep.equal([vol]);
    // Below 3.14 no snapshot fields; below 3.13 no groups at all.
    expect(Object.keys((await req('GET', `${P}/groups/${id}`, undefined, '3.13')).body.group)).to.not.include('group_snapshot_id');
    expect((await req('GET', `${P}/groups/${id}`, undefined, '3.12')).status).to.equal(404);
    expect((await req('GET', `${P}/groups`)).body.groups).to.deep.include({ id, name: 'g1' });
    expect((await req('GET', `${P}/groups/detail?name=g1`)).body.groups.map((x: Json) => x.id)).to.deep.equal([id]);
    expect((await req('GET', `${P}/groups?bogus=1`)).body.groups).to.deep.equal([]);
    // A volume in a group is deleted with its group, not alone.
    expect(await message('DELETE', `${P}/volumes/${vol}`, undefined, 400)).to.match(/must not be migrating, attached, belong to a group/);
  });

  it('refuses what Cinder refuses, with its words', async () => {
    expect(await message('POST', `${P}/groups`, { group: { group_type: 'nope', volume_types: ['grp-a'] } }, 404)).to.equal('Group type with name nope could not be found.');
    expect(await message('POST', `${P}/groups`, { group: { group_type: 'gt-groups', volume_types: ['nope'] } }, 404)).to.equal('Volume type with name nope could not be found.');
    expect((await req('POST', `${P}/groups`, { group: { group_type: 'gt-groups', volume_types: [] } })).status).to.equal(400);
    expect(await message('POST', `${P}/groups`, { group: { group_type: 'gt-groups', volume_types: ['grp-a'], availability_zone: 'elsewhere' } }, 400))
      .to.equal("Invalid input received: Availability zone 'elsewhere' is invalid.");
    const cg = (await req('GET', `${P}/group_types?is_public=none`)).body.group_types.find((t: Json) => t.name === 'default_cgsnapshot_type').id;
    expect(await message('POST', `${P}/groups`, { group: { group_type: cg, volume_types: ['grp-a'] } }, 400)).to.equal(`Group_type ${cg} is reserved for migrating CGs to groups. Migrated group can only be operated by CG APIs.`);
    const id = await makeGroup('g-refusals', ['grp-a']);
    expect(await message('POST', `${P}/volumes`, { volume: { size: 1, group_id: id } }, 400)).to.equal('Invalid input received: volume_type must be provided when creating a volume in a group.');
    expect(await message('POST', `${P}/volumes`, { volume: { size: 1, group_id: id, volume_type: typeB } }, 400)).to.match(/^Invalid input received: Invalid volume_type provided: VolumeType\(.*\) \(requested type must be supported by this group\)\.$/);
    expect(await message('POST', `${P}/volumes`, { volume: { size: 1, group_id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' } }, 404)).to.equal('Group aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee could not be found.');
    expect(await message('GET', `${P}/groups?marker=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee`, undefined, 404)).to.equal('Group aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee could not be found.');
    expect(await message('POST', `${P}/groups/${id}/action`, { reset_status: { status: 'bogus' } }, 400))
      .to.equal("Invalid Group Status: Group status: bogus is invalid, valid status are: ('error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'in-use', 'error_deleting').");
    expect((await req('POST', `${P}/groups/${id}/action`, { reset_status: { status: 'error' } }, '3.19')).status).to.equal(404);
    expect((await req('POST', `${P}/groups/${id}/action`, { reset_status: { status: 'Error' } }, '3.20')).status).to.equal(202);
    expect((await show(id)).status).to.equal('error');
    // A name change sets the group available, whatever it was (Cinder's update).
    expect((await req('PUT', `${P}/groups/${id}`, { group: { name: 'renamed' } })).status).to.equal(202);
    expect(await show(id)).to.include({ name: 'renamed', status: 'available' });
    // But not one a service is working on: its status stays for that service to end.
    expect((await req('POST', `${P}/groups/${id}/action`, { reset_status: { status: 'creating' } }, '3.20')).status).to.equal(202);
    expect((await req('PUT', `${P}/groups/${id}`, { group: { name: 'renamed-2' } })).status).to.equal(202);
    expect(await show(id)).to.include({ name: 'renamed-2', status: 'creating' });
    expect((await req('POST', `${P}/groups/${id}/action`, { reset_status: { status: 'available' } }, '3.20')).status).to.equal(202);
    expect(await message('PUT', `${P}/groups/${id}`, { group: { name: 'renamed-2' } }, 400)).to.equal(`Invalid Group: Cannot update group ${id} because no valid name, description, add_volumes, or remove_volumes were provided.`);
  });

  it('updates: volumes join and leave, with Cinder\'s checks', async () => {
    const id = await makeGroup('g-upd', ['grp-a']);
    const loose = await c.createVolume(1, ADMIN, 'loose');
    const typed = (await req('POST', `${P}/volumes`, { volume: { size: 1, volume_type: typeA } })).body.volume.id as string;
    await waitFor(async () => (await c.show(typed, ADMIN)).status === 'available', 10_000, 'typed available', 20);
    expect(await message('PUT', `${P}/groups/${id}`, { group: { add_volumes: loose } }, 400)).to.match(/^Invalid volume: Cannot add volume .* because volume type .* is not supported by the group\.$/);
    expect(await message('PUT', `${P}/groups/${id}`, { group: { add_volumes: typed, remove_volumes: typed } }, 400)).to.equal(`Invalid volume: UUIDs ['${typed}'] are in both add and remove volume list.`);
    expect(await message('PUT', `${P}/groups/${id}`, { group: { remove_volumes: typed } }, 400)).to.equal(`Invalid volume: Cannot remove volume ${typed} from group ${id} because it is not in the group.`);
    expect((await req('PUT', `${P}/groups/${id}`, { group: { add_volumes: `${typed},` } })).status).to.equal(202);
    await waitGroup(id, 'available');
    expect((await show(id, '?list_volume=True')).volumes).to.deep.equal([typed]);
    expect((await req('PUT', `${P}/groups/${id}`, { group: { remove_volumes: typed } })).status).to.equal(202);
    await waitGroup(id, 'available');
    expect((await show(id, '?list_volume=True')).volumes).to.deep.equal([]);
    expect((await c.show(typed, ADMIN)).status).to.equal('available');
  });

  it('deletes: refused with volumes unless delete-volumes; then the volumes, the group and their quota go', async () => {
    const id = await makeGroup('g-del', ['grp-a']);
    const vol = await volumeIn(id);
    const used = await groupsUsed();
    expect(await message('POST', `${P}/groups/${id}/action`, { delete: {} }, 400)).to.equal(`Invalid Group: Group ${id} still contains volumes. The delete-volumes flag is required to delete it.`);
    expect((await req('POST', `${P}/groups/${id}/action`, { delete: { 'delete-volumes': true } })).status).to.equal(202);
    await waitGone(id);
    expect((await c.req('GET', `${P}/volumes/${vol}`, { token: ADMIN })).status).to.equal(404);
    expect(await groupsUsed()).to.equal(used - 1);
    const empty = await makeGroup('g-empty', ['grp-a']);
    expect((await req('POST', `${P}/groups/${empty}/action`, { delete: { 'delete-volumes': 'false' } })).status).to.equal(202);
    await waitGone(empty);
  });

  it('creates a group from a source group (3.14): a clone of each volume, counted; refusals in Cinder\'s order', async () => {
    const src = await makeGroup('g-src', ['grp-a']);
    const empty = await makeGroup('g-src-empty', ['grp-a']);
    const from = (body: unknown, v = '3.14') => req('POST', `${P}/groups/action`, body, v);
    expect((await from({ 'create-from-src': { source_group_id: src } }, '3.13')).status).to.equal(404);
    expect(await message('POST', `${P}/groups/action`, { 'create-from-src': { source_group_id: empty } }, 400, '3.14')).to.equal('Invalid Group: Source Group is empty. No group will be created.');
    expect(await message('POST', `${P}/groups/action`, { 'create-from-src': { group_snapshot_id: src } }, 404, '3.14')).to.equal(`GroupSnapshot ${src} could not be found.`);
    expect(await message('POST', `${P}/groups/action`, { 'create-from-src': { group_snapshot_id: src, source_group_id: src } }, 400, '3.14')).to.match(/is valid under each of \{'required': \['source_group_id'\]\}, \{'required': \['group_snapshot_id'\]\}$/);
    const vol = await volumeIn(src);
    const before = (await req('GET', `${P}/os-quota-sets/admin?usage=True`)).body.quota_set;
    const r = await from({ 'create-from-src': { source_group_id: src, name: ' copy ' } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body.group.name).to.equal('copy');
    await waitGroup(r.body.group.id, 'available');
    const copy = await show(r.body.group.id, '?list_volume=True');
    expect(copy).to.include({ source_group_id: src, group_type: groupType });
    expect(copy.volumes).to.have.length(1);
    const clone = (await c.req('GET', `${P}/volumes/${copy.volumes[0]}`, { token: ADMIN, headers: MV('3.13') })).body.volume;
    expect(clone).to.include({ status: 'available', source_volid: vol, group_id: r.body.group.id, size: 1 });
    const after = (await req('GET', `${P}/os-quota-sets/admin?usage=True`)).body.quota_set;
    expect([after.groups.in_use, after.volumes.in_use, after.gigabytes.in_use]).to.deep.equal([before.groups.in_use + 1, before.volumes.in_use + 1, before.gigabytes.in_use + 1]);
  });

  it('group snapshots (3.14): made and deleted together, counted, a group made from one; what they forbid', async () => {
    // A group no backend took (error, no host) has nowhere to make a group snapshot: refused, nothing written.
    const nowhere = await req('POST', `${P}/types`, { volume_type: { name: 'grp-nowhere', extra_specs: { volume_backend_name: 'no-such-backend' } } });
    const lost = await req('POST', `${P}/groups`, { group: { group_type: 'gt-groups', volume_types: [nowhere.body.volume_type.id] } });
    await waitGroup(lost.body.group.id, 'error');
    expect(await message('POST', `${P}/group_snapshots`, { group_snapshot: { group_id: lost.body.group.id } }, 400, '3.14'))
      .to.equal(`Invalid Group: Group ${lost.body.group.id} has no valid host: it was never scheduled.`);
    expect((await req('GET', `${P}/group_snapshots/detail`, undefined, '3.14')).body.group_snapshots.filter((x: Json) => x.group_id === lost.body.group.id)).to.deep.equal([]);
    // A volume made in it has no backend either; deleting the group frees it to be deleted.
    const orphan = await req('POST', `${P}/volumes`, { volume: { size: 1, volume_type: nowhere.body.volume_type.id, group_id: lost.body.group.id } }, '3.13');
    await waitFor(async () => (await c.show(orphan.body.volume.id, ADMIN)).status === 'error', 10_000, 'orphan in error', 20);
    expect((await req('POST', `${P}/groups/${lost.body.group.id}/action`, { delete: { 'delete-volumes': true } }, '3.13')).status).to.equal(202);
    await waitGone(lost.body.group.id);
    expect((await c.req('DELETE', `${P}/volumes/${orphan.body.volume.id}`, { token: ADMIN })).status).to.equal(202);
    const id = await makeGroup('g-snap', ['grp-a']);
    const vol = await volumeIn(id);
    const usage = async () => (await req('GET', `${P}/os-quota-sets/admin?usage=True`)).body.quota_set;
    const before = await usage();
    const made = await req('POST', `${P}/group_snapshots`, { group_snapshot: { group_id: id, name: 'gs1' } }, '3.14');
    expect(made.status, JSON.stringify(made.body)).to.equal(202);
    expect(made.body.group_snapshot).to.deep.equal({ id: made.body.group_snapshot.id, name: 'gs1', group_type_id: groupType });
    const gs = made.body.group_snapshot.id as string;
    const showGs = async (): Promise<Json> => (await req('GET', `${P}/group_snapshots/${gs}`, undefined, '3.14')).body.group_snapshot;
    await waitFor(async () => (await showGs())?.status === 'available', 10_000, 'group snapshot available', 20);
    expect(await showGs()).to.include({ id: gs, group_id: id, name: 'gs1', description: null });
    const after = await usage();
    expect([after.snapshots.in_use, after.gigabytes.in_use]).to.deep.equal([before.snapshots.in_use + 1, before.gigabytes.in_use + 1]);
    const snap = (await c.req('GET', `${P}/snapshots/detail`, { token: ADMIN })).body.snapshots.find((x: Json) => x.volume_id === vol);
    expect(snap.status).to.equal('available');
    expect(await message('DELETE', `${P}/snapshots/${snap.id}`, undefined, 400)).to.equal('Invalid snapshot: Snapshot status must be available or error and must not be part of a group.');
    expect(await message('POST', `${P}/groups/${id}/action`, { delete: { 'delete-volumes': true } }, 400, '3.13')).to.equal('Invalid Group: Group has existing snapshots.');
    expect((await req('GET', `${P}/group_snapshots`, undefined, '3.14')).body.group_snapshots).to.deep.include({ id: gs, name: 'gs1' });
    expect((await req('GET', `${P}/group_snapshots`, undefined, '3.13')).status).to.equal(404);
    // A group from the group snapshot: a volume per snapshot.
    const from = await req('POST', `${P}/groups/action`, { 'create-from-src': { group_snapshot_id: gs } }, '3.14');
    expect(from.status, JSON.stringify(from.body)).to.equal(202);
    await waitGroup(from.body.group.id, 'available');
    const copy = await show(from.body.group.id, '?list_volume=True');
    expect(copy).to.include({ group_snapshot_id: gs, source_group_id: null });
    const v2 = (await c.req('GET', `${P}/volumes/${copy.volumes[0]}`, { token: ADMIN, headers: MV('3.13') })).body.volume;
    expect(v2).to.include({ status: 'available', snapshot_id: snap.id, group_id: from.body.group.id });
    // reset_status (3.19, admin), then the delete: the snapshots and their quota go with it.
    expect(await message('POST', `${P}/group_snapshots/${gs}/action`, { reset_status: { status: 'nope' } }, 400, '3.19'))
      .to.equal("Invalid GroupSnapshot Status: Group snapshot status: nope is invalid, valid statuses are: ('error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting').");
    expect((await req('POST', `${P}/group_snapshots/${gs}/action`, { reset_status: { status: 'error' } }, '3.19')).status).to.equal(202);
    expect((await showGs()).status).to.equal('error');
    expect((await req('DELETE', `${P}/group_snapshots/${gs}`, undefined, '3.14')).status).to.equal(202);
    await waitFor(async () => (await req('GET', `${P}/group_snapshots/${gs}`, undefined, '3.14')).status === 404, 10_000, 'group snapshot gone', 20);
    expect((await c.req('GET', `${P}/snapshots/${snap.id}`, { token: ADMIN })).status).to.equal(404);
    let gone = await usage();
    expect(gone.snapshots.in_use).to.equal(before.snapshots.in_use);
    expect(gone.gigabytes.in_use, 'the group snapshot\'s gigabytes released').to.equal(before.gigabytes.in_use + 1);
    // The copy and the group go with their volumes, and their gigabytes.
    for (const g of [from.body.group.id, id]) {
      expect((await req('POST', `${P}/groups/${g}/action`, { delete: { 'delete-volumes': true } }, '3.13')).status).to.equal(202);
      await waitGone(g);
    }
    gone = await usage();
    expect([gone.volumes.in_use, gone.gigabytes.in_use]).to.deep.equal([before.volumes.in_use - 1, before.gigabytes.in_use - 1]);
  });

  it('the reconciler finishes a group whose cast was lost: create, update and delete', async () => {
    const manager = c.volume.backends[0].manager;
    const groups = manager.groupWork.groups;
    const stale = new Date(Date.now() - 3600_000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
    const id = await makeGroup('g-lost', ['grp-a']);
    const vol = await volumeIn(id);
    // As a killed cinder-api leaves them: the intent recorded, the cast never sent.
    await groups.conditionalUpdate(id, {}, { status: 'creating' });
    await c.ds.query('UPDATE groups SET updated_at = ? WHERE id = ?', [stale, id]);
    let pass = await manager.reconciler.runOnce();
    expect(pass.repaired.map((r) => [r.volume_id, r.problem, r.action])).to.deep.include([id, 'interrupted-group-create', 'create finished']);
    expect((await show(id)).status).to.equal('available');
    await groups.conditionalUpdate(id, {}, { status: 'updating' });
    await c.ds.query('UPDATE groups SET updated_at = ? WHERE id = ?', [stale, id]);
    pass = await manager.reconciler.runOnce();
    expect(pass.repaired.map((r) => r.problem)).to.include('interrupted-group-update');
    expect((await show(id)).status).to.equal('available');
    expect(await groups.markDeleting(id, [vol], null, true)).to.equal(true);
    await c.ds.query('UPDATE groups SET updated_at = ? WHERE id = ?', [stale, id]);
    await c.ds.query('UPDATE volumes SET updated_at = ? WHERE id = ?', [stale, vol]);
    const used = await groupsUsed();
    pass = await manager.reconciler.runOnce();
    expect(pass.repaired.map((r) => r.problem)).to.include('interrupted-group-delete');
    expect((await req('GET', `${P}/groups/${id}`)).status).to.equal(404);
    expect((await c.req('GET', `${P}/volumes/${vol}`, { token: ADMIN })).status).to.equal(404);
    expect(await groupsUsed()).to.equal(used - 1);
  });
});
