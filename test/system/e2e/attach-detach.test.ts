// End to end: nova-api, nova-compute, cinder-api and cinder-volume as four OS processes over
// RabbitMQ and MariaDB, the tgt iSCSI target with CHAP and nova's iscsi connector logging in.
// Both of Nova's Cinder flows (the attachments API, the default, and the seed's legacy flow):
// attach without a device → /dev/vdb, with /dev/vdc → /dev/vdc, the saved BDM row field by
// field, detach both; then the failure paths.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { linesContaining, watchCmdlines } from '../../support/cmdline-watch';
import { waitFor } from '../../support/processes';
import { legacyConf, type Flow } from '../faults/fault-cluster';
import { Cluster, PROJECT } from './cluster';

interface BdmRow {
  id: number; created_at: Date; updated_at: Date | null; deleted_at: Date | null; device_name: string; delete_on_termination: number;
  snapshot_id: string | null; volume_id: string; volume_size: number | null; no_device: number | null; connection_info: string | null;
  instance_uuid: string; deleted: number; source_type: string; destination_type: string; attachment_id: string | null;
}

for (const flow of ['attachments', 'legacy'] as Flow[]) describe(`e2e (${flow} flow): attach and detach across four processes (RabbitMQ, MariaDB, tgt)`, function () {
  this.timeout(180_000);
  const cluster = new Cluster();

  before(async function () {
    // Lost dependencies are given up on after 4 s here: the cinder-volume-down path ends sooner.
    await cluster.start(this, { connector: 'iscsi', rpcTimeout: 5, novaConf: ['volume_op_retry_timeout = 4', ...legacyConf(flow)] });
  });
  after(async () => {
    await cluster.stop();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(cluster.logs());
  });

  const attach = (sid: string, volumeId: string, device?: string) =>
    cluster.req('nova', 'POST', `/v2.1/servers/${sid}/os-volume_attachments`, { volumeAttachment: device ? { volumeId, device } : { volumeId } });
  const bdms = (volumeId: string) => cluster.novaQuery<BdmRow>('SELECT * FROM block_device_mapping WHERE volume_id = ? ORDER BY id', [volumeId]);

  it('attaches two volumes as in the seed, saves connection_info in both rows, detaches both', async () => {
    const sid = await cluster.createServer('seed');
    const v1 = await cluster.createVolume();
    const v2 = await cluster.createVolume();

    const a1 = await attach(sid, v1);
    expect(a1.status, JSON.stringify(a1.body)).to.equal(200);
    expect(a1.body.volumeAttachment).to.deep.equal({ id: v1, serverId: sid, volumeId: v1, device: '/dev/vdb' });
    const a2 = await attach(sid, v2, '/dev/vdc');
    expect(a2.status, JSON.stringify(a2.body)).to.equal(200);
    expect(a2.body.volumeAttachment.device).to.equal('/dev/vdc');
    await cluster.waitVolume(v1, 'in-use');
    await cluster.waitVolume(v2, 'in-use');
    await waitFor(async () => (await bdms(v2))[0]?.connection_info, 10_000, 'connection_info saved', 100);

    for (const [vid, dev] of [[v1, '/dev/vdb'], [v2, '/dev/vdc']]) {
      const rows = await bdms(vid);
      expect(rows).to.have.length(1);
      const r = rows[0];
      expect(r).to.include({ device_name: dev, volume_id: vid, instance_uuid: sid, source_type: 'volume', destination_type: 'volume',
        delete_on_termination: 0, snapshot_id: null, volume_size: null, no_device: null, deleted: 0, deleted_at: null });
      expect(r.created_at).to.be.instanceOf(Date);
      expect(r.updated_at).to.be.instanceOf(Date);
      const info = JSON.parse(r.connection_info as string);
      expect(Object.keys(info).slice(0, 3)).to.deep.equal(['driver_volume_type', 'serial', 'data']);
      expect(info.driver_volume_type).to.equal('iscsi');
      expect(info.serial).to.equal(vid);
      const d = info.data;
      expect(d).to.include({ access_mode: 'rw', target_discovered: false, encrypted: false, qos_specs: null, volume_id: vid, target_lun: 1, auth_method: 'CHAP' });
      expect(d.target_iqn).to.equal(`iqn.2010-10.org.openstack:volume-${vid}`);
      expect(d.target_portal).to.match(/^127\.0\.0\.1:\d+$/);
      expect(d.auth_username).to.be.a('string').and.not.empty;
      expect(d.auth_password).to.be.a('string').and.not.empty;
      expect(d.device_path).to.equal(`/dev/disk/by-path/ip-${d.target_portal}-iscsi-${d.target_iqn}-lun-1`);
      // The attachments flow keeps Cinder's attachment id on the row; the legacy flow has none.
      const cinderAtt = (await cluster.req('cinder', 'GET', `/volumes/${vid}`)).body.volume.attachments[0].attachment_id;
      expect(r.attachment_id).to.equal(flow === 'attachments' ? cinderAtt : null);
    }
    // The compute's log never shows the CHAP secret.
    const secret = JSON.parse((await bdms(v1))[0].connection_info as string).data.auth_password as string;
    expect(cluster.daemons.get('nova-compute')?.output()).to.not.contain(secret);

    const vol = (await cluster.req('cinder', 'GET', `/volumes/${v1}`)).body.volume;
    expect(vol.attachments.map((a: { server_id: string; device: string }) => [a.server_id, a.device])).to.deep.equal([[sid, '/dev/vdb']]);

    for (const vid of [v1, v2]) {
      expect((await cluster.req('nova', 'DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${vid}`)).status).to.equal(202);
    }
    await cluster.waitVolume(v1, 'available');
    await cluster.waitVolume(v2, 'available');
    await waitFor(async () => (await bdms(v2))[0]?.deleted !== 0, 10_000, 'BDM soft-deleted', 100);
    for (const vid of [v1, v2]) {
      const [r] = await bdms(vid);
      expect(r.deleted).to.equal(r.id);
      expect(r.deleted_at).to.be.instanceOf(Date);
    }
    expect((await cluster.req('nova', 'GET', `/v2.1/servers/${sid}/os-volume_attachments`)).body.volumeAttachments).to.deep.equal([]);
    expect(await cluster.exportsOf([v1, v2])).to.deep.equal([]);
  });

  if (flow === 'legacy') it('one attach on four processes: every log line of it carries the nova-api request id as the global id, and one trace joins their spans', async () => {
    const sid = await cluster.createServer('ids');
    const vid = await cluster.createVolume();
    // The APIs log a request after answering it: a marked request, once logged, shows that the
    // set-up's lines are all out (a pipe keeps a process's order).
    for (const [service, name, path] of [['nova', 'nova-api', `/v2.1/servers/${sid}`], ['cinder', 'cinder-api', `/volumes/${vid}`]] as const) {
      const marker = `req-${randomUUID()}`;
      await cluster.req(service, 'GET', path, undefined, { 'X-OpenStack-Request-ID': marker });
      await waitFor(() => cluster.daemons.get(name)!.output().includes(`[${marker} `), 5000, `${name} logged the marker`, 50);
    }
    const mark = new Map([...cluster.daemons].map(([n, d]) => [n, d.output().length]));
    const r = await attach(sid, vid);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const reqId = r.headers.get('x-openstack-request-id') as string;
    expect(reqId).to.match(/^req-[0-9a-f-]{36}$/);
    // Waiting on the databases, not the APIs: no other request logs in this window.
    await waitFor(async () => (await bdms(vid))[0]?.connection_info && (await cluster.novaQuery<{ attach_state: string | null }>(
      'SELECT attach_state FROM block_device_mapping WHERE volume_id = ? AND deleted = 0', [vid]))[0]?.attach_state === null, 20_000, 'attach settled', 100);
    await waitFor(async () => (await cluster.cinderQuery<{ status: string }>('SELECT status FROM volumes WHERE id = ?', [vid]))[0]?.status === 'in-use', 20_000, 'in-use', 100);
    const ours = new RegExp(`\\[${reqId} req-[0-9a-f-]{36} ${PROJECT} ${PROJECT} - - -\\]`);
    for (const name of ['nova-api', 'nova-compute', 'cinder-api', 'cinder-volume']) {
      const out = cluster.daemons.get(name)!.output().slice(mark.get(name));
      // Its lines: those with a request context, and any naming the volume.
      const lines = out.split('\n').filter((l) => / \[req-/.test(l) || l.includes(vid));
      expect(lines.length, `${name} logged nothing of the attach`).to.be.greaterThan(0);
      for (const l of lines) expect(l, `${name}: ${l}`).to.match(ours);
    }
    // Their spans: Nova's in the nova database, Cinder's in the cinder one, one trace id.
    const spansOf = async (service: 'nova' | 'cinder') => (await cluster.req(service, 'GET', `${service === 'nova' ? '/v2.1' : ''}/os-traces/${reqId}`, undefined,
      { 'X-Auth-Token': 'admin:admin' })).body.spans as Array<{ service: string; traceId: string; kind: string; name: string }>;
    const entries = ['nova-api POST', 'nova-compute attach_volume', 'cinder-api POST', 'cinder-volume initialize_connection', 'cinder-volume attach_volume'];
    let spans: Array<{ service: string; traceId: string; kind: string; name: string }> = [];
    // Each process writes its spans every half second: wait for the last ones.
    await waitFor(async () => {
      spans = [...await spansOf('nova'), ...await spansOf('cinder')];
      const served = new Set(spans.filter((s) => s.kind === 'server' || s.kind === 'consumer').map((s) => `${s.service} ${s.name}`));
      return entries.every((e) => served.has(e));
    }, 10_000, 'the entry spans of all four processes', 200);
    expect(new Set(spans.map((s) => s.traceId)).size).to.equal(1);
  });

  it('no CHAP secret ever appears on a process\'s command line during an attach and a detach', async () => {
    const sid = await cluster.createServer('cmdline');
    const vid = await cluster.createVolume();
    const watch = await watchCmdlines();
    let lines: string[];
    let secrets: string[];
    try {
      expect((await attach(sid, vid)).status).to.equal(200);
      await cluster.waitVolume(vid, 'in-use');
      const row = await waitFor(async () => (await bdms(vid)).find((b) => b.deleted === 0 && b.connection_info), 10_000, 'connection_info', 100);
      const data = JSON.parse(row?.connection_info as string).data as { auth_username: string; auth_password: string };
      secrets = [data.auth_password];
      expect((await cluster.req('nova', 'DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${vid}`)).status).to.equal(202);
      await cluster.waitVolume(vid, 'available');
    } finally {
      lines = await watch.stop();
    }
    expect(lines.length, 'the watcher saw the processes of this run').to.be.greaterThan(4);
    expect(linesContaining(lines, secrets)).to.deep.equal([]);
  });

  it('attaching an in-use volume → 400 (the seed\'s message, or Nova\'s _check_volume_already_attached)', async () => {
    const s1 = await cluster.createServer('inuse1');
    const s2 = await cluster.createServer('inuse2');
    const v = await cluster.createVolume();
    expect((await attach(s1, v)).status).to.equal(200);
    await cluster.waitVolume(v, 'in-use');
    const r = await attach(s2, v);
    expect(r.status).to.equal(400);
    if (flow === 'legacy') expect(r.body).to.deep.equal({ badRequest: { code: 400, message: "Invalid volume: status must be 'available'" } });
    else {
      expect(r.body.badRequest.code).to.equal(400);
      expect(r.body.badRequest.message).to.equal(`Invalid volume: volume ${v} is already attached to instances: ${s1}`);
    }
    expect((await bdms(v)).filter((b) => b.deleted === 0)).to.have.length(1);
  });

  it('virt attach failing → host disconnected, volume available, no BDM row', async () => {
    const sid = await cluster.createServer('virtfail', { fake_fail: 'attach_volume' });
    const v = await cluster.createVolume();
    expect((await attach(sid, v)).status).to.equal(200);
    await waitFor(async () => (await bdms(v)).length === 0, 30_000, 'BDM removed', 200);
    await cluster.waitVolume(v, 'available');
    expect(cluster.daemons.get('nova-compute')?.output()).to.contain(`Failed to attach volume ${v} to the guest`);
  });

  it('10 concurrent attaches: one volume to 10 servers → one wins; 10 volumes to one server → 10 devices', async () => {
    const servers = await Promise.all(Array.from({ length: 10 }, (_, i) => cluster.createServer(`c${i}`)));
    const v = await cluster.createVolume();
    const res = await Promise.all(servers.map((sid) => attach(sid, v)));
    expect(res.filter((r) => r.status === 200)).to.have.length(1);
    expect(res.filter((r) => r.status === 400)).to.have.length(9);
    await cluster.waitVolume(v, 'in-use');

    const vols = await Promise.all(Array.from({ length: 10 }, () => cluster.createVolume()));
    const many = await Promise.all(vols.map((vid) => attach(servers[1], vid)));
    expect(many.map((r) => r.status)).to.deep.equal(Array(10).fill(200));
    expect(new Set(many.map((r) => r.body.volumeAttachment.device)).size).to.equal(10);
    for (const vid of vols) await cluster.waitVolume(vid, 'in-use', 60_000);
  });

  it('deleting a server with attached volumes leaves every volume available', async () => {
    const sid = await cluster.createServer('del');
    const vols = [await cluster.createVolume(), await cluster.createVolume()];
    for (const vid of vols) expect((await attach(sid, vid)).status).to.equal(200);
    for (const vid of vols) await cluster.waitVolume(vid, 'in-use');
    expect((await cluster.req('nova', 'DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await waitFor(async () => (await cluster.req('nova', 'GET', `/v2.1/servers/${sid}`)).status === 404, 30_000, 'server gone', 200);
    for (const vid of vols) await cluster.waitVolume(vid, 'available');
  });

  it('cinder-volume stopped during attach → once the retries give up, the attach is rolled back: volume available, no BDM row', async () => {
    const sid = await cluster.createServer('cvdown');
    const v = await cluster.createVolume();
    expect(await cluster.stopDaemon('cinder-volume')).to.equal(0);
    try {
      expect((await attach(sid, v)).status).to.equal(200);
      await waitFor(async () => (await bdms(v)).length === 0, 60_000, 'BDM removed after the retries', 250);
      await cluster.waitVolume(v, 'available');
    } finally {
      await cluster.startDaemon('cinder-volume');
    }
  });
});
