// The test's own audit of a four-process cluster, read straight from both databases, tgtd and
// /proc (independent of nova-manage's audit, which the fault tests also run): every row,
// attachment, export and tgtd must agree, and nothing may be left in flight.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Cluster } from '../e2e/cluster';

const run = promisify(execFile);

interface VolumeRow { id: string; status: string }
interface AttachmentRow { id: string; volume_id: string; instance_uuid: string | null; attach_status: string | null }
interface BdmRow { id: number; volume_id: string; instance_uuid: string; deleted: number; attach_state: string | null; attachment_id: string | null; instance_deleted: number | null }

/** What the audit reads: both databases and the tgtd(s) of the cinder-volume backend(s). */
export interface Audited extends Pick<Cluster, 'cinderQuery' | 'novaQuery'> {
  readonly controlPort: number;
  /** Every backend's tgtd control port when there are several (default: [controlPort]). */
  readonly controlPorts?: readonly number[];
  /** Volume ids exported, when not read from tgtd (the all-in-one's fake driver: os-volume-exports). */
  exports?(): Promise<string[]>;
  /** The cluster's queues on the broker, when it can say (e2e Cluster.queueDrift). */
  queueDrift?(): Promise<string[]>;
}

const portsOf = (c: Audited): readonly number[] => c.controlPorts ?? [c.controlPort];

/** tgtd processes serving control port `port` (started as `tgtd … -C <port> …`). */
export function tgtdPids(port: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      const i = argv.indexOf('-C');
      if (/(^|\/)tgtd$/.test(argv[0] ?? '') && i > 0 && Number(argv[i + 1]) === port) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Volume ids with a target on the cluster's tgtd(s). */
export async function exportedVolumes(c: Audited): Promise<string[]> {
  if (c.exports) return c.exports();
  const out: string[] = [];
  for (const port of portsOf(c)) {
    const { stdout } = await run('tgtadm', ['-C', String(port), '--lld', 'iscsi', '--op', 'show', '--mode', 'target'], { timeout: 10_000 });
    out.push(...[...stdout.matchAll(/^Target \d+: \S*volume-([0-9a-f-]{36})$/gm)].map((m) => m[1]));
  }
  return out;
}

/** Every disagreement found; empty when the cluster is consistent and idle. */
export async function drift(c: Audited): Promise<string[]> {
  const out: string[] = [];
  const volumes = await c.cinderQuery<VolumeRow>('SELECT id, status FROM volumes WHERE deleted = 0');
  const atts = await c.cinderQuery<AttachmentRow>('SELECT id, volume_id, instance_uuid, attach_status FROM volume_attachment WHERE deleted = 0');
  const bdms = await c.novaQuery<BdmRow>(`SELECT b.id, b.volume_id, b.instance_uuid, b.deleted, b.attach_state, b.attachment_id, i.deleted AS instance_deleted
    FROM block_device_mapping b LEFT JOIN instances i ON i.uuid = b.instance_uuid
    WHERE b.volume_id IS NOT NULL AND (b.deleted = 0 OR b.attach_state IS NOT NULL)`);
  for (const v of volumes) if (['attaching', 'reserved', 'detaching'].includes(v.status)) out.push(`volume ${v.id} left ${v.status}`);
  for (const b of bdms) if (b.attach_state) out.push(`BDM ${b.id} (volume ${b.volume_id}) unfinished: ${b.attach_state}`);
  const attached = (vid: string, iid: string): boolean => atts.some((a) => a.volume_id === vid && a.instance_uuid === iid && a.attach_status === 'attached');
  for (const b of bdms.filter((x) => x.deleted === 0 && !x.attach_state && !x.instance_deleted)) {
    if (!attached(b.volume_id, b.instance_uuid)) out.push(`BDM ${b.id} (volume ${b.volume_id}) has no Cinder attachment`);
    else if (b.attachment_id && !atts.some((a) => a.id === b.attachment_id && a.attach_status === 'attached')) {
      out.push(`BDM ${b.id} (volume ${b.volume_id}) names attachment ${b.attachment_id}, which is not attached`);
    }
  }
  for (const a of atts) {
    if (a.attach_status !== 'attached') out.push(`attachment ${a.id} of volume ${a.volume_id} left ${a.attach_status}`);
    else if (a.instance_uuid && !bdms.some((b) => b.deleted === 0 && b.volume_id === a.volume_id && b.instance_uuid === a.instance_uuid)) {
      out.push(`attachment ${a.id} of volume ${a.volume_id} has no BDM row`);
    }
  }
  for (const vid of await exportedVolumes(c)) {
    if (!atts.some((a) => a.volume_id === vid && a.attach_status === 'attached')) out.push(`export of volume ${vid} without an attachment`);
  }
  for (const port of portsOf(c)) {
    const pids = tgtdPids(port);
    if (pids.length !== 1) out.push(`${pids.length} tgtd processes on control port ${port} (want 1)`);
  }
  return out;
}

/** Statuses a volume passes through; none may stay once the cluster is idle. */
export const TRANSIENT_VOLUME_STATUSES = ['creating', 'deleting', 'extending', 'maintenance', 'attaching', 'reserved', 'detaching',
  'downloading', 'uploading', 'retyping', 'backing-up', 'restoring-backup', 'awaiting-transfer', 'managing', 'unmanaging', 'error_managing_deleting'];

interface UsageRow { project_id: string; resource: string; in_use: number; reserved: number }
interface CountRow { project_id: string; volumes: number; gigabytes: number | string | null }

/**
 * drift() plus everything else an idle cluster must not hold: a volume in any transient status
 * (a lost create/delete/extend), a server with a task_state or still building, and Cinder's
 * snapshot left creating or deleting, Cinder's quota usages against the rows they count (in_use
 * of volumes, snapshots and gigabytes, no reservation left),
 * and, when the cluster can say, its queues on the broker (each consumed, none holding a cast).
 */
export async function fullDrift(c: Audited): Promise<string[]> {
  const out = await drift(c);
  // A volume offered for transfer waits for its taker as long as its offer lives: only one without an offer is stuck.
  const volumes = await c.cinderQuery<VolumeRow>(`SELECT id, status FROM volumes v WHERE deleted = 0 AND status IN (${TRANSIENT_VOLUME_STATUSES.map(() => '?').join(', ')})
    AND NOT (status = 'awaiting-transfer' AND EXISTS (SELECT 1 FROM transfers t WHERE t.volume_id = v.id AND t.deleted = 0))`, TRANSIENT_VOLUME_STATUSES);
  for (const v of volumes) if (!['attaching', 'reserved', 'detaching'].includes(v.status)) out.push(`volume ${v.id} left ${v.status}`);
  // A volume's status follows its attachments: in-use exactly while one is attached, and then exported.
  const held = await c.cinderQuery<VolumeRow & { attached: number }>(`SELECT v.id, v.status,
    (SELECT COUNT(*) FROM volume_attachment a WHERE a.volume_id = v.id AND a.deleted = 0 AND a.attach_status = 'attached') AS attached
    FROM volumes v WHERE v.deleted = 0 AND v.status IN ('in-use', 'available', 'error', 'error_deleting')`);
  const exported = await exportedVolumes(c);
  for (const v of held) {
    if (v.status === 'in-use' && !Number(v.attached)) out.push(`volume ${v.id} in-use without an attachment`);
    if (v.status !== 'in-use' && Number(v.attached)) out.push(`volume ${v.id} ${v.status} with ${v.attached} attachment(s)`);
    if (v.status === 'in-use' && Number(v.attached) && !exported.includes(v.id)) out.push(`volume ${v.id} in-use without its export`);
  }
  const orphans = await c.novaQuery<{ id: number; volume_id: string; instance_uuid: string }>(`SELECT b.id, b.volume_id, b.instance_uuid FROM block_device_mapping b
    JOIN instances i ON i.uuid = b.instance_uuid WHERE b.deleted = 0 AND i.deleted != 0`);
  for (const b of orphans) out.push(`BDM ${b.id} (volume ${b.volume_id ?? '-'}) outlives its deleted server ${b.instance_uuid}`);
  const instances = await c.novaQuery<{ uuid: string; vm_state: string; task_state: string | null }>(
    "SELECT uuid, vm_state, task_state FROM instances WHERE deleted = 0 AND (task_state IS NOT NULL OR vm_state = 'building')");
  for (const i of instances) out.push(`server ${i.uuid} left ${i.vm_state}/${i.task_state ?? '-'}`);
  // A snapshot left creating or deleting is a lost create or delete, as a volume's.
  const snaps = await c.cinderQuery<VolumeRow>("SELECT id, status FROM snapshots WHERE deleted = 0 AND status IN ('creating', 'deleting')");
  for (const s of snaps) out.push(`snapshot ${s.id} left ${s.status}`);
  // A group left creating, deleting or updating is a lost step; its usage counts the live groups.
  const groups = await c.cinderQuery<VolumeRow>("SELECT id, status FROM `groups` WHERE deleted = 0 AND status IN ('creating', 'deleting', 'updating')");
  for (const g of groups) out.push(`group ${g.id} left ${g.status}`);
  const groupSnaps = await c.cinderQuery<VolumeRow>("SELECT id, status FROM group_snapshots WHERE deleted = 0 AND status IN ('creating', 'deleting')");
  for (const g of groupSnaps) out.push(`group snapshot ${g.id} left ${g.status}`);
  const groupUse = await c.cinderQuery<{ project_id: string; in_use: number | string; reserved: number | string; live: number | string }>(`SELECT u.project_id, u.in_use, u.reserved,
    (SELECT COUNT(*) FROM \`groups\` g WHERE g.project_id = u.project_id AND g.deleted = 0) AS live FROM quota_usages u WHERE u.deleted = 0 AND u.resource = 'groups'`);
  for (const u of groupUse) {
    if (Number(u.in_use) !== Number(u.live)) out.push(`quota usage groups of project ${u.project_id}: in_use ${u.in_use}, the rows count ${u.live}`);
    if (Number(u.reserved) !== 0) out.push(`quota usage groups of project ${u.project_id}: ${u.reserved} still reserved`);
  }
  const usages = await c.cinderQuery<UsageRow>("SELECT project_id, resource, in_use, reserved FROM quota_usages WHERE deleted = 0 AND (resource LIKE 'volumes%' OR resource LIKE 'gigabytes%' OR resource LIKE 'snapshots%')");
  // Per project, and per project and type (the <resource>_<type> usages); gigabytes count volumes' and snapshots' sizes.
  const counts = await c.cinderQuery<CountRow & { type: string | null; snapshots: number | string }>(`SELECT x.project_id, t.name AS type, SUM(x.vols) AS volumes,
    SUM(x.snaps) AS snapshots, SUM(x.gb) AS gigabytes FROM (
      SELECT project_id, volume_type_id, 1 AS vols, 0 AS snaps, size AS gb FROM volumes WHERE deleted = 0
      UNION ALL SELECT project_id, volume_type_id, 0, 1, volume_size FROM snapshots WHERE deleted = 0) x
    LEFT JOIN volume_types t ON t.id = x.volume_type_id GROUP BY x.project_id, t.name`);
  for (const u of usages) {
    const what = ['volumes', 'snapshots', 'gigabytes'].find((w) => u.resource.startsWith(w)) as 'volumes' | 'snapshots' | 'gigabytes';
    const type = u.resource.slice(`${what}_`.length);
    const rows = counts.filter((r) => r.project_id === u.project_id && (!type || r.type === type));
    const want = rows.reduce((n, r) => n + Number((what === 'volumes' ? r.volumes : what === 'snapshots' ? r.snapshots : r.gigabytes) ?? 0), 0);
    if (Number(u.in_use) !== want) out.push(`quota usage ${u.resource} of project ${u.project_id}: in_use ${u.in_use}, the rows count ${want}`);
    if (Number(u.reserved) !== 0) out.push(`quota usage ${u.resource} of project ${u.project_id}: ${u.reserved} still reserved`);
  }
  // A cast still queued, or a queue no one consumes, is work the rows do not show yet.
  if (c.queueDrift) out.push(...await c.queueDrift());
  return out;
}

/** Poll until `audit` (drift() by default) is empty; returns the milliseconds it took, or throws with what is left. */
export async function waitNoDrift(c: Audited, timeoutMs: number, audit: (c: Audited) => Promise<string[]> = drift): Promise<number> {
  const t0 = Date.now();
  let last: string[] = [];
  while (Date.now() - t0 <= timeoutMs) {
    last = await audit(c).catch((e: unknown) => [`audit failed: ${(e as Error).message}`]);
    if (!last.length) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still drifting after ${timeoutMs} ms:\n  ${last.join('\n  ')}`);
}
