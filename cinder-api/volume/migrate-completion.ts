// os-migrate_volume_completion (admin_actions.py, volume/api.py migrate_volume_completion): the
// callback Nova's compute makes at the end of a swap of a volume attached through the legacy
// flow. No volume migration is served, so only the swap case exists: each attachment of the old
// volume is detached and made again on the new one (same instance, host and mountpoint, rw), and
// the new volume's id is the one to keep. A redo finds the old volume's attachments gone.
import type { RequestContext } from '../../common/context';
import type { Volume } from '../../cinder-common/entities';
import { InvalidVolume } from '../../cinder-common/exception';
import { POLICY, type VolumeAPI } from './api';

export async function migrateVolumeCompletion(api: VolumeAPI, ctx: RequestContext, v: Volume, newVolume: Volume, error: boolean): Promise<string> {
  api.authorize(ctx, POLICY.migrateVolumeCompletion, v);
  if (v.migrationStatus || newVolume.migrationStatus) {
    // A Cinder-driven migration would end here; none is ever started by this service.
    throw new InvalidVolume({ reason: v.migrationStatus ? 'Destination volume not mid-migration.' : 'Source volume not mid-migration.' });
  }
  if (error) return newVolume.id;
  for (const a of await api.d.db.attachmentsOf([v.id])) {
    await api.detach(ctx, (await api.d.db.volumeGet(v.id)) ?? v, a.id);
    await api.attach(ctx, (await api.d.db.volumeGet(newVolume.id)) ?? newVolume, {
      instanceUuid: a.instanceUuid, hostName: a.attachedHost, mountpoint: a.mountpoint ?? '', mode: 'rw',
    });
  }
  return newVolume.id;
}
