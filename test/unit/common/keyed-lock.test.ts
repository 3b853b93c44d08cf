import { expect } from 'chai';
import { KeyedLock } from '../../../common/lock';
import { waitFor } from '../../support/processes';

describe('nova-compute KeyedLock', () => {
  it('runs one section per key at a time, in arrival order; other keys run freely', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const open: Record<string, () => void> = {};
    // Each section holds its key until the test opens its gate.
    const section = (key: string, name: string) => lock.run(key, async () => {
      log.push(`${name}+`);
      await new Promise<void>((r) => { open[name] = r; });
      log.push(`${name}-`);
    });
    const all = Promise.all([section('a', 'a1'), section('a', 'a2'), section('b', 'b1')]);
    const seen = (entry: string) => waitFor(() => log.includes(entry), 5_000, entry, 1);
    await seen('a1+');
    await seen('b1+');
    open.b1();
    await seen('b1-');
    expect(log).to.not.include('a2+');
    open.a1();
    await seen('a2+');
    expect(log.indexOf('a1-')).to.be.lessThan(log.indexOf('a2+'));
    open.a2();
    await all;
    await lock.idle();
  });
  it('releases the key when the section throws', async () => {
    const lock = new KeyedLock();
    await lock.run('k', async () => { throw new Error('boom'); }).catch(() => undefined);
    expect(await lock.run('k', async () => 42)).to.equal(42);
  });
});
