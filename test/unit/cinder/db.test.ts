// The cinder schema on SQLite (migrations up/down) and the compare-and-swap updates every
// status transition uses: expected scalars, lists and NULL.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { checkAttachmentWithVolume, checkSoftDeleteReleasesQuota, checkSoftDeleteTakesChildren, checkTypeWithSpecs, checkVolumeWithAdminMetadata, checkVolumeWithTypeName } from '../../support/cinder-db-reads';

describe('cinder db', () => {
  let ds: DataSource;
  let db: CinderDB;
  before(async () => {
    ds = await openCinderDatabase('sqlite://:memory:');
    expect(await migrateDatabase(ds)).to.deep.equal(['InitialCinderSchema1764060000000', 'VolumeTransitionRequestId1764110000000', 'VolumeTypes1764120000000', 'Quotas1765300000000',
      'TraceSpans1765500000000', 'Utf8mb4Tables1765600000000', 'SoftDeleteIndexes1765700000000', 'Transfers1765900000000',
      'Messages1766000000000', 'VolumeGlanceMetadata1766100000000', 'QosSpecs1766200000000', 'TypeEncryption1766300000000', 'Snapshots1766400000000', 'GroupTypes1766500000000', 'Groups1766600000000', 'GroupSnapshots1766700000000']);
    expect(await migrateDatabase(ds)).to.deep.equal([]);
    db = new CinderDB(ds);
  });
  after(async () => { await ds?.destroy(); });

  it('creates volumes with Cinder defaults', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', host: 'h@b#b' });
    const row = await db.volumeGet(v.id);
    expect(row).to.include({ status: 'creating', attachStatus: 'detached', bootable: false, multiattach: false, deleted: false });
    expect(await db.volumeGet(v.id, 'other')).to.equal(null);
  });

  it('conditional updates match only the expected state, one winner', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', status: 'available' });
    expect(await db.volumeConditionalUpdate(v.id, { status: ['available'], multiattach: false }, { status: 'attaching' })).to.equal(true);
    expect(await db.volumeConditionalUpdate(v.id, { status: ['available'] }, { status: 'attaching' })).to.equal(false);
    expect(await db.volumeConditionalUpdate(v.id, { migrationStatus: [null, 'success'] }, { status: 'in-use', attachStatus: 'attached' })).to.equal(true);
    expect(await db.volumeConditionalUpdate(v.id, { migrationStatus: ['migrating'] }, { status: 'detaching' })).to.equal(false);
    expect(await db.volumeConditionalUpdate(v.id, { status: 'in-use', attachStatus: 'attached', migrationStatus: null }, { status: 'detaching' })).to.equal(true);
    const results = await Promise.all(Array.from({ length: 10 }, () => db.volumeConditionalUpdate(v.id, { status: 'detaching' }, { status: 'in-use' })));
    expect(results.filter(Boolean)).to.have.length(1);
  });

  it('soft-deletes attachments and volumes; sums allocated size per backend', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 5, volumeTypeId: 't', host: 'node@fake#fake' });
    const a = await db.attachmentCreate({ volumeId: v.id, attachStatus: 'attached' });
    expect((await db.attachmentsOf([v.id])).map((x) => x.id)).to.deep.equal([a.id]);
    await db.attachmentDestroy(a.id);
    expect(await db.attachmentsOf([v.id])).to.deep.equal([]);
    await db.volumeCreate({ projectId: 'p', size: 2, volumeTypeId: 't', host: 'node@fake' });
    await db.volumeCreate({ projectId: 'p', size: 3, volumeTypeId: 't', host: 'node@fake2#fake' });
    await db.ds.query("INSERT INTO services (host, `binary`, topic, report_count, disabled, deleted) VALUES ('node@fake', 'cinder-volume', 'cinder-volume', 0, 0, 0), ('other@fake', 'cinder-volume', 'cinder-volume', 0, 0, 0)");
    const allocated = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await db.servicesWithAllocatedGb('cinder-volume')).map((r) => [r.service.host, r.allocatedGb]));
    expect(await allocated()).to.deep.equal({ 'node@fake': 7, 'other@fake': 0 });
    await db.volumeSoftDelete(v.id);
    expect(await db.volumeGet(v.id)).to.equal(null);
    expect(await allocated()).to.deep.equal({ 'node@fake': 2, 'other@fake': 0 });
  });

  it('soft-deletes a volume\'s attachments with it, whatever their status, as volume_destroy', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', status: 'deleting' });
    const other = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', status: 'in-use' });
    const reserved = await db.attachmentCreate({ volumeId: v.id, instanceUuid: 'i-1', attachStatus: 'reserved', attachMode: 'rw' });
    const attaching = await db.attachmentCreate({ volumeId: v.id, instanceUuid: 'i-2', attachStatus: 'attaching', attachMode: 'rw' });
    const kept = await db.attachmentCreate({ volumeId: other.id, instanceUuid: 'i-1', attachStatus: 'attached', attachMode: 'rw' });
    await db.volumeSoftDelete(v.id);
    expect(await db.attachmentsOf([v.id])).to.deep.equal([]);
    expect(await db.attachmentGet(reserved.id)).to.equal(null);
    expect(await db.attachmentGet(attaching.id)).to.equal(null);
    expect((await db.attachmentsOf([other.id])).map((a) => a.id)).to.deep.equal([kept.id]);
  });

  it('reads an attachment with its volume in one statement, as the two reads do', () => checkAttachmentWithVolume(db));

  it('reads a volume with its admin metadata in one statement, as metadataGet reads it', () => checkVolumeWithAdminMetadata(db, '__proto__'));

  it('reads a type by name with its extra specs in one statement, as the two reads do', () => checkTypeWithSpecs(db, '__proto__'));

  it('reads a volume with its type\'s name in one statement', () => checkVolumeWithTypeName(db));

  it("a volume's delete takes its metadata, attachments and transfer offers along, and no one else's", () => checkSoftDeleteTakesChildren(db));
  it("a volume's delete releases its quota usage with its row, once, from the row's size", () => checkSoftDeleteReleasesQuota(db));

  it('adds an admin metadata key only when absent, from what was read with the volume when given', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't' });
    const rows = async (): Promise<unknown[]> => ds.query("SELECT value FROM volume_admin_metadata WHERE volume_id = ? AND key = 'readonly' AND deleted = 0", [v.id]);
    expect(await db.adminMetadataAdd(v.id, 'readonly', 'False', {})).to.equal('False');
    expect(await rows()).to.deep.equal([{ value: 'False' }]);
    // Known to be there (read with the volume): its value, no second row.
    expect(await db.adminMetadataAdd(v.id, 'readonly', 'False', { readonly: 'True' })).to.equal('True');
    expect(await db.adminMetadataAdd(v.id, 'readonly', 'True')).to.equal('False');
    expect(await rows()).to.deep.equal([{ value: 'False' }]);
    expect(await db.adminMetadataAdd(v.id, 'readonly', 'True', (await db.volumeGetWithAdminMetadata(v.id))!.admin)).to.equal('False');
    expect(await rows()).to.have.length(1);
  });

  it('keeps admin metadata keys unique per volume', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't' });
    await db.adminMetadataSet(v.id, 'attached_mode', 'rw');
    await db.adminMetadataSet(v.id, 'attached_mode', 'ro');
    expect((await db.metadataGet([v.id], true)).get(v.id)).to.deep.equal({ attached_mode: 'ro' });
    await db.adminMetadataDelete(v.id, 'attached_mode');
    expect((await db.metadataGet([v.id], true)).get(v.id)).to.equal(undefined);
  });

  it('records transition_request_id in the status UPDATE; its migration goes down and up again', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', status: 'available' });
    expect(await db.volumeConditionalUpdate(v.id, { status: 'available' }, { status: 'attaching', transitionRequestId: 'req-1' })).to.equal(true);
    expect(await db.volumeConditionalUpdate(v.id, { status: 'available' }, { status: 'attaching', transitionRequestId: 'req-2' })).to.equal(false);
    expect((await db.volumeGet(v.id))?.transitionRequestId).to.equal('req-1');
    const columns = async (): Promise<string[]> => ((await ds.query('PRAGMA table_info(volumes)')) as Array<{ name: string }>).map((c) => c.name);
    await ds.undoLastMigration(); // GroupSnapshots
    await ds.undoLastMigration(); // Groups
    await ds.undoLastMigration(); // GroupTypes
    await ds.undoLastMigration(); // Snapshots
    await ds.undoLastMigration(); // TypeEncryption
    await ds.undoLastMigration(); // QosSpecs
    await ds.undoLastMigration(); // VolumeGlanceMetadata
    await ds.undoLastMigration(); // Messages
    await ds.undoLastMigration(); // Transfers
    await ds.undoLastMigration(); // SoftDeleteIndexes
    await ds.undoLastMigration(); // Utf8mb4Tables
    await ds.undoLastMigration(); // TraceSpans
    await ds.undoLastMigration(); // Quotas
    await ds.undoLastMigration(); // VolumeTypes
    await ds.undoLastMigration();
    expect(await columns()).to.not.include('transition_request_id');
    expect(await db.attachments.count()).to.be.greaterThan(0); // the rebuilt table kept its neighbours' rows
    expect(await migrateDatabase(ds)).to.deep.equal(['VolumeTransitionRequestId1764110000000', 'VolumeTypes1764120000000', 'Quotas1765300000000',
      'TraceSpans1765500000000', 'Utf8mb4Tables1765600000000', 'SoftDeleteIndexes1765700000000', 'Transfers1765900000000',
      'Messages1766000000000', 'VolumeGlanceMetadata1766100000000', 'QosSpecs1766200000000', 'TypeEncryption1766300000000', 'Snapshots1766400000000', 'GroupTypes1766500000000', 'Groups1766600000000', 'GroupSnapshots1766700000000']);
    expect(await columns()).to.include('transition_request_id');
    expect((await db.volumeGet(v.id))?.status).to.equal('attaching');
  });
});
