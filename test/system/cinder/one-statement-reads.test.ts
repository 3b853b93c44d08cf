// The reads that fold several queries into one statement, on MariaDB (their SQL differs from
// SQLite's: CONCAT and JSON_OBJECTAGG): each answers what the separate reads it replaced do.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { checkAttachmentWithVolume, checkVolumeWithAdminMetadata } from '../../support/cinder-db-reads';
import { createTestDatabase } from '../../support/servers';

describe('cinder one-statement reads on MariaDB', function () {
  this.timeout(60_000);
  let ds: DataSource | undefined;
  let drop: (() => Promise<void>) | undefined;
  let db: CinderDB;
  before(async function () {
    const t = await createTestDatabase(this, 'cinder');
    drop = t.drop;
    ds = await openCinderDatabase(t.url);
    await migrateDatabase(ds);
    db = new CinderDB(ds);
  });
  after(async () => {
    await ds?.destroy();
    await drop?.();
  });

  it("sums each backend's live volumes over its pools beside its services row", async () => {
    await ds!.query("INSERT INTO services (host, `binary`, topic, report_count, disabled, deleted) VALUES ('n1@fake', 'cinder-volume', 'cinder-volume', 0, 0, 0), ('n2@fake', 'cinder-volume', 'cinder-volume', 0, 0, 0), ('n1', 'cinder-scheduler', 'cinder-scheduler', 0, 0, 0)");
    const gone = await db.volumeCreate({ projectId: 'p', size: 4, volumeTypeId: 't', host: 'n1@fake#fake' });
    await db.volumeCreate({ projectId: 'p', size: 2, volumeTypeId: 't', host: 'n1@fake' });
    await db.volumeCreate({ projectId: 'p', size: 3, volumeTypeId: 't', host: 'n1@fake#other' });
    await db.volumeCreate({ projectId: 'p', size: 5, volumeTypeId: 't', host: 'n1@fake2#fake' });
    await db.volumeSoftDelete(gone.id);
    const rows = await db.servicesWithAllocatedGb('cinder-volume');
    expect(rows.map((r) => [r.service.host, r.service.binary, r.allocatedGb])).to.deep.equal([['n1@fake', 'cinder-volume', 5], ['n2@fake', 'cinder-volume', 0]]);
  });

  it('reads an attachment with its volume in one statement, as the two reads do', () => checkAttachmentWithVolume(db));

  it('reads a volume with its admin metadata as metadataGet reads it (a key beyond ASCII, a 4-byte character)', () => checkVolumeWithAdminMetadata(db, 'ключ 😀'));
});
