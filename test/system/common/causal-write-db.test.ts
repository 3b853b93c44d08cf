// The rollbacks' causal DELETEs (common/db/causal.ts) on the server the environment gives: a
// plain MariaDB in CI, where the text goes as it is; on Galera (`source DIR/env` after
// `scripts/galera.sh start DIR`) each one is a causal wait, counted by wsrep_causal_reads.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { isGalera } from '../../../common/db';
import { openNovaDatabase } from '../../../nova-common/db';
import { NovaDB } from '../../../nova-common/db-api';
import { createTestDatabase } from '../../support/servers';

describe('causal rollback DELETEs on MariaDB', function () {
  let ds: DataSource | null = null;
  let drop: (() => Promise<void>) | null = null;
  after(async () => {
    await ds?.destroy();
    await drop?.();
  });

  async function causalReads(d: DataSource): Promise<number> {
    const rows = (await d.query("SHOW GLOBAL STATUS LIKE 'wsrep_causal_reads'")) as Array<{ Value: string }>;
    return Number(rows[0]?.Value ?? 0);
  }

  it('take back only a row still in the given state (or any row by id), and wait for the cluster on Galera alone', async function () {
    const t = await createTestDatabase(this, 'nova');
    drop = t.drop;
    ds = await openNovaDatabase(t.url, { migrate: true });
    const db = new NovaDB(ds);
    const inst = '11111111-2222-4333-8444-555555555555';
    const row = (state: string) => db.bdmCreate({ instanceUuid: inst, sourceType: 'volume', destinationType: 'volume', volumeId: `v-${state}`, attachState: state as never });
    const [reserving, attaching, boot] = [await row('reserving'), await row('attaching'), await row('reserved')];
    const galera = await isGalera(ds);
    const seen: string[] = [];
    const logQuery = ds.logger.logQuery.bind(ds.logger);
    ds.logger.logQuery = (q, p, qr) => { if (/^SET STATEMENT|^DELETE/.test(q)) seen.push(q); return logQuery(q, p, qr); };
    const before = galera ? await causalReads(ds) : 0;
    try {
      expect(await db.bdmDestroyByUuidIf(attaching.uuid as string, 'reserving')).to.equal(false);
      expect(await db.bdmDestroyByUuidIf(reserving.uuid as string, 'reserving')).to.equal(true);
      expect(await db.bdmDestroyIf(attaching.id, 'attaching')).to.equal(true);
      expect(await db.bdmDestroyIf(attaching.id, 'attaching')).to.equal(false);
      await db.bdmDestroy(boot.id);
    } finally {
      ds.logger.logQuery = logQuery;
    }
    expect(await db.bdmsByInstance(inst)).to.deep.equal([]);
    expect(seen).to.have.length(5);
    if (galera) {
      expect(seen.every((q) => q.startsWith('SET STATEMENT wsrep_sync_wait=2 FOR DELETE'))).to.equal(true);
      expect(await causalReads(ds) - before).to.equal(5);
    } else {
      expect(seen.every((q) => q.startsWith('DELETE'))).to.equal(true);
    }
  });
});
