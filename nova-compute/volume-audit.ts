// `nova-manage volume_attachment audit`: every drift between Nova's block_device_mapping rows,
// Cinder's volumes and attachments, and the backends' exports, and (--fix) its repair. Nova
// is read from its database, Cinder through its REST API as an admin, the exports through
// cinder-api's os-volume-exports extension. An operation still in flight is not drift; one
// whose intent is older than [compute] pending_volume_op_timeout is, and if its compute is
// down the audit finishes or rolls it back itself (no guest or host step: they died with it).
import { readdirSync, readFileSync } from 'node:fs';
import { getLogger } from '../common/log';
import { serviceIsUp } from '../nova-common/servicegroup';
import { BDM_STATES as S } from '../nova-common/bdm-states';
import type { NovaDB } from '../nova-common/db-api';
import { Service, type BlockDeviceMapping, type Instance } from '../nova-common/entities';
import type { CinderAPI, CinderCaller, CinderVolume, ExportsReport } from '../nova-common/volume/cinder';
import type { DeviceInfo } from './connectors';
import { VolumeConnector } from './connectors';
import { ComputeDriver, type GuestDisk } from './virt/driver';
import { VolumeOps, type Op } from './volume-ops';

const LOG = getLogger('nova-manage.audit');

export interface Drift {
  /** stuck-volume | stalled-intent | bdm-without-attachment | bdm-without-volume | attachment-without-bdm | export:<problem> | backend-down | orphan-tgtd */
  kind: string;
  volume_id: string | null;
  instance_uuid?: string | null;
  bdm_id?: number;
  detail: string;
  /** Set by fix(): what was done, or why not. */
  fix?: string;
}

export interface AuditDeps {
  db: NovaDB;
  cinder: CinderAPI;
  admin: CinderCaller;
  pendingTimeoutMs: number;
  serviceDownTime: number;
  /** Look for tgtd processes of this host no backend claims (the audit runs on the storage host). */
  localTgtd?: boolean;
}

const TRANSITIONAL = ['attaching', 'reserved', 'detaching'];

interface Snapshot {
  rows: BlockDeviceMapping[];
  instances: Map<string, Instance>;
  volumes: Map<string, CinderVolume>;
  exports: ExportsReport;
  upHosts: Set<string>;
}

async function snapshot(d: AuditDeps): Promise<Snapshot> {
  const rows = (await d.db.bdms.find({ order: { id: 'ASC' } })).filter((b) => b.volumeId && (b.deleted === 0 || b.attachState));
  const uuids = [...new Set(rows.map((b) => b.instanceUuid).filter((u): u is string => !!u))];
  const instances = new Map<string, Instance>();
  for (const u of uuids) {
    const i = await d.db.instanceGetAny(u);
    if (i) instances.set(u, i);
  }
  const volumes = new Map((await d.cinder.listAll(d.admin)).map((v) => [v.id, v]));
  const exports = await d.cinder.volumeExports(d.admin);
  const services = await d.db.ds.getRepository(Service).findBy({ binary: 'nova-compute', deleted: 0 });
  const upHosts = new Set(services.filter((s) => serviceIsUp(s, d.serviceDownTime)).map((s) => s.host as string));
  return { rows, instances, volumes, exports, upHosts };
}

/** Everything that does not agree, as of now. */
export async function audit(d: AuditDeps): Promise<Drift[]> {
  const s = await snapshot(d);
  const out: Drift[] = [];
  const now = Date.now();
  const stale = (b: BlockDeviceMapping): boolean => now - (b.attachStateAt?.getTime() ?? 0) > d.pendingTimeoutMs;
  const pending = s.rows.filter((b) => b.attachState);
  const inFlight = (volumeId: string, server?: string | null): boolean =>
    pending.some((b) => b.volumeId === volumeId && (!server || b.instanceUuid === server) && !stale(b));

  for (const b of pending.filter(stale)) {
    const host = s.instances.get(b.instanceUuid ?? '')?.host ?? null;
    out.push({ kind: 'stalled-intent', volume_id: b.volumeId, instance_uuid: b.instanceUuid, bdm_id: b.id,
      detail: `${b.attachState} since ${b.attachStateAt?.toISOString() ?? '?'} (request ${b.attachRequestId ?? '-'}); compute ${host ?? '-'} is ${host && s.upHosts.has(host) ? 'up' : 'down'}` });
  }
  for (const v of s.volumes.values()) {
    if (TRANSITIONAL.includes(v.status) && !pending.some((b) => b.volumeId === v.id)) {
      out.push({ kind: 'stuck-volume', volume_id: v.id, detail: `status ${v.status} with no attach or detach in flight in Nova` });
    }
    for (const a of v.attachments) {
      if (!a.server_id) continue; // attached to a host, not a server: not Nova's
      const live = s.rows.some((b) => b.volumeId === v.id && b.instanceUuid === a.server_id && b.deleted === 0);
      if (!live && !inFlight(v.id, a.server_id)) {
        out.push({ kind: 'attachment-without-bdm', volume_id: v.id, instance_uuid: a.server_id, detail: `Cinder attachment ${a.attachment_id ?? '-'} has no block_device_mapping row` });
      }
    }
  }
  for (const b of s.rows.filter((r) => r.deleted === 0 && r.attachState === null)) {
    const inst = s.instances.get(b.instanceUuid ?? '');
    if (!inst || inst.deleted) continue;
    const v = s.volumes.get(b.volumeId as string);
    if (!v) out.push({ kind: 'bdm-without-volume', volume_id: b.volumeId, instance_uuid: b.instanceUuid, bdm_id: b.id, detail: 'the volume does not exist in Cinder' });
    else if (!v.attachments.some((a) => a.server_id === b.instanceUuid)) {
      out.push({ kind: 'bdm-without-attachment', volume_id: v.id, instance_uuid: b.instanceUuid, bdm_id: b.id, detail: `Cinder has the volume ${v.status} with no attachment to this server` });
    }
  }
  for (const be of s.exports.backends) {
    if (be.state !== 'up') {
      out.push({ kind: 'backend-down', volume_id: null, detail: `cinder-volume ${be.host} did not answer: its exports are not audited` });
      continue;
    }
    for (const x of be.drift ?? []) {
      if (x.volume_id && inFlight(x.volume_id)) continue;
      out.push({ kind: `export:${x.problem}`, volume_id: x.volume_id, detail: `${be.host}: ${x.detail ?? x.problem}` });
    }
  }
  if (d.localTgtd) out.push(...orphanTgtds(s.exports));
  return out;
}

/** tgtd processes started with a control port (-C) that no backend reports as its own. */
function orphanTgtds(report: ExportsReport): Drift[] {
  const claimed = new Set(report.backends.map((b) => b.tgtd?.pid).filter((p): p is number => typeof p === 'number'));
  const out: Drift[] = [];
  for (const pid of listTgtd()) {
    if (!claimed.has(pid.pid)) out.push({ kind: 'orphan-tgtd', volume_id: null, detail: `tgtd pid ${pid.pid} (control port ${pid.port}) belongs to no cinder-volume` });
  }
  return out;
}

function listTgtd(): Array<{ pid: number; port: number }> {
  const out: Array<{ pid: number; port: number }> = [];
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return out; }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (!/(^|\/)tgtd$/.test(argv[0] ?? '')) continue;
      const i = argv.indexOf('-C');
      if (i > 0) out.push({ pid: Number(e), port: Number(argv[i + 1]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** The host side of a compute that is not running: nothing left to undo there. */
class AbsentHost extends ComputeDriver {
  async spawn(): Promise<{ rootDeviceName: string }> { throw new Error('no compute host'); }
  async destroy(): Promise<void> {}
  async powerOff(): Promise<void> {}
  async powerOn(): Promise<void> {}
  async attachVolume(): Promise<void> {}
  async detachVolume(): Promise<void> {}
  async swapVolume(): Promise<void> {}
  listDisks(): GuestDisk[] { return []; }
  getAvailableResource(): never { throw new Error('no compute host'); }
}

class AbsentConnector extends VolumeConnector {
  readonly protocol = 'none';
  async connectVolume(data: Record<string, unknown>): Promise<DeviceInfo> { return { type: 'block', path: `/dev/disk/by-id/absent-${String(data.volume_id ?? '')}` }; }
  async disconnectVolume(): Promise<void> {}
}

/** Repair each drift; fills `fix` on each. Exports are synced last (the other fixes move them). */
export async function fix(d: AuditDeps, found: Drift[]): Promise<void> {
  const ops = new VolumeOps({
    db: d.db, cinder: d.cinder, driver: new AbsentHost(), connector: new AbsentConnector(), pendingTimeoutMs: d.pendingTimeoutMs,
    connectorProperties: () => ({ ip: '127.0.0.1', host: 'nova-manage', initiator: 'iqn.2010-10.org.openstack:nova-manage', platform: 'x86_64', os_type: 'linux', multipath: false, do_local_attach: false }),
  });
  const upHosts = new Set((await d.db.ds.getRepository(Service).findBy({ binary: 'nova-compute', deleted: 0 }))
    .filter((s) => serviceIsUp(s, d.serviceDownTime)).map((s) => s.host as string));
  let syncExports = false;
  for (const x of found) {
    try {
      x.fix = await fixOne(d, ops, upHosts, x);
      if (x.kind.startsWith('export:')) syncExports = true;
    } catch (e) {
      x.fix = `failed: ${(e as Error).message}`;
    }
  }
  if (syncExports || found.some((x) => x.kind !== 'orphan-tgtd')) {
    const report = await d.cinder.volumeExports(d.admin, true);
    for (const x of found.filter((f) => f.kind.startsWith('export:'))) x.fix = report.backends.some((b) => b.state === 'up') ? 'exports synced' : 'no backend answered';
  }
}

async function fixOne(d: AuditDeps, ops: VolumeOps, upHosts: Set<string>, x: Drift): Promise<string> {
  const op: Op = { caller: d.admin, budgetMs: 0, verify: true, meta: { volume_id: x.volume_id, instance_uuid: x.instance_uuid } };
  const vid = x.volume_id as string;
  switch (x.kind) {
    case 'stalled-intent': {
      const b = await d.db.bdmGetAny(x.bdm_id as number);
      const inst = b?.instanceUuid ? await d.db.instanceGetAny(b.instanceUuid) : null;
      if (!b?.attachState || !inst) return 'already settled';
      if (inst.host && upHosts.has(inst.host)) return `left to compute ${inst.host}, which is up and owns it`;
      LOG.warning(`Repairing ${b.attachState} of volume ${b.volumeId} for instance ${inst.uuid} (its compute is down)`, { context: { requestId: b.attachRequestId ?? undefined } });
      // Without its compute an attach cannot go forward: a reserved one is rolled back instead.
      if (b.attachState === S.RESERVED && await d.db.bdmTransition(b.id, [S.RESERVED], S.ATTACHING)) {
        await ops.rollbackAttach(op, { ...inst, deleted: inst.deleted || 1 } as Instance, { ...b, attachState: S.ATTACHING });
        return 'attach rolled back';
      }
      await ops.resume(op, { ...inst, deleted: inst.deleted || 1 } as Instance, b);
      return `${b.attachState} resumed`;
    }
    case 'stuck-volume': {
      const v = await d.cinder.get(d.admin, vid);
      if (v.status === 'attaching') await d.cinder.unreserve(d.admin, vid);
      else if (v.status === 'detaching') await d.cinder.rollDetaching(d.admin, vid);
      else if (v.status === 'reserved') await d.cinder.resetStatus(d.admin, vid, v.attachments.length ? 'in-use' : 'available', v.attachments.length ? 'attached' : 'detached');
      return `was ${v.status}: released`;
    }
    case 'attachment-without-bdm': {
      const v = await d.cinder.get(d.admin, vid);
      const att = v.attachments.find((a) => a.server_id === x.instance_uuid);
      if (!att) return 'already gone';
      await d.cinder.forceDetach(d.admin, vid, att.attachment_id ?? null);
      return 'force-detached at Cinder';
    }
    case 'bdm-without-attachment':
    case 'bdm-without-volume':
      // As Nova's dangling-BDM cleanup: the row goes; Cinder has nothing attached.
      await d.db.bdmSoftDelete(x.bdm_id as number);
      return 'BDM row soft-deleted';
    case 'orphan-tgtd': {
      const pid = Number(/pid (\d+)/.exec(x.detail)?.[1]);
      if (pid) process.kill(pid, 'SIGTERM');
      return `SIGTERM sent to tgtd ${pid}`;
    }
    default:
      return x.kind.startsWith('export:') ? 'exports synced' : 'nothing to do';
  }
}
