// The iscsi connector against a real tgtd (private instance: its own portal port and control
// port, a file-backed LUN 1, CHAP): logs in with the right secret, refuses a wrong one, and
// never puts the secret on a command line.
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ISCSIConnector } from '../../../nova-compute/connectors';
import { freePort, waitFor } from '../../support/processes';
import { requireRoot, requireTool } from '../../support/servers';

const run = promisify(execFile);
const IQN = 'iqn.2010-10.org.openstack:volume-0b4f0b0e-0000-4000-8000-00000000c0de';

describe('nova-compute iscsi connector (real tgtd, CHAP)', function () {
  this.timeout(30_000);
  let tgtd: ChildProcess | null = null;
  let dir = '';
  let portal = '';

  before(async function () {
    requireRoot(this, 'a private tgtd');
    await requireTool(this, 'tgtd', 'tgt');
    await requireTool(this, 'iscsi-readcapacity16', 'libiscsi-bin');
    dir = mkdtempSync(join(tmpdir(), 'nova-tgt-'));
    const img = join(dir, 'lun.img');
    writeFileSync(img, '');
    truncateSync(img, 8 * 1024 * 1024);
    const port = await freePort();
    const control = String(20000 + (port % 10000));
    portal = `127.0.0.1:${port}`;
    tgtd = spawn('tgtd', ['-f', '-C', control, '--iscsi', `portal=${portal}`], { stdio: 'ignore' });
    const adm = (...a: string[]) => run('tgtadm', ['-C', control, '--lld', 'iscsi', ...a]);
    await waitFor(async () => { await adm('--op', 'show', '--mode', 'target'); return true; }, 10_000, 'tgtd');
    await adm('--op', 'new', '--mode', 'target', '--tid', '1', '-T', IQN);
    await adm('--op', 'new', '--mode', 'logicalunit', '--tid', '1', '--lun', '1', '-b', img);
    await adm('--op', 'bind', '--mode', 'target', '--tid', '1', '-I', '127.0.0.1');
    await adm('--op', 'new', '--mode', 'account', '--user', 'chapuser1', '--password', 'chapsecret1234');
    await adm('--op', 'bind', '--mode', 'account', '--tid', '1', '--user', 'chapuser1');
  });
  after(() => {
    tgtd?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const data = (password: string, lun = 1) => ({
    target_portal: portal, target_iqn: IQN, target_lun: lun, auth_method: 'CHAP', auth_username: 'chapuser1', auth_password: password,
  });

  it('logs in with CHAP, finds the LUN and returns the by-path device', async () => {
    const c = new ISCSIConnector('iqn.1993-08.org.debian:01:novatest', 10);
    const dev = await c.connectVolume(data('chapsecret1234'));
    expect(dev.path).to.equal(`/dev/disk/by-path/ip-${portal}-iscsi-${IQN}-lun-1`);
    await c.disconnectVolume(data('chapsecret1234'));
  });

  it('fails on a wrong secret without echoing it', async () => {
    const c = new ISCSIConnector('iqn.1993-08.org.debian:01:novatest', 10);
    const err = await c.connectVolume(data('wrongsecret999')).then(() => null, (e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect(err?.message).to.not.contain('wrongsecret999');
  });
});
