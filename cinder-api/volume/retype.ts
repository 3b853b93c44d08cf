// os-retype (volume_actions.py _retype, volume/api.py retype, the scheduler's retype): a volume
// changes type in place. The intent goes first: a compare-and-swap to 'retyping' that records
// the request id, then the per-type quota moved from the old type to the new one under uuids
// derived from that id (so cinder-volume's reconciler can roll back a retype whose cast was
// lost), then the cast to the volume's own backend. Nothing here migrates (docs/differences.md),
// so that backend must take the new type: a backend that is down, disabled or whose capabilities
// do not match the type's extra specs is Cinder's NoValidBackend: the volume goes back, as the
// scheduler puts it back, and the answer is still 202.
import type { RequestContext } from '../../common/context';
import { pausePoint } from '../../common/fault/pause';
import { getLogger } from '../../common/log';
import { isServiceUp } from '../../common/service';
import type { Volume, VolumeType } from '../../cinder-common/entities';
import { DEFAULT_CONSUMER, typeQosSpecs } from '../../cinder-common/qos-db';
import { InvalidInput, InvalidVolume } from '../../cinder-common/exception';
import { retypeReservationUuid } from '../../cinder-common/extend-reservations';
import { serviceHostOf } from '../../cinder-common/objects';
import { MIGRATION_IDLE } from '../../cinder-common/volume-status';
import { POLICY, type VolumeAPI } from './api';
import { isMultiattachSpec, provisionFilterOnSize } from './types';
import { capabilitiesOf, satisfiesExtraSpecs } from './capabilities-filter';

const LOG = getLogger('cinder-api.volume');

export const RETYPE_POLICY = 'volume:retype';

const CAS_REFUSED = 'Retype needs volume to be in available or in-use state, not be part of an active migration or a consistency group, '
  + 'requested type has to be different that the one from the volume, and for in-use volumes front-end qos specs cannot change.';

export async function retype(api: VolumeAPI, ctx: RequestContext, v: Volume, newType: string, migrationPolicy: string | null): Promise<void> {
  api.authorize(ctx, RETYPE_POLICY, v);
  const type = await api.types.getByNameOrId(ctx.elevated(), newType);
  provisionFilterOnSize(type, v.size ?? 0);
  // Multiattach needs the hypervisor's part at attach time: only an available volume may change it.
  const tgtMultiattach = isMultiattachSpec(type.specs);
  if (!!v.multiattach !== tgtMultiattach) {
    if (v.status !== 'available') {
      throw new InvalidInput({
        reason: 'Invalid volume_type passed, retypes affecting multiattach are only allowed on available volumes, the specified volume '
          + `however currently has a status of: ${v.status}.`,
      });
    }
    if (tgtMultiattach) api.authorize(ctx, POLICY.multiattach, v);
  }
  if (tgtMultiattach && type.encrypted) throw new InvalidInput({ reason: 'Retype requested both encryption and multi-attach, which is not supported.' });
  const token = ctx.requestId;
  // An in-use volume keeps its front-end QoS (the hypervisor applied it at attach).
  const statuses = v.status === 'in-use' && !await qosAllowsRetype(api, v.volumeTypeId, type.type)
    ? ['available' as const] : ['available' as const, 'in-use' as const];
  const swapped = v.volumeTypeId !== type.type.id && await api.d.db.volumeConditionalUpdate(v.id,
    { status: statuses, migrationStatus: [...MIGRATION_IDLE], volumeTypeId: v.volumeTypeId },
    { status: 'retyping', previousStatus: v.status, transitionRequestId: token });
  if (!swapped) throw new InvalidVolume({ reason: CAS_REFUSED });
  // The new type's reservations and the old type's, as the cast carries them.
  const sides: Record<'new' | 'old', string[]> = { new: [], old: [] };
  const reservations = (): string[] => [...sides.new, ...sides.old];
  try {
    if (api.d.quota && v.useQuota !== false && v.projectId) {
      const oldName = (await api.d.db.typeNames([v.volumeTypeId])).get(v.volumeTypeId) ?? null;
      await api.d.quota.reserveVolumeRetype(v.projectId, v.size ?? 0, oldName, type.type.name ?? '', (side, r) => {
        const uuid = retypeReservationUuid(v.id, token, side, r);
        // A reserve retried after a refusal that cleared names the same uuids again.
        if (!sides[side].includes(uuid)) sides[side].push(uuid);
        return uuid;
      });
    }
    const svc = v.host ? await api.d.db.serviceByHost(serviceHostOf(v.host), 'cinder-volume') : null;
    // find_retype_backend: the volume's own backend must take the new type (CapabilitiesFilter);
    // Cinder would migrate with 'on-demand', which nothing here can.
    if (!svc || svc.disabled || !isServiceUp(svc.updatedAt, api.d.serviceDownTime) || !satisfiesExtraSpecs(capabilitiesOf(svc), type.specs)) {
      LOG.error(`Failed to schedule_retype: No valid backends for volume ${v.id} with type ${type.type.id}`);
      await notSent(api, v, reservations());
      return;
    }
    await pausePoint('cinder-api.retype.after-reserve');
    await api.d.rpc.retype(ctx, v, type.type.id, { host: v.host ?? '', cluster_name: svc.clusterName ?? null, capabilities: {} },
      migrationPolicy ?? 'never', sides.new, sides.old);
  } catch (e) {
    // Refused by quota, or the broker did not take the cast: nothing will finish the retype.
    await notSent(api, v, reservations());
    throw e;
  }
}

/**
 * volume_qos_allows_retype for an in-use volume: both types have the same spec, or neither has
 * one whose consumer is the front end (or both).
 */
async function qosAllowsRetype(api: VolumeAPI, oldTypeId: string, newType: VolumeType): Promise<boolean> {
  const old = await api.d.db.typeGet(oldTypeId);
  if (old?.qosSpecsId && old.qosSpecsId === newType.qosSpecsId) return true;
  const frontEnd = async (typeId: string): Promise<boolean> => ((await typeQosSpecs(api.d.db.ds, typeId))?.consumer ?? DEFAULT_CONSUMER) !== DEFAULT_CONSUMER;
  return !await frontEnd(oldTypeId) && !await frontEnd(newType.id);
}

/** A retype that goes no further than the API: its reservations released, the status put back. */
async function notSent(api: VolumeAPI, v: Volume, reservations: string[]): Promise<void> {
  await api.d.quota?.rollback(reservations);
  if (!await api.d.db.volumeConditionalUpdate(v.id, { status: 'retyping' }, { status: v.status })) {
    LOG.error(`Could not return volume ${v.id} to ${v.status}.`);
  }
}
