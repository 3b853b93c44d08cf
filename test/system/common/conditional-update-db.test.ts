// The compare-and-swap updates on MariaDB (SQLite: test/unit/common/conditional-update.test.ts):
// a miss writes nothing, and os-unreserve's one UPDATE with a CASE over volume_attachment (a
// correlated subquery on another table, which MySQL allows in an UPDATE) picks the status.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { openNovaDatabase } from '../../../nova-common/db';
import { NovaDB } from '../../../nova-common/db-api';
import { createTestDatabase } from '../../support/servers';

describe('conditional updates on MariaDB', function () {
  const drops: Array<() => Promise<void>> = [];
  const sources: DataSource[] = [];
  after(async () => {
    for (const ds of sources) await ds.destroy();
    for (const drop of drops) await drop();
  });
  /** A fresh, migrated database of that project on the private MariaDB. */
  async function fresh(ctx: Mocha.Context, kind: 'nova' | 'cinder'): Promise<DataSource> {
    const { url, drop } = await createTestDatabase(ctx, kind);
    drops.push(drop);
    const ds = await (kind === 'nova' ? openNovaDatabase : openCinderDatabase)(url, { migrate: true });
    sources.push(ds);
    return ds;
  }

  it('cinder: a miss writes nothing; unreserve gives in-use with an attachment, available without, in one UPDATE', async function () {
    const ds = await fresh(this, 'cinder');
    const db = new CinderDB(ds);
    const mk = () => db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', status: 'attaching' });
    const [bare, held] = [await mk(), await mk()];
    await db.attachmentCreate({ volumeId: held.id, attachStatus: 'attached' });
    expect(await db.volumeConditionalUpdate(bare.id, { status: 'available' }, { status: 'in-use' })).to.equal(false);
    expect((await db.volumeGet(bare.id))?.status).to.equal('attaching');
    const seen: string[] = [];
    const logQuery = ds.logger.logQuery.bind(ds.logger);
    ds.logger.logQuery = (q, p, qr) => { seen.push(q); return logQuery(q, p, qr); };
    try {
      expect(await db.volumeUnreserve(bare.id, false)).to.equal(true);
      expect(await db.volumeUnreserve(held.id, false)).to.equal(true);
      expect(await db.volumeUnreserve(held.id, false)).to.equal(false);
    } finally {
      ds.logger.logQuery = logQuery;
    }
    expect(seen.filter((q) => /CASE WHEN EXISTS/.test(q))).to.have.length(3);
    expect(seen).to.have.length(3);
    expect([(await db.volumeGet(bare.id))?.status, (await db.volumeGet(held.id))?.status]).to.deep.equal(['available', 'in-use']);
  });

  it('nova: an instance moves only from the expected task state (IS NULL, IN)', async function () {
    const db = new NovaDB(await fresh(this, 'nova'));
    const uuid = '11111111-2222-4333-8444-555555555555';
    await db.instances.insert(db.instances.create({ uuid, vmState: 'active', taskState: null, powerState: 1, deleted: 0 }));
    expect(await db.instanceConditionalUpdate(uuid, { taskState: null }, { taskState: 'rebooting' })).to.equal(true);
    expect(await db.instanceConditionalUpdate(uuid, { taskState: null }, { taskState: 'deleting' })).to.equal(false);
    expect(await db.instanceConditionalUpdate(uuid, { taskState: ['rebooting', 'rebooting_hard'] }, { taskState: null, powerState: 1 })).to.equal(true);
    expect(await db.instanceGet(uuid)).to.include({ vmState: 'active', taskState: null });
  });
});
