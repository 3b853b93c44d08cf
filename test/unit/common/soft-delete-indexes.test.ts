// A parent's live child rows are found through an index that ends at the soft-delete column, so
// a volume attached a thousand times, or a server with a thousand actions, reads only its live
// rows (migrations/common/soft-delete-indexes.ts). Each statement the hot reads and writes run is
// recorded as it is prepared and then planned by SQLite itself.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { NOVA_MIGRATIONS } from '../../../migrations/nova';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { openNovaDatabase } from '../../../nova-common/db';
import { NovaDB } from '../../../nova-common/db-api';

const TYPE = '00000000-0000-0000-0000-000000000000';
// The single-column indexes a lookup of live rows used to walk, every deleted row included.
const WALKS = ['volume_attachment_volume_id_idx', 'volume_metadata_volume_id_idx', 'volume_admin_metadata_volume_id_idx',
  'volume_id', 'block_device_mapping_instance_uuid_idx', 'instance_uuid_idx'];
const CHILDREN = ['volume_attachment', 'volume_metadata', 'volume_admin_metadata', 'block_device_mapping', 'instance_actions'];

interface Conn { prepare(sql: string): unknown }

/** Runs `work`, then answers SQLite's plan of every statement it prepared. */
async function plansOf(ds: DataSource, work: () => Promise<unknown>): Promise<Map<string, string[]>> {
  const conn = (ds.driver as unknown as { databaseConnection: Conn }).databaseConnection;
  const seen = new Set<string>();
  const prepare = conn.prepare;
  conn.prepare = function (sql: string) { seen.add(sql); return prepare.call(this, sql); };
  try {
    await work();
  } finally {
    conn.prepare = prepare;
  }
  const out = new Map<string, string[]>();
  for (const sql of seen) {
    if (!/^\s*(SELECT|UPDATE|INSERT|DELETE)/i.test(sql)) continue;
    const rows = (await ds.query(`EXPLAIN QUERY PLAN ${sql}`, Array(sql.split('?').length - 1).fill(null))) as Array<{ detail: string }>;
    out.set(sql, rows.map((r) => r.detail));
  }
  return out;
}

function expectNoWalks(plans: Map<string, string[]>): void {
  for (const [sql, plan] of plans) {
    for (const line of plan) {
      for (const idx of WALKS) expect(line, sql).to.not.match(new RegExp(`USING (COVERING )?INDEX ${idx} `));
      for (const t of CHILDREN) expect(line, sql).to.not.match(new RegExp(`^SCAN ${t}\\b`));
    }
  }
}

const used = (plans: Map<string, string[]>): string => [...plans.values()].flat().join('\n');

describe('soft-delete indexes: live child rows without walking the deleted ones (SQLite plans)', () => {
  const dss: DataSource[] = [];
  after(async () => { for (const ds of dss) await ds.destroy(); });

  it('cinder: a volume view, its attachments, metadata and the statements of a detach and a delete', async () => {
    const ds = await openCinderDatabase('sqlite://:memory:');
    dss.push(ds);
    await migrateDatabase(ds);
    const db = new CinderDB(ds);
    const plans = await plansOf(ds, async () => {
      const v = await db.volumeCreate({ size: 1, projectId: 'p', volumeTypeId: TYPE, status: 'available' });
      await db.metadataReplace(v.id, { a: 'b' });
      await db.adminMetadataSet(v.id, 'attached_mode', 'rw', false);
      const a = await db.attachmentCreate({ volumeId: v.id, instanceUuid: 'i-1', attachStatus: 'attached' });
      await db.viewExtras([v.id], [TYPE]);
      await db.attachmentsOf([v.id]);
      await db.metadataGet([v.id]);
      await db.metadataGet([v.id], true);
      await db.volumeGetWithAdminMetadata(v.id);
      await db.adminMetadataDelete(v.id, 'attached_mode');
      await db.attachmentDestroy(a.id);
      await db.volumeUnreserve(v.id, false);
      await db.volumeSoftDelete(v.id);
    });
    expect(plans.size).to.be.greaterThan(8);
    expectNoWalks(plans);
    for (const t of ['volume_attachment', 'volume_metadata', 'volume_admin_metadata']) {
      expect(used(plans)).to.include(`INDEX ${t}_volume_id_deleted_idx (volume_id=? AND deleted=?)`);
    }
  });

  it('nova: a server\'s and a volume\'s live BDM rows, and an action by its server and request id', async () => {
    const ds = await openNovaDatabase('sqlite://:memory:');
    dss.push(ds);
    await migrateDatabase(ds);
    const db = new NovaDB(ds);
    const plans = await plansOf(ds, async () => {
      const b = await db.bdmCreate({ instanceUuid: 'i-1', sourceType: 'volume', destinationType: 'volume', deviceName: '/dev/vdb', volumeId: 'v1' });
      await db.bdmsByInstance('i-1');
      await db.bdmByVolumeAndInstance('v1', 'i-1');
      await db.bdmsOfVolumeExcept('v1', b.id);
      await db.actionStart({ action: 'attach_volume', instanceUuid: 'i-1', requestId: 'req-1', userId: 'u', projectId: 'p' });
      await db.actionGet('i-1', 'req-1');
      await db.eventFinish(await db.eventStart('i-1', 'req-1', 'compute_attach_volume', 'h1'), 'Success');
    });
    expect(plans.size).to.be.greaterThan(5);
    expectNoWalks(plans);
    const all = used(plans);
    expect(all).to.include('INDEX block_device_mapping_instance_uuid_deleted_idx (instance_uuid=? AND deleted=?)');
    expect(all).to.include('INDEX block_device_mapping_volume_id_deleted_idx (volume_id=? AND deleted=?)');
    expect(all).to.include('INDEX instance_actions_instance_uuid_request_id_idx (instance_uuid=? AND request_id=?)');
  });

  it('the migration is redo-safe: a run killed after some of its indexes makes only the rest', async () => {
    const ds = await openNovaDatabase('sqlite://:memory:');
    dss.push(ds);
    await migrateDatabase(ds);
    const at = NOVA_MIGRATIONS.findIndex((m) => m.name.startsWith('SoftDeleteIndexes'));
    for (let i = NOVA_MIGRATIONS.length - 1; i >= at; i--) await ds.undoLastMigration();
    // As a MariaDB start killed after its first CREATE INDEX leaves it (DDL commits by itself).
    await ds.query('CREATE INDEX block_device_mapping_instance_uuid_deleted_idx ON block_device_mapping (instance_uuid, deleted)');
    expect(await migrateDatabase(ds)).to.deep.equal(NOVA_MIGRATIONS.slice(at).map((m) => m.name));
    const names = ((await ds.query("SELECT name FROM sqlite_master WHERE type = 'index'")) as Array<{ name: string }>).map((r) => r.name);
    for (const n of ['block_device_mapping_instance_uuid_deleted_idx', 'block_device_mapping_volume_id_deleted_idx', 'instance_actions_instance_uuid_request_id_idx']) {
      expect(names).to.include(n);
    }
  });
});
