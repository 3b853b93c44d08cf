// iSCSI connector, userspace: log in to the target with the CHAP credentials of connection_info
// through libiscsi (iscsi-readcapacity16) and check the LUN answers — the check a host attach
// makes before handing the device to the guest. CHAP secrets go to the tool through
// LIBISCSI_CHAP_* environment variables, never on its command line or in a log line.
import { execFile } from 'node:child_process';
import { getLogger } from '../../common/log';
import { DeviceInfo, VolumeConnector, iscsiByPath } from './base';

const LOG = getLogger('nova-compute.connector.iscsi');

export class ISCSIConnectorError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'ISCSIConnectorError';
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

export class ISCSIConnector extends VolumeConnector {
  readonly protocol = 'iscsi';

  constructor(private readonly initiator: string, private readonly timeoutSec = 30, private readonly tool = 'iscsi-readcapacity16') {
    super();
  }

  private target(data: Record<string, unknown>): { url: string; env: NodeJS.ProcessEnv } {
    const portal = String(data.target_portal ?? '');
    const iqn = String(data.target_iqn ?? '');
    const lun = Number(data.target_lun ?? 0);
    if (!portal || !iqn || !Number.isInteger(lun)) throw new ISCSIConnectorError('connection_info lacks target_portal/target_iqn/target_lun');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    if (String(data.auth_method ?? '').toUpperCase() === 'CHAP') {
      env.LIBISCSI_CHAP_USERNAME = String(data.auth_username ?? '');
      env.LIBISCSI_CHAP_PASSWORD = String(data.auth_password ?? '');
    }
    return { url: `iscsi://${portal}/${iqn}/${lun}`, env };
  }

  async connectVolume(data: Record<string, unknown>): Promise<DeviceInfo> {
    const { url, env } = this.target(data);
    try {
      const { stdout } = await run(this.tool, ['-i', this.initiator, url], env, this.timeoutSec * 1000);
      // readcapacity16 prints "Total size:<bytes>" for a LUN that answers.
      if (!/size/i.test(stdout)) throw new ISCSIConnectorError(`LUN did not report a capacity: ${stdout.trim().slice(0, 200)}`);
    } catch (e) {
      const err = e as Error & { stderr?: string; stdout?: string };
      const why = (err.stderr || err.stdout || err.message || '').trim().split('\n')[0];
      LOG.warning('iSCSI login/LUN check failed', { target: url, reason: why });
      throw new ISCSIConnectorError(`Could not log in to ${url}: ${why}`);
    }
    LOG.info('iSCSI LUN reachable', { target: url });
    return { type: 'block', path: iscsiByPath(data) };
  }

  /** The LUN's capacity read again (a userspace check keeps no block device to rescan). */
  override async extendVolume(data: Record<string, unknown>): Promise<number | null> {
    const { url, env } = this.target(data);
    let stdout: string;
    try {
      ({ stdout } = await run(this.tool, ['-i', this.initiator, url], env, this.timeoutSec * 1000));
    } catch (e) {
      const err = e as Error & { stderr?: string; stdout?: string };
      throw new ISCSIConnectorError(`Could not read the capacity of ${url}: ${(err.stderr || err.stdout || err.message || '').trim().split('\n')[0]}`);
    }
    const m = /Total size:\s*(\d+)/i.exec(stdout);
    LOG.info('iSCSI LUN capacity read again', { target: url, bytes: m?.[1] ?? null });
    return m ? Number(m[1]) : null;
  }

  async disconnectVolume(data: Record<string, unknown>): Promise<void> {
    // A userspace check leaves no session behind: nothing to log out of.
    LOG.debug('iSCSI disconnect', { target: this.target(data).url });
  }
}
