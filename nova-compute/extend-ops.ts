// extend_volume on the compute host (nova/compute/manager.py extend_volume, reached through the
// volume-extended external event Cinder sends after extending an attached volume): the BDM
// takes the volume's new size, the host connector sees it, the guest is told. A volume no
// longer attached here, or a BDM without connection_info, is logged and left alone, as Nova does.
import { getLogger } from '../common/log';
import type { Instance } from '../nova-common/entities';
import type { ConnectionInfo } from '../nova-common/volume/cinder';
import type { FlowDeps } from './cinder-flows';
import type { VolumeConnector } from './connectors';
import type { ComputeDriver } from './virt/driver';
import type { Op } from './volume-ops';

const LOG = getLogger('nova-compute.volume');
const GiB = 1024 ** 3;

export interface ExtendDeps extends FlowDeps {
  driver: ComputeDriver;
  connector: VolumeConnector;
  parse: (text: string | null) => ConnectionInfo | null;
}

export class ExtendOps {
  constructor(private readonly d: ExtendDeps) {}

  async extend(op: Op, instance: Instance, volumeId: string): Promise<void> {
    const bdm = await this.d.db.bdmByVolumeAndInstance(volumeId, instance.uuid);
    if (!bdm) {
      LOG.warning(`Extend volume failed, volume ${volumeId} is not attached to instance.`, op.meta);
      return;
    }
    LOG.info(`Cinder extended volume ${volumeId}; extending it to detect new size`, op.meta);
    const volume = await this.d.volume(op, volumeId);
    const info = this.d.parse(bdm.connectionInfo);
    if (!info) {
      LOG.warning(`Extend volume failed, attached volume ${volumeId} has no connection_info`, op.meta);
      return;
    }
    const size = volume?.size ?? bdm.volumeSize ?? 0;
    await this.d.db.bdmUpdate(bdm.id, { volumeSize: size });
    try {
      const seen = await this.d.connector.extendVolume(info.data ?? {});
      await this.d.driver.extendVolume(instance, info as unknown as Record<string, unknown>, seen ?? size * GiB);
    } catch (e) {
      LOG.warning(`Extend volume failed, volume_id=${volumeId}, reason: ${(e as Error).message}`, op.meta);
      throw e;
    }
  }
}
