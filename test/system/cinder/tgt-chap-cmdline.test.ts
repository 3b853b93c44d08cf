// CHAP secrets of the tgt backend never sit on a process's command line (/proc/<pid>/cmdline is
// readable by every local user). The driver talks to tgtd over its control socket
// (tgt-control.ts): the real tgtadm sends the same bytes for the same operations and prints the
// same messages; a watcher over /proc, shown to catch a tgtadm that has a password in its argv,
// sees no CHAP password while the driver exports, re-creates and removes volumes with CHAP and
// an initiator (libiscsi, secrets in its environment as nova-compute's connector passes them)
// logs in with the right password and is refused with a wrong one.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Volume } from '../../../cinder-common/entities';
import { TgtDriver } from '../../../cinder-volume/drivers';
import { chapOf } from '../../../cinder-volume/drivers/iscsi';
import { REQUEST_HEADER_SIZE, TgtControl, TgtMode, TgtOp, encodeRequest, type TgtRequest } from '../../../cinder-volume/drivers/tgt-control';
import { parseTargets } from '../../../cinder-volume/drivers/tgt-targets';
import { findTgtds } from '../../../cinder-volume/drivers/tgtd-daemon';
import { linesContaining, watchCmdlines } from '../../support/cmdline-watch';
import { freePort } from '../../support/processes';
import { requireRoot, requireTool } from '../../support/servers';
import { cinderConf } from '../../functional/cinder/cinder-stack';

const run = promisify(execFile);
const INITIATOR = 'iqn.1993-08.org.debian:01:chapcmdline';
const GiB = 1024 ** 3;

/** A tgtd control port (1000-32767) no other tgtd on this host uses. */
function freeControlPort(): number {
  for (;;) {
    const p = 1000 + Math.floor(Math.random() * 31000);
    if (!existsSync(`/var/run/tgtd/socket.${p}`)) return p;
  }
}

/** libiscsi's login + READ CAPACITY(16), CHAP secrets in the environment only; the size in bytes, or rejects. */
async function readCapacity(data: Record<string, unknown>, password = String(data.auth_password)): Promise<number> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LIBISCSI_CHAP_USERNAME: String(data.auth_username), LIBISCSI_CHAP_PASSWORD: password };
  const url = `iscsi://${String(data.target_portal)}/${String(data.target_iqn)}/${String(data.target_lun)}`;
  const { stdout } = await run('iscsi-readcapacity16', ['-i', INITIATOR, url], { env, timeout: 20_000 });
  const total = /Total size:(\d+)/.exec(stdout);
  if (!total) throw new Error(`unexpected output: ${stdout}`);
  return Number(total[1]);
}

describe('cmdline watcher (test/support/cmdline-watch.ts)', function () {
  this.timeout(30_000);

  it('sees short-lived commands, keeps one line per distinct argv, masks secrets in what it reports', async () => {
    const marker = `marker${randomUUID().slice(0, 8)}`;
    let seen: string[] = [];
    let hits = 0;
    for (let i = 0; i < 20 && !seen.length; i++) {
      const watch = await watchCmdlines([marker]);
      await run('true', [marker, String(i)]);
      seen = linesContaining(await watch.stop(), [marker]);
      hits = watch.hits;
    }
    expect(seen).to.have.length(1);
    expect(hits, 'lines with the needle counted while watching').to.equal(1);
    expect(seen[0]).to.match(/^true \*\*\* \d+$/);
    expect(linesContaining(['a b', 'x s3cret y', 'z'], ['s3cret', ''])).to.deep.equal(['x *** y']);
  });
});

describe('tgt control socket: the same requests and messages as tgtadm', function () {
  this.timeout(30_000);
  let dir = '';
  let server: Server | null = null;
  const received: Buffer[] = [];

  before(async function () {
    await requireTool(this, 'tgtadm', 'tgt');
    // tgtadm -C 5 talks to $TGT_IPC_SOCKET.5: our socket, which records the request and answers "success".
    dir = mkdtempSync(join(tmpdir(), 'tgtadm-capture-'));
    server = createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= REQUEST_HEADER_SIZE && buf.length >= buf.readUInt32LE(72)) {
          received.push(buf);
          sock.end(Buffer.from([0, 0, 0, 0, 8, 0, 0, 0]));
        }
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => server!.listen(join(dir, 'sock.5'), r));
  });
  after(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tgtadm sends, byte for byte, what encodeRequest makes for each operation of the driver', async () => {
    // The password here is a dummy sent to our own socket, not a CHAP secret of any export.
    const cases: [string[], TgtRequest][] = [
      [['--mode', 'target', '--op', 'show'], { mode: TgtMode.Target, op: TgtOp.Show }],
      [['--mode', 'target', '--op', 'new', '--tid', '4', '--targetname', 'iqn.2010-10.org.openstack:volume-a'],
        { mode: TgtMode.Target, op: TgtOp.New, tid: 4, params: ['targetname=iqn.2010-10.org.openstack:volume-a'] }],
      [['--mode', 'logicalunit', '--op', 'new', '--tid', '4', '--lun', '1', '--backing-store', '/srv/v/volume-a'],
        { mode: TgtMode.LogicalUnit, op: TgtOp.New, tid: 4, lun: 1, params: ['path=/srv/v/volume-a'] }],
      [['--mode', 'account', '--op', 'new', '--user', 'u1', '--password', 'dummy,pw=x y'],
        { mode: TgtMode.Account, op: TgtOp.New, params: ['user=u1', 'password=dummy,pw=x y'] }],
      [['--mode', 'account', '--op', 'bind', '--tid', '4', '--user', 'u1'], { mode: TgtMode.Account, op: TgtOp.Bind, tid: 4, params: ['user=u1'] }],
      [['--mode', 'account', '--op', 'bind', '--tid', '4', '--user', 'u1', '--outgoing'],
        { mode: TgtMode.Account, op: TgtOp.Bind, tid: 4, accountDir: 1, params: ['user=u1'] }],
      [['--mode', 'account', '--op', 'delete', '--user', 'u1'], { mode: TgtMode.Account, op: TgtOp.Delete, params: ['user=u1'] }],
      [['--mode', 'target', '--op', 'bind', '--tid', '4', '--initiator-address', 'ALL'],
        { mode: TgtMode.Target, op: TgtOp.Bind, tid: 4, params: ['initiator-address=ALL'] }],
      [['--mode', 'target', '--op', 'delete', '--force', '--tid', '4'], { mode: TgtMode.Target, op: TgtOp.Delete, tid: 4, force: true }],
    ];
    for (const [args, req] of cases) {
      received.length = 0;
      await run('tgtadm', ['-C', '5', '--lld', 'iscsi', ...args], { env: { ...process.env, TGT_IPC_SOCKET: join(dir, 'sock') }, timeout: 10_000 });
      expect(received.map((b) => b.toString('hex')), args.join(' ')).to.deep.equal([encodeRequest(req).toString('hex')]);
    }
  });
});

describe('tgt driver: CHAP secrets never on a command line (private tgtd + libiscsi)', function () {
  this.timeout(120_000);
  let dir = '';
  let control = 0;
  let iscsiPort = 0;
  let driver: TgtDriver | null = null;

  before(async function () {
    requireRoot(this, 'a private tgtd');
    await requireTool(this, 'tgtd', 'tgt');
    await requireTool(this, 'iscsi-readcapacity16', 'libiscsi-bin');
    dir = mkdtempSync(join(tmpdir(), 'cinder-tgt-chap-'));
    [iscsiPort, control] = [await freePort(), freeControlPort()];
    driver = new TgtDriver(cinderConf({
      tgt: { volume_driver: 'tgt', volumes_dir: dir, target_ip_address: '127.0.0.1', target_port: iscsiPort, tgt_control_port: control },
    }).tgt);
    await driver.doSetup(); // our own tgtd on this control port
  });
  after(async () => {
    await driver?.shutdown().catch(() => undefined);
    // Whatever a failed test left: no tgtd of this control port outlives the run.
    if (control) for (const pid of findTgtds(control)) process.kill(pid, 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tgtadmCli = async (...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> =>
    run('tgtadm', ['-C', String(control), '--lld', 'iscsi', ...args], { timeout: 10_000 })
      .then(({ stdout, stderr }) => ({ stdout, stderr, code: 0 }), (e: { stdout: string; stderr: string; code: number }) => e);

  it("answers and errors as tgtadm's: the same listing, the same code and message", async () => {
    const ctl = new TgtControl(control);
    await ctl.newTarget(7, 'iqn.2010-10.org.openstack:volume-parity');
    try {
      expect(await ctl.showTargets()).to.equal((await tgtadmCli('--mode', 'target', '--op', 'show')).stdout);
      const pairs: [() => Promise<unknown>, string[]][] = [
        [() => ctl.newTarget(7, 'iqn.2010-10.org.openstack:volume-parity2'), ['--mode', 'target', '--op', 'new', '--tid', '7', '--targetname', 'iqn.2010-10.org.openstack:volume-parity2']],
        [() => ctl.deleteTarget(999), ['--mode', 'target', '--op', 'delete', '--tid', '999']],
        [() => ctl.deleteAccount('nobody-here'), ['--mode', 'account', '--op', 'delete', '--user', 'nobody-here']],
        [() => ctl.bindAccount(7, 'nobody-here'), ['--mode', 'account', '--op', 'bind', '--tid', '7', '--user', 'nobody-here']],
      ];
      for (const [ours, args] of pairs) {
        const cli = await tgtadmCli(...args);
        const err = await ours().then(() => null, (e: Error) => e);
        expect(cli.code, args.join(' ')).to.equal(22);
        expect(err?.message, args.join(' ')).to.equal(`tgtadm ${args.join(' ')} failed: ${cli.stderr.trim()}`);
      }
    } finally {
      await ctl.deleteTarget(7, true);
    }
  });

  it('the watcher catches a tgtadm that carries a password on its command line (what the driver used to run)', async () => {
    let caught = 0;
    let tries = 0;
    for (; tries < 20 && !caught; tries++) {
      const sentinel = `Probe${randomUUID().slice(0, 8)}`;
      const watch = await watchCmdlines();
      await tgtadmCli('--mode', 'account', '--op', 'new', '--user', `probe-${tries}`, '--password', sentinel);
      const lines = await watch.stop();
      await tgtadmCli('--mode', 'account', '--op', 'delete', '--user', `probe-${tries}`);
      caught = linesContaining(lines, [sentinel]).length;
    }
    expect(caught, `a tgtadm with the password in its argv seen within ${tries} tries`).to.be.greaterThan(0);
  });

  it('exports, re-creates and removes CHAP exports: no password on any command line; the initiator logs in with it, a wrong one is refused', async () => {
    const d = driver as TgtDriver;
    const vols = Array.from({ length: 6 }, () => ({ id: randomUUID(), size: 1, providerAuth: null, providerLocation: null }) as unknown as Volume);
    const watch = await watchCmdlines(['iscsi-readcapacity16']);
    const passwords: string[] = [];
    let lines: string[];
    try {
      for (const v of vols) {
        await d.createVolume(v);
        const model = await d.createExport(v, { initiator: INITIATOR });
        Object.assign(v, { providerLocation: model.provider_location, providerAuth: model.provider_auth });
        passwords.push(chapOf(v)!.password);
      }
      const data = (await d.initializeConnection(vols[0], { initiator: INITIATOR })).data;
      expect(data.auth_method).to.equal('CHAP');
      expect(await readCapacity(data)).to.equal(GiB);
      const refused = await readCapacity(data, `${String(data.auth_password)}x`).then(() => false, () => true);
      expect(refused, 'login with a wrong CHAP password must fail').to.equal(true);

      // A lost target (tgtd restarted) comes back with the same account: ensureExport sends the password again.
      const lost = parseTargets(await d.tgtadm(['--mode', 'target', '--op', 'show'])).find((t) => t.iqn === data.target_iqn)!;
      await d.tgtadm(['--mode', 'target', '--op', 'delete', '--force', '--tid', String(lost.tid)]);
      await d.ensureExport(vols[0]);
      expect(await d.listExports()).to.include(vols[0].id);
      expect(await readCapacity(data)).to.equal(GiB);
      // An initiator run lives a few milliseconds: on a busy machine the watcher's thread may get
      // no CPU during any of the runs above. Log in again (bounded) until it has caught one, so the
      // "initiator seen" check below still proves the watcher could see this work.
      for (let i = 0; i < 20 && watch.hits === 0; i++) expect(await readCapacity(data)).to.equal(GiB);

      for (const v of vols) await d.terminateConnection(v, { initiator: INITIATOR }, false);
      expect(await d.listExports()).to.deep.equal([]);
    } finally {
      lines = await watch.stop();
      for (const v of vols) await d.deleteVolume(v);
    }
    expect(passwords).to.have.length(vols.length);
    expect(watch.sweeps, 'full sweeps over /proc').to.be.greaterThan(0);
    // The watcher did see the work: our tgtd and the initiator's short-lived runs.
    expect(lines.some((l) => l.startsWith('tgtd ') && l.includes(`-C ${control}`)), 'tgtd seen').to.equal(true);
    expect(lines.some((l) => l.includes('iscsi-readcapacity16')), 'initiator seen').to.equal(true);
    expect(linesContaining(lines, passwords), 'command lines with a CHAP password').to.deep.equal([]);
    // Nor in tgtd's own output (tgtd-daemon.ts sends it to <pid file>.log).
    const log = readFileSync(join(dir, `tgtd-${control}.log`), 'utf8');
    expect(linesContaining(log.split('\n'), passwords), "tgtd's log lines with a CHAP password").to.deep.equal([]);
  });

  it('the tgtadm escape hatch refuses a password option', async () => {
    const d = driver as TgtDriver;
    for (const args of [['--password', 'x'], ['--password=x'], ['-p', 'x'], ['-px'], ['--pass', 'x']]) {
      const err = await d.tgtadm(['--mode', 'account', '--op', 'new', '--user', 'u', ...args]).then(() => null, (e: Error) => e);
      expect(err?.message, args.join(' ')).to.match(/refusing a password/);
    }
  });
});
