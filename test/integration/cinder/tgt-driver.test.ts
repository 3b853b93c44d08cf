// The tgt backend against a real (private) tgtd: after os-initialize_connection a userspace
// initiator (libiscsi's iscsi-readcapacity16) logs in with the returned CHAP credentials and
// reads the volume's size; a wrong password is refused; after os-terminate_connection and
// os-detach the target is gone.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TgtDriver } from '../../../cinder-volume/drivers';
import { existsSync } from 'node:fs';
import { freePort } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';
import { requireTool } from '../../support/servers';

const run = promisify(execFile);
const INITIATOR = 'iqn.1993-08.org.debian:01:cindertest';

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
    expect((await c.action(id, 'os-detach', null)).status).to.equal(202);
    expect(await targets()).to.not.include(data.target_iqn);
    expect((await c.show(id)).status).to.equal('available');

    // os-detach alone also takes the export down
    expect((await c.action(id, 'os-initialize_connection', { connector: { initiator: INITIATOR } })).status).to.equal(200);
    expect(await targets()).to.include(data.target_iqn);
    expect((await c.action(id, 'os-attach', { instance_uuid: '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2', mountpoint: '/dev/vdb' })).status).to.equal(202);
    expect((await c.action(id, 'os-detach', null)).status).to.equal(202);
    expect(await targets()).to.not.include(data.target_iqn);

    expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
    await new Promise((res) => setTimeout(res, 300));
    expect(() => statSync(file)).to.throw();
  });
});
