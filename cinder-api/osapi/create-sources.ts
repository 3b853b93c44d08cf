// What a volume create says about the sources it names that we cannot build from (cinder/api/v3
// volumes.py create and the create flow's checks): an image needs Glance, which this Cinder
// does not reach, so it answers as Cinder does when the image service cannot be asked; a source
// volume is looked up (404), checked as the flow checks it (status, size), and then accepted
// as Cinder does, but our drivers cannot clone, so the new volume goes to error, as Cinder's
// does when its driver fails create_cloned_volume.
import type { RequestContext } from '../../common/context';
import type { Volume } from '../../cinder-common/entities';
import { Invalid, InvalidInput, InvalidVolume } from '../../cinder-common/exception';
import type { VolumeAPI } from './volume-api';

/** _image_uuid_from_ref when Glance neither shows the id nor lists the name. */
export function imageUnreachable(): Error {
  return new Invalid({}, 'Invalid image identifier or unable to access requested image.');
}

const SRC_VOL_PROCEED_STATUS = ['available', 'in-use'];

/** The source volume (get_volume: 404 when not visible), its status, and the size the clone gets. */
export async function sourceVolume(api: VolumeAPI, ctx: RequestContext, id: string, size: number | null): Promise<{ source: Volume; size: number }> {
  const source = await api.get(ctx, id);
  if (!SRC_VOL_PROCEED_STATUS.includes(source.status ?? '')) {
    throw new InvalidVolume({ reason: `Originating source volume status must be one of '${SRC_VOL_PROCEED_STATUS.join(', ')}' values` });
  }
  const srcSize = source.size ?? 0;
  if (size !== null && size < srcSize) {
    throw new InvalidInput({ reason: `Volume size '${size}'GB cannot be smaller than original volume size  ${srcSize}GB. They must be >= original volume size.` });
  }
  return { source, size: size ?? srcSize };
}
