// The reads that fold several queries into one statement, on MariaDB (their SQL differs from
// SQLite's: CONCAT and JSON_OBJECTAGG): each answers what the separate reads it replaced do.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
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

  it('reads an attachment with its volume in one statement, as the two reads do', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', host: 'h@b#b' });
    const a = await db.attachmentCreate({ volumeId: v.id, instanceUuid: 'i-1', attachStatus: 'reserved', attachMode: 'rw' });
    expect(await db.attachmentWithVolume(a.id)).to.deep.equal({ att: await db.attachmentGet(a.id), volume: await db.volumeGet(v.id) });
    await db.volumeSoftDelete(v.id);
    expect(await db.attachmentWithVolume(a.id)).to.deep.equal({ att: await db.attachmentGet(a.id), volume: null });
    await db.attachmentDestroy(a.id);
    expect(await db.attachmentWithVolume(a.id)).to.equal(null);
    expect(await db.attachmentWithVolume('no-such-id')).to.equal(null);
  });

  it('reads a volume with its admin metadata as metadataGet reads it', async () => {
    const v = await db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't' });
    expect(await db.volumeGetWithAdminMetadata(v.id)).to.deep.equal({ volume: await db.volumeGet(v.id), admin: {} });
    await db.adminMetadataSet(v.id, 'readonly', 'True');
    await db.adminMetadataSet(v.id, 'ключ 😀', 'x"y\\z');
    await db.adminMetadataSet(v.id, 'attached_mode', 'ro');
    const hit = await db.volumeGetWithAdminMetadata(v.id);
    expect(hit?.admin).to.deep.equal((await db.metadataGet([v.id], true)).get(v.id));
    expect(hit?.admin).to.include({ readonly: 'True', 'ключ 😀': 'x"y\\z' });
    expect(hit?.volume).to.deep.equal(await db.volumeGet(v.id));
    await db.volumeSoftDelete(v.id);
    expect(await db.volumeGetWithAdminMetadata(v.id)).to.equal(null);
  });
});
