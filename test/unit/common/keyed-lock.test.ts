import { expect } from 'chai';
import { KeyedLock } from '../../../common/lock';

describe('nova-compute KeyedLock', () => {
  it('runs one section per key at a time, in arrival order; other keys run freely', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const section = (key: string, name: string, ms: number) => lock.run(key, async () => {
      log.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}-`);
    });
    await Promise.all([section('a', 'a1', 30), section('a', 'a2', 1), section('b', 'b1', 5)]);
    expect(log.indexOf('a1-')).to.be.lessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1-')).to.be.lessThan(log.indexOf('a1-'));
    await lock.idle();
  });
  it('releases the key when the section throws', async () => {
    const lock = new KeyedLock();
    await lock.run('k', async () => { throw new Error('boom'); }).catch(() => undefined);
    expect(await lock.run('k', async () => 42)).to.equal(42);
  });
});
