// `nova-manage volume_attachment audit`, the binary, against nova (in-process, SQLite file) and
// the real cinder-api + cinder-volume (fake backend): each kind of drift made by hand is
// reported (text and --json, exit 1), --fix repairs it (a second look finds none), and a
// consistent cloud reports nothing (exit 0).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FakeDriver as FakeVolumeDriver } from '../../../cinder-volume/drivers/fake';
import { CinderDB } from '../../../cinder-common/db-api';
import { BDM_STATES as S } from '../../../nova-common/bdm-states';
import { NovaDB } from '../../../nova-common/db-api';
import { waitFor, writeConfig } from '../../support/processes';
import { startCinder, type Cinder } from '../../functional/cinder/cinder-stack';
import { activeServer, startNova, type Nova } from '../../functional/nova/harness';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');

describe('nova-manage volume_attachment audit: reports and repairs drift between Nova, Cinder and the exports', function () {
  this.timeout(90_000);
  let dir: string;
  let cinder: Cinder;
  let nova: Nova;
  let db: NovaDB;
  let conf: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'));
    cinder = await startCinder();
    const url = `sqlite://${join(dir, 'nova.sqlite')}`;
    // Reconciler at start only: the drift made here stays until the audit repairs it. Intents count
    // as stalled after 30 s (the tests age them by 60 s), so a slow nova-manage start never does it.
    nova = await startNova({ database: { connection: url }, cinder: { endpoint: `${cinder.api.url}/v3/%(project_id)s` },
      compute: { volume_reconcile_interval: 0, pending_volume_op_timeout: 30 } });
    db = new NovaDB(nova.ds);
    conf = writeConfig('nova.conf', ['[DEFAULT]', 'service_down_time = 60', '[database]', `connection = ${url}`,
      '[cinder]', `endpoint = ${cinder.api.url}/v3/%(project_id)s`, '[compute]', 'pending_volume_op_timeout = 30'].join('\n'));
  });
  after(async () => {
    await nova?.stop();
    await cinder?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function audit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await run(process.execPath, [join(BIN, 'nova-manage.js'), '--config-file', conf, 'volume_attachment', 'audit', ...args],
        { env: { ...process.env, NOVA_DATABASE_URL: '' }, timeout: 60_000 });
      return { code: 0, ...r };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }
  const kinds = (out: string): string[] => (JSON.parse(out).drift as Array<{ kind: string }>).map((d) => d.kind).sort();
  const cdb = (): CinderDB => new CinderDB(cinder.ds);
  const attach = (sid: string, vid: string) => nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vid } } });

  it('a consistent cloud: "No drift found.", exit 0', async () => {
    const sid = await activeServer(nova, 'clean');
    const vid = await cinder.createVolume();
    expect((await attach(sid, vid)).status).to.equal(200);
    await waitFor(async () => (await cinder.show(vid)).status === 'in-use', 10_000, 'in-use', 20);
    await waitFor(async () => (await db.bdmByVolumeAndInstance(vid, sid))?.attachState === null, 10_000, 'settled', 20);
    const r = await audit();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('No drift found.\n');
  });

  it('reports each kind of drift (exit 1) and --fix repairs all of it', async () => {
    const sid = await activeServer(nova, 'drifty');
    // stuck-volume: Cinder says attaching, Nova has nothing in flight.
    const stuck = await cinder.createVolume();
    await cdb().volumeConditionalUpdate(stuck, { status: 'available' }, { status: 'attaching' });
    // bdm-without-attachment: Nova's row for a volume Cinder has available.
    const dangling = await cinder.createVolume();
    await db.bdmCreate({ instanceUuid: sid, sourceType: 'volume', destinationType: 'volume', volumeId: dangling, deviceName: '/dev/vdc', connectionInfo: '{"data":{}}' });
    // attachment-without-bdm: a real attach whose row was lost.
    const orphan = await cinder.createVolume();
    expect((await attach(sid, orphan)).status).to.equal(200);
    await waitFor(async () => (await db.bdmByVolumeAndInstance(orphan, sid))?.attachState === null, 10_000, 'settled', 20);
    await db.bdms.delete({ volumeId: orphan });
    // export:export-without-attachment: a leaked export of an available volume.
    const leaked = await cinder.createVolume();
    (cinder.volume.backends[0].driver as FakeVolumeDriver).exports.add(leaked);
    // stalled-intent: an attach nova-api left 'reserving' on a compute that is gone.
    const stalled = await cinder.createVolume();
    await cdb().volumeConditionalUpdate(stalled, { status: 'available' }, { status: 'attaching' });
    const gone = await activeServer(nova, 'on-a-dead-host');
    await db.instances.update({ uuid: gone }, { host: 'dead-host' });
    await db.bdmCreate({ instanceUuid: gone, sourceType: 'volume', destinationType: 'volume', volumeId: stalled, deviceName: '/dev/vdb',
      attachState: S.RESERVING, attachStateAt: new Date(Date.now() - 60_000), attachRequestId: 'req-11111111-2222-4333-8444-555555555555' });

    const text = await audit();
    expect(text.code, text.stderr).to.equal(1);
    for (const v of [stuck, dangling, orphan, leaked, stalled]) expect(text.stdout).to.contain(v);
    const json = await audit('--json');
    expect(json.code).to.equal(1);
    expect(kinds(json.stdout)).to.deep.equal(['attachment-without-bdm', 'bdm-without-attachment', 'export:export-without-attachment', 'stalled-intent', 'stuck-volume']);
    const stalledEntry = (JSON.parse(json.stdout).drift as Array<{ kind: string; detail: string }>).find((d) => d.kind === 'stalled-intent');
    expect(stalledEntry?.detail).to.contain('req-11111111-2222-4333-8444-555555555555').and.contain('compute dead-host is down');

    const fixed = await audit('--fix', '--json');
    expect(fixed.code, fixed.stdout).to.equal(1);
    expect(JSON.parse(fixed.stdout).remaining).to.deep.equal([]);
    for (const v of [stuck, orphan, stalled]) expect((await cinder.show(v)).status).to.equal('available');
    expect(await db.bdmByVolumeAndInstance(dangling, sid)).to.equal(null);
    expect(await db.bdmsOfVolumeExcept(stalled, -1)).to.deep.equal([]);
    expect((cinder.volume.backends[0].driver as FakeVolumeDriver).exports.has(leaked)).to.equal(false);
    const again = await audit();
    expect(again.code).to.equal(0);
  });

  it('an attach in flight is not drift; one stalled on a live compute is reported and left to that compute', async () => {
    const sid = await activeServer(nova, 'inflight');
    const vid = await cinder.createVolume();
    await cdb().volumeConditionalUpdate(vid, { status: 'available' }, { status: 'attaching' });
    const b = await db.bdmCreate({ instanceUuid: sid, sourceType: 'volume', destinationType: 'volume', volumeId: vid, deviceName: '/dev/vdb',
      attachState: S.RESERVED, attachStateAt: new Date() });
    expect((await audit()).code).to.equal(0);
    await db.bdms.update({ id: b.id }, { attachStateAt: new Date(Date.now() - 60_000) });
    const r = await audit('--fix', '--json');
    expect(r.code).to.equal(3);
    const [d] = JSON.parse(r.stdout).drift as Array<{ kind: string; fix: string }>;
    expect(d.kind).to.equal('stalled-intent');
    expect(d.fix).to.equal('left to compute compute1, which is up and owns it');
    // Its compute does take it: one reconciler pass attaches the volume.
    await nova.compute.reconciler.runOnce();
    expect((await cinder.show(vid)).status).to.equal('in-use');
    expect((await audit()).code).to.equal(0);
  });

  it('Cinder unreachable: exit 2 and one line', async () => {
    const bad = writeConfig('nova.conf', ['[database]', `connection = sqlite://${join(dir, 'nova.sqlite')}`, '[cinder]', 'endpoint = http://127.0.0.1:9/v3/%(project_id)s'].join('\n'));
    const r = await run(process.execPath, [join(BIN, 'nova-manage.js'), '--config-file', bad, 'volume_attachment', 'audit'], { timeout: 60_000 })
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/^nova-manage: cannot audit: /);
  });
});
