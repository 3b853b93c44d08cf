import { expect } from 'chai';
import { asDbConnectionError, DBConnectionError, isDbConnectionError } from '../../../common/db/errors';
import { isDbDeadlock, isWsrepNotReady, withDbRetry } from '../../../common/db/retry';

// What mysql2 (wrapped by TypeORM's QueryFailedError as driverError) reports.
const deadlock = (): Error => Object.assign(new Error('query failed'), {
  driverError: { code: 'ER_LOCK_DEADLOCK', errno: 1213, message: 'Deadlock found when trying to get lock; try restarting transaction' },
});
const galeraConflict = (): Error => Object.assign(new Error('WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction'), { errno: 1213 });
const lost = (): Error => Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });
const dup = (): Error => Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY', errno: 1062 });

describe('db retry (oslo.db wrap_db_retry)', () => {
  const waits: number[] = [];
  const sleep = async (ms: number): Promise<void> => { waits.push(ms); };
  beforeEach(() => { waits.length = 0; });

  it('classifies InnoDB deadlocks, Galera certification failures and non-primary nodes', () => {
    expect(isDbDeadlock(deadlock())).to.equal(true);
    expect(isDbDeadlock(galeraConflict())).to.equal(true);
    expect(isDbDeadlock(Object.assign(new Error('x'), { code: 'ER_LOCK_WAIT_TIMEOUT' }))).to.equal(true);
    expect(isDbDeadlock(dup())).to.equal(false);
    expect(isDbDeadlock(lost())).to.equal(false);
    expect(isWsrepNotReady(Object.assign(new Error('WSREP has not yet prepared node for application use'), { errno: 1047 }))).to.equal(true);
    expect(isWsrepNotReady(dup())).to.equal(false);
  });

  it('a Galera node outside the primary component is an unreachable database (503), not a failed statement (500)', () => {
    // As TypeORM wraps mysql2's error: the QueryFailedError's driverError carries the code.
    const notReady = Object.assign(new Error('WSREP has not yet prepared node for application use'), {
      driverError: { code: 'ER_UNKNOWN_COM_ERROR', errno: 1047, message: 'WSREP has not yet prepared node for application use' },
    });
    expect(isDbConnectionError(notReady)).to.equal(true);
    expect(asDbConnectionError(notReady)).to.be.instanceOf(DBConnectionError);
    expect(isDbConnectionError(Object.assign(new Error('x'), { code: 'ER_UNKNOWN_COM_ERROR' }))).to.equal(true);
    expect(isDbConnectionError(dup())).to.equal(false);
    expect(isDbConnectionError(deadlock())).to.equal(false);
  });

  it('a write that lost the primary component while replicating (1180) is an unreachable database too', () => {
    // What a surviving node answered a write in flight while the cluster re-formed (cluster test).
    const text = 'Error while appending streaming replication fragment(provider status: Not connected to Primary Component)';
    const cut = Object.assign(new Error(text), { driverError: { code: 'ER_ERROR_DURING_COMMIT', errno: 1180, message: text } });
    expect(isDbConnectionError(cut)).to.equal(true);
    expect(asDbConnectionError(cut)).to.be.instanceOf(DBConnectionError);
    expect(isWsrepNotReady(cut)).to.equal(true);
    // 1180 with another cause is a failed statement, not a lost database.
    const other = Object.assign(new Error('Got error 149 during COMMIT'), { driverError: { code: 'ER_ERROR_DURING_COMMIT', errno: 1180, message: 'Got error 149 during COMMIT' } });
    expect(isDbConnectionError(other)).to.equal(false);
    expect(isWsrepNotReady(other)).to.equal(false);
  });

  it("a database reached by its unix socket is unreachable while the socket's file is gone, one without a route too", () => {
    // What mysql2 raised in nova-api while MariaDB was stopped (a throwaway outage under load).
    const gone = Object.assign(new Error('connect ENOENT /run/mysqld/mysqld.sock'), { code: 'ENOENT', syscall: 'connect', address: '/run/mysqld/mysqld.sock' });
    expect(isDbConnectionError(gone)).to.equal(true);
    expect(asDbConnectionError(gone)).to.be.instanceOf(DBConnectionError);
    // A network that lost its route to a database node is as unreachable.
    for (const code of ['ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH', 'ECONNABORTED']) {
      expect(isDbConnectionError(Object.assign(new Error(`connect ${code} 10.0.0.5:3306`), { code, syscall: 'connect' })), code).to.equal(true);
    }
    // A missing file anywhere else is not a lost database.
    expect(isDbConnectionError(Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: 'ENOENT', syscall: 'open' }))).to.equal(false);
  });

  it('re-runs a unit that hit a deadlock until it succeeds', async () => {
    let calls = 0;
    const out = await withDbRetry(async (attempt) => {
      calls++;
      if (attempt < 2) throw attempt === 0 ? deadlock() : galeraConflict();
      return 'done';
    }, { sleep });
    expect(out).to.equal('done');
    expect(calls).to.equal(3);
    expect(waits).to.have.length(2);
  });

  it('does not retry an error that is not retriable', async () => {
    let calls = 0;
    const err = await withDbRetry(async () => { calls++; throw dup(); }, { sleep }).catch((e: unknown) => e);
    expect((err as { code: string }).code).to.equal('ER_DUP_ENTRY');
    expect(calls).to.equal(1);
    expect(waits).to.deep.equal([]);
  });

  it('retries a lost connection only when the unit is declared idempotent', async () => {
    let calls = 0;
    await withDbRetry(async () => { calls++; throw lost(); }, { sleep }).catch(() => undefined);
    expect(calls).to.equal(1);
    calls = 0;
    const out = await withDbRetry(async (a) => { calls++; if (a === 0) throw lost(); return 7; }, { sleep, retryOnDisconnect: true });
    expect([out, calls]).to.deep.equal([7, 2]);
  });

  it('is bounded: gives up with the last error after maxRetries, waits doubling up to the cap', async () => {
    let calls = 0;
    const err = await withDbRetry(async () => { calls++; throw deadlock(); }, { sleep, maxRetries: 4, intervalMs: 100, maxIntervalMs: 300 })
      .catch((e: unknown) => e);
    expect(isDbDeadlock(err)).to.equal(true);
    expect(calls).to.equal(5);
    expect(waits).to.have.length(4);
    // Jitter is 50-100 % of the interval: 100, 200, 300, 300.
    [100, 200, 300, 300].forEach((cap, i) => expect(waits[i]).to.be.within(cap / 2, cap));
  });

  it('honours an exception checker for extra retriable errors', async () => {
    let calls = 0;
    const out = await withDbRetry(async (a) => { calls++; if (a === 0) throw dup(); return 1; },
      { sleep, exceptionChecker: (e) => (e as { code?: string }).code === 'ER_DUP_ENTRY' });
    expect([out, calls]).to.deep.equal([1, 2]);
  });
});
