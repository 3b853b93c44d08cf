// The checks of CinderDB's one-statement reads against the separate reads they replace, shared by
// the SQLite unit test and the MariaDB system test (their SQL differs per database).
import { expect } from 'chai';
import type { CinderDB } from '../../cinder-common/db-api';

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
