// SQLite's one shared connection (common/db/sqlite-serial.ts): concurrent transactions must not
// nest, and a plain write made while another request's transaction is open must not become part
// of it (and vanish when it rolls back). bench:attach found both at 8 concurrent legacy cycles.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { Volume, VolumeAdminMetadata } from '../../../cinder-common/entities';
import { fastSelect } from '../../../common/db';
import { sqliteDirect } from '../../../common/db/sqlite-serial';

describe('SQLite: transactions hold the one connection to themselves', () => {
  let ds: DataSource;
  let db: CinderDB;
  let vid: string;
  before(async () => {
    ds = await openCinderDatabase('sqlite://:memory:', { migrate: true });
    db = new CinderDB(ds);
    vid = (await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: '00000000-0000-0000-0000-000000000000' })).id;
  });
  after(async () => { await ds.destroy(); });

  it('runs 10 concurrent transactions that each yield mid-way: all commit, none nests', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => ds.transaction(async (m) => {
      await m.insert(VolumeAdminMetadata, { volumeId: vid, key: `k${i}`, value: 'a', createdAt: new Date(), deleted: false });
      await new Promise((r) => setImmediate(r));
      await m.update(VolumeAdminMetadata, { volumeId: vid, key: `k${i}` }, { value: 'b' });
    })));
    const rows = await db.adminMetadata.findBy({ volumeId: vid });
    expect(rows.filter((r) => /^k\d$/.test(r.key ?? '') && r.value === 'b')).to.have.length(10);
  });

  it('keeps a plain write made while another transaction is open, when that one rolls back', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let inside!: () => void;
    const opened = new Promise<void>((r) => { inside = r; });
    const tx = ds.transaction(async (m) => {
      await m.insert(VolumeAdminMetadata, { volumeId: vid, key: 'tx-row', value: 'x', createdAt: new Date(), deleted: false });
      inside();
      await gate;
      throw new Error('roll back');
    }).then(() => 'committed', () => 'rolled back');
    await opened;
    const plain = db.adminMetadataSet(vid, 'plain-row', 'kept');
    // A few turns of the event loop: unguarded, the plain write runs now, inside the open transaction.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    release();
    expect(await tx).to.equal('rolled back');
    await plain;
    const keys = (await db.adminMetadata.findBy({ volumeId: vid, deleted: false })).map((r) => r.key);
    expect(keys).to.include('plain-row');
    expect(keys).to.not.include('tx-row');
  });

  it('hot statements, run straight on the connection, wait for an open transaction and see their own', async () => {
    const f = fastSelect(ds, Volume);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let opened!: () => void;
    const inside = new Promise<void>((r) => { opened = r; });
    const tx = ds.transaction(async (m) => {
      expect(await f.update({ id: vid }, { displayName: 'in-tx' }, m)).to.equal(1);
      // The transaction's own read, straight on the connection, sees its uncommitted write.
      expect((await f.findOne({ id: vid }, [], m))?.displayName).to.equal('in-tx');
      opened();
      await gate;
      throw new Error('roll back');
    }).then(() => 'committed', () => 'rolled back');
    await inside;
    // From outside: both wait for the transaction rather than run inside it.
    let read: string | null | undefined;
    const outsideRead = f.findOne({ id: vid }).then((v) => { read = v?.displayName; });
    const outsideWrite = f.update({ id: vid }, { bootable: true });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(read).to.equal(undefined);
    release();
    expect(await tx).to.equal('rolled back');
    expect(await outsideWrite).to.equal(1);
    await outsideRead;
    expect(read).to.not.equal('in-tx');
    const v = await db.volumeGet(vid);
    expect(v?.bootable).to.equal(true);
    expect(v?.displayName).to.not.equal('in-tx');
  });

  it('work a transaction scheduled runs after it as an outsider: it cannot slip into the next transaction', async () => {
    let timerWrite!: Promise<void>;
    let fired!: () => void;
    const scheduled = new Promise<void>((r) => { fired = r; });
    await ds.transaction(async (m) => {
      await m.insert(VolumeAdminMetadata, { volumeId: vid, key: 'first-tx', value: 'x', createdAt: new Date(), deleted: false });
      // As a span store's flush timer would: set inside the transaction, fires after it.
      setImmediate(() => { timerWrite = db.adminMetadataSet(vid, 'from-timer', 'kept'); fired(); });
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let opened!: () => void;
    const inSecond = new Promise<void>((r) => { opened = r; });
    const second = ds.transaction(async (m) => {
      await m.insert(VolumeAdminMetadata, { volumeId: vid, key: 'second-tx', value: 'x', createdAt: new Date(), deleted: false });
      opened();
      await gate;
      throw new Error('roll back');
    }).then(() => 'committed', () => 'rolled back');
    await scheduled;
    await inSecond;
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    release();
    expect(await second).to.equal('rolled back');
    await timerWrite;
    const keys = (await db.adminMetadata.findBy({ volumeId: vid, deleted: false })).map((r) => r.key);
    expect(keys).to.include.members(['first-tx', 'from-timer']);
    expect(keys).to.not.include('second-tx');
  });

  it('a direct SELECT answers the rows better-sqlite3 itself builds: names, order, a repeated name, a __proto__ column', async () => {
    const direct = sqliteDirect(ds)!;
    const conn = (ds.driver as unknown as { databaseConnection: { prepare(s: string): { all(...p: unknown[]): unknown[] } } }).databaseConnection;
    const texts = [
      'SELECT * FROM volumes WHERE id = ?',
      'SELECT v.id, m.id, v.status AS "x y", m."key" FROM volumes v LEFT JOIN volume_admin_metadata m ON m.volume_id = v.id WHERE v.id = ? ORDER BY m.id',
      'SELECT id AS "__proto__", status FROM volumes WHERE id = ?',
      'SELECT X\'0001\' AS "__proto__", status FROM volumes WHERE id = ?',
    ];
    for (const sql of texts) {
      const ours = await direct.all(sql, [vid]);
      const theirs = conn.prepare(sql).all(vid) as Array<Record<string, unknown>>;
      expect(ours.length, sql).to.be.greaterThan(0);
      // Own properties in order, and the prototype (a BLOB named __proto__ becomes it, on both).
      const shape = (r: Record<string, unknown>): unknown => {
        const proto = Object.getPrototypeOf(r) as object;
        return { own: Object.entries(r), proto: proto === Object.prototype ? 'Object' : Buffer.from(proto as Buffer).toString('hex') };
      };
      expect(ours.map(shape), sql).to.deep.equal(theirs.map(shape));
    }
  });
});
