// volumeAttachment bodies, fields by microversion (Nova's volumes view).
import type { APIVersion } from '../../common/api';
import type { BlockDeviceMapping } from '../../nova-common/entities';
import { MV } from '../microversions';

export function attachmentView(bdm: BlockDeviceMapping, serverId: string, v: APIVersion, opts: { forCreate?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (opts.forCreate || !v.atLeast(MV.ATTACH_IDS)) out.id = bdm.volumeId;
  out.serverId = serverId;
  out.volumeId = bdm.volumeId;
  if (opts.forCreate || bdm.deviceName) out.device = bdm.deviceName;
  if (v.atLeast(MV.ATTACH_TAG_SHOWN)) out.tag = bdm.tag;
  if (v.atLeast(MV.ATTACH_DELETE_ON_TERMINATION)) out.delete_on_termination = !!bdm.deleteOnTermination;
  if (v.atLeast(MV.ATTACH_IDS) && !opts.forCreate) {
    out.attachment_id = bdm.attachmentId;
    out.bdm_uuid = bdm.uuid;
  }
  return out;
}
