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

/** Poll until drift() is empty; returns the milliseconds it took, or throws with what is left. */
export async function waitNoDrift(c: Audited, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  let last: string[] = [];
  while (Date.now() - t0 <= timeoutMs) {
    last = await drift(c).catch((e: unknown) => [`audit failed: ${(e as Error).message}`]);
    if (!last.length) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still drifting after ${timeoutMs} ms:\n  ${last.join('\n  ')}`);
}
