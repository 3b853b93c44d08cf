// Fault injection: each of the four services is killed with SIGKILL at each step of an attach,
// a detach, a swap, an extend and nova-api's local server delete (a test pause point stops it
// exactly there), then started again. Within a bounded time the cluster must have no drift at
// all (drift.ts: no volume in flight, every BDM row matched by a Cinder attachment and back, no
// export without an attachment, one tgtd; after an extend or a delete also no quota left
// reserved and no server left with a task), nova-manage's own audit must agree, and a fresh
// attach and detach (or extend) of the same volume must work, after which fullDrift (the
// broker's queues included) finds nothing. Real RabbitMQ, MariaDB and tgtd; the services as
// separate processes.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../support/processes';
import { fullDrift, waitNoDrift } from './drift';
import {
  SWAP_STEPS, REBUILD_STEPS, ATTACH_STEPS, ATTACH_STEPS_V3, CONVERGE_MS, DETACH_STEPS, DETACH_STEPS_V3, EXTEND_STEPS, GROUP_STEPS, MANAGE_STEPS, RETYPE_STEPS, SNAPSHOT_MANAGE_STEPS, SNAPSHOT_STEPS, LOCAL_DELETE_STEPS, LOST_CAST_TIMEOUT,
  faultCluster, killAt, waitComputeDown, type Flow, type Service,
} from './fault-cluster';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');
/** nova-api's service_down_time here (heartbeats every 2 s): a compute kept down is counted down soon. */
const SERVICE_DOWN_TIME = 10;
const ADMIN = { 'X-Auth-Token': 'admin:demo' };

const FLOWS: Array<[Flow, Array<[string, string]>, Array<[string, string]>]> = [
  ['attachments', ATTACH_STEPS_V3, DETACH_STEPS_V3],
  ['legacy', ATTACH_STEPS, DETACH_STEPS],
];

for (const [flow, attachSteps, detachSteps] of FLOWS) describe(`faults (${flow} flow): kill -9 of each service at each step of an attach and a detach`, function () {
  this.timeout(20 * 60_000);
  const controlRoot = mkdtempSync(join(tmpdir(), 'attachd-pause-'));
  const { cluster, opts } = faultCluster(controlRoot, flow);
  let server = '';

  before(async function () {
    await cluster.start(this, { ...opts, novaConf: [...(opts?.novaConf ?? []), '[DEFAULT]', `service_down_time = ${SERVICE_DOWN_TIME}`] });
    server = await cluster.createServer('faults');
  });
  after(async () => {
    await cluster.stop();
    rmSync(controlRoot, { recursive: true, force: true });
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(cluster.logs());
  });

  const attach = (vid: string) => cluster.req('nova', 'POST', `/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } });
  /** At 2.60, which a multiattach volume needs. */
  const attachTo = (to: string, vid: string) => cluster.req('nova', 'POST', `/v2.1/servers/${to}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } },
    { 'X-OpenStack-Nova-API-Version': '2.60' });
  const detach = (vid: string) => cluster.req('nova', 'DELETE', `/v2.1/servers/${server}/os-volume_attachments/${vid}`);

  async function novaManageAudit(): Promise<{ code: number; out: string }> {
    try {
      const { stdout } = await run(process.execPath, [join(BIN, 'nova-manage.js'), '--config-file', cluster.configOf('nova'), 'volume_attachment', 'audit', '--json'],
        { env: { ...process.env, ...cluster.serverEnv }, timeout: 60_000 });
      return { code: 0, out: stdout };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  }

  async function convergedAndUsable(vid: string): Promise<void> {
    await waitNoDrift(cluster, CONVERGE_MS);
    const audit = await novaManageAudit();
    expect(audit.code, audit.out).to.equal(0);
    // Finished or rolled back, both are consistent: an attach that went through is detached first.
    if ((await cluster.volumeStatus(vid)) === 'in-use') {
      expect((await detach(vid)).status).to.equal(202);
      await cluster.waitVolume(vid, 'available');
    }
    // A fresh attach and detach of the same volume and server.
    const a = await attach(vid);
    expect(a.status, JSON.stringify(a.body)).to.equal(200);
    await cluster.waitVolume(vid, 'in-use');
    expect((await detach(vid)).status).to.equal(202);
    await cluster.waitVolume(vid, 'available');
    await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
  }

  for (const [svc, point] of attachSteps as Array<[Service, string]>) {
    it(`attach: ${svc} killed at ${point}`, async () => {
      const vid = await cluster.createVolume();
      await killAt(cluster, controlRoot, svc, point, () => attach(vid));
      await convergedAndUsable(vid);
    });
  }

  // A swap from an attached volume to a new one: rolled back (old volume in-use, new available)
  // or finished (new in-use, old available), and both volumes usable afterwards.
  for (const [svc, point] of SWAP_STEPS) {
    it(`swap: ${svc} killed at ${point}`, async () => {
      const [from, to] = [await cluster.createVolume(), await cluster.createVolume()];
      expect((await attach(from)).status).to.equal(200);
      await cluster.waitVolume(from, 'in-use');
      await waitNoDrift(cluster, CONVERGE_MS);
      const admin = { 'X-Auth-Token': 'admin:demo' };
      await killAt(cluster, controlRoot, svc, point, () =>
        cluster.req('nova', 'PUT', `/v2.1/servers/${server}/os-volume_attachments/${from}`, { volumeAttachment: { volumeId: to } }, admin));
      await waitNoDrift(cluster, CONVERGE_MS);
      const statuses = [await cluster.volumeStatus(from), await cluster.volumeStatus(to)];
      expect([['in-use', 'available'], ['available', 'in-use']]).to.deep.include(statuses);
      await convergedAndUsable(statuses[0] === 'in-use' ? from : to);
      await convergedAndUsable(statuses[0] === 'in-use' ? to : from);
    });
  }

  for (const [svc, point] of detachSteps as Array<[Service, string]>) {
    it(`detach: ${svc} killed at ${point}`, async () => {
      const vid = await cluster.createVolume();
      expect((await attach(vid)).status).to.equal(200);
      await cluster.waitVolume(vid, 'in-use');
      await waitNoDrift(cluster, CONVERGE_MS);
      await killAt(cluster, controlRoot, svc, point, () => detach(vid));
      await convergedAndUsable(vid);
    });
  }

  // An extend cut short (Nova takes no part: one flow is enough) goes back with its size and
  // leaves nothing reserved (fullDrift: usages match the rows, reserved 0) long before
  // reservation_expire. A restarted cinder-volume repairs at its start; under a killed
  // cinder-api, the running cinder-volume waits out lost_cast_timeout.
  if (flow === 'attachments') for (const [svc, point] of EXTEND_STEPS) {
    it(`extend: ${svc} killed at ${point}`, async () => {
      const vid = await cluster.createVolume();
      const extend = () => cluster.req('cinder', 'POST', `/volumes/${vid}/action`, { 'os-extend': { new_size: 2 } });
      const shown = async () => (await cluster.req('cinder', 'GET', `/volumes/${vid}`)).body.volume as { status: string; size: number };
      await killAt(cluster, controlRoot, svc, point, extend);
      await waitNoDrift(cluster, LOST_CAST_TIMEOUT * 1000 + CONVERGE_MS, fullDrift);
      expect(await shown()).to.include({ status: 'available', size: 1 });
      expect((await extend()).status).to.equal(202);
      await waitFor(async () => { const v = await shown(); return v.status === 'available' && v.size === 2; }, 30_000, `volume ${vid} extended`, 200);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
    });
  }

  // A retype cut short goes back with its old type, and the per-type quota it moved is given
  // back (fullDrift counts volumes_<type> and gigabytes_<type> against the rows); then a retype
  // goes through and counts once.
  if (flow === 'attachments') for (const [svc, point] of RETYPE_STEPS) {
    it(`retype: ${svc} killed at ${point}`, async () => {
      const admin = { 'X-Auth-Token': 'admin:demo' };
      const name = `kill-${point.split('.')[0]}`;
      const made = await cluster.req('cinder', 'POST', '/types', { volume_type: { name, extra_specs: { 'vendor:tier': name } } }, admin);
      expect([200, 409]).to.include(made.status);
      const vid = await cluster.createVolume();
      const retype = () => cluster.req('cinder', 'POST', `/volumes/${vid}/action`, { 'os-retype': { new_type: name } });
      const shown = async () => (await cluster.req('cinder', 'GET', `/volumes/${vid}`)).body.volume as { status: string; volume_type: string };
      await killAt(cluster, controlRoot, svc, point, retype);
      await waitNoDrift(cluster, LOST_CAST_TIMEOUT * 1000 + CONVERGE_MS, fullDrift);
      expect(await shown()).to.include({ status: 'available', volume_type: '__DEFAULT__' });
      expect((await retype()).status).to.equal(202);
      await waitFor(async () => { const v = await shown(); return v.status === 'available' && v.volume_type === name; }, 30_000, `volume ${vid} retyped`, 200);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
    });
  }

  // A snapshot create or delete cut short after the backend's part: the restarted cinder-volume
  // ends the create in error and finishes the delete at its start; nothing is left in flight and
  // the snapshots usage matches the rows (fullDrift); the volume then goes with cascade.
  if (flow === 'attachments') for (const [svc, point] of SNAPSHOT_STEPS) {
    it(`snapshot: ${svc} killed at ${point}`, async () => {
      const vid = await cluster.createVolume();
      const shown = async (sid: string): Promise<string | number> => {
        const r = await cluster.req('cinder', 'GET', `/snapshots/${sid}`);
        return r.status === 404 ? 404 : r.body.snapshot.status as string;
      };
      const create = () => cluster.req('cinder', 'POST', '/snapshots', { snapshot: { volume_id: vid } });
      let sid = '';
      if (point.includes('create')) {
        await killAt(cluster, controlRoot, svc, point, async () => {
          const r = await create();
          sid = r.body?.snapshot?.id ?? '';
          return r;
        });
      } else {
        const r = await create();
        sid = r.body.snapshot.id as string;
        await waitFor(async () => (await shown(sid)) === 'available', 30_000, `snapshot ${sid} available`, 200);
        await killAt(cluster, controlRoot, svc, point, () => cluster.req('cinder', 'DELETE', `/snapshots/${sid}`));
      }
      await waitNoDrift(cluster, LOST_CAST_TIMEOUT * 1000 + CONVERGE_MS, fullDrift);
      expect(await shown(sid)).to.equal(point.includes('create') ? 'error' : 404);
      expect((await cluster.req('cinder', 'DELETE', `/volumes/${vid}?cascade=true`)).status).to.equal(202);
      await waitFor(async () => (await cluster.req('cinder', 'GET', `/volumes/${vid}`)).status === 404, 30_000, `volume ${vid} deleted`, 200);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
    });
  }

  // A manage cut short after the backend renamed the object: the restarted cinder-volume finds
  // the object is the volume's and finishes it at its start, its quota counted with the status;
  // the usage matches the rows (fullDrift) while it is managing, after, and once it is deleted.
  if (flow === 'attachments') for (const [svc, point] of MANAGE_STEPS) {
    it(`manage: ${svc} killed at ${point}`, async () => {
      const admin = { 'X-Auth-Token': 'admin:demo' };
      const vid = await cluster.createVolume();
      const host = (await cluster.req('cinder', 'GET', `/volumes/${vid}`, undefined, admin)).body.volume['os-vol-host-attr:host'] as string;
      expect((await cluster.req('cinder', 'POST', `/volumes/${vid}/action`, { 'os-unmanage': {} }, admin)).status).to.equal(202);
      await waitFor(async () => (await cluster.req('cinder', 'GET', `/volumes/${vid}`)).status === 404, 30_000, `volume ${vid} unmanaged`, 200);
      let managed = '';
      await killAt(cluster, controlRoot, svc, point, async () => {
        const r = await cluster.req('cinder', 'POST', '/os-volume-manage', { volume: { host, ref: { 'source-name': `volume-${vid}` } } }, admin);
        managed = r.body?.volume?.id ?? '';
        return r;
      });
      await waitNoDrift(cluster, LOST_CAST_TIMEOUT * 1000 + CONVERGE_MS, fullDrift);
      expect(await cluster.volumeStatus(managed)).to.equal('available');
      expect((await cluster.req('cinder', 'DELETE', `/volumes/${managed}`)).status).to.equal(202);
      await waitFor(async () => (await cluster.req('cinder', 'GET', `/volumes/${managed}`)).status === 404, 30_000, `volume ${managed} deleted`, 200);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
    });
  }

  // A group's create, update and delete, with the kill at one step: each records its intent
  // before its cast, so the restarted service, or the running cinder-volume once the cast is
  // lost (lost_cast_timeout), finishes it. The group's and its volumes' rows and the `groups`
  // usage agree after each (fullDrift).
  if (flow === 'attachments') for (const [svc, point] of GROUP_STEPS) {
    it(`group: ${svc} killed at ${point}`, async () => {
      const h = { 'X-Auth-Token': 'admin:demo', 'OpenStack-API-Version': 'volume 3.25' };
      const wait = LOST_CAST_TIMEOUT * 1000 + CONVERGE_MS;
      const shown = async (gid: string): Promise<{ status: string; volumes: string[] } | 404> => {
        const r = await cluster.req('cinder', 'GET', `/groups/${gid}?list_volume=True`, undefined, h);
        return r.status === 404 ? 404 : r.body.group;
      };
      const step = (p: string, send: () => Promise<{ status: number; body: { group?: { id?: string } } }>) => (p === point ? killAt(cluster, controlRoot, svc, point, send) : send());
      const gt = (await cluster.req('cinder', 'POST', '/group_types', { group_type: { name: `gt-${point}` } }, h)).body.group_type.id as string;
      let gid = '';
      await step('cinder-api.group_create.after-row', async () => {
        const r = await cluster.req('cinder', 'POST', '/groups', { group: { group_type: gt, volume_types: ['__DEFAULT__'] } }, h);
        gid = r.body?.group?.id ?? '';
        return r;
      });
      // A cinder-api killed before it answered: the row it wrote is found by its group type.
      if (!gid) gid = (await cluster.req('cinder', 'GET', `/groups?group_type_id=${gt}`, undefined, h)).body.groups[0]?.id ?? '';
      expect(gid, 'the group row written before the kill').to.not.equal('');
      await waitFor(async () => ((await shown(gid)) as { status: string }).status === 'available', wait, `group ${gid} available`, 200);
      const inGroup = (await cluster.req('cinder', 'POST', '/volumes', { volume: { size: 1, volume_type: '__DEFAULT__', group_id: gid } }, h)).body.volume.id as string;
      const loose = await cluster.createVolume();
      await cluster.waitVolume(inGroup, 'available');
      await step('cinder-api.group_update.after-mark', () => cluster.req('cinder', 'PUT', `/groups/${gid}`, { group: { add_volumes: loose } }, h));
      await waitFor(async () => ((await shown(gid)) as { status: string }).status === 'available', wait, `group ${gid} updated`, 200);
      expect(((await shown(gid)) as { volumes: string[] }).volumes.sort()).to.deep.equal([inGroup, loose].sort());
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
      // A copy of the group (create-from-src): available, or in error with its clones when the
      // cast was lost (a lost create ends in error, as init_host); deleted with its clones.
      let copy = '';
      await step('cinder-api.group_create_from_src.after-rows', async () => {
        const r = await cluster.req('cinder', 'POST', '/groups/action', { 'create-from-src': { source_group_id: gid } }, h);
        copy = r.body?.group?.id ?? '';
        return r;
      });
      if (!copy) copy = (await cluster.req('cinder', 'GET', `/groups?source_group_id=${gid}`, undefined, h)).body.groups[0]?.id ?? '';
      expect(copy, 'the copy written before the kill').to.not.equal('');
      await waitFor(async () => ['available', 'error'].includes(((await shown(copy)) as { status: string }).status), wait, `group ${copy} settled`, 200);
      expect(((await shown(copy)) as { volumes: string[] }).volumes).to.have.length(2);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
      expect((await cluster.req('cinder', 'POST', `/groups/${copy}/action`, { delete: { 'delete-volumes': true } }, h)).status).to.equal(202);
      await waitFor(async () => (await shown(copy)) === 404, wait, `group ${copy} deleted`, 200);
      // A group snapshot, made and deleted: available (or error when its cast was lost), then gone with its snapshots.
      let gs = '';
      await step('cinder-api.group_snapshot_create.after-rows', async () => {
        const r = await cluster.req('cinder', 'POST', '/group_snapshots', { group_snapshot: { group_id: gid } }, h);
        gs = (r.body as { group_snapshot?: { id?: string } })?.group_snapshot?.id ?? '';
        return r;
      });
      if (!gs) gs = (await cluster.req('cinder', 'GET', `/group_snapshots/detail?group_id=${gid}`, undefined, { ...h, 'OpenStack-API-Version': 'volume 3.29' })).body.group_snapshots[0]?.id ?? '';
      expect(gs, 'the group snapshot written before the kill').to.not.equal('');
      const gsStatus = async (): Promise<string | 404> => {
        const r = await cluster.req('cinder', 'GET', `/group_snapshots/${gs}`, undefined, h);
        return r.status === 404 ? 404 : r.body.group_snapshot.status as string;
      };
      await waitFor(async () => ['available', 'error'].includes(String(await gsStatus())), wait, `group snapshot ${gs} settled`, 200);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
      const gsDel = () => cluster.req('cinder', 'DELETE', `/group_snapshots/${gs}`, undefined, h);
      await (point === 'cinder-api.group_snapshot_delete.after-mark' || point === 'cinder-volume.delete_group_snapshot.after-snapshots' ? killAt(cluster, controlRoot, svc, point, gsDel) : gsDel());
      await waitFor(async () => (await gsStatus()) === 404, wait, `group snapshot ${gs} deleted`, 200);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
      const del = () => cluster.req('cinder', 'POST', `/groups/${gid}/action`, { delete: { 'delete-volumes': true } }, h);
      await (point === 'cinder-api.group_delete.after-mark' || point === 'cinder-volume.delete_group.after-volumes' ? killAt(cluster, controlRoot, svc, point, del) : del());
      await waitFor(async () => (await shown(gid)) === 404, wait, `group ${gid} deleted`, 200);
      for (const v of [inGroup, loose]) expect((await cluster.req('cinder', 'GET', `/volumes/${v}`)).status).to.equal(404);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
      expect((await cluster.req('cinder', 'DELETE', `/group_types/${gt}`, undefined, h)).status).to.equal(202);
    });
  }

  // A snapshot manage cut short after the backend renamed the object: the restarted cinder-volume
  // ends the snapshot in error at its start, as any snapshot left creating; it stays counted
  // (fullDrift), and deleting it, then its volume, leaves nothing.
  if (flow === 'attachments') for (const [svc, point] of SNAPSHOT_MANAGE_STEPS) {
    it(`snapshot manage: ${svc} killed at ${point}`, async () => {
      const admin = { 'X-Auth-Token': 'admin:demo' };
      const vid = await cluster.createVolume();
      const shown = async (sid: string): Promise<string | number> => {
        const r = await cluster.req('cinder', 'GET', `/snapshots/${sid}`);
        return r.status === 404 ? 404 : r.body.snapshot.status as string;
      };
      const old = (await cluster.req('cinder', 'POST', '/snapshots', { snapshot: { volume_id: vid } })).body.snapshot.id as string;
      await waitFor(async () => (await shown(old)) === 'available', 30_000, `snapshot ${old} available`, 200);
      expect((await cluster.req('cinder', 'POST', `/snapshots/${old}/action`, { 'os-unmanage': {} }, admin)).status).to.equal(202);
      await waitFor(async () => (await shown(old)) === 404, 30_000, `snapshot ${old} unmanaged`, 200);
      let sid = '';
      await killAt(cluster, controlRoot, svc, point, async () => {
        const r = await cluster.req('cinder', 'POST', '/os-snapshot-manage', { snapshot: { volume_id: vid, ref: { 'source-name': `snapshot-${old}` } } }, admin);
        sid = r.body?.snapshot?.id ?? '';
        return r;
      });
      await waitNoDrift(cluster, LOST_CAST_TIMEOUT * 1000 + CONVERGE_MS, fullDrift);
      expect(await shown(sid)).to.equal('error');
      expect((await cluster.req('cinder', 'DELETE', `/snapshots/${sid}`)).status).to.equal(202);
      await waitFor(async () => (await shown(sid)) === 404, 30_000, `snapshot ${sid} deleted`, 200);
      expect((await cluster.req('cinder', 'DELETE', `/volumes/${vid}`)).status).to.equal(202);
      await waitFor(async () => (await cluster.req('cinder', 'GET', `/volumes/${vid}`)).status === 404, 30_000, `volume ${vid} deleted`, 200);
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
    });
  }

  // A rebuild with a volume attached (no Cinder step: one flow is enough), cut short before its
  // cast, after the guest was destroyed, or spawned without its volume yet: the compute redoes it
  // whole from the task state (at its start, or after pending_volume_op_timeout for a lost cast);
  // the server ends active with the volume's disk in the guest, still in-use on its attachment.
  if (flow === 'attachments') for (const [svc, point] of REBUILD_STEPS) {
    it(`rebuild with a volume attached: ${svc} killed at ${point}`, async () => {
      const vid = await cluster.createVolume();
      expect((await attach(vid)).status).to.equal(200);
      await cluster.waitVolume(vid, 'in-use');
      await waitNoDrift(cluster, CONVERGE_MS);
      await killAt(cluster, controlRoot, svc, point, () =>
        cluster.req('nova', 'POST', `/v2.1/servers/${server}/action`, { rebuild: { imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', name: `rebuilt-${point}` } }));
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
      const shown = (await cluster.req('nova', 'GET', `/v2.1/servers/${server}`)).body.server as Record<string, unknown>;
      expect([shown.status, shown.name]).to.deep.equal(['ACTIVE', `rebuilt-${point}`]);
      const log = await cluster.req('nova', 'POST', `/v2.1/servers/${server}/action`, { 'os-getConsoleOutput': {} });
      expect(log.body.output).to.match(/\[vdb\]/);
      expect(await cluster.volumeStatus(vid)).to.equal('in-use');
      await convergedAndUsable(vid);
    });
  }

  // A server deleted by nova-api itself (its compute down), nova-api killed after it released
  // the first volume and before that row went: the server was put 'deleting' first, so the
  // compute's reconciler finishes the delete once it is back, with no second DELETE. In the
  // attachments flow that first volume is multiattach, kept by a second server: the redo must
  // not take that server's attachment (nor put the volume 'detaching').
  for (const [svc, point] of LOCAL_DELETE_STEPS) {
    it(`server delete with its compute down: ${svc} killed at ${point}`, async () => {
      const victim = await cluster.createServer('faults-local-delete');
      const volumes: string[] = [];
      if (flow === 'attachments') {
        const t = await cluster.req('cinder', 'POST', '/types', { volume_type: { name: 'faults-multiattach', extra_specs: { multiattach: '<is> True' } } }, ADMIN);
        expect(t.status, JSON.stringify(t.body)).to.equal(200);
        const v = await cluster.req('cinder', 'POST', '/volumes', { volume: { size: 1, volume_type: 'faults-multiattach' } });
        expect(v.status, JSON.stringify(v.body)).to.equal(202);
        const shared = v.body.volume.id as string;
        await cluster.waitVolume(shared, 'available');
        const sibling = await cluster.createServer('faults-sibling');
        for (const to of [sibling, victim]) {
          const a = await attachTo(to, shared);
          expect(a.status, JSON.stringify(a.body)).to.equal(200);
          await waitNoDrift(cluster, CONVERGE_MS);
        }
        volumes.push(shared);
      }
      volumes.push(await cluster.createVolume());
      expect((await attachTo(victim, volumes[volumes.length - 1])).status).to.equal(200);
      await waitNoDrift(cluster, CONVERGE_MS);
      await cluster.kill9('nova-compute');
      await waitComputeDown(cluster, (SERVICE_DOWN_TIME + 30) * 1000);
      await killAt(cluster, controlRoot, svc, point, () => cluster.req('nova', 'DELETE', `/v2.1/servers/${victim}`));
      await cluster.startDaemon('nova-compute');
      await waitNoDrift(cluster, CONVERGE_MS, fullDrift);
      expect((await cluster.req('nova', 'GET', `/v2.1/servers/${victim}`)).status).to.equal(404);
      if (flow === 'attachments') expect(await cluster.volumeStatus(volumes[0])).to.equal('in-use');
      expect(await cluster.volumeStatus(volumes[volumes.length - 1])).to.equal('available');
    });
  }
});
