// What every iSCSI driver shares (cinder/volume/targets/iscsi.py): CHAP credentials,
// provider_location "<ip>:<port>,<tid> <iqn> <lun>", provider_auth "CHAP <user> <secret>",
// and connection_info in the seed's shape ("initialize the connection", docs/attach-detach.md).
import { randomInt } from 'node:crypto';
import type { Volume } from '../../cinder-common/entities';
import { InvalidInput } from '../../cinder-common/exception';
import type { ConnectionInfo, Connector } from './driver';

const CHARS = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** volume_utils.generate_password/username: 20 random characters. */
export function randomSecret(length = 20): string {
  let s = '';
  for (let i = 0; i < length; i++) s += CHARS[randomInt(CHARS.length)];
  return s;
}

export function chapOf(volume: Volume): { user: string; password: string } | null {
  const parts = (volume.providerAuth ?? '').split(' ');
  return parts.length === 3 && parts[0] === 'CHAP' ? { user: parts[1], password: parts[2] } : null;
}

export function newChapAuth(): string {
  return `CHAP ${randomSecret()} ${randomSecret()}`;
}

export function parseLocation(loc: string | null): { portal: string; tid: number; iqn: string; lun: number } | null {
  const m = /^(\S+),(\d+) (\S+) (\d+)$/.exec(loc ?? '');
  return m ? { portal: m[1], tid: Number(m[2]), iqn: m[3], lun: Number(m[4]) } : null;
}

export function formatLocation(portal: string, tid: number, iqn: string, lun: number): string {
  return `${portal},${tid} ${iqn} ${lun}`;
}

/**
 * iSCSI needs the initiator name (manager.validate_connector → InvalidInput). Only that the key
 * is there, as Cinder's iSCSI targets check: no target here reads its value.
 */
export function requireInitiator(connector: Connector): void {
  if (!connector || typeof connector !== 'object' || Array.isArray(connector) || !Object.hasOwn(connector, 'initiator')) {
    throw new InvalidInput({ reason: "Connector doesn't have required information: initiator" });
  }
}

/**
 * The driver part of connection_info; the manager adds encrypted/qos_specs/access_mode.
 * A multipath connector also gets the portal/iqn/lun lists (targets/iscsi.py _get_iscsi_properties).
 */
export function iscsiConnectionInfo(volume: Volume, connector?: Connector | null): ConnectionInfo {
  const loc = parseLocation(volume.providerLocation);
  const chap = chapOf(volume);
  if (!loc) throw new Error(`volume ${volume.id} is not exported`);
  const data: Record<string, unknown> = { target_discovered: false };
  if (connector?.multipath) Object.assign(data, { target_portals: [loc.portal], target_iqns: [loc.iqn], target_luns: [loc.lun] });
  Object.assign(data, { target_portal: loc.portal, target_iqn: loc.iqn, target_lun: loc.lun, volume_id: volume.id });
  if (chap) Object.assign(data, { auth_method: 'CHAP', auth_username: chap.user, auth_password: chap.password });
  return { driver_volume_type: 'iscsi', data };
}
