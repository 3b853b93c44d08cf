// Volumes a server is created with (block_device_mapping_v2): checked before anything is made
// (each must be one the caller can see, and available), then reserved with the durable intent
// of an attach ('reserving' → 'reserved' rows, nova-common/bdm-states.ts). nova-compute attaches
// them once the guest is spawned, before the server goes ACTIVE.
import type { RequestContext } from '../../common/context';
import { getLogger } from '../../common/log';
import { BDM_STATES } from '../../nova-common/bdm-states';
import type { NovaDB } from '../../nova-common/db-api';
import { nextDeviceName } from '../../nova-common/device-name';
import type { BlockDeviceMapping, Instance } from '../../nova-common/entities';
import { InvalidInput, InvalidVolume, VolumeNotFound } from '../../nova-common/exception';
import type { CinderAPI, CinderCaller } from '../../nova-common/volume/cinder';
import type { BootVolume } from '../schemas/block-device-mapping';

const LOG = getLogger('nova-api.boot-volumes');

/** Nova's create answers a volume it cannot use with 400 (VolumeNotFound, InvalidVolume caught there). */
export async function checkBootVolumes(cinder: CinderAPI, caller: CinderCaller, vols: BootVolume[], count: number): Promise<void> {
  if (!vols.length) return;
  if (count > 1) {
    const msg = 'Cannot attach one or more volumes to multiple instances';
    throw new InvalidInput({ reason: msg }, msg);
  }
  for (const b of vols) {
    let status: string;
    try {
      status = (await cinder.get(caller, b.volumeId)).status;
    } catch (e) {
      if (e instanceof VolumeNotFound) throw new InvalidInput({ reason: e.message }, e.message);
      throw e;
    }
    if (status !== 'available') throw new InvalidVolume({ reason: `volume '${b.volumeId}' status must be 'available'. Currently in '${status}'` });
  }
}

/**
 * Reserve each volume for `inst` behind a 'reserving' row, then hand it to the compute
 * ('reserved'). On a refusal everything reserved so far is released and the rows dropped.
 */
export async function reserveBootVolumes(db: NovaDB, cinder: CinderAPI, caller: CinderCaller, ctx: RequestContext, inst: Instance,
  vols: BootVolume[], taken: Array<string | null>): Promise<BlockDeviceMapping[]> {
  const done: BlockDeviceMapping[] = [];
  const rows: number[] = [];
  const names = [...taken];
  try {
    for (const b of vols) {
      const device = b.bootIndex === 0 ? '/dev/vda' : nextDeviceName(inst.rootDeviceName, names, b.deviceName)?.device ?? null;
      names.push(device);
      const bdm = await db.bdmCreate({
        instanceUuid: inst.uuid, sourceType: 'volume', destinationType: 'volume', volumeId: b.volumeId, deviceName: device, bootIndex: b.bootIndex,
        deleteOnTermination: b.deleteOnTermination, tag: b.tag, attachState: BDM_STATES.RESERVING, attachStateAt: new Date(),
        attachRequestId: ctx.globalRequestId ?? ctx.requestId,
      });
      rows.push(bdm.id);
      await cinder.reserve(caller, b.volumeId);
      done.push(bdm);
      await db.bdmTransition(bdm.id, [BDM_STATES.RESERVING], BDM_STATES.RESERVED);
    }
  } catch (e) {
    for (const bdm of done) {
      await cinder.unreserve(caller, bdm.volumeId as string).catch((err: unknown) => LOG.warning(`os-unreserve of ${bdm.volumeId} failed: ${(err as Error).message}`));
    }
    for (const id of rows) await db.bdmDestroy(id).catch((err: unknown) => LOG.warning(`Could not drop BDM ${id}: ${(err as Error).message}`));
    if (e instanceof InvalidInput) throw new InvalidVolume({ reason: e.message });
    throw e;
  }
  return done;
}
