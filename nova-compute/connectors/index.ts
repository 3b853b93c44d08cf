// Connector properties (os-brick get_connector_properties) and the connector factory.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { VolumeConnector } from './base';
import { FakeConnector } from './fake';
import { ISCSIConnector } from './iscsi';

export { VolumeConnector, iscsiByPath, type DeviceInfo } from './base';
export { FakeConnector } from './fake';
export { ISCSIConnector } from './iscsi';

/** The initiator: config override, else /etc/iscsi/initiatorname.iscsi, else one derived from the host. */
export function initiatorName(override: string | null, host: string, file = '/etc/iscsi/initiatorname.iscsi'): string {
  if (override) return override;
  try {
    const m = /^\s*InitiatorName\s*=\s*(\S+)/m.exec(readFileSync(file, 'utf8'));
    if (m) return m[1];
  } catch {
    // no open-iscsi on this host
  }
  return `iqn.1993-08.org.debian:01:${createHash('sha1').update(host).digest('hex').slice(0, 12)}`;
}

export interface ConnectorProperties {
  ip: string;
  host: string;
  initiator: string;
  platform: string;
  os_type: string;
  multipath: boolean;
  do_local_attach: boolean;
  [k: string]: unknown;
}

export function connectorProperties(opts: { ip: string; host: string; initiator: string }): ConnectorProperties {
  const platform = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
  return { platform, os_type: process.platform, ip: opts.ip, host: opts.host, multipath: false, initiator: opts.initiator, do_local_attach: false };
}

export function createConnector(kind: string, initiator: string, timeoutSec = 30): VolumeConnector {
  return kind === 'iscsi' ? new ISCSIConnector(initiator, timeoutSec) : new FakeConnector();
}
