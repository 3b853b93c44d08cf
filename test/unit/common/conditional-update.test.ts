// Compare-and-swap vs plain writes (common/db/cas.ts) on SQLite: a conditional update whose
// expected state does not hold writes nothing and says so; os-unreserve is one UPDATE whose CASE
// the database decides from the attachment rows; the state columns only take their own names.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB, type Expected } from '../../../cinder-common/db-api';
import type { AttachStatus, VolumeStatus } from '../../../cinder-common/volume-status';
import type { BdmState } from '../../../nova-common/bdm-states';
import { openNovaDatabase } from '../../../nova-common/db';
import { NovaDB } from '../../../nova-common/db-api';
import { Instance } from '../../../nova-common/entities';
import type { TaskState, VmState } from '../../../nova-common/objects';

/** The SQL statements `ds` runs while `fn` runs (TypeORM's logger sees every one, logging on or off). */
async function statementsOf(ds: DataSource, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const logQuery = ds.logger.logQuery.bind(ds.logger);
  ds.logger.logQuery = (q, p, qr) => { seen.push(q); return logQuery(q, p, qr); };
  try {
    await fn();
  } finally {
    ds.logger.logQuery = logQuery;
  }
  return seen;
}

describe('conditional updates (compare-and-swap) and plain writes', () => {
  describe('cinder', () => {
    let ds: DataSource;
    let db: CinderDB;
    before(async () => {
      ds = await openCinderDatabase('sqlite://:memory:', { migrate: true });
      db = new CinderDB(ds);
    });
    after(() => ds.destroy());

    const volume = (status: VolumeStatus, multiattach = false) => db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 't', status, multiattach, displayName: 'v' });

    it('a wrong expected state writes nothing and returns false', async () => {
      const v = await volume('available');
      expect(await db.volumeConditionalUpdate(v.id, { status: 'in-use' }, { status: 'detaching', displayName: 'changed' })).to.equal(false);
      expect(await db.volumeGet(v.id)).to.include({ status: 'available', displayName: 'v', updatedAt: null });
      expect(await db.volumeConditionalUpdate(v.id, { status: ['available', 'in-use'] }, { status: 'attaching' })).to.equal(true);
      expect((await db.volumeGet(v.id))?.status).to.equal('attaching');
      const a = await db.attachmentCreate({ volumeId: v.id, attachStatus: 'attaching' });
      expect(await db.attachmentConditionalUpdate(a.id, { attachStatus: 'reserved' }, { attachStatus: 'attached' })).to.equal(false);
      expect((await db.attachmentGet(a.id))?.attachStatus).to.equal('attaching');
    });

    it('refuses a conditional update that expects nothing (it would be a plain one)', async () => {
      const v = await volume('available');
      const err = await db.volumeConditionalUpdate(v.id, {} as Expected, { status: 'error' }).then(() => null, (e: unknown) => e as Error);
      expect(err?.message).to.equal('volumeConditionalUpdate: a conditional update needs an expected state');
      expect((await db.volumeGet(v.id))?.status).to.equal('available');
    });

    it('unreserve: in-use with an attachment, available without, in one UPDATE', async () => {
      const bare = await volume('attaching');
      const held = await volume('attaching');
      const gone = await volume('attaching');
      await db.attachmentCreate({ volumeId: held.id, attachStatus: 'attached' });
      await db.attachmentCreate({ volumeId: gone.id, attachStatus: 'detached' });
      for (const [v, after] of [[bare, 'available'], [held, 'in-use'], [gone, 'available']] as const) {
        const sql = await statementsOf(ds, async () => expect(await db.volumeUnreserve(v.id, false)).to.equal(true));
        expect(sql).to.have.length(1);
        expect(sql[0]).to.match(/^UPDATE "volumes" SET "status" = CASE WHEN EXISTS \(SELECT 1 FROM "volume_attachment"/);
        expect((await db.volumeGet(v.id))?.status).to.equal(after);
      }
    });

    it('unreserve leaves a volume that is not attaching (or whose multiattach changed) alone', async () => {
      const v = await volume('in-use');
      expect(await db.volumeUnreserve(v.id, false)).to.equal(false);
      const w = await volume('attaching', true);
      expect(await db.volumeUnreserve(w.id, false)).to.equal(false);
      expect([(await db.volumeGet(v.id))?.status, (await db.volumeGet(w.id))?.status]).to.deep.equal(['in-use', 'attaching']);
    });
  });

  describe('nova', () => {
    let ds: DataSource;
    let db: NovaDB;
    before(async () => {
      ds = await openNovaDatabase('sqlite://:memory:', { migrate: true });
      db = new NovaDB(ds);
    });
    after(() => ds.destroy());

    it('an instance moves only from the expected task state; plain updates leave the state alone', async () => {
      const uuid = '11111111-2222-4333-8444-555555555555';
      await db.instances.insert(db.instances.create({ uuid, vmState: 'active', taskState: 'powering-off', powerState: 1, deleted: 0 }));
      expect(await db.instanceConditionalUpdate(uuid, { taskState: 'powering-on' }, { vmState: 'stopped', taskState: null })).to.equal(false);
      expect(await db.instanceGet(uuid)).to.include({ vmState: 'active', taskState: 'powering-off' });
      expect(await db.instanceConditionalUpdate(uuid, { taskState: ['powering-off'], vmState: 'active' }, { vmState: 'stopped', taskState: null })).to.equal(true);
      expect(await db.instanceUpdate(uuid, { displayName: 'renamed' })).to.equal(true);
      expect(await db.instanceGet(uuid)).to.include({ vmState: 'stopped', taskState: null, displayName: 'renamed' });
      expect(await db.instanceConditionalUpdate(uuid, { taskState: null }, { taskState: 'deleting' })).to.equal(true);
      expect(await db.instanceConditionalUpdate(uuid, { taskState: null }, { taskState: 'deleting' })).to.equal(false);
      expect(await db.ds.getRepository(Instance).countBy({ uuid, taskState: 'deleting' })).to.equal(1);
    });
  });

  it('state names are checked by the compiler (a typo does not build)', () => {
    // Each line below is a compile error unless the column types lose their unions.
    // @ts-expect-error not a volume status
    const v: VolumeStatus = 'in_use';
    // @ts-expect-error not an attach status
    const a: AttachStatus = 'attach';
    // @ts-expect-error not a vm_state
    const vm: VmState = 'running';
    // @ts-expect-error not a task_state
    const t: TaskState = 'powering_off';
    // @ts-expect-error not a block_device_mapping intent
    const b: BdmState = 'attached';
    // @ts-expect-error a plain update cannot write a state column
    const plain: Parameters<CinderDB['volumeUpdate']>[1] = { status: 'available' };
    expect([v, a, vm, t, b, plain]).to.have.length(6);
  });
});
