// nova-common/retry.ts: bounded retries of a lost dependency use their whole budget.
import FakeTimers from '@sinonjs/fake-timers';
import { expect } from 'chai';
import { DBConnectionError } from '../../../common/db/errors';
import { retrying, StepInterrupted } from '../../../nova-common/retry';

describe('nova retrying()', () => {
  it('makes its last attempt at the deadline, then gives up with StepInterrupted', async () => {
    // On a fake clock: a busy machine's late timers must not change what is checked.
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const start = Date.now();
      const at: number[] = [];
      const done = retrying('probe', 700, async () => {
        at.push(Date.now() - start);
        throw new DBConnectionError({ reason: 'down' });
      }).catch((e: unknown) => e);
      await clock.tickAsync(2_000);
      const err = await done;
      expect(err).to.be.instanceOf(StepInterrupted);
      // 0, 200, 600 ms, then the capped wait lands on the deadline instead of giving up early.
      expect(at).to.deep.equal([0, 200, 600, 700]);
    } finally {
      clock.uninstall();
    }
  });

  it('does not retry an error that is not a lost dependency', async () => {
    let n = 0;
    const err = await retrying('probe', 5000, async () => { n++; throw new Error('bad statement'); }).catch((e: Error) => e);
    expect((err as Error).message).to.equal('bad statement');
    expect(n).to.equal(1);
  });
});
