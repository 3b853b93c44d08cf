// What a compute's answer to an RPC call becomes at the API, where Nova's controllers map it.
import { HTTPFault } from '../../common/api';
import { RemoteError } from '../../common/rpc';

/** A driver without the feature (NotImplementedError) is Nova's raise_feature_not_supported: 501; anything else stays. */
export function unsupported(e: unknown): never {
  if (e instanceof RemoteError && e.excType === 'NotImplementedError') throw new HTTPFault(501, 'The requested functionality is not supported.');
  throw e;
}
