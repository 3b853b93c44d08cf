// The fake backend's manage/unmanage (cinder/volume/drivers/lvm.py's manage_existing*,
// unmanage): an unmanaged volume stays on the "backend" under `volume-<id>` and a manage by that
// name takes it, size and all; a redo succeeds; references naming nothing it may take are refused.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../common/config';
import { CINDER_SCHEMA, backendConf, type CinderConf } from '../../../cinder-common/config';
import type { Snapshot, Volume } from '../../../cinder-common/entities';
import { ManageExistingInvalidReference } from '../../../cinder-common/exception';
import { FakeDriver } from '../../../cinder-volume/drivers/fake';
import { refused } from '../../support/assertions';

describe('FakeDriver: manage_existing, unmanage, existing size', () => {
  let d: FakeDriver;
  beforeEach(() => {
    const conf = loadConfig(CINDER_SCHEMA, { defaults: { DEFAULT: { enabled_backends: 'fake' } }, env: {} }) as unknown as CinderConf;
    d = new FakeDriver(backendConf(conf, 'fake') as never);
  });

  const vol = (size = 1): Volume => ({ id: randomUUID(), size }) as Volume;
  const created = async (size: number): Promise<Volume> => {
    const v = vol(size);
    await d.createVolume(v);
    return v;
  };
  /** The reason of the ManageExistingInvalidReference `p` is refused with. */
  const invalidRef = async (p: Promise<unknown>): Promise<string> => {
    const e = await refused(p);
    expect(e).to.be.instanceOf(ManageExistingInvalidReference);
    return (e as ManageExistingInvalidReference).kwargs.reason as string;
  };

  it('unmanage then manage by `volume-<old id>`: the size is carried, the old id gone, the new id holds it', async () => {
    const old = await created(3);
    await d.createExport(old, null);
    await d.unmanage(old);
    expect(d.volumes.has(old.id)).to.equal(false);
    expect(d.exports.has(old.id)).to.equal(false);
    expect(d.unmanaged.get(`volume-${old.id}`)).to.equal(3);

    const next = vol(1);
    const ref = { 'source-name': `volume-${old.id}` };
    expect(await d.manageExistingGetSize(next, ref)).to.equal(3);
    expect(await d.manageExisting(next, ref)).to.equal(undefined);
    expect(d.volumes.get(next.id)).to.equal(3);
    expect(d.volumes.has(old.id)).to.equal(false);
    expect(d.unmanaged.size).to.equal(0);
    expect(await d.existingSize(next)).to.equal(3);
    expect(await d.existingSize(old)).to.equal(null);
  });

  it('a redo of manage_existing after it succeeded succeeds without change; with neither object it is refused', async () => {
    const old = await created(2);
    await d.unmanage(old);
    const next = vol();
    const ref = { 'source-name': `volume-${old.id}` };
    await d.manageExisting(next, ref);
    await d.manageExisting(next, ref);
    expect([...d.volumes]).to.deep.equal([[next.id, 2]]);
    expect(await invalidRef(d.manageExisting(vol(), ref))).to.equal('Specified logical volume does not exist.');
  });

  it('manage_existing never replaces what the volume already has', async () => {
    const old = await created(2);
    await d.unmanage(old);
    const next = await created(5);
    expect(await invalidRef(d.manageExisting(next, { 'source-name': `volume-${old.id}` }))).to.match(/already exists/);
    expect(d.volumes.get(next.id)).to.equal(5);
    expect(d.unmanaged.get(`volume-${old.id}`)).to.equal(2);
  });

  it('refuses references that are not {"source-name": NAME} or name nothing it may take', async () => {
    const old = await created(1);
    await d.unmanage(old);
    const v = vol();
    const missing = 'Reference must contain source-name element.';
    for (const ref of [`volume-${old.id}`, {}, { name: `volume-${old.id}` }, { 'source-name': 7 }, null, undefined]) {
      expect(await invalidRef(d.manageExistingGetSize(v, ref)), JSON.stringify(ref)).to.equal(missing);
      expect(await invalidRef(d.manageExisting(v, ref)), JSON.stringify(ref)).to.equal(missing);
    }
    expect(await invalidRef(d.manageExistingGetSize(v, { 'source-name': `volume-${randomUUID()}` }))).to.equal('Specified logical volume does not exist.');
    // A snapshot's backing, or a name that is no plain name, is never a volume to take.
    d.unmanaged.set(`snapshot-${old.id}`, 1);
    d.unmanaged.set('.hidden', 1);
    for (const name of [`snapshot-${old.id}`, '.hidden', '..', '.', '', `../volume-${old.id}`, `x/volume-${old.id}`]) {
      const ref = { 'source-name': name };
      expect(await invalidRef(d.manageExistingGetSize(v, ref)), name).to.equal('Reference must name a volume on this backend.');
      expect(await invalidRef(d.manageExisting(v, ref)), name).to.equal('Reference must name a volume on this backend.');
    }
    expect(d.volumes.has(v.id)).to.equal(false);
    const e = await refused(d.manageExistingGetSize(v, 'volume-x'));
    expect(e.message).to.equal('Manage existing volume failed due to invalid backend reference "volume-x": Reference must contain source-name element.');
  });

  it("refuses the name of a volume it still manages (the other volume's backing is not taken)", async () => {
    const held = await created(4);
    const v = vol();
    const ref = { 'source-name': `volume-${held.id}` };
    expect(await invalidRef(d.manageExistingGetSize(v, ref))).to.equal('Volume is already managed.');
    expect(await invalidRef(d.manageExisting(v, ref))).to.equal('Volume is already managed.');
    expect(d.volumes.get(held.id)).to.equal(4);
    expect(d.volumes.has(v.id)).to.equal(false);
  });

  it('existing size: the size of the volume it holds, null for one it does not', async () => {
    const v = await created(7);
    expect(await d.existingSize(v)).to.equal(7);
    expect(await d.existingSize(vol())).to.equal(null);
    await d.unmanage(v);
    expect(await d.existingSize(v)).to.equal(null);
  });

  it('unmanage of a volume it does not hold (a redo) is no error and changes nothing', async () => {
    const v = await created(2);
    await d.unmanage(v);
    await d.unmanage(v);
    expect([...d.unmanaged]).to.deep.equal([[`volume-${v.id}`, 2]]);
    await d.unmanage(vol());
    expect(d.unmanaged.size).to.equal(1);
    expect(d.volumes.size).to.equal(0);
  });

  it('failNext makes one call of each fail', async () => {
    const v = await created(1);
    for (const [method, call] of [
      ['unmanage', () => d.unmanage(v)], ['existingSize', () => d.existingSize(v)],
      ['manageExistingGetSize', () => d.manageExistingGetSize(v, { 'source-name': `volume-${v.id}` })],
      ['manageExisting', () => d.manageExisting(v, { 'source-name': `volume-${v.id}` })],
    ] as const) {
      d.failNext.set(method, new Error(`${method} broke`));
      expect((await refused(call())).message).to.equal(`${method} broke`);
    }
    expect(d.volumes.get(v.id)).to.equal(1);
  });
});

describe('FakeDriver: manage_existing_snapshot, unmanage_snapshot', () => {
  let d: FakeDriver;
  beforeEach(() => {
    const conf = loadConfig(CINDER_SCHEMA, { defaults: { DEFAULT: { enabled_backends: 'fake' } }, env: {} }) as unknown as CinderConf;
    d = new FakeDriver(backendConf(conf, 'fake') as never);
  });

  const snap = (volumeSize = 1): Snapshot => ({ id: randomUUID(), volumeId: randomUUID(), volumeSize }) as Snapshot;
  const taken = async (size: number): Promise<Snapshot> => {
    const s = snap(size);
    await d.createSnapshot(s, { id: s.volumeId, size } as Volume);
    return s;
  };
  const invalidRef = async (p: Promise<unknown>): Promise<string> => {
    const e = await refused(p);
    expect(e).to.be.instanceOf(ManageExistingInvalidReference);
    return (e as ManageExistingInvalidReference).kwargs.reason as string;
  };

  it('unmanage_snapshot then manage by `snapshot-<old id>` under a new id: the size is carried, the old id gone', async () => {
    const old = await taken(3);
    await d.unmanageSnapshot(old);
    expect(d.snapshots.has(old.id)).to.equal(false);
    expect([...d.unmanagedSnapshots]).to.deep.equal([[`snapshot-${old.id}`, 3]]);

    const next = snap(1);
    const ref = { 'source-name': `snapshot-${old.id}` };
    expect(await d.manageExistingSnapshotGetSize(next, ref)).to.equal(3);
    expect(await d.manageExistingSnapshot(next, ref)).to.equal(undefined);
    expect([...d.snapshots]).to.deep.equal([[next.id, 3]]);
    expect(d.unmanagedSnapshots.size).to.equal(0);
    // Volumes are untouched by snapshot management.
    expect(d.volumes.size).to.equal(0);
    expect(d.unmanaged.size).to.equal(0);
  });

  it('a redo of manage_existing_snapshot after it succeeded succeeds without change; with neither object it is refused', async () => {
    const old = await taken(2);
    await d.unmanageSnapshot(old);
    const next = snap();
    const ref = { 'source-name': `snapshot-${old.id}` };
    await d.manageExistingSnapshot(next, ref);
    await d.manageExistingSnapshot(next, ref);
    expect([...d.snapshots]).to.deep.equal([[next.id, 2]]);
    expect(d.unmanagedSnapshots.size).to.equal(0);
    expect(await invalidRef(d.manageExistingSnapshot(snap(), ref))).to.equal('Specified snapshot does not exist.');
    expect(await invalidRef(d.manageExistingSnapshotGetSize(snap(), ref))).to.equal('Specified snapshot does not exist.');
  });

  it('manage_existing_snapshot never replaces what the snapshot already has', async () => {
    const old = await taken(2);
    await d.unmanageSnapshot(old);
    const next = await taken(5);
    expect(await invalidRef(d.manageExistingSnapshot(next, { 'source-name': `snapshot-${old.id}` }))).to.match(/already exists/);
    expect(d.snapshots.get(next.id)).to.equal(5);
    expect(d.unmanagedSnapshots.get(`snapshot-${old.id}`)).to.equal(2);
  });

  it('refuses references that are not {"source-name": NAME} or name no snapshot it may take', async () => {
    const old = await taken(1);
    await d.unmanageSnapshot(old);
    const s = snap();
    const missing = 'Reference must contain source-name element.';
    for (const ref of [`snapshot-${old.id}`, {}, { name: `snapshot-${old.id}` }, { 'source-name': 7 }, null, undefined]) {
      expect(await invalidRef(d.manageExistingSnapshotGetSize(s, ref)), JSON.stringify(ref)).to.equal(missing);
      expect(await invalidRef(d.manageExistingSnapshot(s, ref)), JSON.stringify(ref)).to.equal(missing);
    }
    const unknown = { 'source-name': `snapshot-${randomUUID()}` };
    expect(await invalidRef(d.manageExistingSnapshotGetSize(s, unknown))).to.equal('Specified snapshot does not exist.');
    expect(await invalidRef(d.manageExistingSnapshot(s, unknown))).to.equal('Specified snapshot does not exist.');

    // A volume's backing (even an unmanaged one), or a name that is no plain snapshot name, is never a snapshot to take.
    const v = { id: randomUUID(), size: 1 } as Volume;
    await d.createVolume(v);
    await d.unmanage(v);
    d.unmanagedSnapshots.set(`volume-${v.id}`, 1);
    d.unmanagedSnapshots.set('.hidden', 1);
    for (const name of [`volume-${v.id}`, `tgtd-3260.pid`, '.hidden', '..', '.', '', `../snapshot-${old.id}`, `x/snapshot-${old.id}`]) {
      const ref = { 'source-name': name };
      expect(await invalidRef(d.manageExistingSnapshotGetSize(s, ref)), name).to.equal('Reference must name a snapshot on this backend.');
      expect(await invalidRef(d.manageExistingSnapshot(s, ref)), name).to.equal('Reference must name a snapshot on this backend.');
    }
    expect(d.snapshots.has(s.id)).to.equal(false);
    expect(d.unmanaged.get(`volume-${v.id}`)).to.equal(1);
    const e = await refused(d.manageExistingSnapshotGetSize(s, 'snapshot-x'));
    expect(e.message).to.equal('Manage existing volume failed due to invalid backend reference "snapshot-x": Reference must contain source-name element.');
  });

  it("refuses the name of a snapshot it still holds (another snapshot's backing is not taken)", async () => {
    const held = await taken(4);
    const s = snap();
    const ref = { 'source-name': `snapshot-${held.id}` };
    expect(await invalidRef(d.manageExistingSnapshotGetSize(s, ref))).to.equal('Snapshot is already managed.');
    expect(await invalidRef(d.manageExistingSnapshot(s, ref))).to.equal('Snapshot is already managed.');
    expect([...d.snapshots]).to.deep.equal([[held.id, 4]]);
  });

  it('unmanage_snapshot of a snapshot it does not hold (a redo) is no error and changes nothing', async () => {
    const s = await taken(2);
    const other = await taken(6);
    await d.unmanageSnapshot(s);
    await d.unmanageSnapshot(s);
    expect([...d.unmanagedSnapshots]).to.deep.equal([[`snapshot-${s.id}`, 2]]);
    await d.unmanageSnapshot(snap());
    expect(d.unmanagedSnapshots.size).to.equal(1);
    expect([...d.snapshots]).to.deep.equal([[other.id, 6]]);
  });

  it('failNext makes one call of each fail', async () => {
    const s = await taken(1);
    const ref = { 'source-name': `snapshot-${s.id}` };
    for (const [method, call] of [
      ['unmanageSnapshot', () => d.unmanageSnapshot(s)],
      ['manageExistingSnapshotGetSize', () => d.manageExistingSnapshotGetSize(s, ref)],
      ['manageExistingSnapshot', () => d.manageExistingSnapshot(s, ref)],
    ] as const) {
      d.failNext.set(method, new Error(`${method} broke`));
      expect((await refused(call())).message).to.equal(`${method} broke`);
      expect(d.failNext.has(method)).to.equal(false);
    }
    expect(d.snapshots.get(s.id)).to.equal(1);
    expect(d.unmanagedSnapshots.size).to.equal(0);
    // Only once: the next unmanage goes through.
    await d.unmanageSnapshot(s);
    expect(d.unmanagedSnapshots.get(`snapshot-${s.id}`)).to.equal(1);
  });
});
