// Snapshots on both databases Cinder runs on: a create's row, metadata and quota in one
// transaction that a volume gone from the valid statuses rolls back; a volume's delete swap
// refused while it has snapshots (a NOT EXISTS in the UPDATE) or, for a cascade, while one is
// not deletable or is another project's; the destroy that releases the quota once; the usage
// refresh that counts snapshots; metadata merged and replaced.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Snapshot } from '../../../cinder-common/entities';
import { QuotaEngine } from '../../../cinder-common/quota';
import { SnapshotDB, volumeSnapshotFilter } from '../../../cinder-common/snapshot-db';
import { InvalidVolume } from '../../../cinder-common/exception';
import { cinderDbFixture } from '../../support/cinder-mariadb';

for (const kind of ['sqlite', 'mariadb'] as const) {
  describe(`cinder snapshots db (${kind})`, function () {
    const f = cinderDbFixture(kind);
    const project = `snap-${kind}-${randomUUID().slice(0, 8)}`;
    const row = (volumeId: string, over: Partial<Snapshot> = {}): Snapshot => Object.assign(new Snapshot(), {
      id: randomUUID(), volumeId, userId: 'u', projectId: project, status: 'creating', progress: '0%', volumeSize: 2, scheduledAt: null,
      displayName: 's', displayDescription: null, providerLocation: null, encryptionKeyId: null, volumeTypeId: null, cgsnapshotId: null,
      groupSnapshotId: null, providerId: null, providerAuth: null, useQuota: true, createdAt: new Date(), updatedAt: null, deletedAt: null, deleted: false,
      ...over,
    } satisfies Snapshot);

    it('creates with metadata and quota in one transaction; a volume no longer valid rolls it all back', async () => {
      const db = new SnapshotDB(f.ds);
      const quota = new QuotaEngine(f.ds);
      const v = await f.db.volumeCreate({ projectId: project, size: 2, volumeTypeId: 't', status: 'available' });
      const s = row(v.id);
      await quota.createSnapshot(project, 2, null, (m) => db.createIn(m, s, { a: '1', b: '2' }, ['available']));
      expect((await db.get(s.id))?.status).to.equal('creating');
      expect((await db.metadataOf([s.id])).get(s.id)).to.deep.equal({ a: '1', b: '2' });
      const usage = async (): Promise<[number, number]> => {
        const u = await quota.db.usageGetAllByProject(project);
        return [u.snapshots?.in_use ?? 0, u.gigabytes?.in_use ?? 0];
      };
      expect(await usage()).to.deep.equal([1, 2]);
      await f.db.volumeConditionalUpdate(v.id, { status: 'available' }, { status: 'in-use' });
      const refused = row(v.id);
      let err: unknown;
      await quota.createSnapshot(project, 2, null, (m) => db.createIn(m, refused, { x: 'y' }, ['available'])).catch((e: unknown) => { err = e; });
      expect(err).to.be.instanceOf(InvalidVolume);
      expect([await db.get(refused.id), (await db.metadataOf([refused.id])).get(refused.id), await usage()]).to.deep.equal([null, {}, [1, 2]]);
      // Released once: a second destroy of the same row changes nothing.
      expect(await db.destroy(s)).to.equal(true);
      expect(await db.destroy(s)).to.equal(false);
      expect([await db.get(s.id), await usage()]).to.deep.equal([null, [0, 0]]);
    });

    it("a volume's delete swap asks its snapshots: none; for a cascade only deletable ones, of its own project", async () => {
      const db = new SnapshotDB(f.ds);
      const v = await f.db.volumeCreate({ projectId: project, size: 1, volumeTypeId: 't', status: 'available' });
      const s = row(v.id, { status: 'available' });
      await f.ds.transaction((m) => db.createIn(m, s, {}, ['available']));
      const swap = (filter: 'none' | 'deletable' | 'own'): Promise<boolean> =>
        f.db.volumeConditionalUpdate(v.id, { status: 'available' }, { status: 'deleting' }, undefined, volumeSnapshotFilter(f.ds, filter));
      expect(await swap('none')).to.equal(false);
      await db.conditionalUpdate(s.id, {}, { status: 'creating' });
      expect(await swap('deletable')).to.equal(false);
      await db.conditionalUpdate(s.id, {}, { status: 'error', projectId: 'another' });
      expect(await swap('own')).to.equal(false);
      expect((await f.db.volumeGet(v.id))?.status).to.equal('available');
      expect(await swap('deletable')).to.equal(true);
      expect((await f.db.volumeGet(v.id))?.status).to.equal('deleting');
    });

    it('metadata: merged, replaced, one key deleted; the usage refresh counts snapshots', async () => {
      const db = new SnapshotDB(f.ds);
      const quota = new QuotaEngine(f.ds);
      const v = await f.db.volumeCreate({ projectId: project, size: 3, volumeTypeId: 't', status: 'available' });
      const s = row(v.id, { volumeSize: 3 });
      await quota.createSnapshot(project, 3, null, (m) => db.createIn(m, s, { a: '1' }, ['available']));
      await db.metadataReplace(s.id, { b: '2' }, true);
      expect((await db.metadataOf([s.id])).get(s.id)).to.deep.equal({ a: '1', b: '2' });
      await db.metadataReplace(s.id, { b: '3', c: '4' }, false);
      expect((await db.metadataOf([s.id])).get(s.id)).to.deep.equal({ b: '3', c: '4' });
      await db.metadataDeleteKey(s.id, 'c');
      expect((await db.metadataOf([s.id])).get(s.id)).to.deep.equal({ b: '3' });
      const counted = await quota.db.usageGetAllByProject(project);
      await f.ds.query(`UPDATE quota_usages SET in_use = 7 WHERE project_id = ? AND resource = ?`, [project, 'snapshots']);
      // (Its volumes were written without quota here, so their own resources are corrected too.)
      const fixed = (await quota.db.sync()).filter(([p, r]) => p === project && r === 'snapshots');
      expect(fixed).to.deep.equal([[project, 'snapshots', 7, counted.snapshots.in_use]]);
    });
  });
}
