// FastSelect (common/db/fast-select.ts) must read exactly what a repository find reads, and
// its UPDATE must be a compare-and-swap that reports the rows it matched.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { In, IsNull } from 'typeorm';
import { fastSelect, migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { QuotaUsage, Volume, VolumeAdminMetadata, VolumeAttachment } from '../../../cinder-common/entities';

const TYPE = '00000000-0000-0000-0000-000000000000';

describe('FastSelect: repository reads and CAS updates without the query builder', () => {
  let ds: DataSource;
  let db: CinderDB;
  const ids: string[] = [];
  before(async () => {
    ds = await openCinderDatabase('sqlite://:memory:');
    await migrateDatabase(ds);
    db = new CinderDB(ds);
    for (const [size, status] of [[1, 'available'], [2, 'in-use'], [3, 'available']] as const) {
      const v = await db.volumeCreate({ size, projectId: 'p', volumeTypeId: TYPE, displayName: size === 2 ? null : `v${size}` });
      await db.volumeConditionalUpdate(v.id, { status: 'creating' }, { status, bootable: size === 3 });
      ids.push(v.id);
    }
    await db.attachmentCreate({ volumeId: ids[1], instanceUuid: 'i-1', attachStatus: 'attached', attachTime: new Date('2026-01-02T03:04:05.678Z') });
  });
  after(async () => { await ds.destroy(); });

  it('hydrates every column as the repository does: dates, booleans, nulls', async () => {
    const f = fastSelect(ds, Volume);
    for (const id of ids) {
      const want = await db.volumes.findOneBy({ id, deleted: false });
      const got = await f.findOne({ id, deleted: false });
      expect(got).to.be.instanceOf(Volume);
      expect(got).to.deep.equal(want);
    }
    const [a] = await fastSelect(ds, VolumeAttachment).find({ volumeId: [ids[1]], deleted: false });
    expect(a.attachTime).to.be.instanceOf(Date);
    expect(a.attachTime?.toISOString()).to.equal('2026-01-02T03:04:05.678Z');
  });

  it('IN lists, NULL, a null inside a list, an empty list, order and limit', async () => {
    const f = fastSelect(ds, Volume);
    const sizes = async (where: Record<string, unknown>, limit?: number) => (await f.find(where, [['size', 'DESC']], limit)).map((v) => v.size);
    expect(await sizes({ id: ids })).to.deep.equal([3, 2, 1]);
    expect(await sizes({ id: ids }, 2)).to.deep.equal([3, 2]);
    expect(await sizes({ status: ['available'] })).to.deep.equal([3, 1]);
    expect(await sizes({ displayName: null })).to.deep.equal([2]);
    expect(await sizes({ displayName: ['v1', null] })).to.deep.equal([2, 1]);
    // Texts are kept per shape: lists of one length with and without values besides null differ.
    expect(await sizes({ displayName: [null, null] })).to.deep.equal([2]);
    expect(await sizes({ displayName: ['v1', 'v3'] })).to.deep.equal([3, 1]);
    expect(await sizes({ displayName: ['v3', null] })).to.deep.equal([3, 2]);
    expect(await sizes({ id: [] })).to.deep.equal([]);
    expect(await sizes({ id: [null] })).to.deep.equal([]);
    expect(await sizes({ bootable: true })).to.deep.equal([3]);
    // The same as the repository with In / IsNull.
    expect((await db.volumes.find({ where: { displayName: IsNull(), id: In(ids) } })).map((v) => v.size)).to.deep.equal([2]);
  });

  it('UPDATE is a compare-and-swap: it changes only a row in the expected state and says so', async () => {
    const f = fastSelect(ds, Volume);
    expect(await f.update({ id: ids[0], status: 'in-use' }, { status: 'attaching' })).to.equal(0);
    expect((await db.volumeGet(ids[0]))?.status).to.equal('available');
    expect(await f.update({ id: ids[0], status: ['available', null] }, { status: 'attaching', updatedAt: new Date('2026-02-03T04:05:06.007Z') })).to.equal(1);
    const v = await db.volumeGet(ids[0]);
    expect(v?.status).to.equal('attaching');
    expect(v?.updatedAt?.toISOString()).to.equal('2026-02-03T04:05:06.007Z');
    // Inside a transaction, with the caller's manager.
    await ds.transaction(async (m) => {
      expect(await f.update({ id: ids[0], status: 'attaching' }, { status: 'available' }, m)).to.equal(1);
      expect((await f.findOne({ id: ids[0] }, [], m))?.status).to.equal('available');
    });
  });

  it('INSERT sets the generated id and the declared defaults, so the row reads as stored; a rollback takes it back', async () => {
    const f = fastSelect(ds, QuotaUsage);
    const a = await f.insert(ds.getRepository(QuotaUsage).create({ projectId: 'p', resource: 'volumes', inUse: 0, reserved: 0 }));
    const b = await f.insert(ds.getRepository(QuotaUsage).create({ projectId: 'p', resource: 'gigabytes', inUse: 2, reserved: 1 }));
    expect(b.id).to.equal(a.id + 1);
    for (const row of [a, b]) expect(row).to.deep.equal(await ds.getRepository(QuotaUsage).findOneBy({ id: row.id }));
    const meta = fastSelect(ds, VolumeAdminMetadata);
    await ds.transaction(async (m) => {
      await meta.insert(ds.getRepository(VolumeAdminMetadata).create({ volumeId: ids[0], key: 'k', value: 'v', deleted: false }), m);
      expect(await meta.find({ volumeId: ids[0] }, [], undefined, m)).to.have.length(1);
      throw new Error('roll back');
    }).catch((e: Error) => expect(e.message).to.equal('roll back'));
    expect(await meta.find({ volumeId: ids[0] })).to.deep.equal([]);
  });
});
