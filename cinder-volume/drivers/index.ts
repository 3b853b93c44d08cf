// volume_driver → driver instance.
import type { BackendConf } from '../../cinder-common/config';
import type { VolumeDriver } from './driver';
import { FakeDriver } from './fake';
import { TgtDriver } from './tgt';

export type { VolumeDriver, Connector, ConnectionInfo, ModelUpdate, BackendStats } from './driver';
export { FakeDriver } from './fake';
export { TgtDriver } from './tgt';

export function createDriver(conf: BackendConf): VolumeDriver {
  return conf.volume_driver === 'tgt' ? new TgtDriver(conf) : new FakeDriver(conf);
}
