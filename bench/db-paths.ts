// What one hot statement costs this process on MariaDB by each way it can go (bench:requests):
// through TypeORM's query runner (what the hot statements took before common/db/mysql-direct.ts),
// through selectRows (the direct path they take now) and through mysql2 alone (the floor), the
// same marked SELECT each time, so all three are server-side prepared.
import { openCinderDatabase } from '../cinder-common/db';
import { selectRows } from '../common/db/fast-select';
import { prepared } from '../common/db/prepared';

interface Pool { getConnection(cb: (e: Error | null, c: { execute(s: string, v: unknown[], cb: (e: Error | null) => void): void; release(): void }) => void): void }

/** `n` reads of volume `vid` by each way, interleaved twice: this process's CPU per statement. */
export async function perPath(url: string, vid: string, n: number): Promise<void> {
  const ds = await openCinderDatabase(url);
  try {
    const sql = prepared('SELECT `id`, `status`, `size`, `host` FROM `volumes` WHERE `id` = ? AND `deleted` = ? LIMIT 1');
    const pool = (ds.driver as unknown as { pool: Pool }).pool;
    const ways: Array<[string, () => Promise<unknown>]> = [
      ["TypeORM's query runner", () => ds.manager.query(sql, [vid, false])],
      ['selectRows (the direct path)', () => selectRows(ds, sql, [vid, false])],
      ['mysql2 alone (pool, execute)', () => new Promise<void>((resolve, reject) => pool.getConnection((e, c) => {
        if (e) return reject(e);
        c.execute(sql, [vid, 0], (err) => { c.release(); if (err) reject(err); else resolve(); });
      }))],
    ];
    console.log(`\n# one marked SELECT ${n} times by each way, one in flight: this client's CPU per statement\n`);
    for (const [, read] of ways) for (let i = 0; i < Math.min(n, 2000); i++) await read();
    for (let round = 0; round < 2; round++) {
      for (const [name, read] of ways) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < n; i++) await read();
        const c = process.cpuUsage(c0);
        console.log(`${name.padEnd(38)} ${((c.user + c.system) / n).toFixed(1)} µs of CPU`);
      }
    }
  } finally {
    await ds.destroy();
  }
}
