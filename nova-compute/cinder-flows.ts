// The two ways Nova drives Cinder through an attach, behind one interface so VolumeOps keeps
// one state machine (nova-common/bdm-states.ts) for both:
//   legacy (the seed's): os-reserve → os-initialize_connection → os-attach; detach:
//     os-terminate_connection → os-detach. Cinder does not say who holds a reservation.
//   attachments (3.44, Nova since Queens): attachment_create → attachment_update(connector) →
//     attachment_complete; detach: attachment_delete. The row's attachment_id names what is ours.
// A row with an attachment_id takes the attachments flow, one without it the legacy flow, so a
// volume detaches by the flow that attached it. docs/attach-flows.md compares them step by step.
import { legacyReservationIsRows } from '../nova-common/bdm-states';
import type { BlockDeviceMapping } from '../nova-common/entities';
import type { NovaDB } from '../nova-common/db-api';
import { VolumeAttachmentNotFound, VolumeNotFound } from '../nova-common/exception';
import { StepInterrupted } from '../nova-common/retry';
import { attachmentConnectionInfo, CinderHTTPError, type CinderAPI, type CinderVolume, type ConnectionInfo } from '../nova-common/volume/cinder';
import { getLogger } from '../common/log';
import type { ConnectorProperties } from './connectors';
import type { Op } from './volume-ops';

const LOG = getLogger('nova-compute.volume');

/** What a flow needs from VolumeOps: Cinder, the database, the host's connector, a retried step. */
export interface FlowDeps {
  db: NovaDB;
  cinder: CinderAPI;
  connectorProperties: () => ConnectorProperties;
  step<T>(op: Op, name: string, fn: (attempt: number) => Promise<T>): Promise<T>;
  volume(op: Op, volumeId: string): Promise<CinderVolume | null>;
}

export interface CinderFlow {
  readonly name: 'legacy' | 'attachments';
  /** A stale intent: is the volume still reserved for this row (taken again if Cinder let it go)? */
  reservationHeld(op: Op, bdm: BlockDeviceMapping): Promise<boolean>;
  /** Export the volume to this host: its connection_info as Cinder gives it. */
  connect(op: Op, bdm: BlockDeviceMapping): Promise<ConnectionInfo>;
  /** Tell Cinder the attach is done (the volume goes in-use). */
  complete(op: Op, bdm: BlockDeviceMapping, mode: string): Promise<void>;
  /** The connection of a row killed before its connection_info was saved (to disconnect the host). */
  lostConnection(op: Op, bdm: BlockDeviceMapping): Promise<ConnectionInfo | null>;
  /** Give the volume back after a rolled-back attach: export and reservation (ours only). */
  release(op: Op, bdm: BlockDeviceMapping): Promise<void>;
  /** The backend side of a detach that must happen while the row still counts (legacy only). */
  disconnectBackend(op: Op, bdm: BlockDeviceMapping): Promise<void>;
  /** The last step of a detach, after the row left Nova's view: the volume is released. */
  finishDetach(op: Op, bdm: BlockDeviceMapping, attachmentId: string | null | undefined): Promise<void>;
}

/** A rejection handler that swallows the given error classes (a redo finding the work done). */
export const ignore = (...kinds: Array<new (...a: never[]) => Error>) => (e: unknown): void => {
  if (!kinds.some((k) => e instanceof k)) throw e;
};

/** The seed's flow. */
export class LegacyFlow implements CinderFlow {
  readonly name = 'legacy';
  constructor(private readonly d: FlowDeps) {}

  /**
   * Is the volume's 'attaching' reservation ours? With the legacy os-reserve Cinder does not
   * say who reserved it, so: it is attaching and no other server has a live row that may hold
   * it (a row past 'reserving' had its os-reserve confirmed: others still 'reserving' do not).
   */
  async reservationIsOurs(v: CinderVolume | null, bdm: BlockDeviceMapping): Promise<boolean> {
    if (!v || v.status !== 'attaching') return false;
    return legacyReservationIsRows(v.status, bdm, await this.d.db.bdmsOfVolumeExcept(v.id, bdm.id));
  }

  async reservationHeld(op: Op, bdm: BlockDeviceMapping): Promise<boolean> {
    const v = await this.d.volume(op, bdm.volumeId as string);
    if (!v) return false;
    if (v.status === 'attaching') return this.reservationIsOurs(v, bdm);
    if (v.attachments.some((a) => a.server_id === bdm.instanceUuid)) return true;
    if (v.status !== 'available') return false;
    try {
      await this.d.step(op, 'os-reserve', () => this.d.cinder.reserve(op.caller, v.id));
      return true;
    } catch (e) {
      if (e instanceof StepInterrupted) throw e;
      return false;
    }
  }

  connect(op: Op, bdm: BlockDeviceMapping): Promise<ConnectionInfo> {
    return this.d.step(op, 'os-initialize_connection', () => this.d.cinder.initializeConnection(op.caller, bdm.volumeId as string, this.d.connectorProperties()));
  }

  complete(op: Op, bdm: BlockDeviceMapping, mode: string): Promise<void> {
    return this.d.step(op, 'os-attach', () => this.d.cinder.attach(op.caller, bdm.volumeId as string, bdm.instanceUuid as string, bdm.deviceName as string, mode));
  }

  async lostConnection(op: Op, bdm: BlockDeviceMapping): Promise<ConnectionInfo | null> {
    if (!(await this.reservationIsOurs(await this.d.volume(op, bdm.volumeId as string), bdm))) return null;
    // Asked again (idempotent) only to learn what to disconnect.
    return this.connect(op, bdm).catch((e: unknown) => {
      if (!(e instanceof StepInterrupted)) throw e;
      LOG.warning(`Cannot learn the connection of volume ${bdm.volumeId} (${e.message}); skipping the host disconnect`, op.meta);
      return null;
    });
  }

  async release(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    const volumeId = bdm.volumeId as string;
    if (!(await this.reservationIsOurs(await this.d.volume(op, volumeId), bdm))) return;
    // Without cinder-volume the export cannot go now; its reconciler removes the export of an
    // available volume when it is back, so the reservation is released regardless.
    await this.d.step(op, 'os-terminate_connection', () => this.d.cinder.terminateConnection(op.caller, volumeId, this.d.connectorProperties()))
      .catch((e: unknown) => {
        if (!(e instanceof StepInterrupted)) throw e;
        LOG.warning(`os-terminate_connection of volume ${volumeId} failed (${e.message}); releasing the reservation anyway`, op.meta);
      });
    await this.d.step(op, 'os-unreserve', () => this.d.cinder.unreserve(op.caller, volumeId));
  }

  async disconnectBackend(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    await this.d.step(op, 'os-terminate_connection', () => this.d.cinder.terminateConnection(op.caller, bdm.volumeId as string, this.d.connectorProperties())
      .catch(ignore(VolumeNotFound)));
  }

  /** os-detach, skipped when Cinder already has no attachment for the server. */
  async finishDetach(op: Op, bdm: BlockDeviceMapping, attachmentId: string | null | undefined): Promise<void> {
    const volumeId = bdm.volumeId as string;
    await this.d.step(op, 'os-detach', async (attempt) => {
      let id = attachmentId;
      if (attempt > 0 || id === undefined || op.verify) {
        // A redo: os-detach of an attachment that is already gone is refused, so look first.
        const v = await this.d.volume({ ...op, budgetMs: 0 }, volumeId);
        const att = v?.attachments.find((a) => a.server_id === bdm.instanceUuid);
        if (!v || (!att && v.status !== 'detaching')) return;
        id = att?.attachment_id ?? null;
      }
      await this.d.cinder.detach(op.caller, volumeId, id ?? null).catch(ignore(VolumeNotFound));
    });
  }
}

/** Cinder's v3 attachments flow; every step is keyed by the row's attachment_id. */
export class AttachmentsFlow implements CinderFlow {
  readonly name = 'attachments';
  constructor(private readonly d: FlowDeps) {}

  private id(bdm: BlockDeviceMapping): string {
    return bdm.attachmentId as string;
  }

  async reservationHeld(op: Op, bdm: BlockDeviceMapping): Promise<boolean> {
    try {
      await this.d.step(op, 'GET attachment', () => this.d.cinder.attachmentGet(op.caller, this.id(bdm)));
      return true;
    } catch (e) {
      if (e instanceof VolumeAttachmentNotFound) return false;
      throw e;
    }
  }

  connect(op: Op, bdm: BlockDeviceMapping): Promise<ConnectionInfo> {
    return this.d.step(op, 'attachment_update', () => this.d.cinder.attachmentUpdate(op.caller, this.id(bdm), this.d.connectorProperties(), bdm.deviceName ?? undefined));
  }

  complete(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    return this.d.step(op, 'attachment_complete', () => this.d.cinder.attachmentComplete(op.caller, this.id(bdm)));
  }

  async lostConnection(op: Op, bdm: BlockDeviceMapping): Promise<ConnectionInfo | null> {
    const att = await this.d.step(op, 'GET attachment', () => this.d.cinder.attachmentGet(op.caller, this.id(bdm)))
      .catch((e: unknown) => {
        if (e instanceof VolumeAttachmentNotFound || e instanceof StepInterrupted) return null;
        throw e;
      });
    const flat = att?.connection_info;
    return flat && typeof flat.driver_volume_type === 'string' ? attachmentConnectionInfo(flat) : null;
  }

  /** attachment_delete takes the connection, the export and the reservation down in one call. */
  async release(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    await this.d.step(op, 'attachment_delete', () => this.d.cinder.attachmentDelete(op.caller, this.id(bdm)).catch(ignore(VolumeAttachmentNotFound)));
  }

  async disconnectBackend(): Promise<void> {
    // Nothing before the row goes: attachment_delete does it all in finishDetach.
  }

  async finishDetach(op: Op, bdm: BlockDeviceMapping): Promise<void> {
    await this.release(op, bdm);
  }
}

/**
 * Attachments of the volume to the instance that no live row names: what an attachment_create
 * whose answer was lost (nova-api killed, the database gone) left behind. Only when no live
 * row of this instance holds the volume, as one server holds a volume once.
 */
export async function releaseOrphanAttachments(d: FlowDeps, op: Op, bdm: BlockDeviceMapping): Promise<string[]> {
  const volumeId = bdm.volumeId as string;
  const instanceUuid = bdm.instanceUuid as string;
  const others = (await d.db.bdmsOfVolumeExcept(volumeId, bdm.id)).filter((b) => b.instanceUuid === instanceUuid);
  if (others.length) return [];
  const atts = await d.step(op, 'GET attachments', () => d.cinder.attachmentsOf(op.caller, volumeId, instanceUuid).catch((e: unknown) => {
    // A Cinder without the attachments API (before 3.27) has none to leave behind.
    if (e instanceof CinderHTTPError && e.status === 404) return [];
    throw e;
  }));
  for (const a of atts) {
    await d.step(op, 'attachment_delete', () => d.cinder.attachmentDelete(op.caller, a.id).catch(ignore(VolumeAttachmentNotFound)));
  }
  return atts.map((a) => a.id);
}
