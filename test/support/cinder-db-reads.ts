// The checks of CinderDB's one-statement reads against the separate reads they replace, and of
// the volume delete's one-statement UPDATE of the rows that hang off a volume, shared by the
// SQLite unit test and the MariaDB system test (their SQL differs per database).
import { expect } from 'chai';
import type { CinderDB } from '../../cinder-common/db-api';
import { QuotaUsage, Transfer, VolumeAttachment } from '../../cinder-common/entities';

/** attachmentWithVolume answers what attachmentGet and volumeGet do, a deleted volume as null. */
export async function checkAttachmentWithVolume(db: CinderDB): Promise<void> {
  const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', host: 'h@b#b' });
  const a = await db.attachmentCreate({ volumeId: v.id, instanceUuid: 'i-1', attachStatus: 'reserved', attachMode: 'rw' });
  expect(await db.attachmentWithVolume(a.id)).to.deep.equal({ att: await db.attachmentGet(a.id), volume: await db.volumeGet(v.id) });
  // Only the volume row deleted (volumeSoftDelete takes its attachments along).
  await db.ds.query('UPDATE volumes SET deleted = ? WHERE id = ?', [true, v.id]);
  expect(await db.attachmentWithVolume(a.id)).to.deep.equal({ att: await db.attachmentGet(a.id), volume: null });
  await db.attachmentDestroy(a.id);
  expect(await db.attachmentWithVolume(a.id)).to.equal(null);
  expect(await db.attachmentWithVolume('no-such-id')).to.equal(null);
}

/** volumeGetWithAdminMetadata answers what volumeGet and metadataGet(…, true) do; `key` is an odd key to keep. */
export async function checkVolumeWithAdminMetadata(db: CinderDB, key: string): Promise<void> {
  const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't' });
  expect(await db.volumeGetWithAdminMetadata(v.id)).to.deep.equal({ volume: await db.volumeGet(v.id), admin: {} });
  await db.adminMetadataSet(v.id, 'readonly', 'True');
  await db.adminMetadataSet(v.id, key, 'x"y\\z');
  await db.adminMetadataSet(v.id, 'attached_mode', 'ro');
  const hit = await db.volumeGetWithAdminMetadata(v.id);
  expect(hit?.admin).to.deep.equal((await db.metadataGet([v.id], true)).get(v.id));
  expect(Object.hasOwn(hit!.admin, key)).to.equal(true);
  expect(hit?.admin.readonly).to.equal('True');
  expect(hit?.volume).to.deep.equal(await db.volumeGet(v.id));
  await db.volumeSoftDelete(v.id);
  expect(await db.volumeGetWithAdminMetadata(v.id)).to.equal(null);
}

/**
 * volumeSoftDelete takes the volume's metadata, admin metadata, attachments and transfer offers
 * along, all at the volume's deleted_at, and leaves another volume's and rows already deleted as
 * they were; a volume with none of them, and a redo, are fine.
 */
export async function checkSoftDeleteTakesChildren(db: CinderDB): Promise<void> {
  const make = async (tag: string): Promise<string> => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', status: 'available' });
    await db.metadataReplace(v.id, { a: tag, b: tag });
    await db.adminMetadataSet(v.id, 'readonly', 'False', false);
    await db.adminMetadataSet(v.id, 'attached_mode', 'rw', false);
    await db.attachmentCreate({ volumeId: v.id, instanceUuid: `${tag}-1`, attachStatus: 'attached', attachMode: 'rw' });
    await db.attachmentCreate({ volumeId: v.id, instanceUuid: `${tag}-2`, attachStatus: 'reserved', attachMode: 'rw' });
    await db.ds.getRepository(Transfer).insert({ id: `${v.id.slice(0, 30)}-offer`, volumeId: v.id, displayName: tag, deleted: false, createdAt: new Date() });
    return v.id;
  };
  const [gone, kept, bare] = [await make('gone'), await make('kept'), (await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't' })).id];
  // One of gone's attachments was deleted before: it keeps its own deleted_at.
  const early = (await db.attachmentsOf([gone]))[1];
  await db.attachmentDestroy(early.id);
  await db.ds.getRepository(VolumeAttachment).update({ id: early.id }, { deletedAt: new Date('2020-01-02T03:04:05Z') });
  const earlyAt = (await db.ds.query('SELECT deleted_at FROM volume_attachment WHERE id = ?', [early.id]))[0].deleted_at;
  const rows = async (id: string): Promise<Array<{ t: string; deleted: boolean; at: number | null }>> => {
    const out = [];
    for (const t of ['volume_metadata', 'volume_admin_metadata', 'volume_attachment', 'transfers']) {
      for (const r of await db.ds.query(`SELECT deleted, deleted_at FROM ${t} WHERE volume_id = ? ORDER BY created_at, id`, [id]) as Array<{ deleted: unknown; deleted_at: unknown }>) {
        out.push({ t, deleted: Number(r.deleted) === 1, at: r.deleted_at === null ? null : new Date(r.deleted_at as string).getTime() });
      }
    }
    return out;
  };
  const keptBefore = await rows(kept);
  await db.volumeSoftDelete(gone);
  await db.volumeSoftDelete(bare);
  const volAt = new Date((await db.ds.query('SELECT deleted_at FROM volumes WHERE id = ?', [gone]))[0].deleted_at).getTime();
  const after = await rows(gone);
  expect(after.map((r) => r.t)).to.deep.equal(['volume_metadata', 'volume_metadata', 'volume_admin_metadata', 'volume_admin_metadata', 'volume_attachment', 'volume_attachment', 'transfers']);
  expect(after.every((r) => r.deleted)).to.equal(true);
  const earlyAfter = (await db.ds.query('SELECT deleted_at FROM volume_attachment WHERE id = ?', [early.id]))[0].deleted_at;
  expect(new Date(earlyAfter).getTime()).to.equal(new Date(earlyAt).getTime());
  expect(after.filter((r) => r.at !== new Date(earlyAt).getTime()).map((r) => r.at)).to.deep.equal(Array(6).fill(volAt));
  expect(await rows(kept)).to.deep.equal(keptBefore);
  expect(keptBefore.every((r) => !r.deleted && r.at === null)).to.equal(true);
  // A redo changes nothing.
  await db.volumeSoftDelete(gone);
  expect(await rows(gone)).to.deep.equal(after);
  expect(await db.volumeGet(bare)).to.equal(null);
}

/**
 * volumeSoftDelete releases what the volume counted (volumes and gigabytes, and their twins of
 * its type) from its project's usage, in the same step as the row: the row's own size, never
 * below 0, nothing for a volume whose use_quota is false, nothing again on a redo, and nothing
 * of another project's; the manager's path (the row and type name it read) does the same.
 */
export async function checkSoftDeleteReleasesQuota(db: CinderDB): Promise<void> {
  const gold = await db.typeCreate({ name: 'gold', description: null, isPublic: true });
  const usage = db.ds.getRepository(QuotaUsage);
  const start: Record<string, number> = { volumes: 5, gigabytes: 10, volumes_gold: 2, gigabytes_gold: 5, snapshots: 1 };
  for (const project of ['pq', 'other']) {
    for (const [resource, inUse] of Object.entries(start)) await usage.insert({ projectId: project, resource, inUse, reserved: 0, deleted: false, createdAt: new Date() });
  }
  const inUse = async (project: string): Promise<Record<string, number>> =>
    Object.fromEntries((await usage.find({ where: { projectId: project, deleted: false } })).map((u) => [u.resource, u.inUse]));
  const typed = await db.volumeCreate({ projectId: 'pq', size: 4, volumeTypeId: gold.id, status: 'available' });
  await db.volumeSoftDelete(typed.id);
  expect(await inUse('pq')).to.deep.equal({ volumes: 4, gigabytes: 6, volumes_gold: 1, gigabytes_gold: 1, snapshots: 1 });
  await db.volumeSoftDelete(typed.id);
  expect(await inUse('pq')).to.deep.equal({ volumes: 4, gigabytes: 6, volumes_gold: 1, gigabytes_gold: 1, snapshots: 1 });
  // Bigger than what is counted: clamped at 0. A type that is gone (no name): no twin moves.
  const big = await db.volumeCreate({ projectId: 'pq', size: 20, volumeTypeId: 'no-such-type', status: 'available' });
  await db.volumeSoftDelete(big.id);
  expect(await inUse('pq')).to.deep.equal({ volumes: 3, gigabytes: 0, volumes_gold: 1, gigabytes_gold: 1, snapshots: 1 });
  const free = await db.volumeCreate({ projectId: 'pq', size: 1, volumeTypeId: gold.id, status: 'available', useQuota: false });
  await db.volumeSoftDelete(free.id);
  expect(await inUse('pq')).to.deep.equal({ volumes: 3, gigabytes: 0, volumes_gold: 1, gigabytes_gold: 1, snapshots: 1 });
  // The manager's path: the row and its type's name as read under the volume's lock.
  const held = await db.volumeCreate({ projectId: 'pq', size: 1, volumeTypeId: gold.id, status: 'deleting' });
  const hit = await db.volumeGetWithTypeName(held.id);
  expect(hit?.typeName).to.equal('gold');
  await db.volumeSoftDelete(held.id, hit!.volume, hit!.typeName);
  expect(await inUse('pq')).to.deep.equal({ volumes: 2, gigabytes: 0, volumes_gold: 0, gigabytes_gold: 0, snapshots: 1 });
  for (const id of [typed.id, big.id, free.id, held.id]) expect(await db.volumeGet(id)).to.equal(null);
  expect(await inUse('other')).to.deep.equal(start);
}

/**
 * typeGetByNameWithSpecs answers what typeGetByName and typeExtraSpecsGet do: specs with a null
 * value and a key beyond ASCII, none, a deleted spec left out, the oldest of two types of one
 * name, a private type only for a project it is granted to, and no type.
 */
export async function checkTypeWithSpecs(db: CinderDB, key: string): Promise<void> {
  const separate = async (name: string, access: { projectId: string | null } | null) => {
    const type = await db.typeGetByName(name, access);
    const rows = type ? await db.ds.query('SELECT cipher FROM encryption WHERE volume_type_id = ? AND deleted = ?', [type.id, false]) as Array<{ cipher: string | null }> : [];
    return type ? { type, specs: (await db.typeExtraSpecsGet([type.id])).get(type.id), encrypted: rows.length > 0, cipherless: rows.length > 0 && !rows[0].cipher } : null;
  };
  const a = await db.typeCreate({ name: 'with-specs', description: null, isPublic: true });
  // A key with a quote, a backslash and a newline: the aggregate's JSON must still parse.
  await db.typeExtraSpecsUpdateOrCreate(a.id, { volume_backend_name: 'fake', [key]: 'x"y\\z', 'q"b\\n\n': 'v', empty: null, gone: 'soon' });
  expect(await db.typeExtraSpecDelete(a.id, 'gone')).to.equal(true);
  await db.typeCreate({ name: 'no-specs', description: null, isPublic: true });
  // A later type of the same name (an admin's rename): the first one made is found.
  const later = await db.typeCreate({ name: 'with-specs', description: null, isPublic: true });
  await db.typeExtraSpecsUpdateOrCreate(later.id, { volume_backend_name: 'later' });
  await db.volumeTypes.update({ id: later.id }, { createdAt: new Date(Date.now() + 60_000) });
  const p = await db.typeCreate({ name: 'private', description: null, isPublic: false });
  await db.typeExtraSpecsUpdateOrCreate(p.id, { k: 'v' });
  await db.typeAccessAdd(p.id, 'granted');
  for (const [name, access] of [['with-specs', null], ['no-specs', null], ['private', null], ['private', { projectId: 'granted' }], ['private', { projectId: 'other' }], ['nothing', null]] as const) {
    expect(await db.typeGetByNameWithSpecs(name, access), `${name} ${JSON.stringify(access)}`).to.deep.equal(await separate(name, access));
  }
  const hit = await db.typeGetByNameWithSpecs('with-specs');
  expect(hit?.type.id).to.equal(a.id);
  expect(hit?.specs).to.deep.equal({ volume_backend_name: 'fake', [key]: 'x"y\\z', 'q"b\\n\n': 'v', empty: null });
  expect(await db.typeGetByNameWithSpecs('private', { projectId: 'other' })).to.equal(null);
  // By id too, and an encryption row (live) shows as encrypted.
  expect(await db.typeGetWithSpecs(a.id)).to.deep.equal(hit);
  await db.ds.query('INSERT INTO encryption (encryption_id, provider, control_location, volume_type_id, deleted) VALUES (?, ?, ?, ?, ?)', ['e-1', 'luks', 'front-end', p.id, false]);
  expect(await db.typeGetWithSpecs(p.id, { projectId: 'granted' })).to.deep.include({ encrypted: true, cipherless: true });
  await db.ds.query('UPDATE encryption SET cipher = ? WHERE encryption_id = ?', ['aes-xts-plain64', 'e-1']);
  expect(await db.typeGetWithSpecs(p.id)).to.deep.include({ encrypted: true, cipherless: false });
  expect((await db.typeGetByNameWithSpecs('private'))?.specs).to.deep.equal({ k: 'v' });
}

/** volumeGetWithTypeName answers what volumeGet and the type's row do: a live type, a deleted one, a missing one, no volume. */
export async function checkVolumeWithTypeName(db: CinderDB): Promise<void> {
  const live = await db.typeCreate({ name: 'typed', description: null, isPublic: true });
  const gone = await db.typeCreate({ name: 'gone-type', description: null, isPublic: true });
  await db.typeDestroy(gone.id);
  for (const [typeId, name] of [[live.id, 'typed'], [gone.id, 'gone-type'], ['no-such-type', null]] as const) {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: typeId });
    expect(await db.volumeGetWithTypeName(v.id)).to.deep.equal({ volume: await db.volumeGet(v.id), typeName: name });
  }
  expect(await db.volumeGetWithTypeName('no-such-volume')).to.equal(null);
}
