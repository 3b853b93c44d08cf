// os-migrate_volume_completion (admin_actions.py, volume/api.py migrate_volume_completion): the
// callback Nova's compute makes at the end of a swap of a volume attached through the legacy
// flow. No volume migration is served, so only the swap case exists: each attachment of the old
// volume is detached and made again on the new one (same instance, host and mountpoint, rw), and
// the new volume's id is the one to keep. A redo finds the old volume's attachments gone.
import type { RequestContext } from '../../common/context';
import type { Volume, VolumeAttachment } from '../../cinder-common/entities';
import { InvalidVolume, InvalidVolumeAttachMode } from '../../cinder-common/exception';
import { POLICY, type VolumeAPI } from './api';

export async function migrateVolumeCompletion(api: VolumeAPI, ctx: RequestContext, v: Volume, newVolume: Volume, error: boolean): Promise<string> {
  api.authorize(ctx, POLICY.migrateVolumeCompletion, v);
  if (v.migrationStatus || newVolume.migrationStatus) {
    // A Cinder-driven migration would end here; none is ever started by this service.
    throw new InvalidVolume({ reason: v.migrationStatus ? 'Destination volume not mid-migration.' : 'Source volume not mid-migration.' });
  }
  if (error) return newVolume.id;
  const atts = await api.d.db.attachmentsOf([v.id]);
  if (atts.length) {
    const target = (await api.d.db.volumeGetWithAdminMetadata(newVolume.id)) ?? { volume: newVolume, admin: {} };
    refuseWhatWouldHalfMove(api, target.volume, target.admin, atts, await api.d.db.attachmentsOf([newVolume.id]));
  }
  for (const a of atts) {
    await api.detach(ctx, (await api.d.db.volumeGet(v.id)) ?? v, a.id);
    await api.attach(ctx, (await api.d.db.volumeGet(newVolume.id)) ?? newVolume, {
      instanceUuid: a.instanceUuid, hostName: a.attachedHost, mountpoint: a.mountpoint ?? '', mode: 'rw',
    });
  }
  return newVolume.id;
}

/**
 * Cinder detaches an attachment from the old volume before attaching it to the new one, so an
 * attach the new volume refuses leaves the attachment nowhere (or some moved, some not). The
 * refusals that can be known before the first detach are answered then, with the attach's own
 * errors, and nothing is changed.
 */
function refuseWhatWouldHalfMove(api: VolumeAPI, target: Volume, admin: Record<string, string>, moving: VolumeAttachment[], present: VolumeAttachment[]): void {
  if (target.status === 'deleting') throw new InvalidVolume({ reason: `Volume ${target.id} is being deleted.` });
  if (target.status === 'maintenance') throw new InvalidVolume({ reason: 'The volume cannot be attached in maintenance mode.' });
  // Each attachment is made again 'rw'.
  if (admin.readonly === 'True') throw new InvalidVolumeAttachMode({ mode: 'rw', volume_id: target.id });
  api.requireHost(target, 'attached');
  // The volume manager's attach answers an instance's attached attachment as done.
  const m = moving[0];
  const same = (a: VolumeAttachment): boolean => (m.instanceUuid ? a.instanceUuid === m.instanceUuid : a.attachedHost === m.attachedHost);
  const already = moving.length === 1 && present.some((a) => a.attachStatus === 'attached' && same(a));
  if (!target.multiattach && !target.migrationStatus && (moving.length > 1 || (target.status === 'in-use' && !already))) {
    throw new InvalidVolume({ reason: 'volume is already attached and multiple attachments are not enabled' });
  }
}
