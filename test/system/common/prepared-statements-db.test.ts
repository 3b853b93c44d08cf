// The hot statements run as server-side prepared statements on MariaDB (common/db/prepared.ts):
// they must read and write exactly what the text queries do (dates in UTC, a fraction of a
// second as the text query stores it, booleans, NULLs), and a server that will not prepare one
// more statement must still answer.
import { expect } from 'chai';
import { fastSelect } from '../../../common/db';
import { Volume, VolumeAttachment } from '../../../cinder-common/entities';
import { cinderOnMariaDb } from '../../support/cinder-mariadb';

describe('prepared statements on MariaDB', function () {
  this.timeout(60_000);
  const on = cinderOnMariaDb();
  const status = async (name: string): Promise<number> =>
    Number(((await on.ds.query(`SHOW GLOBAL STATUS LIKE '${name}'`)) as Array<{ Value: string }>)[0]?.Value ?? 0);

  it('reads through prepared statements exactly what the repository reads as text', async () => {
    const v = await on.db.volumeCreate({ size: 3, projectId: 'p', volumeTypeId: 't', displayName: null, host: 'h@fake#fake' });
    await on.db.volumeConditionalUpdate(v.id, { status: 'creating' }, { status: 'available', bootable: true, launchedAt: new Date('2026-03-04T05:06:07Z') });
    await on.db.attachmentCreate({ volumeId: v.id, instanceUuid: 'i-1', attachStatus: 'attached', attachTime: new Date('2026-01-02T03:04:05Z') });
    const before = await status('Com_stmt_execute');
    const got = await fastSelect(on.ds, Volume).findOne({ id: v.id, deleted: false });
    const [att] = await fastSelect(on.ds, VolumeAttachment).find({ volumeId: [v.id], deleted: false });
    expect(await status('Com_stmt_execute')).to.be.at.least(before + 2);
    expect(got).to.deep.equal(await on.db.volumes.findOneBy({ id: v.id, deleted: false }));
    expect(got?.launchedAt?.toISOString()).to.equal('2026-03-04T05:06:07.000Z');
    expect(got?.bootable).to.equal(true);
    expect(got?.displayName).to.equal(null);
    expect(att).to.deep.equal(await on.ds.getRepository(VolumeAttachment).findOneBy({ id: att.id }));
    expect(att.attachTime?.toISOString()).to.equal('2026-01-02T03:04:05.000Z');
  });

  it('binds dates, booleans and NULLs in a compare-and-swap as the text query did', async () => {
    const v = await on.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: 't' });
    const f = fastSelect(on.ds, Volume);
    const at = new Date('2027-05-06T07:08:09Z');
    expect(await f.update({ id: v.id, status: ['creating', null], bootable: false }, { status: 'error', updatedAt: at, displayName: 'ünï 😀', bootable: true })).to.equal(1);
    expect(await f.update({ id: v.id, status: 'creating' }, { status: 'available' })).to.equal(0);
    const text = await on.db.volumes.findOneBy({ id: v.id });
    expect(text?.status).to.equal('error');
    expect(text?.updatedAt?.toISOString()).to.equal('2027-05-06T07:08:09.000Z');
    expect(text?.displayName).to.equal('ünï 😀');
    expect(text?.bootable).to.equal(true);
    // A prepared WHERE on a date matches the row, in UTC.
    expect((await f.find({ id: v.id, updatedAt: at })).map((x) => x.id)).to.deep.equal([v.id]);
    // Cinder's DATETIME keeps whole seconds: a fraction is stored as the text query stores it.
    const frac = new Date('2027-05-06T07:08:09.987Z');
    const w = await on.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: 't' });
    await f.update({ id: v.id }, { updatedAt: frac });
    await on.db.volumes.update({ id: w.id }, { updatedAt: frac });
    const [pv, tv] = await Promise.all([on.db.volumes.findOneBy({ id: v.id }), on.db.volumes.findOneBy({ id: w.id })]);
    expect(pv?.updatedAt?.toISOString()).to.equal(tv?.updatedAt?.toISOString());
  });

  it('answers with a text query when the server will prepare no more statements', async () => {
    const [row] = (await on.ds.query("SHOW GLOBAL VARIABLES LIKE 'max_prepared_stmt_count'")) as Array<{ Value: string }>;
    // The private servers' user may set globals; an external server's user needs that right too.
    await on.ds.query('SET GLOBAL max_prepared_stmt_count = 0');
    try {
      const v = await on.db.volumeCreate({ size: 2, projectId: 'p2', volumeTypeId: 't', displayName: 'x' });
      // Shapes never prepared on any connection yet: the server refuses to prepare them.
      const f = fastSelect(on.ds, Volume);
      expect((await f.find({ projectId: 'p2', displayName: ['x', 'y'], size: 2 })).map((x) => x.id)).to.deep.equal([v.id]);
      expect(await f.update({ projectId: 'p2', displayName: ['x', 'z'], size: 2 }, { size: 4 })).to.equal(1);
      expect((await on.db.volumes.findOneBy({ id: v.id }))?.size).to.equal(4);
    } finally {
      await on.ds.query(`SET GLOBAL max_prepared_stmt_count = ${Number(row.Value)}`);
    }
  });
});
