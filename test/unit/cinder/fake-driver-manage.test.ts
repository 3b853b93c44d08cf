// The fake backend's manage/unmanage (cinder/volume/drivers/lvm.py's manage_existing*,
// unmanage): an unmanaged volume stays on the "backend" under `volume-<id>` and a manage by that
// name takes it, size and all; a redo succeeds; references naming nothing it may take are refused.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../common/config';
import { CINDER_SCHEMA, backendConf, type CinderConf } from '../../../cinder-common/config';
import type { Volume } from '../../../cinder-common/entities';
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
