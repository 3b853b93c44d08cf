// Rebuild (nova/compute/api.py rebuild): the server's guest is made again from an image, keeping
// its id, host, flavor and attached volumes. nova-api checks what Nova checks, then writes the
// new name, image, metadata, key and the task state 'rebuilding' in one compare-and-swap on an
// empty task state (the intent), records the action and casts rebuild_instance to the server's
// compute (manager: rebuild-ops.ts), which a restarted compute redoes from that task state.
import type { RequestContext } from '../../common/context';
import { pausePoint } from '../../common/fault/pause';
import type { Instance } from '../../nova-common/entities';
import {
  ImageUnacceptable, InstanceInvalidState, InvalidInput, InvalidVolume, MetadataLimitExceeded,
} from '../../nova-common/exception';
import { TASK_STATES, VM_STATES } from '../../nova-common/objects';
import type { InstanceValues } from '../../nova-common/db-api';
import { caller, type ComputeAPI, type ComputeApiOptions } from './api';

/** What a rebuild asks for, once the body is validated (undefined: not given). */
export interface RebuildRequest {
  imageRef: string;
  adminPass?: string;
  name?: string;
  metadata?: Record<string, string>;
  description?: string | null;
  keyName?: string | null;
  userData?: string | null;
  hostname?: string;
  accessIpV4?: string;
  accessIpV6?: string;
  autoDiskConfig?: boolean;
  trustedCerts?: boolean;
}

/** check_instance_state(vm_state=[ACTIVE, STOPPED, ERROR]) for rebuild. */
const REBUILD_STATES = [VM_STATES.ACTIVE, VM_STATES.STOPPED, VM_STATES.ERROR];

export class RebuildAPI {
  constructor(private readonly c: ComputeAPI, private readonly o: ComputeApiOptions) {}

  async rebuild(ctx: RequestContext, uuid: string, r: RebuildRequest): Promise<Instance> {
    const inst = await this.c.get(ctx, uuid);
    this.c.can(ctx, 'os_compute_api:servers:rebuild', inst);
    if (r.trustedCerts) this.c.can(ctx, 'os_compute_api:servers:rebuild:trusted_certs', inst);
    this.c.checkState(ctx, inst, 'rebuild', REBUILD_STATES);
    const values: InstanceValues = {};
    if (r.keyName !== undefined) {
      const key = r.keyName ? await this.c.keypairs.own(ctx, r.keyName) : null;
      if (r.keyName && !key) throw new InvalidInput({ reason: 'Invalid key_name provided.' }, 'Invalid key_name provided.');
      Object.assign(values, { keyName: key?.name ?? null, keyData: key?.publicKey ?? null });
    }
    const bdms = await this.o.db.bdmsByInstance(uuid);
    // A volume-backed server's image is its root volume's; without an image service its image
    // cannot be read or written, so any image is a different one (Nova's 400, before 2.93 and
    // when the root volume cannot be reimaged).
    if (!inst.imageRef || bdms.some((b) => b.bootIndex === 0 && b.volumeId)) {
      throw new ImageUnacceptable({ image_id: r.imageRef, reason: 'Unable to rebuild with a different image for a volume-backed server.' });
    }
    if (r.metadata) {
      const allowed = await this.c.metadataItems(inst.projectId);
      if (allowed >= 0 && Object.keys(r.metadata).length > allowed) throw new MetadataLimitExceeded({ allowed });
    }
    // _check_volume_status: every attached volume in-use, as Cinder sees it; none of ours in flight.
    for (const b of bdms.filter((x) => x.volumeId)) {
      const status = (await this.o.cinder.get(caller(ctx), b.volumeId as string)).status;
      if (status !== 'in-use' || (b.attachState && b.attachState !== 'attach-committing')) {
        throw new InvalidVolume({ reason: `volume '${b.volumeId}' status must be 'in-use'. Currently in '${status}' status` });
      }
    }
    Object.assign(values, {
      imageRef: r.imageRef, ...(r.name !== undefined ? { displayName: r.name } : {}),
      ...(r.metadata !== undefined ? { metadataJson: JSON.stringify(r.metadata) } : {}),
      ...(r.description !== undefined ? { displayDescription: r.description } : {}),
      ...(r.userData !== undefined ? { userData: r.userData } : {}), ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
      ...(r.accessIpV4 !== undefined ? { accessIpV4: r.accessIpV4 } : {}), ...(r.accessIpV6 !== undefined ? { accessIpV6: r.accessIpV6 } : {}),
      ...(r.autoDiskConfig !== undefined ? { autoDiskConfig: r.autoDiskConfig } : {}),
    });
    if (!(await this.o.db.instanceConditionalUpdate(uuid, { taskState: null }, { ...values, taskState: TASK_STATES.REBUILDING }))) {
      const now = await this.c.get(ctx, uuid);
      throw new InstanceInvalidState({ method: 'rebuild', instance_uuid: uuid, attr: 'task_state', state: now.taskState ?? 'None' });
    }
    await pausePoint('nova-api.rebuild.after-intent');
    await this.c.recordAction(ctx, uuid, 'rebuild');
    const fresh = await this.c.get(ctx, uuid);
    await this.o.rpc.rebuildInstance(ctx, fresh, { imageRef: r.imageRef, origImageRef: inst.imageRef, newPass: r.adminPass ?? null, bdms });
    return fresh;
  }
}
