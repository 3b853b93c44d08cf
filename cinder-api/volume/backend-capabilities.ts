// GET capabilities/{host} (cinder/api/contrib/capabilities.py): what a backend reports of
// itself, asked of its cinder-volume by RPC. Admin only. The host is matched as Cinder's
// _filter_host does (a bare host name takes its first backend); an unknown one is 404, a
// backend that does not answer in time is 502.
import type { RequestContext } from '../../common/context';
import { MessagingTimeout } from '../../common/rpc';
import { NotFound, RPCTimeout } from '../../cinder-common/exception';
import type { VolumeAPI } from './api';
import { hostMatches } from './services';

export const CAPABILITIES_POLICY = 'volume_extension:capabilities';

export async function showCapabilities(api: VolumeAPI, ctx: RequestContext, id: string): Promise<Record<string, unknown>> {
  api.authorize(ctx, CAPABILITIES_POLICY);
  const services = await api.db.services.find({ where: { deleted: false, binary: 'cinder-volume' }, order: { id: 'ASC' } });
  const svc = services.find((s) => hostMatches(s.host, id) || hostMatches(s.clusterName, id));
  if (!svc) throw new NotFound({}, `Can't find service: ${id}`);
  // service_topic_queue: the cluster when there is one, else the host.
  const topic = svc.clusterName ?? svc.host ?? '';
  let caps: Record<string, unknown>;
  try {
    caps = (await api.d.rpc.getCapabilities(ctx, topic, false) ?? {}) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof MessagingTimeout) throw new RPCTimeout({ service: topic });
    throw e;
  }
  // A list of protocol spellings is shown as its first, the preferred one.
  const protocol = Array.isArray(caps.storage_protocol) ? caps.storage_protocol[0] : caps.storage_protocol;
  const pick = (k: string): unknown => caps[k] ?? null;
  return {
    namespace: `OS::Storage::Capabilities::${topic}`, vendor_name: pick('vendor_name'), volume_backend_name: pick('volume_backend_name'),
    pool_name: pick('pool_name'), driver_version: pick('driver_version'), storage_protocol: protocol ?? null, display_name: pick('display_name'),
    description: pick('description'), visibility: pick('visibility'), replication_targets: caps.replication_targets ?? [], properties: pick('properties'),
  };
}
