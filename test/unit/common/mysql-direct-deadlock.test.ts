// mysqlQuery sends an autocommit statement again after a deadlock (1213), and nothing else: a
// stand-in connection fails with the driver's error as mysql2 does. The real conflict (two Galera
// nodes writing one row) is what the cluster test drives.
import { expect } from 'chai';
import { QueryFailedError, type DataSource } from 'typeorm';
import { DEADLOCK_RESENDS, mysqlQuery } from '../../../common/db/mysql-direct';

type Err = Error & { errno: number; code: string };
const err = (errno: number, code: string): Err => Object.assign(new Error(code), { errno, code });

/** A DataSource whose pool hands out connections failing with `errors` in turn, then answering `raw`. */
function source(errors: Err[], raw: unknown) {
  const seen = { sends: 0, taken: 0, released: 0 };
  const conn = {
    query(_sql: string, _values: unknown[], cb: (e: Error | null, r?: unknown) => void) {
      const e = errors[seen.sends++];
      setImmediate(() => (e ? cb(e) : cb(null, raw)));
    },
    release() { seen.released++; },
  };
  const ds = {
    driver: { obtainMasterConnection: async () => { seen.taken++; return conn; } },
    logger: { logQuery() { /* counted by `seen` */ }, logQueryError() { /* idem */ } },
  } as unknown as DataSource;
  return { ds, seen };
}

describe('mysqlQuery and deadlocks', () => {
  it('sends a statement again after deadlocks, each time on a connection it gives back', async () => {
    const { ds, seen } = source([err(1213, 'ER_LOCK_DEADLOCK'), err(1213, 'ER_LOCK_DEADLOCK')], { affectedRows: 1 });
    expect(await mysqlQuery(ds, 'UPDATE t SET a = ? WHERE id = ?', [1, 2])).to.deep.equal({ affectedRows: 1 });
    expect(seen).to.deep.equal({ sends: 3, taken: 3, released: 3 });
  });

  it('gives up after its resends with the deadlock as TypeORM words it', async () => {
    const { ds, seen } = source(Array.from({ length: DEADLOCK_RESENDS + 1 }, () => err(1213, 'ER_LOCK_DEADLOCK')), null);
    const e = await mysqlQuery(ds, 'UPDATE t SET a = 1', []).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(QueryFailedError);
    expect((e as QueryFailedError & { driverError: Err }).driverError.errno).to.equal(1213);
    expect(seen).to.deep.equal({ sends: DEADLOCK_RESENDS + 1, taken: DEADLOCK_RESENDS + 1, released: DEADLOCK_RESENDS + 1 });
  });

  it('throws anything else at once: a duplicate key, a lock wait timeout, a lost connection', async () => {
    for (const e of [err(1062, 'ER_DUP_ENTRY'), err(1205, 'ER_LOCK_WAIT_TIMEOUT'), err(0, 'PROTOCOL_CONNECTION_LOST')]) {
      const { ds, seen } = source([e], null);
      const got = await mysqlQuery(ds, 'INSERT INTO t VALUES (?)', [1]).then(() => null, (x: unknown) => x);
      expect((got as QueryFailedError & { driverError: Err }).driverError.code, e.code).to.equal(e.code);
      expect(seen, e.code).to.deep.equal({ sends: 1, taken: 1, released: 1 });
    }
  });
});
