// oslo.db's [database] max_retries / retry_interval at a daemon's start: only an unreachable
// database is waited for, at most max_retries times (-1: no limit).
import { expect } from 'chai';
import { withStartupRetry } from '../../../common/db/project-database';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });

describe('database connection retries at start', () => {
  const failing = (failures: number, err: () => Error = refused) => {
    let calls = 0;
    return { calls: () => calls, connect: async (): Promise<string> => { calls++; if (calls <= failures) throw err(); return 'up'; } };
  };

  it('waits for a database that is down, then connects', async () => {
    const f = failing(3);
    expect(await withStartupRetry(f.connect, { maxRetries: 10, intervalSec: 0 }, 'test')).to.equal('up');
    expect(f.calls()).to.equal(4);
  });

  it('gives up after max_retries more attempts; -1 keeps trying', async () => {
    const f = failing(100);
    const e = await withStartupRetry(f.connect, { maxRetries: 2, intervalSec: 0 }, 'test').then(() => null, (x: Error) => x);
    expect(e?.message).to.match(/ECONNREFUSED/);
    expect(f.calls()).to.equal(3);
    const g = failing(7);
    expect(await withStartupRetry(g.connect, { maxRetries: -1, intervalSec: 0 }, 'test')).to.equal('up');
    expect(g.calls()).to.equal(8);
  });

  it('does not retry what waiting cannot fix: a refused password, a missing database', async () => {
    const f = failing(1, () => Object.assign(new Error("Access denied for user 'x'"), { code: 'ER_ACCESS_DENIED_ERROR' }));
    const e = await withStartupRetry(f.connect, { maxRetries: 10, intervalSec: 0 }, 'test').then(() => null, (x: Error) => x);
    expect(e?.message).to.match(/Access denied/);
    expect(f.calls()).to.equal(1);
  });
});
