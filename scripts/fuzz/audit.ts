// The after-run audit, read straight from both databases (read-only) and cinder-api's export
// report: nothing may be left in flight (volumes, attachments, BDMs, instances) and no export
// may outlive its attachments — the checks of test/system/faults/drift.ts without tgtd. Volumes
// the fuzzer itself held through Cinder's raw actions (an os-reserve, an os-reset_status, an
// attachment it created...) are left out: there the caller owns the state, as with Cinder.
import Database from 'better-sqlite3';
import { createConnection, type Connection } from 'mysql2/promise';

export interface Queries {
  nova<T>(sql: string): Promise<T[]>;
  cinder<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

/** The embedded layout's two SQLite files, opened read-only. */
export function sqliteQueries(novaFile: string, cinderFile: string): Queries {
  const open = (f: string): Database.Database => new Database(f, { readonly: true, fileMustExist: true });
  const [n, c] = [open(novaFile), open(cinderFile)];
  return {
    nova: async <T>(sql: string) => n.prepare(sql).all() as T[],
    cinder: async <T>(sql: string) => c.prepare(sql).all() as T[],
    close: async () => { n.close(); c.close(); },
  };
}

const mysqlOf = (url: string): Promise<Connection> => {
  const u = new URL(url);
  return createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) });
};

/** The multi-process layout's MariaDB databases. */
export async function mysqlQueries(novaUrl: string, cinderUrl: string): Promise<Queries> {
  const n = await mysqlOf(novaUrl);
  const c = await mysqlOf(cinderUrl).catch(async (e: unknown) => { await n.end(); throw e; });
  return {
    nova: async <T>(sql: string) => (await n.query(sql))[0] as T[],
    cinder: async <T>(sql: string) => (await c.query(sql))[0] as T[],
    close: async () => { await n.end(); await c.end(); },
  };
}

interface VolumeRow { id: string; status: string; migration_status: string | null }
interface AttachmentRow { id: string; volume_id: string; instance_uuid: string | null; attach_status: string | null }
interface BdmRow { id: number; volume_id: string; instance_uuid: string; deleted: number; attach_state: string | null; instance_deleted: number | null }
interface InstanceRow { uuid: string; vm_state: string; task_state: string | null }

const VOLUME_TRANSITIONS = ['creating', 'deleting', 'extending', 'attaching', 'detaching', 'reserved', 'retyping', 'downloading', 'uploading', 'maintenance', 'managing', 'unmanaging', 'error_managing_deleting'];
const ATTACH_TRANSITIONS = ['attaching', 'detaching', 'reserved'];

/**
 * Every stuck or inconsistent thing; empty when all settled. `held`: volumes left out (see
 * above); `exported`: volume ids with an export on some backend.
 */
export async function audit(q: Queries, held: ReadonlySet<string>, exported: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const volumes = await q.cinder<VolumeRow>('SELECT id, status, migration_status FROM volumes WHERE deleted = 0');
  const atts = await q.cinder<AttachmentRow>('SELECT id, volume_id, instance_uuid, attach_status FROM volume_attachment WHERE deleted = 0');
  const bdms = await q.nova<BdmRow>(`SELECT b.id, b.volume_id, b.instance_uuid, b.deleted, b.attach_state, i.deleted AS instance_deleted
    FROM block_device_mapping b LEFT JOIN instances i ON i.uuid = b.instance_uuid
    WHERE b.volume_id IS NOT NULL AND (b.deleted = 0 OR b.attach_state IS NOT NULL)`);
  const instances = await q.nova<InstanceRow>('SELECT uuid, vm_state, task_state FROM instances WHERE deleted = 0');
  for (const i of instances) {
    if (i.vm_state === 'building' || i.task_state) out.push(`instance ${i.uuid} left ${i.vm_state}/${i.task_state ?? '-'}`);
  }
  for (const v of volumes) {
    if (held.has(v.id)) continue;
    if (VOLUME_TRANSITIONS.includes(v.status)) out.push(`volume ${v.id} left ${v.status}`);
    if (v.migration_status && !['success', 'error', 'none'].includes(v.migration_status)) out.push(`volume ${v.id} left migration ${v.migration_status}`);
  }
  for (const b of bdms) if (b.attach_state && !held.has(b.volume_id)) out.push(`BDM ${b.id} (volume ${b.volume_id}) unfinished: ${b.attach_state}`);
  const attached = (vid: string, iid: string): boolean => atts.some((a) => a.volume_id === vid && a.instance_uuid === iid && a.attach_status === 'attached');
  for (const b of bdms.filter((x) => x.deleted === 0 && !x.attach_state && !x.instance_deleted && !held.has(x.volume_id))) {
    if (!attached(b.volume_id, b.instance_uuid)) out.push(`BDM ${b.id} (volume ${b.volume_id}) has no Cinder attachment`);
  }
  for (const a of atts.filter((x) => !held.has(x.volume_id))) {
    if (ATTACH_TRANSITIONS.includes(a.attach_status ?? '')) out.push(`attachment ${a.id} of volume ${a.volume_id} left ${a.attach_status}`);
    else if (a.attach_status === 'attached' && a.instance_uuid && !bdms.some((b) => b.deleted === 0 && b.volume_id === a.volume_id && b.instance_uuid === a.instance_uuid)) {
      out.push(`attachment ${a.id} of volume ${a.volume_id} has no BDM row`);
    }
  }
  // Snapshots: none left in flight (unless the fuzzer set that status itself), none outliving its volume.
  const snaps = await q.cinder<{ id: string; volume_id: string; status: string }>('SELECT id, volume_id, status FROM snapshots WHERE deleted = 0');
  for (const s of snaps.filter((x) => !held.has(x.id))) {
    if (['creating', 'deleting', 'unmanaging'].includes(s.status)) out.push(`snapshot ${s.id} of volume ${s.volume_id} left ${s.status}`);
    if (!volumes.some((v) => v.id === s.volume_id)) out.push(`snapshot ${s.id} outlives its volume ${s.volume_id}`);
  }
  // Groups and group snapshots: none left in flight (unless the fuzzer reset it so itself).
  for (const g of await q.cinder<{ id: string; status: string }>("SELECT id, status FROM `groups` WHERE deleted = 0 AND status IN ('creating', 'deleting', 'updating')")) {
    if (!held.has(g.id)) out.push(`group ${g.id} left ${g.status}`);
  }
  for (const g of await q.cinder<{ id: string; status: string }>("SELECT id, status FROM group_snapshots WHERE deleted = 0 AND status IN ('creating', 'deleting')")) {
    if (!held.has(g.id)) out.push(`group snapshot ${g.id} left ${g.status}`);
  }
  for (const vid of exported) {
    if (held.has(vid)) continue;
    if (!atts.some((a) => a.volume_id === vid && a.attach_status === 'attached')) out.push(`export of volume ${vid} without an attachment`);
  }
  return out;
}
