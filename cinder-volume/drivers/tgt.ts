// The `tgt` backend: a sparse file per volume under volumes_dir, exported by tgtd (Debian
// `tgt`, userspace) as one target per volume `<prefix>volume-<id>`, LUN 1, with a per-volume
// CHAP account (cinder/volume/targets/tgt.py, with tgtadm's requests instead of targets.conf).
// With tgt_control_port set we run our own tgtd (`tgtd -f -C <port> --iscsi portal=<ip>:<port>`)
// so tests and several backends never share one; tgtd-daemon.ts owns it through a pid file.
// Every request goes over tgtd's control socket (tgt-control.ts), not through the tgtadm
// command: a CHAP password on tgtadm's command line is readable by any local user in
// /proc/<pid>/cmdline while it runs.
import { execFile } from 'node:child_process';
import { mkdir, open, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BackendConf } from '../../cinder-common/config';
import type { Snapshot, Volume } from '../../cinder-common/entities';
import type { BackendStats, ConnectionInfo, Connector, ModelUpdate, VolumeDriver } from './driver';
import { chapOf, formatLocation, iscsiConnectionInfo, newChapAuth, requireInitiator } from './iscsi';
import { TgtControl } from './tgt-control';
import { exportedVolumeIds } from './tgt-targets';
import { Tgtd } from './tgtd-daemon';
import { GiB, lstatOrNull, sourceSize, takeFile } from './tgt-manage';

const run = promisify(execFile);

export class TgtDriver implements VolumeDriver {
  readonly name = 'tgt';
  private tgtd: Tgtd | null = null;
  private ctl: TgtControl | null = null;

  constructor(private readonly conf: BackendConf) {}

  private get portal(): string {
    return `${this.conf.target_ip_address}:${this.conf.target_port}`;
  }

  private iqn(volume: Volume): string {
    return `${this.conf.target_prefix}volume-${volume.id}`;
  }

  private path(volume: Volume): string {
    return join(this.conf.volumes_dir, `volume-${volume.id}`);
  }

  /** tgtd's control socket of this backend (the system tgtd's with tgt_control_port 0). */
  private get control(): TgtControl {
    this.ctl ??= new TgtControl(this.conf.tgt_control_port || 0);
    return this.ctl;
  }

  /**
   * The tgtadm command, for tests and diagnostics only (the driver itself uses the control
   * socket). Refuses a password option: that would put a secret on a command line.
   */
  async tgtadm(args: string[]): Promise<string> {
    if (args.some((a) => /^-(-pa|d*p)/.test(a))) throw new Error('tgtadm: refusing a password on the command line (use TgtControl)');
    const ctl = this.conf.tgt_control_port ? ['-C', String(this.conf.tgt_control_port)] : [];
    try {
      const { stdout } = await run('tgtadm', [...ctl, '--lld', 'iscsi', ...args], { timeout: 30_000 });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(`tgtadm ${args.join(' ')} failed: ${(err.stderr || err.stdout || err.message).trim()}`, { cause: e });
    }
  }

  /** pid of the tgtd this backend started or adopted (null: none, or the system's). */
  get daemonPid(): number | null {
    return this.tgtd?.pid ?? null;
  }

  async doSetup(): Promise<void> {
    await mkdir(this.conf.volumes_dir, { recursive: true });
    const port = this.conf.tgt_control_port;
    if (!port || !this.conf.tgt_start_daemon) return;
    this.tgtd = await Tgtd.acquire({
      controlPort: port, portal: this.portal, pidFile: this.conf.tgtd_pid_file || join(this.conf.volumes_dir, `tgtd-${port}.pid`),
    });
  }

  /** Graceful stop of cinder-volume: our tgtd goes too (a crash leaves it for the next start to adopt). */
  async shutdown(): Promise<void> {
    const t = this.tgtd;
    this.tgtd = null;
    await t?.stop();
  }

  async createVolume(volume: Volume): Promise<void> {
    const fh = await open(this.path(volume), 'w');
    await fh.close();
    await truncate(this.path(volume), (volume.size ?? 0) * GiB);
  }

  /**
   * The source's file copied, then grown to the clone's size. cp keeps the holes of the sparse
   * file (and clones it outright where the filesystem can); a plain copy would write every zero.
   */
  async createClonedVolume(volume: Volume, source: Volume): Promise<void> {
    await run('cp', ['--sparse=always', '--reflink=auto', '--', this.path(source), this.path(volume)]);
    await truncate(this.path(volume), Math.max(volume.size ?? 0, source.size ?? 0) * GiB);
  }

  async deleteVolume(volume: Volume): Promise<void> {
    await rm(this.path(volume), { force: true });
  }

  private snapshotPath(snapshot: Snapshot): string {
    return join(this.conf.volumes_dir, `snapshot-${snapshot.id}`);
  }

  /** A sparse copy of the volume's file (a reflink where the filesystem can): the file's data as it is now. */
  async createSnapshot(snapshot: Snapshot, volume: Volume): Promise<void> {
    await run('cp', ['--sparse=always', '--reflink=auto', '--', this.path(volume), this.snapshotPath(snapshot)]);
  }

  async deleteSnapshot(snapshot: Snapshot): Promise<void> {
    await rm(this.snapshotPath(snapshot), { force: true });
  }

  /** The snapshot's file copied as a clone's source is, then grown to the volume's size. */
  async createVolumeFromSnapshot(volume: Volume, snapshot: Snapshot): Promise<void> {
    await run('cp', ['--sparse=always', '--reflink=auto', '--', this.snapshotPath(snapshot), this.path(volume)]);
    await truncate(this.path(volume), Math.max(volume.size ?? 0, snapshot.volumeSize ?? 0) * GiB);
  }

  async extendVolume(volume: Volume, newSizeGb: number): Promise<void> {
    await truncate(this.path(volume), newSizeGb * GiB);
  }

  /** As LVM's: the file and its target do not depend on the volume's type, so any type is taken in place. */
  async retype(): Promise<boolean> {
    return true;
  }

  async manageExistingGetSize(_volume: Volume, ref: unknown): Promise<number> {
    return Math.ceil((await sourceSize(this.conf.volumes_dir, 'volume', ref)) / GiB);
  }

  async manageExisting(volume: Volume, ref: unknown): Promise<void> {
    await takeFile(this.conf.volumes_dir, 'volume', ref, this.path(volume), volume.id);
  }

  /** As LVM's: nothing to do, the file stays under its name. */
  async unmanage(_volume: Volume): Promise<void> {}

  async existingSize(volume: Volume): Promise<number | null> {
    const st = await lstatOrNull(this.path(volume));
    return st?.isFile() ? Math.ceil(st.size / GiB) : null;
  }

  async manageExistingSnapshotGetSize(_snapshot: Snapshot, ref: unknown): Promise<number> {
    return Math.ceil((await sourceSize(this.conf.volumes_dir, 'snapshot', ref)) / GiB);
  }

  async manageExistingSnapshot(snapshot: Snapshot, ref: unknown): Promise<void> {
    await takeFile(this.conf.volumes_dir, 'snapshot', ref, this.snapshotPath(snapshot), snapshot.id);
  }

  /** As LVM's: nothing to do, the file stays under its name. */
  async unmanageSnapshot(_snapshot: Snapshot): Promise<void> {}

  /** tid of our target for this volume, if tgtd has it. */
  private async findTid(iqn: string): Promise<number | null> {
    const out = await this.control.showTargets();
    for (const line of out.split('\n')) {
      const m = /^Target (\d+): (\S+)$/.exec(line.trim());
      if (m && m[2] === iqn) return Number(m[1]);
    }
    return null;
  }

  private async freeTid(): Promise<number> {
    const out = await this.control.showTargets();
    const used = new Set([...out.matchAll(/^Target (\d+):/gm)].map((m) => Number(m[1])));
    let tid = 1;
    while (used.has(tid)) tid++;
    return tid;
  }

  private async export(volume: Volume, auth: string): Promise<number> {
    const iqn = this.iqn(volume);
    const existing = await this.findTid(iqn);
    if (existing !== null) return existing;
    const chap = chapOf({ ...volume, providerAuth: auth } as Volume);
    const tgt = this.control;
    for (let attempt = 0; ; attempt++) {
      const tid = await this.freeTid();
      try {
        await tgt.newTarget(tid, iqn);
      } catch (e) {
        if (attempt < 5) continue; // another export took this tid first
        throw e;
      }
      try {
        await tgt.newLogicalUnit(tid, 1, this.path(volume));
        if (chap) {
          // The password travels only over tgtd's control socket.
          await tgt.deleteAccount(chap.user).catch(() => undefined);
          await tgt.newAccount(chap.user, chap.password);
          await tgt.bindAccount(tid, chap.user);
        }
        await tgt.bindInitiatorAddress(tid, 'ALL');
      } catch (e) {
        await tgt.deleteTarget(tid, true).catch(() => undefined);
        throw e;
      }
      return tid;
    }
  }

  async createExport(volume: Volume, _connector: Connector | null): Promise<ModelUpdate> {
    const auth = chapOf(volume) ? (volume.providerAuth as string) : newChapAuth();
    const tid = await this.export(volume, auth);
    return { provider_location: formatLocation(this.portal, tid, this.iqn(volume), 1), provider_auth: auth };
  }

  async ensureExport(volume: Volume): Promise<void> {
    if (chapOf(volume)) await this.export(volume, volume.providerAuth as string);
  }

  async removeExport(volume: Volume): Promise<void> {
    const tid = await this.findTid(this.iqn(volume));
    if (tid !== null) await this.control.deleteTarget(tid, true);
    const chap = chapOf(volume);
    if (chap) await this.control.deleteAccount(chap.user).catch(() => undefined);
  }

  /** Volumes with a target on this backend (tgt-targets.ts says which targets are ours). */
  async listExports(): Promise<string[]> {
    return exportedVolumeIds(await this.control.showTargets(), this.conf.target_prefix, this.conf.volumes_dir);
  }

  validateConnector(connector: Connector): void {
    requireInitiator(connector);
  }

  async initializeConnection(volume: Volume, connector: Connector): Promise<ConnectionInfo> {
    return iscsiConnectionInfo(volume, connector);
  }

  /** The host is done with the target: take the export down (a new initialize re-creates it). */
  async terminateConnection(volume: Volume, _connector: Connector | null, _force: boolean): Promise<void> {
    await this.removeExport(volume);
  }

  async getStats(): Promise<BackendStats> {
    return {
      volume_backend_name: this.conf.volume_backend_name, vendor_name: 'Open Source', driver_version: '1.0', storage_protocol: 'iSCSI',
      total_capacity_gb: this.conf.total_capacity_gb, free_capacity_gb: this.conf.total_capacity_gb, reserved_percentage: 0,
      // One target per volume, as LVM's; several hosts may attach it (a multiattach type needs it).
      shared_targets: false, multiattach: true,
    };
  }
}
