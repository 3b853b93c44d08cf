// Cinder quotas on MariaDB: 20 creates racing for the last gigabytes of a project never
// over-commit (the compare-and-swap on quota_usages), usage ends equal to the volumes' sizes,
// and a reservation left by a "crashed" cinder-api holds its gigabytes only until it expires.
import { expect } from 'chai';
import { QuotaDB } from '../../../cinder-common/quota-db';
import { waitFor } from '../../support/processes';
import { createTestDatabase } from '../../support/servers';
import { QUOTA_DEFAULTS_ON, startCinder, type Cinder, type Json } from '../../functional/cinder/cinder-stack';

const ADMIN = 'admin:admin';
const P = 'prace';
const USER = `u:${P}`;

describe('cinder quotas on MariaDB', function () {
  this.timeout(60_000);
  let c: Cinder | undefined;
  let drop: (() => Promise<void>) | undefined;
  before(async function () {
    const db = await createTestDatabase(this, 'cinder');
    drop = db.drop;
    c = await startCinder({ ...QUOTA_DEFAULTS_ON, database: { connection: db.url } });
  });
  after(async () => {
    await c?.stop();
    await drop?.();
  });

  const usage = async (): Promise<Json> => (await c!.req('GET', `/v3/admin/os-quota-sets/${P}?usage=True`, { token: ADMIN })).body.quota_set;
  const sizes = async (): Promise<number[]> =>
    ((await c!.req('GET', `/v3/${P}/volumes/detail`, { token: USER })).body.volumes as Json[]).map((v) => v.size as number);

  it('lets exactly as many of 20 concurrent creates through as the last gigabytes hold', async () => {
    const r = await c!.req('PUT', `/v3/admin/os-quota-sets/${P}`, { token: ADMIN, body: { quota_set: { gigabytes: 10, volumes: -1 } } });
    expect(r.status).to.equal(200);
    await c!.createVolume(3, USER);
    const answers = await Promise.all(Array.from({ length: 20 }, () =>
      c!.req('POST', `/v3/${P}/volumes`, { token: USER, body: { volume: { size: 1 } } })));
    const codes = answers.map((a) => a.status);
    expect(codes.filter((s) => s === 202), JSON.stringify(codes)).to.have.length(7);
    expect(codes.filter((s) => s === 413)).to.have.length(13);
    const refused = answers.find((a) => a.status === 413)!;
    expect(refused.body.overLimit.message).to.match(/^VolumeSizeExceedsAvailableQuota: .* Requested 1G, quota is 10G and 10G has been consumed\.$/);
    const s = await usage();
    const held = await sizes();
    expect(held).to.have.length(8);
    expect(s.gigabytes).to.deep.equal({ limit: 10, in_use: held.reduce((a, b) => a + b, 0), reserved: 0 });
    expect(s.gigabytes.in_use).to.equal(10);
    expect(s.volumes).to.deep.include({ in_use: 8, reserved: 0 });
  });

  it("takes a fresh project's first concurrent creates, making each usage row once", async () => {
    // No usage rows yet: every create inserts them, the losers of that race must not fail.
    const fresh = 'pfirst';
    const answers = await Promise.all(Array.from({ length: 10 }, () =>
      c!.req('POST', `/v3/${fresh}/volumes`, { token: `u:${fresh}`, body: { volume: { size: 1 } } })));
    expect(answers.map((a) => a.status)).to.deep.equal(Array(10).fill(202));
    const rows = await c!.ds.query('SELECT resource, in_use, reserved FROM quota_usages WHERE project_id = ? AND deleted = 0 ORDER BY resource', [fresh]) as Json[];
    const resources = rows.map((r) => r.resource as string);
    expect(new Set(resources).size, JSON.stringify(resources)).to.equal(resources.length);
    expect(rows.find((r) => r.resource === 'volumes')).to.deep.include({ in_use: 10, reserved: 0 });
    expect(rows.find((r) => r.resource === 'gigabytes')).to.deep.include({ in_use: 10, reserved: 0 });
  });

  it('rolls back a reservation a crashed cinder-api left, once it expires, and usage follows deletes', async () => {
    // Free 2 GB, then "crash" between reserve and commit: the 2 GB are held by a reservation only.
    // Two of the 1 GB volumes (by size: on MariaDB they may share a created_at second with the 3 GB one).
    const ids = ((await c!.req('GET', `/v3/${P}/volumes/detail`, { token: USER })).body.volumes as Json[])
      .filter((v) => v.size === 1).slice(0, 2).map((v) => v.id as string);
    expect(ids).to.have.length(2);
    for (const id of ids) expect((await c!.req('DELETE', `/v3/${P}/volumes/${id}`, { token: USER })).status).to.equal(202);
    await waitFor(async () => (await usage()).gigabytes.in_use === 8, 10_000, 'usage after deletes', 50);
    const held = await new QuotaDB(c!.ds).reserve(P, { volumes: 1, gigabytes: 2 }, { volumes: -1, gigabytes: 10 }, new Date(Date.now() - 1));
    expect(held).to.be.an('array');
    let r = await c!.req('POST', `/v3/${P}/volumes`, { token: USER, body: { volume: { size: 1 } } });
    expect(r.status, 'the abandoned reservation still holds the room').to.equal(413);
    const pass = await c!.volume.quotaCleaner.runOnce();
    expect(pass.expired).to.equal(2);
    expect(pass.corrected).to.deep.equal([]);
    expect((await usage()).gigabytes).to.deep.equal({ limit: 10, in_use: 8, reserved: 0 });
    r = await c!.req('POST', `/v3/${P}/volumes`, { token: USER, body: { volume: { size: 2 } } });
    expect(r.status).to.equal(202);
    expect((await usage()).gigabytes).to.deep.include({ in_use: 10, reserved: 0 });
  });
  it("reads a project's limits from its own rows, then the default class, then the options, with every type's resources", async () => {
    const p = 'plimits';
    const admin = (m: string, path: string, body?: Json) => c!.req(m, `/v3/admin${path}`, { token: ADMIN, body });
    expect((await admin('POST', '/types', { volume_type: { name: 'gold-limits' } })).status).to.equal(200);
    expect((await admin('PUT', '/os-quota-class-sets/default', { quota_class_set: { snapshots: 7 } })).status).to.equal(200);
    expect((await admin('PUT', `/os-quota-sets/${p}`, { quota_set: { volumes: 5, 'gigabytes_gold-limits': 9 } })).status).to.equal(200);
    expect((await c!.req('POST', `/v3/${p}/volumes`, { token: `u:${p}`, body: { volume: { size: 2, volume_type: 'gold-limits' } } })).status).to.equal(202);
    const s = (await admin('GET', `/os-quota-sets/${p}?usage=True`)).body.quota_set;
    expect(s.volumes).to.deep.equal({ limit: 5, in_use: 1, reserved: 0 });
    expect(s.snapshots).to.deep.include({ limit: 7, in_use: 0 });
    expect(s['gigabytes_gold-limits']).to.deep.equal({ limit: 9, in_use: 2, reserved: 0 });
    expect(s['volumes_gold-limits']).to.deep.equal({ limit: -1, in_use: 1, reserved: 0 });
    expect(s.per_volume_gigabytes).to.deep.include({ in_use: 0 });
    // Without usage, the same limits.
    const own = (await admin('GET', `/os-quota-sets/${p}`)).body.quota_set;
    expect(own).to.include({ volumes: 5, snapshots: 7, 'gigabytes_gold-limits': 9, 'volumes_gold-limits': -1 });
  });

  it("a create's missing usage rows are made even when InnoDB picks their INSERT as a deadlock's victim", async () => {
    const ds = c!.ds;
    const q = new QuotaDB(ds) as unknown as { ensureUsageRows(p: string, r: string[]): Promise<Map<string, number>> };
    const p = 'pdeadlock';
    await q.ensureUsageRows(p, ['gigabytes___DEFAULT__']);
    // Another transaction, heavier than one INSERT (InnoDB rolls back the lighter side), that
    // holds the gap where 'volumes' would go, as a create's UPDATE over missing rows does.
    const t1 = ds.createQueryRunner();
    await t1.connect();
    try {
      await t1.startTransaction();
      for (let i = 0; i < 20; i++) await t1.query('INSERT INTO quota_usages (project_id, resource, in_use, reserved, race_preventer, created_at, deleted) VALUES (?, ?, 0, 0, 1, NOW(), 0)', ['pheavy', `r${i}`]);
      await t1.query('SELECT id FROM quota_usages WHERE project_id = ? AND resource = ? FOR UPDATE', [p, 'volumes']);
      // The INSERT IGNORE makes 'gigabytes', then waits on that gap…
      const made = q.ensureUsageRows(p, ['gigabytes', 'gigabytes___DEFAULT__', 'volumes', 'volumes___DEFAULT__']).then((m) => m, (e: Error) => e);
      await waitFor(async () => Number((await t1.query('SELECT COUNT(*) AS n FROM information_schema.INNODB_LOCK_WAITS') as Json[])[0].n) > 0, 10_000, 'the INSERT waiting on the gap');
      // …and this transaction now wants the row it made: a deadlock, the INSERT its victim.
      await t1.query('SELECT id FROM quota_usages WHERE project_id = ? AND resource = ? FOR UPDATE', [p, 'gigabytes']);
      await t1.rollbackTransaction();
      const out = await made;
      expect(out instanceof Error ? out.message : [...out.keys()].sort()).to.deep.equal(['gigabytes', 'gigabytes___DEFAULT__', 'volumes', 'volumes___DEFAULT__']);
    } finally {
      if (t1.isTransactionActive) await t1.rollbackTransaction();
      await t1.release();
    }
  });
});
