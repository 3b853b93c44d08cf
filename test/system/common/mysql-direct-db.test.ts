// On MariaDB the hot statements outside a transaction skip TypeORM's query runner
// (common/db/mysql-direct.ts): they must still be logged, fail as TypeORM's QueryFailedError with
// the driver's code, keep a lost database a connection error (503 and retries), and a
// transaction's own statements must run on the connection its runner holds.
import { expect } from 'chai';
import { QueryFailedError, type DataSource } from 'typeorm';
import { fastSelect, isDbConnectionError } from '../../../common/db';
import { selectRows, writeRows } from '../../../common/db/fast-select';
import { prepared } from '../../../common/db/prepared';
import { openCinderDatabase } from '../../../cinder-common/db';
import { Volume } from '../../../cinder-common/entities';
import { cinderOnMariaDb } from '../../support/cinder-mariadb';
import { createTestDatabase } from '../../support/servers';

describe('hot statements straight on the MariaDB pool', function () {
  this.timeout(60_000);
  const on = cinderOnMariaDb();
  const STATUS = prepared('SELECT `status` FROM `volumes` WHERE `id` = ?');
  const SET = prepared('UPDATE `volumes` SET `status` = ? WHERE `id` = ? AND `status` = ?');

  /** Counts the query runners `ds` makes while `fn` runs. */
  async function runnersDuring(ds: DataSource, fn: () => Promise<unknown>): Promise<number> {
    const make = ds.createQueryRunner.bind(ds);
    let n = 0;
    ds.createQueryRunner = (...a) => { n++; return make(...a); };
    try {
      await fn();
    } finally {
      ds.createQueryRunner = make;
    }
    return n;
  }

  it('reads and writes without a TypeORM query runner, and the logger sees each statement', async () => {
    const v = await on.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: 't' });
    const logged: string[] = [];
    const logQuery = on.ds.logger.logQuery.bind(on.ds.logger);
    on.ds.logger.logQuery = (q, p, r) => { logged.push(q); logQuery(q, p, r); };
    try {
      const runners = await runnersDuring(on.ds, async () => {
        expect((await writeRows(on.ds, SET, ['error', v.id, 'creating'])).affected).to.equal(1);
        expect((await writeRows(on.ds, SET, ['error', v.id, 'creating'])).affected).to.equal(0);
        expect(await selectRows(on.ds, STATUS, [v.id])).to.deep.equal([{ status: 'error' }]);
        expect((await fastSelect(on.ds, Volume).findOne({ id: v.id }))?.status).to.equal('error');
      });
      expect(runners).to.equal(0);
    } finally {
      on.ds.logger.logQuery = logQuery;
    }
    expect(logged.filter((q) => q === SET)).to.have.length(2);
    expect(logged).to.include(STATUS);
  });

  it("keeps a transaction's statements on its connection: its own write seen inside, gone after a rollback", async () => {
    const v = await on.db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: 't' });
    await on.ds.transaction(async (m) => {
      // Straight on the connection the transaction's runner holds, not through its query().
      const qr = m.queryRunner as NonNullable<typeof m.queryRunner>;
      const query = qr.query.bind(qr);
      let viaRunner = 0;
      qr.query = (...a: Parameters<typeof query>) => { viaRunner++; return query(...a); };
      expect((await writeRows(on.ds, SET, ['available', v.id, 'creating'], m)).affected).to.equal(1);
      expect(await selectRows(on.ds, STATUS, [v.id], m)).to.deep.equal([{ status: 'available' }]);
      expect(viaRunner).to.equal(0);
      // Outside it (another pooled connection) the write is not there yet.
      expect(await selectRows(on.ds, STATUS, [v.id])).to.deep.equal([{ status: 'creating' }]);
      throw new Error('roll back');
    }).catch((e: Error) => expect(e.message).to.equal('roll back'));
    expect(await selectRows(on.ds, STATUS, [v.id])).to.deep.equal([{ status: 'creating' }]);
  });

  it("fails as TypeORM's QueryFailedError with the driver's code, and the connection goes back to the pool", async () => {
    const bad = prepared('SELECT `no_such_column` FROM `volumes` WHERE `id` = ?');
    const err = await selectRows(on.ds, bad, ['x']).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(QueryFailedError);
    expect((err as QueryFailedError & { driverError: { code: string } }).driverError.code).to.equal('ER_BAD_FIELD_ERROR');
    expect(isDbConnectionError(err)).to.equal(false);
    // More failures than the pool has connections: none of them kept one.
    for (let i = 0; i < 12; i++) await selectRows(on.ds, bad, ['x']).catch(() => undefined);
    expect(await selectRows(on.ds, prepared('SELECT 1 AS `one`'), [])).to.deep.equal([{ one: 1 }]);
  });

  it('a database that cannot be reached is a connection error, as through TypeORM', async function () {
    const t = await createTestDatabase(this, 'cinder');
    const ds = await openCinderDatabase(t.url);
    try {
      await selectRows(ds, prepared('SELECT 1 AS `one`'), []);
      // The pool ends under the statement, as when the server went away for good.
      await (ds.driver as unknown as { pool: { end(): Promise<void> } }).pool.end();
      const err = await selectRows(ds, STATUS, ['x']).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(Error);
      expect(isDbConnectionError(err)).to.equal(true);
    } finally {
      await ds.destroy().catch(() => undefined);
      await t.drop();
    }
  });
});
