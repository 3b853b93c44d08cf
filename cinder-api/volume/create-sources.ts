// What a volume create says about the sources it names (cinder/api/v3 volumes.py create and the
// create flow's checks): an image needs Glance, which this Cinder does not reach, so it answers
// as Cinder does when the image service cannot be asked; a source volume is looked up (404) and
// checked as the flow checks it (status, size, a type it may be cloned into), and the clone is
// made on the source's backend.
import type { RequestContext } from '../../common/context';
import type { Volume } from '../../cinder-common/entities';
import { Invalid, InvalidInput, InvalidVolume } from '../../cinder-common/exception';
import type { VolumeAPI } from './api';
import type { TypeWithSpecs } from './types';
import { TypeEncryptionDB } from '../../cinder-common/type-encryption-db';

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

/**
 * _retype_is_possible for a clone into another type than its source's: never across a change of
 * encryption; then yes when exactly one cinder-volume service is disabled (Cinder counts those),
 * or when both types name the same volume_backend_name (matching_backend_name: both set).
 */
export async function cloneTypeAllowed(api: VolumeAPI, source: Volume, type: TypeWithSpecs): Promise<void> {
  if (type.type.id === source.volumeTypeId) return;
  const refuse = (): never => {
    throw new InvalidInput({ reason: `Invalid volume_type provided: ${type.type.id} (requested type is not compatible; either match source volume, or omit type argument).` });
  };
  if (await new TypeEncryptionDB(api.d.db).changed(source.volumeTypeId, type.type.id)) refuse();
  const disabled = (await api.d.db.serviceList('cinder-volume')).filter((s) => s.disabled);
  if (disabled.length === 1) return;
  const sourceSpecs = (await api.d.db.typeExtraSpecsGet([source.volumeTypeId])).get(source.volumeTypeId) ?? {};
  const [from, to] = [sourceSpecs.volume_backend_name, type.specs.volume_backend_name];
  if (!from || !to || from !== to) refuse();
}
