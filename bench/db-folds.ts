// What each one-statement read or write of CinderDB costs against the statements it replaced
// (bench:requests, on MariaDB): the database's CPU (from /proc) and this process's per use, on
// volumes with admin metadata and an attachment, so a fold is kept only when it is cheaper.
import { openCinderDatabase } from '../cinder-common/db';
import { CinderDB } from '../cinder-common/db-api';
import { transactionWithRetry } from '../common/db/retry';
import { cpuSeconds, type Proc } from './procs';

async function volumes(db: CinderDB, typeId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = await db.volumeCreate({ projectId: 'bench-folds', size: 1, volumeTypeId: typeId, status: 'available' });
    await db.adminMetadataSet(v.id, 'readonly', 'False', false);
    await db.adminMetadataSet(v.id, 'attached_mode', 'rw', false);
    await db.attachmentCreate({ volumeId: v.id, instanceUuid: 'bench', attachStatus: 'detached', attachMode: 'rw' });
    ids.push(v.id);
  }
  return ids;
}

/** `n` of each way, two rounds; deletes `n / 4` each way on fresh volumes. */
export async function perFold(url: string, mariadb: Proc, n: number): Promise<void> {
  const ds = await openCinderDatabase(url);
  const db = new CinderDB(ds);
  try {
    const type = await db.typeCreate({ name: `bench-folds-${Date.now()}`, description: null, isPublic: true });
    await db.typeExtraSpecsUpdateOrCreate(type.id, { volume_backend_name: 'fake' });
    const ids = await volumes(db, type.id, 50);
    const at = (i: number): string => ids[i % ids.length];
    const reads: Array<[string, (i: number) => Promise<unknown>]> = [
      ['type by name, then its specs (2)', async () => { const t = await db.typeGetByName(type.name!); await db.typeExtraSpecsGet([t!.id]); }],
      ['typeGetByNameWithSpecs (1)', () => db.typeGetByNameWithSpecs(type.name!)],
      ['volume, then its admin metadata (2)', async (i) => { await db.volumeGet(at(i)); await db.metadataGet([at(i)], true); }],
      ['volumeGetWithAdminMetadata (1)', (i) => db.volumeGetWithAdminMetadata(at(i))],
      ['volume, then its type (2)', async (i) => { const v = await db.volumeGet(at(i)); await db.typeGet(v!.volumeTypeId); }],
      ['volumeGetWithTypeName (1)', (i) => db.volumeGetWithTypeName(at(i))],
    ];
    console.log(`\n# CinderDB's folds against the statements they replaced, ${n} of each, one in flight: CPU per use\n`);
    const measure = async (name: string, count: number, run: (i: number) => Promise<unknown>): Promise<void> => {
      const [m0, c0] = [cpuSeconds(mariadb.pid), process.cpuUsage()];
      for (let i = 0; i < count; i++) await run(i);
      const c = process.cpuUsage(c0);
      console.log(`${name.padEnd(38)} MariaDB ${(((cpuSeconds(mariadb.pid) - m0) * 1e6) / count).toFixed(0)} µs   client ${((c.user + c.system) / count).toFixed(0)} µs`);
    };
    for (const [, read] of reads) for (let i = 0; i < Math.min(n, 300); i++) await read(i);
    for (let round = 0; round < 2; round++) {
      for (const [name, read] of reads) await measure(name, n, read);
      const d = Math.max(1, Math.floor(n / 4));
      const [a, b] = [await volumes(db, type.id, d), await volumes(db, type.id, d)];
      const del = (ids: string[], one: boolean) => (i: number) => transactionWithRetry(ds, (m) => db.volumeChildrenSoftDelete(ids[i], new Date(), m, one), { what: 'bench' });
      await measure("a delete's 4 child UPDATEs (tx)", d, del(a, false));
      await measure('one multi-table UPDATE (tx)', d, del(b, true));
    }
  } finally {
    await ds.destroy();
  }
}
