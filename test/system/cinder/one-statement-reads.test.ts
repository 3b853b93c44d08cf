// The reads that fold several queries into one statement, on MariaDB (their SQL differs from
// SQLite's: CONCAT and JSON_OBJECTAGG): each answers what the separate reads it replaced do.
import { expect } from 'chai';
import { checkAttachmentWithVolume, checkSoftDeleteReleasesQuota, checkSoftDeleteTakesChildren, checkTypeWithSpecs, checkVolumeWithAdminMetadata, checkVolumeWithTypeName } from '../../support/cinder-db-reads';
import { cinderOnMariaDb } from '../../support/cinder-mariadb';

describe('cinder one-statement reads on MariaDB', function () {
  this.timeout(60_000);
  const on = cinderOnMariaDb();

  it("sums each backend's live volumes over its pools beside its services row", async () => {
    await on.ds.query("INSERT INTO services (host, `binary`, topic, report_count, disabled, deleted) VALUES ('n1@fake', 'cinder-volume', 'cinder-volume', 0, 0, 0), ('n2@fake', 'cinder-volume', 'cinder-volume', 0, 0, 0), ('n1', 'cinder-scheduler', 'cinder-scheduler', 0, 0, 0)");
    const gone = await on.db.volumeCreate({ projectId: 'p', size: 4, volumeTypeId: 't', host: 'n1@fake#fake' });
    await on.db.volumeCreate({ projectId: 'p', size: 2, volumeTypeId: 't', host: 'n1@fake' });
    await on.db.volumeCreate({ projectId: 'p', size: 3, volumeTypeId: 't', host: 'n1@fake#other' });
    await on.db.volumeCreate({ projectId: 'p', size: 5, volumeTypeId: 't', host: 'n1@fake2#fake' });
    await on.db.volumeSoftDelete(gone.id);
    const rows = await on.db.servicesWithAllocatedGb('cinder-volume');
    expect(rows.map((r) => [r.service.host, r.service.binary, r.allocatedGb])).to.deep.equal([['n1@fake', 'cinder-volume', 5], ['n2@fake', 'cinder-volume', 0]]);
  });

  it('reads an attachment with its volume in one statement, as the two reads do', () => checkAttachmentWithVolume(on.db));

  it('reads a volume with its admin metadata as metadataGet reads it (a key beyond ASCII, a 4-byte character)', () => checkVolumeWithAdminMetadata(on.db, 'ключ 😀'));

  it('reads a type by name with its extra specs in one statement, as the two reads do', () => checkTypeWithSpecs(on.db, 'ключ 😀'));

  it('reads a volume with its type\'s name in one statement', () => checkVolumeWithTypeName(on.db));

  it("a volume's delete takes its metadata, attachments and transfer offers along, and no one else's", () => checkSoftDeleteTakesChildren(on.db));
  it("a volume's delete releases its quota usage with its row, once, from the row's size", () => checkSoftDeleteReleasesQuota(on.db));
});
