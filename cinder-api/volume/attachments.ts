// The v3 attachments business layer (volume/api.py attachment_*; docs/attach-flows.md and
// docs/attach-detach.md, Volume states): reserve by compare-and-swap, connect through cinder-volume's attachment_update,
// complete, and delete with the status recomputed from what is left. Policies as Cinder's:
// create is judged on the volume, update/complete/delete on the attachment (its volume's
// project); show and list only scope to the caller's project, with no policy.
import type { RequestContext } from '../../common/context';
import { isDbConnectionError } from '../../common/db/errors';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import type { Target } from '../../common/policy';
import { MessageDeliveryFailure, MessagingTimeout } from '../../common/rpc';
import type { Volume, VolumeAttachment } from '../../cinder-common/entities';
import { CinderException, InvalidInput, InvalidVolume, VolumeAttachmentNotFound } from '../../cinder-common/exception';
import { attachFlowFrom, detachSetsStatus, statusAfterDetach, type VolumeStatus } from '../../cinder-common/volume-status';
import { POLICY, requestIdOf, type VolumeAPI } from './api';

type Ctx = RequestContext;

const LOG = getLogger('cinder-api.attachments');

/** target_obj=attachment: Cinder adds the attachment's project_id (its volume's); it has no user_id. */
function attachmentTarget(att: VolumeAttachment, volume: Volume): Target {
  return { id: att.id, volume_id: att.volumeId, instance_uuid: att.instanceUuid, project_id: volume.projectId };
}

export class AttachmentAPI {
  constructor(private readonly volumes: VolumeAPI) {}

  private get db() { return this.volumes.d.db; }
  private get rpc() { return this.volumes.d.rpc; }

  /** An attachment of a volume the caller may see (404 otherwise). */
  async get(ctx: Ctx, id: string): Promise<{ att: VolumeAttachment; volume: Volume }> {
    const hit = await this.db.attachmentWithVolume(id);
    const project = ctx.isAdmin ? null : ctx.projectId;
    const volume = hit?.volume && (project === null || project === undefined || hit.volume.projectId === project) ? hit.volume : null;
    if (!hit || !volume) throw new VolumeAttachmentNotFound({ filter: `attachment_id = ${id}` });
    return { att: hit.att, volume };
  }

  /**
   * The caller's project's attachments (get_all_by_project; no policy: its own project_id wins
   * over one asked), or an admin's all_tenants, of the volumes of `projectId` when given
   * (Cinder's attachment filters join the volume's project).
   */
  async list(ctx: Ctx, f: { allTenants: boolean; projectId?: string; matches: (a: VolumeAttachment) => boolean }): Promise<VolumeAttachment[]> {
    // An admin's all_tenants lists every project's (VolumeAttachmentList.get_all).
    const everyone = ctx.isAdmin && f.allTenants;
    const vols = everyone ? await this.db.volumeList(f.projectId !== undefined ? { projectId: f.projectId } : {})
      : ctx.projectId ? await this.db.volumeList({ projectId: ctx.projectId }) : [];
    return (await this.db.attachmentsOf(vols.map((v) => v.id))).filter(f.matches);
  }

  /**
   * A list's marker: a live attachment by id, whatever the list's filters, and for a non-admin
   * one of its own project's volumes. Cinder looks it up in any project (its project_only is not
   * passed on), which tells a user another project's attachment exists: not here (differences.md).
   */
  async marker(ctx: Ctx, id: string): Promise<VolumeAttachment | null> {
    const hit = await this.db.attachmentWithVolume(id);
    if (!hit || (!ctx.isAdmin && hit.volume?.projectId !== ctx.projectId)) return null;
    return hit.att;
  }

  /** The controller reads the volume with objects.Volume.get_by_id (no volume:get), then attachment_create's policies. */
  async create(ctx: Ctx, volumeId: string, instanceUuid: string | null, connector: Record<string, unknown> | null, mode: string | null): Promise<VolumeAttachment> {
    // The admin metadata as the volume was read, before the reservation (Cinder's volume_ref).
    const { volume: v, admin } = await this.volumes.findWithAdminMetadata(ctx, volumeId);
    this.volumes.authorize(ctx, POLICY.attachmentCreate, v);
    if ((v.status ?? '').includes('error')) {
      throw new InvalidVolume({ reason: `Volume attachments can not be created if the volume is in an error state. The Volume ${v.id} currently has a status of: ${v.status} ` });
    }
    // _attachment_reserve: multiattach of a bootable volume that is in use has its own policy.
    if (v.multiattach && v.status === 'in-use' && v.bootable) this.volumes.authorize(ctx, POLICY.multiattachBootable, v);
    const expected: VolumeStatus[] = v.multiattach ? ['available', 'in-use', 'downloading'] : ['available', 'downloading'];
    const ok = await this.db.volumeConditionalUpdate(v.id, { status: expected }, { status: 'reserved', transitionRequestId: requestIdOf(ctx) });
    if (!ok) {
      const cur = (await this.db.volumeGet(v.id)) ?? v;
      const same = instanceUuid && ['in-use', 'reserved'].includes(cur.status ?? '') &&
        (await this.db.attachmentsOf([v.id])).some((a) => a.instanceUuid === instanceUuid);
      if (!same) {
        throw new InvalidVolume({ reason: `Volume ${v.id} status must be ${expected.join(' or ')} to reserve, but the current status is ${cur.status}.` });
      }
    }
    const att = await this.db.attachmentCreate({
      volumeId: v.id, instanceUuid, attachStatus: 'reserved', attachMode: admin.readonly === 'True' ? 'ro' : mode ?? 'null',
    });
    await pausePoint('cinder-api.attachment-create.after-insert');
    // An empty connector is no connector (Cinder tests its truthiness): just the reservation.
    if (!connector || !Object.keys(connector).length) return att;
    try {
      // attachment_create calls cinder-volume's attachment_update itself: neither the
      // attachment_update policy nor its duplicate-connector check.
      return await this.connect(ctx, att.id, connector, false);
    } catch (e) {
      // Like Cinder's create: a failed connection takes the new attachment (and reservation) back.
      await this.remove(ctx, att.id, false).catch((err: unknown) => LOG.warning(`Could not roll back attachment ${att.id}: ${(err as Error).message}`));
      throw e;
    }
  }

  async update(ctx: Ctx, id: string, connector: Record<string, unknown>): Promise<VolumeAttachment> {
    // Cinder's attachment_update is locked per connector host ('…-{connector[host]}'), formatted
    // once the attachment was found: without a host key that is a KeyError, its 500. A 400 here.
    if (!Object.hasOwn(connector, 'host')) {
      await this.get(ctx, id);
      throw new InvalidInput({ reason: "Connector doesn't have required information: host" });
    }
    return this.connect(ctx, id, connector, true);
  }

  /** Connects attachment id; viaUpdate: as the API's attachment_update (its policy and checks), else as create's direct RPC. */
  private async connect(ctx: Ctx, id: string, connector: Record<string, unknown>, viaUpdate: boolean): Promise<VolumeAttachment> {
    const { att, volume } = await this.get(ctx, id);
    if (viaUpdate) this.volumes.authorize(ctx, POLICY.attachmentUpdate, attachmentTarget(att, volume));
    if ((volume.status ?? '').includes('error')) {
      throw new InvalidVolume({ reason: `Volume attachments can not be updated if the volume is in an error state. The Volume ${volume.id} currently has a status of: ${volume.status} ` });
    }
    if (viaUpdate && !volume.multiattach) {
      // As Cinder's: only with more than one attachment, and this one's own connection counts
      // (a lone attachment may be connected again; beside another, it may not).
      const atts = await this.db.attachmentsOf([volume.id]);
      if (atts.length > 1 && atts.some((a) => a.connectionInfo)) throw new InvalidVolume({ reason: `duplicate connectors detected on volume ${volume.id}` });
    }
    // No backend took the volume (created in error): nothing can export it.
    if (!volume.host) throw new InvalidVolume({ reason: `Volume ${volume.id} has no host: it cannot be connected.` });
    try {
      await this.rpc.attachmentUpdate(ctx, volume, connector, att.id);
      await pausePoint('cinder-api.attachment-update.after-rpc');
    } catch (e) {
      // Refused (400), or the attachment or its volume deleted meanwhile by a racing request (404):
      // the caller's answer, not a 500 (Cinder wraps these in one).
      if ([400, 404].includes((e as { code?: number }).code ?? 0)) throw e;
      // A lost dependency stays itself: the API answers 503 and the caller retries.
      if (isDbConnectionError(e) || e instanceof MessagingTimeout || e instanceof MessageDeliveryFailure) throw e;
      throw new CinderException({}, `Unable to update attachment.(${(e as Error).message}).`);
    }
    return (await this.db.attachmentGet(att.id)) ?? att;
  }

  /**
   * os-complete: the attachment attached from the state just read (moved meanwhile: another
   * writer's state stands, or 404 if it was deleted), the volume in-use/attached from any status
   * of the attach flow.
   */
  async complete(ctx: Ctx, id: string): Promise<void> {
    const { att, volume } = await this.get(ctx, id);
    this.volumes.authorize(ctx, POLICY.attachmentComplete, attachmentTarget(att, volume));
    // A volume being deleted (a forced delete passes an attach in flight) is not the caller's
    // to have: refusing lets Nova roll its attach back instead of keeping a disk that goes.
    const beingDeleted = (): InvalidVolume => new InvalidVolume({ reason: `Volume ${volume.id} is being deleted: its attachment ${att.id} cannot be completed.` });
    if (volume.status === 'deleting') throw beingDeleted();
    // Only the status, as Cinder's: attach_time is the connection's (attachment_update), so an
    // attachment completed without a connector keeps none.
    if (!(await this.db.attachmentConditionalUpdate(att.id, { attachStatus: att.attachStatus }, { attachStatus: 'attached' }))) await this.get(ctx, id);
    await pausePoint('cinder-api.attachment-complete.after-attachment');
    if (!(await this.db.volumeConditionalUpdate(volume.id, { status: attachFlowFrom(volume.status) }, { status: 'in-use', attachStatus: 'attached' }))) {
      const now = await this.db.volumeGet(volume.id);
      if (!now || now.status === 'deleting') {
        await this.db.attachmentConditionalUpdate(att.id, { attachStatus: 'attached' }, { attachStatus: att.attachStatus });
        throw beingDeleted();
      }
    }
    await this.volumes.notify(ctx, volume.id, 'attach.end');
  }

  /** DELETE: disconnect unless only reserved, then finish_detach; returns what is left. */
  async delete(ctx: Ctx, id: string): Promise<VolumeAttachment[]> {
    return this.remove(ctx, id, true);
  }

  private async remove(ctx: Ctx, id: string, authorize: boolean): Promise<VolumeAttachment[]> {
    const { att, volume } = await this.get(ctx, id);
    if (authorize) this.volumes.authorize(ctx, POLICY.attachmentDelete, attachmentTarget(att, volume));
    await this.volumes.attachmentDeletionAllowed(ctx, att);
    if (att.attachStatus !== 'reserved' && volume.host) await this.rpc.attachmentDelete(ctx, volume, att.id);
    else await this.volumes.notify(ctx, volume.id, 'detach.start');
    await pausePoint('cinder-api.attachment-delete.after-rpc');
    await this.db.attachmentDestroy(att.id);
    const remaining = await this.db.attachmentsOf([volume.id]);
    const { status, attachStatus } = statusAfterDetach(remaining.map((a) => a.attachStatus));
    const values = detachSetsStatus(volume, attachStatus) ? { status, attachStatus } : { attachStatus };
    await this.db.volumeConditionalUpdate(volume.id, { status: attachFlowFrom(volume.status) }, values);
    // finish_detach drops attached_mode on every detach, other attachments left or not.
    await this.db.adminMetadataDelete(volume.id, 'attached_mode');
    await this.volumes.notify(ctx, volume.id, 'detach.end');
    return remaining;
  }
}
