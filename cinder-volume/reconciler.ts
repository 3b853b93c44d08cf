// cinder-volume's reconciler: what only this backend can see, healed. One pass at start (before
// the RPC server serves; it replaces init_host's recovery) and then every [DEFAULT]
// periodic_interval seconds. A pass compares the backend's exports and this host's volume rows
// and repairs, each under the volume's lock (the one connection changes take), re-reading the
// rows first and changing state only by compare-and-swap on the status it read, so a caller
// that made progress meanwhile wins:
//   - stale-attaching/-reserved/-detaching: no progress (updated_at of the volume and of its
//     attachments) for attach_transition_timeout seconds means the caller died. Unfinished
//     attachments go, the status follows what is left (as attachment_delete), the export goes
//     when nothing is attached; a detaching volume still attached goes back to in-use (as
//     os-roll_detaching), for its caller to start the detach again.
//   - export-without-attachment / unknown-volume: an export nobody can be using is removed.
//   - missing-export: an attached volume whose export was lost (provider_location still names
//     one: every deliberate removal clears it) gets it back.
//   - interrupted-create/-delete/-extend/-retype: at the start pass, or on any pass once the volume made no
//     progress for lost_cast_timeout seconds (the cast was lost: taken while the database
//     was down, or never sent by a killed cinder-api): a create goes to error and a delete is
//     finished, as init_host, and an extend (a retype) goes back to in-use or available, its size
//     (type) unchanged and its quota reservations rolled back (their uuids derive from the row). The manager runs these
//     operations under the volume's lock, which a repair takes too, so one in flight here wins.
//   - start pass only: attaching/reserved volumes get their lost export back too (nothing is in
//     flight yet).
// Every repair is logged at WARNING with the request id of the operation it repaired (the
// volume's transition_request_id). Passes never overlap; a failed one (database down) is logged
// and the next interval tries again.
import { getLogger } from '../common/log';
import type { KeyedLock } from '../common/lock';
import type { CinderDB } from '../cinder-common/db-api';
import { extendReservationUuids, retypeReservationUuids } from '../cinder-common/extend-reservations';
import { QuotaDB } from '../cinder-common/quota-db';
import type { Snapshot, Volume, VolumeAttachment } from '../cinder-common/entities';
import { statusAfterDetach } from '../cinder-common/volume-status';
import type { VolumeDriver } from './drivers/driver';
import { chapOf } from './drivers/iscsi';
import type { ManageWork } from './manage';
import type { SnapshotWork } from './snapshots';
import type { GroupWork } from './groups';
import type { GroupSnapshotWork } from './group-snapshots';
import { serviceHostOf } from '../cinder-common/objects';

const LOG = getLogger('cinder-volume.reconciler');

export type Problem = 'export-without-attachment' | 'missing-export' | 'unknown-volume' | 'stale-attaching' | 'stale-reserved'
  | 'stale-detaching' | 'interrupted-create' | 'interrupted-delete' | 'interrupted-extend' | 'interrupted-retype'
  | 'interrupted-snapshot-create' | 'interrupted-snapshot-delete' | 'interrupted-manage' | 'interrupted-unmanage'
  | 'interrupted-group-create' | 'interrupted-group-delete' | 'interrupted-group-update'
  | 'interrupted-group-snapshot-create' | 'interrupted-group-snapshot-delete';

export interface Drift {
  volume_id: string;
  problem: Problem;
  detail: string;
  /** The operation this drift was left by (transition_request_id), when known. */
  request_id: string | null;
}

export interface Repair extends Drift {
  /** What the pass did, e.g. "removed the export"; "nothing: ..." when the state moved on first. */
  action: string;
}

/** What a backend looks like now (get_export_report). */
export interface ExportReport {
  host: string;
  exports: string[];
  drift: Drift[];
}

/** What one pass found (with the exports it listed) and did. */
export interface PassReport extends ExportReport {
  repaired: Repair[];
  failed: Array<Drift & { error: string }>;
}

export interface ReconcilerDeps {
  host: string;
  db: CinderDB;
  driver: VolumeDriver;
  /** The manager's per-volume lock: a repair never runs beside a connection change. */
  locks: KeyedLock;
  transitionTimeoutSec: number;
  /**
   * A create, delete or extend with no progress this long lost its cast: one this process runs
   * holds the volume's lock, which a repair waits for, so only a cast never delivered is cut.
   */
  lostCastTimeoutSec: number;
  /** The manager's snapshot work: a lost snapshot create fails, a lost delete is finished. */
  snapshots?: SnapshotWork;
  /** The manager's manage work: a manage cut short after its rename is finished. */
  manage?: ManageWork;
  /** The manager's group work: a group left creating, deleting or updating is finished. */
  groups?: GroupWork;
  /** The manager's group snapshot work: one left creating or deleting is finished. */
  groupSnapshots?: GroupSnapshotWork;
}

const TRANSITIONS: Record<string, Problem> = { attaching: 'stale-attaching', reserved: 'stale-reserved', detaching: 'stale-detaching' };
/** Statuses whose export nobody uses once no attachment is live. */
const UNEXPORTED = ['available', 'error', 'creating', 'deleting', 'error_deleting'];
const LIVE = ['attached', 'attaching', 'reserved', 'detaching'];
const UNFINISHED = ['attaching', 'reserved', 'error_attaching'];

const time = (d: Date | null | undefined): number => (d ? d.getTime() : 0);

/** Last sign of progress: the volume's and its attachments' updated_at (created_at if never updated). */
export function lastProgress(v: Volume, atts: VolumeAttachment[]): number {
  return Math.max(time(v.updatedAt ?? v.createdAt), ...atts.map((a) => time(a.updatedAt ?? a.createdAt)));
}

interface Facts {
  id: string;
  /** The live row, null when unknown or deleted. */
  volume: Volume | null;
  atts: VolumeAttachment[];
  exported: boolean;
}

export class VolumeReconciler {
  private readonly startedAt = Date.now();
  /** The start-only rules are still to be applied (the start pass may fail, e.g. database down). */
  private startupPending = true;
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: ReconcilerDeps) {}

  /** Periodic passes every `intervalSec` (0: none); the start pass is the manager's initHost. */
  start(intervalSec: number): void {
    if (intervalSec <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.inFlight) return;
      this.runOnce().catch((e: unknown) =>
        LOG.warning(`Reconciler pass on ${this.d.host} failed, next try in ${intervalSec} s: ${(e as Error).message}`));
    }, intervalSec * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queue;
  }

  /** One pass with repairs; queued behind a pass already running, so it sees the state after the caller's request. */
  runOnce(): Promise<PassReport> {
    this.inFlight++;
    const p = this.queue.then(() => this.pass()).finally(() => { this.inFlight--; });
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** The drift as it is now, nothing changed. */
  async report(): Promise<ExportReport> {
    const { exports, facts } = await this.snapshot();
    const drift = facts.map((f) => this.diagnose(f, false)).filter((x): x is Drift => x !== null);
    return { host: this.d.host, exports, drift };
  }

  private async pass(): Promise<PassReport> {
    const startup = this.startupPending;
    const { exports, facts } = await this.snapshot();
    const report: PassReport = { host: this.d.host, exports, drift: [], repaired: [], failed: [] };
    for (const f of facts) {
      const found = this.diagnose(f, startup);
      if (!found) continue;
      report.drift.push(found);
      try {
        await this.d.locks.run(f.id, () => this.repairVolume(f.id, startup, report));
      } catch (e) {
        LOG.exception(`Reconciler could not repair volume ${f.id} (${found.problem})`, e, { context: { requestId: found.request_id ?? undefined } });
        report.failed.push({ ...found, error: (e as Error).message });
      }
    }
    await this.snapshotPass(startup, report);
    await this.groupPass(startup, report);
    this.startupPending = false;
    return report;
  }

  /**
   * Snapshots of this host's volumes left 'creating', 'deleting' or 'unmanaging' by a stop or a
   * lost cast (as lost_cast_timeout judges volumes): a create (or a manage) goes to error, as
   * init_host does; a delete or an unmanage is finished. Each under its volume's lock, re-read first, by compare-and-swap.
   */
  private async snapshotPass(startup: boolean, report: PassReport): Promise<void> {
    const work = this.d.snapshots;
    if (!work) return;
    const volumes = await this.d.db.volumesOnHost(this.d.host);
    if (!volumes.length) return;
    const stuck = (await work.snapshots.list(null, volumes.map((v) => v.id))).filter((s) => s.status === 'creating' || s.status === 'deleting' || s.status === 'unmanaging');
    for (const first of stuck) {
      const drift = this.snapshotDrift(first, startup);
      if (!drift) continue;
      report.drift.push(drift);
      try {
        await this.d.locks.run(first.volumeId, async () => {
          const s = await work.snapshots.get(first.id);
          if (!s || s.status !== first.status || !this.snapshotDrift(s, startup)) return;
          const log = { context: { requestId: undefined } };
          const action = s.status === 'creating'
            ? (await work.snapshots.conditionalUpdate(s.id, { status: 'creating' }, { status: 'error' }) ? 'status error' : "nothing: it left 'creating' meanwhile")
            : (await work.delete({}, s, { projectId: s.projectId, requestId: null }, log) ? 'delete finished' : 'delete not finished (see the snapshot\'s status)');
          report.repaired.push({ ...drift, action });
          LOG.warning(`Volume ${s.volumeId}: ${drift.problem} (${drift.detail}); ${action}`);
        });
      } catch (e) {
        LOG.exception(`Reconciler could not repair snapshot ${first.id} (${drift.problem})`, e);
        report.failed.push({ ...drift, error: (e as Error).message });
      }
    }
  }

  /**
   * Groups of this backend left 'creating', 'deleting' or 'updating' by a stop or a lost cast
   * (as lost_cast_timeout judges volumes): the manager's own step runs again, each of which
   * re-reads the group and moves it only from the status it expects. Cinder leaves them as they
   * are. (The drift's volume_id names the group.)
   */
  private async groupPass(startup: boolean, report: PassReport): Promise<void> {
    const work = this.d.groups;
    if (!work) return;
    const mine = (await work.groups.list(null)).filter((g) => serviceHostOf(g.group.host ?? '') === this.d.host);
    const stuck = mine.map((g) => g.group).filter((g) => ['creating', 'deleting', 'updating'].includes(g.status ?? ''));
    // A group snapshot is its group's backend's: made and deleted there.
    const snaps = this.d.groupSnapshots;
    if (snaps) {
      const ours = new Set(mine.map((g) => g.group.id));
      for (const gs of (await snaps.groupSnapshots.inStatus(['creating', 'deleting'])).filter((x) => ours.has(x.groupId))) {
        const last = time(gs.updatedAt ?? gs.createdAt);
        const ageSec = Math.floor((Date.now() - last) / 1000);
        if (!(startup && last < this.startedAt) && ageSec <= this.d.lostCastTimeoutSec) continue;
        const problem: Problem = gs.status === 'creating' ? 'interrupted-group-snapshot-create' : 'interrupted-group-snapshot-delete';
        const drift: Drift = { volume_id: gs.id, problem, detail: `group snapshot ${gs.id} '${gs.status}'`, request_id: null };
        report.drift.push(drift);
        try {
          const done = gs.status === 'creating' ? await snaps.create({}, gs.id) : await snaps.delete({}, gs.id);
          report.repaired.push({ ...drift, action: done ? 'finished' : 'nothing: it moved on meanwhile, or a snapshot failed (see its status)' });
          LOG.warning(`Group snapshot ${gs.id}: ${problem}; ${done ? 'finished' : 'not finished'}`);
        } catch (e) {
          LOG.exception(`Reconciler could not repair group snapshot ${gs.id} (${problem})`, e);
          report.failed.push({ ...drift, error: (e as Error).message });
        }
      }
    }
    for (const g of stuck) {
      const last = time(g.updatedAt ?? g.createdAt);
      const ageSec = Math.floor((Date.now() - last) / 1000);
      const stopped = startup && last < this.startedAt;
      if (!stopped && ageSec <= this.d.lostCastTimeoutSec) continue;
      const why = stopped ? 'when cinder-volume stopped' : `without progress for ${ageSec} s (lost_cast_timeout ${this.d.lostCastTimeoutSec} s)`;
      const problem: Problem = g.status === 'creating' ? 'interrupted-group-create' : g.status === 'deleting' ? 'interrupted-group-delete' : 'interrupted-group-update';
      const drift: Drift = { volume_id: g.id, problem, detail: `group ${g.id} '${g.status}' ${why}`, request_id: null };
      report.drift.push(drift);
      try {
        const done = g.status === 'creating' ? await work.create({}, g.id) : g.status === 'deleting' ? await work.delete({}, g.id) : await work.update({}, g.id, null, null);
        const action = done ? `${g.status === 'deleting' ? 'delete' : g.status === 'creating' ? 'create' : 'update'} finished` : 'nothing: it moved on meanwhile, or a volume would not go (see its status)';
        report.repaired.push({ ...drift, action });
        LOG.warning(`Group ${g.id}: ${problem} (${drift.detail}); ${action}`);
      } catch (e) {
        LOG.exception(`Reconciler could not repair group ${g.id} (${problem})`, e);
        report.failed.push({ ...drift, error: (e as Error).message });
      }
    }
  }

  private snapshotDrift(s: Snapshot, startup: boolean): Drift | null {
    const last = time(s.updatedAt ?? s.createdAt);
    const ageSec = Math.floor((Date.now() - last) / 1000);
    const stopped = startup && last < this.startedAt;
    if (!stopped && ageSec <= this.d.lostCastTimeoutSec) return null;
    const why = stopped ? 'when cinder-volume stopped' : `without progress for ${ageSec} s (lost_cast_timeout ${this.d.lostCastTimeoutSec} s)`;
    const problem: Problem = s.status === 'creating' ? 'interrupted-snapshot-create' : 'interrupted-snapshot-delete';
    return { volume_id: s.volumeId, problem, detail: `snapshot ${s.id} '${s.status}' ${why}`, request_id: null };
  }

  /** The backend's exports and every volume they or this host's rows name. */
  private async snapshot(): Promise<{ exports: string[]; facts: Facts[] }> {
    const exports = [...new Set(await this.d.driver.listExports())].sort();
    const volumes = await this.d.db.volumesOnHost(this.d.host);
    const atts = await this.d.db.attachmentsOf(volumes.map((v) => v.id));
    const exported = new Set(exports);
    const facts: Facts[] = volumes.map((v) => ({ id: v.id, volume: v, atts: atts.filter((a) => a.volumeId === v.id), exported: exported.has(v.id) }));
    const mine = new Set(volumes.map((v) => v.id));
    for (const id of exports) {
      if (mine.has(id)) continue;
      // Live on another backend: not ours to judge (a shared tgtd is filtered by volumes_dir already).
      if (await this.d.db.volumeGet(id)) continue;
      facts.push({ id, volume: null, atts: [], exported: true });
    }
    return { exports, facts };
  }

  private async facts(id: string): Promise<Facts> {
    const volume = await this.d.db.volumeGet(id);
    const atts = volume ? await this.d.db.attachmentsOf([id]) : [];
    const exported = (await this.d.driver.listExports()).includes(id);
    return { id, volume, atts, exported };
  }

  /** The rule `f` breaks, if any (one at a time; a repair re-checks until none is left). */
  private diagnose(f: Facts, startup: boolean): Drift | null {
    const v = f.volume;
    if (!v) return f.exported ? { volume_id: f.id, problem: 'unknown-volume', detail: 'export of a volume that does not exist or is deleted', request_id: null } : null;
    const drift = (problem: Problem, detail: string): Drift => ({ volume_id: v.id, problem, detail, request_id: v.transitionRequestId ?? null });
    const status = v.status ?? '';
    const last = lastProgress(v, f.atts);
    const attached = f.atts.some((a) => a.attachStatus === 'attached');
    const live = f.atts.some((a) => LIVE.includes(a.attachStatus ?? ''));
    const exportable = !!v.providerLocation && !!chapOf(v);
    const ageSec = Math.floor((Date.now() - last) / 1000);
    const stopped = startup && last < this.startedAt;
    if (stopped || ageSec > this.d.lostCastTimeoutSec) {
      const why = stopped ? 'when cinder-volume stopped' : `without progress for ${ageSec} s (lost_cast_timeout ${this.d.lostCastTimeoutSec} s)`;
      if (status === 'creating') return drift('interrupted-create', `'creating' ${why}`);
      if (status === 'deleting' || status === 'error_managing_deleting') return drift('interrupted-delete', `'${status}' ${why}`);
      if (status === 'managing') return drift('interrupted-manage', `'managing' ${why}`);
      if (status === 'unmanaging') return drift('interrupted-unmanage', `'unmanaging' ${why}`);
      if (status === 'extending') return drift('interrupted-extend', `'extending' ${why}`);
      if (status === 'retyping') return drift('interrupted-retype', `'retyping' ${why}`);
    }
    if (stopped && ['attaching', 'reserved'].includes(status) && exportable && !f.exported) {
      return drift('missing-export', `no export while '${status}': lost while cinder-volume was down`);
    }
    if (TRANSITIONS[status] && ageSec > this.d.transitionTimeoutSec) {
      return drift(TRANSITIONS[status], `'${status}' without progress for ${ageSec} s (attach_transition_timeout ${this.d.transitionTimeoutSec} s)`);
    }
    if (f.exported && UNEXPORTED.includes(status) && !live) return drift('export-without-attachment', `exported while '${status}' with no live attachment`);
    if (!f.exported && ['in-use', 'detaching'].includes(status) && attached && exportable) {
      return drift('missing-export', `no export while '${status}' with an attached attachment`);
    }
    return null;
  }

  /** Re-read, diagnose, fix; again while something is left (a release can leave an export to remove). */
  private async repairVolume(id: string, startup: boolean, report: PassReport): Promise<void> {
    for (let round = 0; round < 3; round++) {
      const f = await this.facts(id);
      const found = this.diagnose(f, startup);
      if (!found) return;
      const action = await this.fix(f, found);
      const repair = { ...found, action };
      report.repaired.push(repair);
      LOG.warning(`Volume ${found.volume_id}: ${found.problem} (${found.detail}); ${action}; repairs request ${found.request_id ?? 'unknown'}`,
        { context: { requestId: found.request_id ?? undefined } });
      if (action.startsWith('nothing')) return;
    }
  }

  private async fix(f: Facts, drift: Drift): Promise<string> {
    const v = f.volume;
    if (!v) {
      // A deleted row still knows the CHAP user whose account goes with the target.
      const row = await this.d.db.volumes.findOneBy({ id: f.id });
      await this.d.driver.removeExport({ ...(row ?? {}), id: f.id } as Volume);
      return 'removed the export';
    }
    const cas = (values: Partial<Volume>): Promise<boolean> => this.d.db.volumeConditionalUpdate(v.id, { status: v.status }, values);
    const moved = `nothing: the volume left '${v.status}' meanwhile`;
    switch (drift.problem) {
      case 'interrupted-create':
        return (await cas({ status: 'error' })) ? 'status error' : moved;
      case 'interrupted-delete':
      case 'interrupted-unmanage':
        return this.finishDelete(v, cas, moved);
      case 'interrupted-manage':
        return this.finishManage(v, cas, moved);
      case 'interrupted-extend':
        return this.undoExtend(v, f.atts.some((a) => a.attachStatus === 'attached') ? 'in-use' : 'available', moved);
      case 'interrupted-retype':
        return this.undoRetype(v, f.atts.some((a) => a.attachStatus === 'attached') ? 'in-use' : 'available', moved);
      case 'export-without-attachment':
        await this.d.driver.removeExport(v);
        await cas({ providerLocation: null });
        return 'removed the export';
      case 'missing-export': {
        const model = await this.d.driver.createExport(v, null);
        await cas({ providerLocation: model.provider_location ?? v.providerLocation, providerAuth: model.provider_auth ?? v.providerAuth });
        return 're-created the export';
      }
      default:
        return this.release(f);
    }
  }

  /**
   * An extend whose cast was lost goes back to `status` with the size it had (the user may extend
   * again), and its quota reservations, derived from the row's transition_request_id, are rolled
   * back (a uuid with no row is a no-op). One transaction, status first: a late cast then finds
   * the volume no longer extending and its own rollback finds no rows; a failure leaves both to
   * the next pass.
   */
  private async undoExtend(v: Volume, status: 'in-use' | 'available', moved: string): Promise<string> {
    const quota = new QuotaDB(this.d.db.ds);
    const uuids = v.transitionRequestId ? extendReservationUuids(v.id, v.transitionRequestId) : [];
    const done = await quota.tx(async (m) => {
      if (!await this.d.db.volumeConditionalUpdate(v.id, { status: 'extending' }, { status, previousStatus: null }, m)) return false;
      await quota.rollbackIn(m, uuids);
      return true;
    }, `undo of the extend of ${v.id}`);
    return done ? `status back to '${status}', size unchanged${uuids.length ? ', its quota reservations rolled back' : ''}` : moved;
  }

  /** A retype whose cast was lost goes back with its old type, both sides' reservations rolled back with the status (as undoExtend). */
  private async undoRetype(v: Volume, status: 'in-use' | 'available', moved: string): Promise<string> {
    const quota = new QuotaDB(this.d.db.ds);
    const uuids = v.transitionRequestId ? retypeReservationUuids(v.id, v.transitionRequestId) : [];
    const done = await quota.tx(async (m) => {
      if (!await this.d.db.volumeConditionalUpdate(v.id, { status: 'retyping' }, { status }, m)) return false;
      await quota.rollbackIn(m, uuids);
      return true;
    }, `undo of the retype of ${v.id}`);
    return done ? `status back to '${status}', type unchanged${uuids.length ? ', its quota reservations rolled back' : ''}` : moved;
  }

  /**
   * A delete or unmanage cut short is resumed, as Cinder's init_host does: the backend's export
   * goes, then its volume (an unmanage leaves it there), both idempotent, then the row and its
   * quota. A backend that refuses leaves
   * error_deleting (error_unmanaging), as the manager's own would.
   */
  private async finishDelete(v: Volume, cas: (values: Partial<Volume>) => Promise<boolean>, moved: string): Promise<string> {
    const current = await this.d.db.volumeGet(v.id);
    if (!current || current.status !== v.status) return moved;
    const unmanage = current.status === 'unmanaging';
    const failed = unmanage ? 'error_unmanaging' : 'error_deleting';
    // A cascade's snapshots go first; one that is not 'deleting' stops the delete (as the manager's).
    if (!unmanage && this.d.snapshots && !await this.d.snapshots.deleteAllOf({}, v.id, { projectId: v.projectId, requestId: v.transitionRequestId ?? null }, { context: {} })) {
      return (await cas({ status: 'error_deleting' })) ? 'status error_deleting (a snapshot of it could not be deleted)' : moved;
    }
    try {
      await this.d.driver.removeExport(current);
      if (unmanage) await this.d.driver.unmanage(current);
      else await this.d.driver.deleteVolume(current);
    } catch (e) {
      return (await cas({ status: failed })) ? `status ${failed} (the backend refused: ${(e as Error).message})` : moved;
    }
    await this.d.db.volumeSoftDelete(current.id, current);
    return unmanage ? 'unmanage finished' : 'delete finished';
  }

  /**
   * A manage cut short: when the backend object already is the volume's (the driver's rename
   * done), only the count and the status were left, and they are done now; else the object was
   * never touched and the volume is error_managing (its reference went with the lost cast).
   */
  private async finishManage(v: Volume, cas: (values: Partial<Volume>) => Promise<boolean>, moved: string): Promise<string> {
    const size = this.d.manage ? await this.d.driver.existingSize(v) : null;
    if (size !== null && this.d.manage) return (await this.d.manage.finish(v, size)) ? `manage finished (${size} GiB counted)` : moved;
    return (await cas({ status: 'error_managing' })) ? 'status error_managing (the backend object was not taken)' : moved;
  }

  /** A dead caller's transition: roll a detach back, or drop the unfinished attachments. */
  private async release(f: Facts): Promise<string> {
    const v = f.volume!;
    const attached = f.atts.some((a) => a.attachStatus === 'attached');
    if (v.status === 'detaching' && attached) {
      const ok = await this.d.db.volumeConditionalUpdate(v.id, { status: 'detaching' }, { status: 'in-use' });
      return ok ? "status back to 'in-use' (os-roll_detaching); the caller starts the detach again" : "nothing: the volume left 'detaching' meanwhile";
    }
    const drop = f.atts.filter((a) => UNFINISHED.includes(a.attachStatus ?? ''));
    const keep = f.atts.filter((a) => !drop.includes(a));
    const { status, attachStatus } = statusAfterDetach(keep.map((a) => a.attachStatus));
    if (!(await this.d.db.volumeConditionalUpdate(v.id, { status: v.status }, { status, attachStatus }))) return `nothing: the volume left '${v.status}' meanwhile`;
    for (const a of drop) await this.d.db.attachmentDestroy(a.id);
    const done = [`status ${status}`, ...(drop.length ? [`dropped attachment(s) ${drop.map((a) => a.id).join(', ')}`] : [])];
    if (!keep.length) await this.d.db.adminMetadataDelete(v.id, 'attached_mode');
    if (!keep.some((a) => a.attachStatus === 'attached') && (f.exported || v.providerLocation)) {
      await this.d.driver.removeExport(v);
      await this.d.db.volumeConditionalUpdate(v.id, { status }, { providerLocation: null });
      done.push('removed the export');
    }
    return done.join(', ');
  }
}
