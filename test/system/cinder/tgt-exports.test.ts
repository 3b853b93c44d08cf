// The tgt backend's exports against a real (private) tgtd: listExports sees exactly the
// targets of exported volumes, a redone os-initialize_connection keeps the same target and
// connection_info, and the reconciler re-creates the lost target of an in-use volume with the
// same CHAP account (a userspace initiator logs in with the original credentials).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TgtDriver } from '../../../cinder-volume/drivers';
import { parseTargets } from '../../../cinder-volume/drivers/tgt-targets';
import { freePort } from '../../support/processes';
import { requireRoot, requireTool } from '../../support/servers';
import { startCinder, type Cinder, type Json } from '../../functional/cinder/cinder-stack';

const run = promisify(execFile);
const INITIATOR = 'iqn.1993-08.org.debian:01:cinderexports';
const CONNECTOR = { connector: { ip: '127.0.0.1', host: 'h', initiator: INITIATOR } };
const SERVER = '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2';

/** A tgtd control port (1000-32767) no other tgtd on this host uses. */
function freeControlPort(): number {
  for (;;) {
    const p = 1000 + Math.floor(Math.random() * 31000);
    if (!existsSync(`/var/run/tgtd/socket.${p}`)) return p;
  }
}

async function readCapacity(data: Json): Promise<number> {
  const url = `iscsi://${encodeURIComponent(data.auth_username)}%${encodeURIComponent(data.auth_password)}@${data.target_portal}/${data.target_iqn}/${data.target_lun}`;
  const { stdout } = await run('iscsi-readcapacity16', ['-i', INITIATOR, url], { timeout: 20_000 });
  return Number(/Total size:(\d+)/.exec(stdout)?.[1]);
}

describe('cinder tgt exports (private tgtd)', function () {
  this.timeout(60_000);
  let c: Cinder;
  let dir = '';
  let tgt: TgtDriver;

  before(async function () {
    requireRoot(this, 'a private tgtd');
    await requireTool(this, 'tgtd', 'tgt');
    await requireTool(this, 'iscsi-readcapacity16', 'libiscsi-bin');
    dir = mkdtempSync(join(tmpdir(), 'cinder-tgt-exports-'));
    c = await startCinder({
      DEFAULT: { enabled_backends: ['tgt'] },
      tgt: { volume_driver: 'tgt', volumes_dir: dir, target_ip_address: '127.0.0.1', target_port: await freePort(), tgt_control_port: freeControlPort() },
    });
    tgt = c.volume.backends[0].driver as TgtDriver;
  });
  after(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const targets = async () => parseTargets(await tgt.tgtadm(['--mode', 'target', '--op', 'show']));

  it('listExports sees exactly the exported volumes; a redone initialize keeps the target; a lost target comes back', async () => {
    const [a, b] = [await c.createVolume(1), await c.createVolume(1)];
    expect(await tgt.listExports()).to.deep.equal([]);
    expect((await c.action(a, 'os-reserve', null)).status).to.equal(202);
    const first = await c.action(a, 'os-initialize_connection', CONNECTOR);
    expect(first.status).to.equal(200);
    expect(await tgt.listExports()).to.deep.equal([a]);
    const before = await targets();
    const again = await c.action(a, 'os-initialize_connection', CONNECTOR);
    expect(again.body.connection_info).to.deep.equal(first.body.connection_info);
    expect(await targets()).to.deep.equal(before);

    expect((await c.action(b, 'os-reserve', null)).status).to.equal(202);
    const infoB = (await c.action(b, 'os-initialize_connection', CONNECTOR)).body.connection_info.data;
    expect((await tgt.listExports()).sort()).to.deep.equal([a, b].sort());
    expect((await c.action(a, 'os-terminate_connection', CONNECTOR)).status).to.equal(202);
    expect(await tgt.listExports()).to.deep.equal([b]);
    expect((await c.action(a, 'os-terminate_connection', CONNECTOR)).status).to.equal(202); // redone: nothing to remove

    // b, in use, loses its target (as when tgtd restarts): the reconciler re-creates it, same CHAP account.
    expect((await c.action(b, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb' })).status).to.equal(202);
    const tid = (await targets()).find((t) => t.iqn === infoB.target_iqn)!.tid;
    await tgt.tgtadm(['--mode', 'target', '--op', 'delete', '--force', '--tid', String(tid)]);
    expect(await tgt.listExports()).to.deep.equal([]);
    const pass = await c.volume.backends[0].manager.reconciler.runOnce();
    expect(pass.repaired.map((r) => [r.volume_id, r.problem, r.action])).to.deep.equal([[b, 'missing-export', 're-created the export']]);
    expect(await tgt.listExports()).to.deep.equal([b]);
    expect(await readCapacity(infoB)).to.equal(1024 ** 3);

    expect((await c.action(b, 'os-detach', {})).status).to.equal(202);
    expect(await tgt.listExports()).to.deep.equal([]);
    for (const id of [a, b]) expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
  });
});
