// The tgt backend against a real (private) tgtd: after os-initialize_connection a userspace
// initiator (libiscsi's iscsi-readcapacity16) logs in with the returned CHAP credentials and
// reads the volume's size; a wrong password is refused; after os-terminate_connection and
// os-detach the target is gone. Its tgtd is known by a pid file: a SIGKILLed cinder-volume
// leaves it serving and the next start adopts it; a stale pid file gets a fresh tgtd; a graceful
// stop leaves no tgtd behind. Manage/unmanage need only the files: a driver with no tgtd.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Snapshot, Volume } from '../../../cinder-common/entities';
import { ManageExistingInvalidReference } from '../../../cinder-common/exception';
import { TgtDriver } from '../../../cinder-volume/drivers';
import { refused } from '../../support/assertions';
import { findTgtds, isTgtdOn } from '../../../cinder-volume/drivers/tgtd-daemon';
import { existsSync } from 'node:fs';
import { freePort, spawnDaemon, waitFor, writeConfig } from '../../support/processes';
import { cinderConf, startCinder, type Cinder, type Json } from '../../functional/cinder/cinder-stack';
import { createTestDatabase, requireRoot, requireTool, requireTransportUrl } from '../../support/servers';

const run = promisify(execFile);
const INITIATOR = 'iqn.1993-08.org.debian:01:cindertest';
const BIN = join(__dirname, '../../../bin');

/** A tgtd control port (1000-32767) no other tgtd on this host uses. */
function freeControlPort(): number {
  for (;;) {
    const p = 1000 + Math.floor(Math.random() * 31000);
    if (!existsSync(`/var/run/tgtd/socket.${p}`)) return p;
  }
}

/** iscsi-readcapacity16 against the returned data; resolves to the size in bytes or rejects. */
async function readCapacity(data: Json, password = data.auth_password as string): Promise<number> {
  const url = `iscsi://${encodeURIComponent(data.auth_username)}%${encodeURIComponent(password)}@${data.target_portal}/${data.target_iqn}/${data.target_lun}`;
  const { stdout } = await run('iscsi-readcapacity16', ['-i', INITIATOR, url], { timeout: 20_000 });
  const total = /Total size:(\d+)/.exec(stdout);
  if (!total) throw new Error(`unexpected output: ${stdout}`);
  return Number(total[1]);
}

describe('cinder tgt driver (private tgtd + libiscsi)', function () {
  this.timeout(60_000);
  let c: Cinder;
  let dir = '';
  let tgt: TgtDriver;

  before(async function () {
    await requireTool(this, 'tgtd', 'tgt');
    await requireTool(this, 'iscsi-readcapacity16', 'libiscsi-bin');
    dir = mkdtempSync(join(tmpdir(), 'cinder-tgt-'));
    const [iscsiPort, control] = [await freePort(), freeControlPort()];
    c = await startCinder({
      DEFAULT: { enabled_backends: ['tgt'] },
      tgt: { volume_driver: 'tgt', volumes_dir: dir, target_ip_address: '127.0.0.1', target_port: iscsiPort, tgt_control_port: control },
    });
    tgt = c.volume.backends[0].driver as TgtDriver;
  });
  after(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const targets = async (): Promise<string> => tgt.tgtadm(['--mode', 'target', '--op', 'show']);

  it('snapshots through the API: the snapshot keeps the data as it was, a volume from it has that data at its own size, a delete removes the file', async () => {
    const GiB = 1024 ** 3;
    /** The first 6 bytes of a (large, sparse) file. */
    const head = (f: string): string => {
      const fd = openSync(f, 'r');
      try {
        const b = Buffer.alloc(6);
        readSync(fd, b, 0, 6, 0);
        return b.toString();
      } finally {
        closeSync(fd);
      }
    };
    const vid = await c.createVolume(1);
    const file = join(dir, `volume-${vid}`);
    writeFileSync(file, 'before', { flag: 'r+' });
    const made = await c.req('POST', '/v3/demo/snapshots', { body: { snapshot: { volume_id: vid } } });
    expect(made.status).to.equal(202);
    const sid = made.body.snapshot.id as string;
    const snapStatus = async (): Promise<string | number> => {
      const r = await c.req('GET', `/v3/demo/snapshots/${sid}`);
      return r.status === 404 ? 404 : r.body.snapshot.status as string;
    };
    await waitFor(async () => (await snapStatus()) === 'available', 20_000, 'snapshot available', 50);
    writeFileSync(file, 'after!', { flag: 'r+' });
    const from = await c.req('POST', '/v3/demo/volumes', { body: { volume: { snapshot_id: sid, size: 2 } } });
    expect(from.status).to.equal(202);
    const nid = from.body.volume.id as string;
    await waitFor(async () => (await c.show(nid)).status === 'available', 20_000, 'volume from snapshot', 50);
    expect(head(join(dir, `volume-${nid}`))).to.equal('before');
    expect(statSync(join(dir, `volume-${nid}`)).size).to.equal(2 * GiB);
    expect(head(join(dir, `snapshot-${sid}`))).to.equal('before');
    expect((await c.req('DELETE', `/v3/demo/snapshots/${sid}`)).status).to.equal(202);
    await waitFor(async () => (await snapStatus()) === 404, 20_000, 'snapshot deleted', 50);
    expect(existsSync(join(dir, `snapshot-${sid}`))).to.equal(false);
    for (const id of [nid, vid]) expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
  });

  it('exports a sparse file per volume with CHAP; the initiator reads its size; wrong password refused; export gone after detach', async () => {
    const id = await c.createVolume(1);
    const file = join(dir, `volume-${id}`);
    const st = statSync(file);
    expect(st.size).to.equal(1024 ** 3);
    expect(st.blocks * 512).to.be.lessThan(1024 ** 2); // sparse

    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    const r = await c.action(id, 'os-initialize_connection', { connector: { ip: '127.0.0.1', host: 'h', initiator: INITIATOR } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const data = r.body.connection_info.data;
    expect(data.target_iqn).to.equal(`iqn.2010-10.org.openstack:volume-${id}`);
    expect(data.target_lun).to.equal(1);
    expect(data.auth_method).to.equal('CHAP');
    expect(data.auth_password).to.have.length(20);
    expect(await targets()).to.include(data.target_iqn);

    expect(await readCapacity(data)).to.equal(1024 ** 3);
    let refused = false;
    try {
      await readCapacity(data, 'wrongpassword12345678');
    } catch {
      refused = true;
    }
    expect(refused, 'login with a wrong CHAP password must fail').to.equal(true);

    expect((await c.action(id, 'os-attach', { instance_uuid: '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2', mountpoint: '/dev/vdb' })).status).to.equal(202);
    expect((await c.action(id, 'os-begin_detaching', null)).status).to.equal(202);
    expect((await c.action(id, 'os-terminate_connection', { connector: { initiator: INITIATOR } })).status).to.equal(202);
    expect(await targets()).to.not.include(data.target_iqn);
    expect((await c.action(id, 'os-detach', {})).status).to.equal(202);
    expect(await targets()).to.not.include(data.target_iqn);
    expect((await c.show(id)).status).to.equal('available');

    // os-detach alone also takes the export down
    expect((await c.action(id, 'os-initialize_connection', { connector: { initiator: INITIATOR } })).status).to.equal(200);
    expect(await targets()).to.include(data.target_iqn);
    expect((await c.action(id, 'os-attach', { instance_uuid: '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2', mountpoint: '/dev/vdb' })).status).to.equal(202);
    expect((await c.action(id, 'os-detach', {})).status).to.equal(202);
    expect(await targets()).to.not.include(data.target_iqn);

    expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
    // The delete is cast to cinder-volume: wait for the file to go, bounded.
    await waitFor(() => !existsSync(file), 10_000, `${file} deleted`, 50);
  });
});

describe('cinder tgt driver: its tgtd, known by a pid file', function () {
  this.timeout(120_000);
  let dir = '';
  let control = 0;
  let iscsiPort = 0;
  let pidFile = '';

  before(async function () {
    requireRoot(this, 'a private tgtd');
    await requireTool(this, 'tgtd', 'tgt');
    dir = mkdtempSync(join(tmpdir(), 'cinder-tgtd-'));
    [iscsiPort, control] = [await freePort(), freeControlPort()];
    pidFile = join(dir, `tgtd-${control}.pid`);
  });
  after(() => {
    // Whatever a failed test left: no tgtd of this control port outlives the run.
    if (control) for (const pid of findTgtds(control)) process.kill(pid, 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const driver = (): TgtDriver => new TgtDriver(cinderConf({
    tgt: { volume_driver: 'tgt', volumes_dir: dir, target_ip_address: '127.0.0.1', target_port: iscsiPort, tgt_control_port: control },
  }).tgt);
  const recordedPid = (): number => Number(readFileSync(pidFile, 'utf8'));
  const targets = async (): Promise<string> =>
    (await run('tgtadm', ['-C', String(control), '--lld', 'iscsi', '--mode', 'target', '--op', 'show'], { timeout: 10_000 })).stdout;
  /** A pid that was just in use and is no more. */
  const deadPid = async (): Promise<number> => {
    const p = spawn('true');
    await new Promise((r) => p.once('exit', r));
    return p.pid as number;
  };

  it('a SIGKILLed cinder-volume leaves its tgtd serving; the next one adopts it (same pid, targets kept); a graceful stop ends it', async function () {
    const transportUrl = await requireTransportUrl(this);
    const db = await createTestDatabase(this, 'cinder');
    try {
      const config = writeConfig('cinder.conf', [
        '[DEFAULT]', `host = tgtd-${control}`, 'enabled_backends = tgt', 'report_interval = 1',
        '[tgt]', 'volume_driver = tgt', `volumes_dir = ${dir}`, 'target_ip_address = 127.0.0.1', `target_port = ${iscsiPort}`,
        `tgt_control_port = ${control}`,
      ].join('\n'));
      const env = { TRANSPORT_URL: transportUrl, CINDER_DATABASE_URL: db.url };
      await run(process.execPath, [join(BIN, 'cinder-manage.js'), '--config-file', config, 'db', 'sync'], { env: { ...process.env, ...env }, timeout: 60_000 });

      const first = await spawnDaemon('cinder-volume', ['--config-file', config], { env });
      const pid = recordedPid();
      expect(first.output()).to.contain(`tgtd started (pid ${pid}, control port ${control}, portal 127.0.0.1:${iscsiPort})`);
      expect(findTgtds(control)).to.deep.equal([pid]);
      const iqn = `iqn.2010-10.org.openstack:volume-adopt-${control}`;
      await run('tgtadm', ['-C', String(control), '--lld', 'iscsi', '--mode', 'target', '--op', 'new', '--tid', '1', '--targetname', iqn], { timeout: 10_000 });

      first.proc.kill('SIGKILL');
      await waitFor(() => first.proc.signalCode !== null, 10_000, 'cinder-volume killed');
      expect(isTgtdOn(pid, control), 'tgtd after its cinder-volume was SIGKILLed').to.equal(true);

      const second = await spawnDaemon('cinder-volume', ['--config-file', config], { env });
      expect(second.output()).to.contain(`Adopted tgtd (pid ${pid}, control port ${control})`);
      expect(second.output()).to.not.contain('tgtd started');
      expect(findTgtds(control)).to.deep.equal([pid]);
      expect(await targets()).to.contain(iqn);

      // tgtd refuses its own stop and SIGTERM while a target exists: the stop ends in SIGKILL.
      expect(await second.stop()).to.equal(0);
      expect(second.output()).to.contain(`Stopped tgtd (pid ${pid}, control port ${control})`);
      expect(findTgtds(control)).to.deep.equal([]);
      expect(existsSync(pidFile), 'pid file after a graceful stop').to.equal(false);
    } finally {
      await db.drop();
    }
  });

  it('a stale pid file (dead pid, or a live process that is not tgtd) gets a fresh tgtd; shutdown leaves none', async () => {
    for (const stale of [await deadPid(), process.pid]) {
      writeFileSync(pidFile, `${stale}\n`);
      const d = driver();
      await d.doSetup();
      try {
        const pid = d.daemonPid as number;
        expect(pid).to.be.a('number').and.not.equal(stale);
        expect(recordedPid()).to.equal(pid);
        expect(findTgtds(control)).to.deep.equal([pid]);
        expect(await targets()).to.equal('');
      } finally {
        await d.shutdown();
      }
      expect(findTgtds(control)).to.deep.equal([]);
      expect(existsSync(pidFile)).to.equal(false);
    }
  });

  it('an orphan tgtd whose pid file is gone or names another process is found in /proc, adopted, and recorded again', async () => {
    for (const lose of [() => rmSync(pidFile), () => writeFileSync(pidFile, `${process.pid}\n`)]) {
      // The first driver is dropped without shutdown, as a crash would.
      const crashed = driver();
      await crashed.doSetup();
      const pid = crashed.daemonPid as number;
      lose();
      const d = driver();
      await d.doSetup();
      try {
        expect(d.daemonPid).to.equal(pid);
        expect(recordedPid()).to.equal(pid);
        expect(findTgtds(control)).to.deep.equal([pid]);
      } finally {
        await d.shutdown();
      }
      expect(findTgtds(control)).to.deep.equal([]);
    }
  });
});

/** Writes `text` into file `f` at byte `at`. */
function writeAt(f: string, text: string, at: number): void {
  const fd = openSync(f, 'r+');
  try {
    writeSync(fd, text, at);
  } finally {
    closeSync(fd);
  }
}

/** `n` bytes of file `f` from byte `at`, as text. */
function readAt(f: string, n: number, at: number): string {
  const fd = openSync(f, 'r');
  try {
    const b = Buffer.alloc(n);
    readSync(fd, b, 0, n, at);
    return b.toString();
  } finally {
    closeSync(fd);
  }
}

/** The reason of the ManageExistingInvalidReference `p` is refused with. */
async function invalidRef(p: Promise<unknown>): Promise<string> {
  const e = await refused(p);
  expect(e, e.message).to.be.instanceOf(ManageExistingInvalidReference);
  return (e as ManageExistingInvalidReference).kwargs.reason as string;
}

describe('cinder tgt driver: manage_existing and unmanage (files only, no tgtd)', () => {
  const GiB = 1024 ** 3;
  let dir = '';
  let d: TgtDriver;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cinder-tgt-manage-'));
    // No doSetup: nothing here talks to tgtd.
    d = new TgtDriver(cinderConf({ tgt: { volume_driver: 'tgt', volumes_dir: dir } }).tgt);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const vol = (size = 1): Volume => ({ id: randomUUID(), size }) as Volume;
  const file = (v: Volume): string => join(dir, `volume-${v.id}`);

  it('unmanage leaves the file; a manage by `volume-<old id>` renames it to the new volume, data and size kept; a redo succeeds', async () => {
    const old = vol(1);
    await d.createVolume(old);
    writeAt(file(old), 'managed!', 300 * 1024 ** 2);
    await d.unmanage(old);
    expect(statSync(file(old)).size).to.equal(GiB);

    const next = vol(5);
    const ref = { 'source-name': `volume-${old.id}` };
    expect(await d.manageExistingGetSize(next, ref)).to.equal(1);
    expect(await d.existingSize(next)).to.equal(null);
    expect(await d.manageExisting(next, ref)).to.equal(undefined);
    expect(existsSync(file(old))).to.equal(false);
    expect(statSync(file(next)).size).to.equal(GiB);
    expect(readAt(file(next), 8, 300 * 1024 ** 2)).to.equal('managed!');
    expect(await d.existingSize(next)).to.equal(1);
    expect(await d.existingSize(old)).to.equal(null);

    await d.manageExisting(next, ref);
    expect(readAt(file(next), 8, 300 * 1024 ** 2)).to.equal('managed!');
    // Neither the source nor the target: nothing to take.
    expect(await invalidRef(d.manageExisting(vol(), ref))).to.equal('Specified logical volume does not exist.');
  });

  it('sizes round up to whole GiB (a 1.5 GiB file is 2)', async () => {
    const name = `volume-${randomUUID()}`;
    writeFileSync(join(dir, name), '');
    truncateSync(join(dir, name), 1.5 * GiB);
    const v = vol();
    expect(await d.manageExistingGetSize(v, { 'source-name': name })).to.equal(2);
    await d.manageExisting(v, { 'source-name': name });
    expect(await d.existingSize(v)).to.equal(2);
    expect(statSync(file(v)).size).to.equal(1.5 * GiB);
  });

  it('refuses references that name no volume file of the backend, and never replaces a volume\'s file', async () => {
    const v = vol();
    const missing = 'Reference must contain source-name element.';
    for (const ref of ['volume-x', {}, { 'source-name': 1 }, null]) {
      expect(await invalidRef(d.manageExistingGetSize(v, ref)), JSON.stringify(ref)).to.equal(missing);
    }
    expect(await invalidRef(d.manageExistingGetSize(v, { 'source-name': `volume-${randomUUID()}` }))).to.equal('Specified logical volume does not exist.');

    // Files that exist but are not volumes' to take: outside volumes_dir, a snapshot's, tgtd's pid file, hidden.
    const sid = randomUUID();
    writeFileSync(join(dir, `snapshot-${sid}`), 'snap');
    writeFileSync(join(dir, 'tgtd-3260.pid'), '1\n');
    writeFileSync(join(dir, '.hidden'), 'x');
    writeFileSync(join(dir, '..', `x-${sid}`), 'outside');
    try {
      for (const name of ['../x', `../x-${sid}`, `snapshot-${sid}`, 'tgtd-3260.pid', '.hidden', '.', '..', '']) {
        const ref = { 'source-name': name };
        expect(await invalidRef(d.manageExistingGetSize(v, ref)), name).to.equal('Reference must name a volume file of this backend.');
        expect(await invalidRef(d.manageExisting(v, ref)), name).to.equal('Reference must name a volume file of this backend.');
      }
    } finally {
      rmSync(join(dir, '..', `x-${sid}`), { force: true });
    }
    expect(existsSync(join(dir, `snapshot-${sid}`))).to.equal(true);

    // Not a regular file: a directory, a symlink to a volume's file.
    mkdirSync(join(dir, 'volume-dir'));
    const held = vol(1);
    await d.createVolume(held);
    symlinkSync(file(held), join(dir, 'volume-link'));
    for (const name of ['volume-dir', 'volume-link']) {
      expect(await invalidRef(d.manageExistingGetSize(v, { 'source-name': name })), name).to.equal('Specified logical volume is not a regular file.');
      expect(await invalidRef(d.manageExisting(v, { 'source-name': name })), name).to.equal('Specified logical volume is not a regular file.');
    }

    // The target already has a file: the rename would destroy it.
    const other = vol(1);
    await d.createVolume(other);
    writeAt(file(other), 'mine', 0);
    expect(await invalidRef(d.manageExisting(other, { 'source-name': `volume-${held.id}` }))).to.match(/already exists/);
    expect(readAt(file(other), 4, 0)).to.equal('mine');
    expect(existsSync(file(held))).to.equal(true);
    expect(await d.existingSize(vol())).to.equal(null);
  });
});

describe('cinder tgt driver: manage_existing_snapshot and unmanage_snapshot (files only, no tgtd)', () => {
  const GiB = 1024 ** 3;
  let dir = '';
  let d: TgtDriver;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cinder-tgt-manage-snap-'));
    // No doSetup: nothing here talks to tgtd.
    d = new TgtDriver(cinderConf({ tgt: { volume_driver: 'tgt', volumes_dir: dir } }).tgt);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const snap = (volumeSize = 1): Snapshot => ({ id: randomUUID(), volumeId: randomUUID(), volumeSize }) as Snapshot;
  const file = (s: Snapshot): string => join(dir, `snapshot-${s.id}`);
  /** A snapshot taken by the driver of a 1 GiB volume with `text` written in it. */
  const taken = async (text: string, at: number): Promise<Snapshot> => {
    const v = { id: randomUUID(), size: 1 } as Volume;
    await d.createVolume(v);
    writeAt(join(dir, `volume-${v.id}`), text, at);
    const s = { ...snap(1), volumeId: v.id } as Snapshot;
    await d.createSnapshot(s, v);
    return s;
  };

  it('unmanage_snapshot leaves the file; a manage by `snapshot-<old id>` renames it to the new snapshot, data and size kept; a redo succeeds', async () => {
    const old = await taken('snapped!', 300 * 1024 ** 2);
    await d.unmanageSnapshot(old);
    expect(statSync(file(old)).size).to.equal(GiB);
    expect(readAt(file(old), 8, 300 * 1024 ** 2)).to.equal('snapped!');
    await d.unmanageSnapshot(old); // a redo: still nothing changes
    expect(existsSync(file(old))).to.equal(true);

    const next = snap(5);
    const ref = { 'source-name': `snapshot-${old.id}` };
    expect(await d.manageExistingSnapshotGetSize(next, ref)).to.equal(1);
    expect(await d.manageExistingSnapshot(next, ref)).to.equal(undefined);
    expect(existsSync(file(old))).to.equal(false);
    expect(statSync(file(next)).size).to.equal(GiB);
    expect(readAt(file(next), 8, 300 * 1024 ** 2)).to.equal('snapped!');

    await d.manageExistingSnapshot(next, ref);
    expect(readAt(file(next), 8, 300 * 1024 ** 2)).to.equal('snapped!');
    // Neither the source nor the target: nothing to take.
    expect(await invalidRef(d.manageExistingSnapshot(snap(), ref))).to.equal('Specified snapshot does not exist.');
    expect(await invalidRef(d.manageExistingSnapshotGetSize(snap(), ref))).to.equal('Specified snapshot does not exist.');
  });

  it('sizes round up to whole GiB (a 1.5 GiB snapshot file is 2), the bytes kept by the rename', async () => {
    const name = `snapshot-${randomUUID()}`;
    writeFileSync(join(dir, name), '');
    truncateSync(join(dir, name), 1.5 * GiB);
    writeAt(join(dir, name), 'tail', 1.5 * GiB - 4);
    const s = snap();
    expect(await d.manageExistingSnapshotGetSize(s, { 'source-name': name })).to.equal(2);
    await d.manageExistingSnapshot(s, { 'source-name': name });
    expect(existsSync(join(dir, name))).to.equal(false);
    expect(statSync(file(s)).size).to.equal(1.5 * GiB);
    expect(readAt(file(s), 4, 1.5 * GiB - 4)).to.equal('tail');
  });

  it("refuses references that name no snapshot file of the backend, and never replaces a snapshot's file", async () => {
    const s = snap();
    const missing = 'Reference must contain source-name element.';
    for (const ref of ['snapshot-x', {}, { name: 'snapshot-x' }, { 'source-name': 1 }, null]) {
      expect(await invalidRef(d.manageExistingSnapshotGetSize(s, ref)), JSON.stringify(ref)).to.equal(missing);
      expect(await invalidRef(d.manageExistingSnapshot(s, ref)), JSON.stringify(ref)).to.equal(missing);
    }
    const unknown = { 'source-name': `snapshot-${randomUUID()}` };
    expect(await invalidRef(d.manageExistingSnapshotGetSize(s, unknown))).to.equal('Specified snapshot does not exist.');
    expect(await invalidRef(d.manageExistingSnapshot(s, unknown))).to.equal('Specified snapshot does not exist.');

    // Files that exist but are not snapshots' to take: a volume's, tgtd's pid file, hidden, outside volumes_dir.
    const vid = randomUUID();
    writeFileSync(join(dir, `volume-${vid}`), 'vol');
    writeFileSync(join(dir, 'tgtd-3260.pid'), '1\n');
    writeFileSync(join(dir, '.snapshot-hidden'), 'x');
    writeFileSync(join(dir, '..', `snapshot-${vid}`), 'outside');
    try {
      for (const name of [`volume-${vid}`, 'tgtd-3260.pid', '../x', `../snapshot-${vid}`, `x/../snapshot-${vid}`, '.snapshot-hidden', '.', '..', '']) {
        const ref = { 'source-name': name };
        expect(await invalidRef(d.manageExistingSnapshotGetSize(s, ref)), name).to.equal('Reference must name a snapshot file of this backend.');
        expect(await invalidRef(d.manageExistingSnapshot(s, ref)), name).to.equal('Reference must name a snapshot file of this backend.');
      }
      expect(existsSync(join(dir, '..', `snapshot-${vid}`))).to.equal(true);
    } finally {
      rmSync(join(dir, '..', `snapshot-${vid}`), { force: true });
    }
    expect(readFileSync(join(dir, `volume-${vid}`), 'utf8')).to.equal('vol');
    expect(existsSync(file(s))).to.equal(false);

    // Not a regular file: a directory, a symlink to a snapshot's file.
    const held = await taken('held', 0);
    mkdirSync(join(dir, 'snapshot-dir'));
    symlinkSync(file(held), join(dir, 'snapshot-link'));
    for (const name of ['snapshot-dir', 'snapshot-link']) {
      expect(await invalidRef(d.manageExistingSnapshotGetSize(s, { 'source-name': name })), name).to.equal('Specified snapshot is not a regular file.');
      expect(await invalidRef(d.manageExistingSnapshot(s, { 'source-name': name })), name).to.equal('Specified snapshot is not a regular file.');
    }

    // The target already has a file: the rename would destroy it.
    const other = await taken('mine', 0);
    expect(await invalidRef(d.manageExistingSnapshot(other, { 'source-name': `snapshot-${held.id}` }))).to.match(/already exists/);
    expect(readAt(file(other), 4, 0)).to.equal('mine');
    expect(readAt(file(held), 4, 0)).to.equal('held');
  });
});
