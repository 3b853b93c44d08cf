// common/db/typeorm-slim: the daemons' bins keep TypeORM's unused drivers unloaded, and the
// database still migrates and answers; an unused driver refuses clearly instead of half-working.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const dist = join(__dirname, '../../..');

/** Runs `body` in a fresh node (this one loaded typeorm whole through the tests' imports). */
function fresh(body: string, slim: boolean): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['-e', `
    require('reflect-metadata');
    ${slim ? `require(${JSON.stringify(join(dist, 'common/db/typeorm-slim'))});` : ''}
    const loaded = () => Object.keys(require.cache).filter((k) => /typeorm[\\\\/]driver[\\\\/](postgres|sqlserver|oracle|mongodb)[\\\\/]/.test(k)).length;
    (async () => { ${body} })().then((r) => console.log(JSON.stringify(r)), (e) => { console.log(JSON.stringify({ error: e.message })); });
  `], { encoding: 'utf8' });
  return JSON.parse(out) as Record<string, unknown>;
}

describe('common/db/typeorm-slim', () => {
  const migrate = `
    const { openCinderDatabase } = require(${JSON.stringify(join(dist, 'cinder-common/db'))});
    const ds = await openCinderDatabase('sqlite://:memory:', { migrate: true });
    const [{ n }] = await ds.query("SELECT COUNT(*) AS n FROM migrations");
    const pending = await ds.showMigrations();
    await ds.destroy();
    return { unused: loaded(), migrations: n > 0, pending };`;

  it('leaves the unused drivers unloaded, and the database still migrates', () => {
    expect(fresh(migrate, true)).to.deep.equal({ unused: 0, migrations: true, pending: false });
  });

  it('without it, TypeORM loads them (what the hook saves is real)', () => {
    const r = fresh(migrate, false);
    expect(r.unused).to.be.above(0);
    expect(r).to.include({ migrations: true, pending: false });
  });

  it('an unused driver fails with a clear error, not a half-built DataSource', () => {
    const r = fresh(`
      const { DataSource } = require('typeorm');
      try { new DataSource({ type: 'postgres' }); return { built: true }; } catch (e) { return { error: e.message, unused: loaded() }; }`, true);
    expect(r).to.deep.equal({ error: 'attachd does not load this TypeORM driver: only mysql:// and sqlite:// databases are supported', unused: 0 });
  });
});
