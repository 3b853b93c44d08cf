// Reading `tgtadm --mode target --op show`: which volumes have a target. Ours are named
// `<target_prefix>volume-<uuid>` with the volume's file as LUN 1's backing store. A target whose
// LUN 1 is backed by a file outside our volumes_dir belongs to another backend sharing the same
// tgtd (system tgtd, tgt_control_port 0), and one whose name ends in something other than a
// uuid was not made by Cinder: neither is ours to reconcile (the reconciler removes exports).
import { dirname, resolve } from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TgtTarget {
  tid: number;
  iqn: string;
  /** LUN 1's backing store path, if the target has one yet. */
  backingStore: string | null;
}

export function parseTargets(show: string): TgtTarget[] {
  const out: TgtTarget[] = [];
  let cur: TgtTarget | null = null;
  let lun: number | null = null;
  for (const raw of show.split('\n')) {
    const line = raw.trim();
    const t = /^Target (\d+): (\S+)$/.exec(line);
    if (t) {
      cur = { tid: Number(t[1]), iqn: t[2], backingStore: null };
      lun = null;
      out.push(cur);
      continue;
    }
    const l = /^LUN: (\d+)$/.exec(line);
    if (l) lun = Number(l[1]);
    const b = /^Backing store path: (.+)$/.exec(line);
    if (b && cur && lun === 1 && b[1] !== 'None') cur.backingStore = b[1];
  }
  return out;
}

/** Volume ids of this backend's targets: name `<prefix>volume-<uuid>`, LUN 1 (if any) in volumesDir. */
export function exportedVolumeIds(show: string, prefix: string, volumesDir: string): string[] {
  const ids: string[] = [];
  const stem = `${prefix}volume-`;
  for (const t of parseTargets(show)) {
    const id = t.iqn.startsWith(stem) ? t.iqn.slice(stem.length) : '';
    if (!UUID.test(id)) continue;
    if (t.backingStore && dirname(resolve(t.backingStore)) !== resolve(volumesDir)) continue;
    ids.push(id);
  }
  return ids;
}
