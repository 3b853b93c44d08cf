// A database created without a charset on a server whose default is latin1 (a bare CREATE
// DATABASE, as the install guides write it): after the migrations every table is utf8mb4, so
// names outside latin1 are stored and an id with a 4-byte character is a lookup that finds
// nothing, not a database error (the fuzz's 500s). Both projects, MariaDB.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { DEFAULT_TYPE_ID } from '../../../cinder-common/entities';
import { openNovaDatabase } from '../../../nova-common/db';
import { createTestDatabase } from '../../support/servers';
import { waitFor, writeConfig } from '../../support/processes';

const BIN = join(__dirname, '../../../bin');
const run = promisify(execFile);

const NAME = 'volume ünïcödé 卷 😀';

describe('migrations make every table utf8mb4 (MariaDB, latin1 database)', function () {
  this.timeout(60_000);
  const opened: Array<{ ds: DataSource; drop: () => Promise<void> }> = [];
  after(async () => {
    for (const o of opened) {
      await o.ds.destroy();
      await o.drop();
    }
  });

  const latin1 = async (ctx: Mocha.Context, kind: 'nova' | 'cinder'): Promise<DataSource> => {
    const { url, drop } = await createTestDatabase(ctx, kind, 'latin1');
    const ds = await (kind === 'nova' ? openNovaDatabase(url) : openCinderDatabase(url));
    opened.push({ ds, drop });
    await migrateDatabase(ds);
    return ds;
  };
  const notUtf8mb4 = async (ds: DataSource): Promise<string[]> => ((await ds.query(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_COLLATION NOT LIKE 'utf8mb4%'")) as Array<{ t: string }>).map((r) => r.t);

  it('cinder: tables converted, a non-latin1 name kept, a 4-byte id finds nothing', async function () {
    const ds = await latin1(this, 'cinder');
    expect(await notUtf8mb4(ds)).to.deep.equal([]);
    // The foreign keys dropped for the conversion are back.
    const fks = (await ds.query('SELECT TABLE_NAME AS t FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1')) as Array<{ t: string }>;
    expect(fks.map((r) => r.t)).to.include.members(['volume_attachment', 'volume_metadata', 'volume_type_extra_specs']);
    const db = new CinderDB(ds);
    const v = await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: DEFAULT_TYPE_ID, displayName: NAME });
    expect((await db.volumeGet(v.id))?.displayName).to.equal(NAME);
    expect(await db.volumeGet('😀')).to.equal(null);
  });

  it('cinder: a db sync killed with the foreign keys dropped makes them again when run again', async function () {
    const { url, drop } = await createTestDatabase(this, 'cinder', 'latin1');
    const ds = await openCinderDatabase(url);
    opened.push({ ds, drop });
    const conf = writeConfig('cinder.conf', ['[database]', `connection = ${url}`].join('\n'));
    const hit = join(conf, '..', 'paused');
    const sync = spawn(process.execPath, [join(BIN, 'cinder-manage.js'), '--config-file', conf, 'db', 'sync'], {
      env: { PATH: process.env.PATH, ATTACHD_PAUSE_AT: 'db-sync.utf8mb4.keys-dropped', ATTACHD_PAUSE_FILE: hit }, stdio: 'ignore',
    });
    const exited = new Promise((r) => sync.once('exit', r));
    try {
      await waitFor(() => existsSync(hit) && readFileSync(hit, 'utf8').includes('db-sync.utf8mb4.keys-dropped'), 30_000, 'db sync at its pause point', 50);
    } finally {
      sync.kill('SIGKILL');
      await exited;
    }
    const keys = async (): Promise<string[]> => ((await ds.query(
      'SELECT CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1')) as Array<{ n: string }>).map((r) => r.n);
    expect(await keys(), 'killed with the keys dropped').to.deep.equal([]);
    expect(await notUtf8mb4(ds)).to.not.deep.equal([]);
    const r = await run(process.execPath, [join(BIN, 'cinder-manage.js'), '--config-file', conf, 'db', 'sync'], { timeout: 60_000, env: { PATH: process.env.PATH } });
    expect(r.stderr).to.not.match(/error/i);
    expect(await notUtf8mb4(ds)).to.deep.equal([]);
    // The same keys as a database whose sync was never interrupted.
    const clean = await latin1(this, 'cinder');
    const cleanKeys = ((await clean.query('SELECT CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1')) as Array<{ n: string }>).map((x) => x.n);
    expect(cleanKeys).to.have.length.greaterThan(2);
    expect(await keys()).to.deep.equal(cleanKeys);
    expect(await ds.query("SHOW TABLES LIKE 'attachd_utf8mb4_pending_fks'")).to.deep.equal([]);
  });

  it('nova: tables converted', async function () {
    const ds = await latin1(this, 'nova');
    expect(await notUtf8mb4(ds)).to.deep.equal([]);
    const [{ cs }] = await ds.query('SELECT DEFAULT_CHARACTER_SET_NAME AS cs FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()') as Array<{ cs: string }>;
    expect(cs).to.equal('utf8mb4');
  });
});
