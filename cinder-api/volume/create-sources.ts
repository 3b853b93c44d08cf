// What a volume create says about the sources it names (cinder/api/v3 volumes.py create and the
// create flow's checks): an image needs Glance, which this Cinder does not reach, so it answers
// as Cinder does when the image service cannot be asked; a source volume is looked up (404) and
// checked as the flow checks it (status, size, a type it may be cloned into), and the clone is
// made on the source's backend.
import type { RequestContext } from '../../common/context';
import type { Snapshot, Volume } from '../../cinder-common/entities';
import { Invalid, InvalidInput, InvalidSnapshot, InvalidVolume, SnapshotNotFound } from '../../cinder-common/exception';
import { SnapshotDB } from '../../cinder-common/snapshot-db';
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
 * The source snapshot (get_snapshot: 404 when not visible), its volume (placement and zone), its
 * status (_extract_snapshot) and the size the volume gets (_extract_size: the snapshot's, or at
 * least it).
 */
export async function sourceSnapshot(api: VolumeAPI, ctx: RequestContext, id: string, size: number | null): Promise<{ snapshot: Snapshot; origin: Volume; size: number }> {
  const snapshot = await new SnapshotDB(api.d.db.ds).get(id, ctx.isAdmin ? null : ctx.projectId);
  if (!snapshot) throw new SnapshotNotFound({ snapshot_id: id });
  api.authorize(ctx, 'volume:get_snapshot', snapshot as unknown as Volume);
  if (snapshot.status !== 'available') throw new InvalidSnapshot({ reason: "Originating snapshot status must be one of 'available' values" });
  const snapSize = snapshot.volumeSize ?? 0;
  if (size !== null && size < snapSize) {
    throw new InvalidInput({ reason: `Volume size '${size}'GB cannot be smaller than the snapshot size ${snapSize}GB. They must be >= original snapshot size.` });
  }
  const origin = await api.d.db.volumeGet(snapshot.volumeId);
  if (!origin) throw new SnapshotNotFound({ snapshot_id: id });
  return { snapshot, origin, size: size ?? snapSize };
}

/**
 * _retype_is_possible for a clone into another type than its source's (`fromTypeId`, a volume's
 * or a snapshot's): never across a change of encryption; then yes when exactly one
 * cinder-volume service is disabled (Cinder counts those), or when both types name the same
 * volume_backend_name (matching_backend_name: both set).
 */
export async function cloneTypeAllowed(api: VolumeAPI, source: Pick<Volume, 'volumeTypeId'>, type: TypeWithSpecs,
  advice = 'either match source volume, or omit type argument'): Promise<void> {
  if (type.type.id === source.volumeTypeId) return;
  const refuse = (): never => {
    throw new InvalidInput({ reason: `Invalid volume_type provided: ${type.type.id} (requested type is not compatible; ${advice}).` });
  };
  if (await new TypeEncryptionDB(api.d.db).changed(source.volumeTypeId, type.type.id)) refuse();
  const disabled = (await api.d.db.serviceList('cinder-volume')).filter((s) => s.disabled);
  if (disabled.length === 1) return;
  const sourceSpecs = (await api.d.db.typeExtraSpecsGet([source.volumeTypeId])).get(source.volumeTypeId) ?? {};
  const [from, to] = [sourceSpecs.volume_backend_name, type.specs.volume_backend_name];
  if (!from || !to || from !== to) refuse();
}
