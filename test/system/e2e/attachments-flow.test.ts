// Nova's current attach flow end to end on four processes (RabbitMQ, MariaDB, tgt): the
// attachments API with each BDM row naming its Cinder attachment, multiattach (2.60) with
// three servers on one volume, the asynchronous attach of 2.101, and volumes attached by the
// legacy flow still detaching by it once nova-api switched flows; swap volume (admin) and its
// rollback.
import { expect } from 'chai';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { waitFor } from '../../support/processes';
import { Cluster } from './cluster';

interface Attachment { id: string; status: string; instance: string; volume_id: string }
interface BdmRow { id: number; volume_id: string; instance_uuid: string; deleted: number; attachment_id: string | null; attach_state: string | null }

describe('e2e: the attachments flow, multiattach and the async attach of 2.101', function () {
  this.timeout(180_000);
  const cluster = new Cluster();

  before(async function () {
    await cluster.start(this, { connector: 'iscsi', rpcTimeout: 5 });
  });
  after(async () => {
    await cluster.stop();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(cluster.logs());
  });

  const mv = (v: string): Record<string, string> => ({ 'OpenStack-API-Version': `compute ${v}` });
  const attach = (sid: string, volumeId: string, version = '2.1') =>
    cluster.req('nova', 'POST', `/v2.1/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId } }, mv(version));
  const detach = (sid: string, volumeId: string) => cluster.req('nova', 'DELETE', `/v2.1/servers/${sid}/os-volume_attachments/${volumeId}`);
  const liveRows = (volumeId: string) => cluster.novaQuery<BdmRow>('SELECT * FROM block_device_mapping WHERE volume_id = ? AND deleted = 0 ORDER BY id', [volumeId]);
  const attachmentsAtCinder = async (volumeId: string): Promise<Attachment[]> =>
    (await cluster.req('cinder', 'GET', `/attachments?volume_id=${volumeId}`, undefined, { 'OpenStack-API-Version': 'volume 3.44' })).body.attachments;
  /** A volume of a type with multiattach="<is> True" (an admin makes the type). */
  const multiattachVolume = async (): Promise<string> => {
    const admin = { 'X-Auth-Token': 'admin:demo' };
    const t = await cluster.req('cinder', 'POST', '/types', { volume_type: { name: `multiattach-${Date.now()}`, extra_specs: { multiattach: '<is> True' } } }, admin);
    expect(t.status, JSON.stringify(t.body)).to.equal(200);
    const r = await cluster.req('cinder', 'POST', '/volumes', { volume: { size: 1, volume_type: t.body.volume_type.name } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body.volume.multiattach).to.equal(true);
    await cluster.waitVolume(r.body.volume.id, 'available');
    return r.body.volume.id as string;
  };

  it('2.101: 202 without a body, then the volume goes in-use with the row naming its attachment', async () => {
    const sid = await cluster.createServer('async');
    const vid = await cluster.createVolume();
    const r = await attach(sid, vid, '2.101');
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body).to.equal(null);
    await cluster.waitVolume(vid, 'in-use');
    const [row] = await waitFor(async () => (await liveRows(vid)).filter((b) => b.attach_state === null), 10_000, 'row settled', 100);
    const [att] = await attachmentsAtCinder(vid);
    expect(att).to.include({ status: 'attached', instance: sid });
    expect(row.attachment_id).to.equal(att.id);
    // The list shows it as any attach (2.89 shows the attachment id).
    const list = await cluster.req('nova', 'GET', `/v2.1/servers/${sid}/os-volume_attachments`, undefined, mv('2.89'));
    expect(list.body.volumeAttachments.map((a: { volumeId: string; attachment_id: string }) => [a.volumeId, a.attachment_id])).to.deep.equal([[vid, att.id]]);
    expect((await detach(sid, vid)).status).to.equal(202);
    await cluster.waitVolume(vid, 'available');
    expect(await attachmentsAtCinder(vid)).to.deep.equal([]);
    expect(await cluster.exportsOf([vid])).to.deep.equal([]);
  });

  it('2.101: what fails after the 202 is rolled back and recorded on the attach_volume action', async () => {
    const sid = await cluster.createServer('async-fail');
    const vid = await cluster.createVolume();
    // Cinder refuses attachment_create for a volume in error (after nova-api's checks passed).
    const admin = { 'X-Auth-Token': 'admin:demo' };
    const reset = await cluster.req('cinder', 'POST', `/volumes/${vid}/action`, { 'os-reset_status': { status: 'error' } }, admin);
    expect(reset.status, JSON.stringify(reset.body)).to.equal(202);
    const r = await attach(sid, vid, '2.101');
    expect(r.status).to.equal(202);
    await waitFor(async () => (await cluster.novaQuery<BdmRow>('SELECT * FROM block_device_mapping WHERE volume_id = ?', [vid])).length === 0, 15_000, 'row gone', 100);
    const actions = (await cluster.req('nova', 'GET', `/v2.1/servers/${sid}/os-instance-actions`)).body.instanceActions as Array<{ action: string; request_id: string }>;
    const act = actions.find((a) => a.action === 'attach_volume');
    expect(act, JSON.stringify(actions)).to.not.equal(undefined);
    const events = await waitFor(async () => {
      const ev = (await cluster.req('nova', 'GET', `/v2.1/servers/${sid}/os-instance-actions/${act?.request_id}`, undefined, mv('2.51'))).body.instanceAction.events as Array<{ event: string; result: string }>;
      return ev.length ? ev : null;
    }, 10_000, 'the failure event', 100);
    expect(events?.map((e) => [e.event, e.result])).to.deep.equal([['api_attach_volume', 'Error']]);
    expect(await cluster.volumeStatus(vid)).to.equal('error');
    expect(await attachmentsAtCinder(vid)).to.deep.equal([]);
  });

  it('multiattach: below 2.60 refused; three servers on one volume, each with its own attachment, detached in any order', async () => {
    const servers = [await cluster.createServer('m1'), await cluster.createServer('m2'), await cluster.createServer('m3')];
    const vid = await multiattachVolume();
    const old = await attach(servers[0], vid, '2.59');
    expect(old.status).to.equal(400);
    expect(old.body.badRequest.message).to.equal('Multiattach volumes are only supported starting with compute API version 2.60.');
    expect(await liveRows(vid)).to.deep.equal([]);
    for (const sid of servers) {
      const r = await attach(sid, vid, '2.60');
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      await cluster.waitVolume(vid, 'in-use');
      await waitFor(async () => (await liveRows(vid)).every((b) => b.attach_state === null), 10_000, 'rows settled', 100);
    }
    // The same server twice is refused by Nova (Cinder would allow it).
    const twice = await attach(servers[1], vid, '2.60');
    expect(twice.status).to.equal(400);
    expect(twice.body.badRequest.message).to.equal(`Invalid volume: volume ${vid} already attached`);
    let atts = await attachmentsAtCinder(vid);
    expect(atts.map((a) => a.instance).sort()).to.deep.equal([...servers].sort());
    expect(atts.every((a) => a.status === 'attached')).to.equal(true);
    const rows = await liveRows(vid);
    expect(rows.map((b) => b.attachment_id).sort()).to.deep.equal(atts.map((a) => a.id).sort());
    // A volume with more than one read/write attachment cannot be swapped (Nova: 400), and the
    // refusal leaves every attachment as it was (begin_detaching rolled back).
    const spare = await cluster.createVolume();
    const swapped = await cluster.req('nova', 'PUT', `/v2.1/servers/${servers[0]}/os-volume_attachments/${vid}`,
      { volumeAttachment: { volumeId: spare } }, { 'X-Auth-Token': 'admin:demo' });
    expect(swapped.status).to.equal(400);
    expect(swapped.body.badRequest.message).to.equal('Swapping multi-attach volumes with more than one read/write attachment is not supported.');
    expect(await cluster.volumeStatus(vid)).to.equal('in-use');
    expect(await cluster.volumeStatus(spare)).to.equal('available');
    expect((await liveRows(vid)).every((b) => b.attach_state === null)).to.equal(true);
    // Detach the middle one, then the last, then the first: in-use while any is left.
    for (const [i, sid] of [servers[1], servers[2], servers[0]].entries()) {
      expect((await detach(sid, vid)).status).to.equal(202);
      await waitFor(async () => (await attachmentsAtCinder(vid)).length === 2 - i, 20_000, `${2 - i} attachments left`, 100);
      atts = await attachmentsAtCinder(vid);
      expect(atts.map((a) => a.instance)).to.not.include(sid);
      expect(atts.every((a) => a.status === 'attached')).to.equal(true);
      await cluster.waitVolume(vid, i < 2 ? 'in-use' : 'available');
      expect(await cluster.exportsOf([vid])).to.deep.equal(i < 2 ? [vid] : []);
    }
  });

  it('a non-multiattach volume on another server is refused before any row is written', async () => {
    const [s1, s2] = [await cluster.createServer('n1'), await cluster.createServer('n2')];
    const vid = await cluster.createVolume();
    expect((await attach(s1, vid)).status).to.equal(200);
    await cluster.waitVolume(vid, 'in-use');
    const r = await attach(s2, vid);
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal(`Invalid volume: volume ${vid} is already attached to instances: ${s1}`);
    expect((await liveRows(vid)).map((b) => b.instance_uuid)).to.deep.equal([s1]);
  });

  it('a volume attached by the legacy flow detaches by it after nova-api switched; server delete releases both kinds', async () => {
    const sid = await cluster.createServer('mixed');
    const v3 = await cluster.createVolume();
    expect((await attach(sid, v3)).status).to.equal(200);
    await cluster.waitVolume(v3, 'in-use');
    // nova-api restarted with the legacy flow (the compute follows each row), and back after.
    const conf = readFileSync(cluster.configOf('nova'), 'utf8');
    expect(await cluster.stopDaemon('nova-api')).to.equal(0);
    appendFileSync(cluster.configOf('nova'), '\n[workarounds]\nuse_legacy_volume_attach_flow = true\n');
    await cluster.startDaemon('nova-api');
    try {
      await mixedFlows(sid, v3);
    } finally {
      await cluster.stopDaemon('nova-api');
      writeFileSync(cluster.configOf('nova'), conf);
      await cluster.startDaemon('nova-api');
    }
  });

  async function mixedFlows(sid: string, v3: string): Promise<void> {
    const legacy = [await cluster.createVolume(), await cluster.createVolume()];
    for (const vid of legacy) {
      expect((await attach(sid, vid)).status).to.equal(200);
      await cluster.waitVolume(vid, 'in-use');
    }
    await waitFor(async () => (await liveRows(legacy[1])).every((b) => b.attach_state === null), 10_000, 'settled', 100);
    expect((await liveRows(legacy[0]))[0].attachment_id).to.equal(null);
    expect((await liveRows(v3))[0].attachment_id).to.be.a('string');
    // One legacy detach; a legacy swap (os-reserve, os-initialize_connection, then Cinder's
    // os-migrate_volume_completion moves the attachment); then the server delete releases a
    // legacy and an attachments-API volume.
    expect((await detach(sid, legacy[0])).status).to.equal(202);
    await cluster.waitVolume(legacy[0], 'available');
    const swappedIn = await cluster.createVolume();
    const sw = await cluster.req('nova', 'PUT', `/v2.1/servers/${sid}/os-volume_attachments/${legacy[1]}`, { volumeAttachment: { volumeId: swappedIn } }, { 'X-Auth-Token': 'admin:demo' });
    expect(sw.status, JSON.stringify(sw.body)).to.equal(202);
    await cluster.waitVolume(swappedIn, 'in-use');
    await cluster.waitVolume(legacy[1], 'available');
    const [row] = await waitFor(async () => {
      const r = await liveRows(swappedIn);
      return r.length && r.every((b) => b.attach_state === null) ? r : null;
    }, 10_000, 'legacy swap settled', 100) ?? [];
    expect(row).to.include({ instance_uuid: sid, attachment_id: null });
    const nv = (await cluster.req('cinder', 'GET', `/volumes/${swappedIn}`)).body.volume;
    expect(nv.attachments.map((a: { server_id: string; device: string }) => [a.server_id, a.device])).to.deep.equal([[sid, '/dev/vdd']]);
    expect((await cluster.req('nova', 'DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    for (const vid of [swappedIn, v3]) await cluster.waitVolume(vid, 'available');
    expect(await attachmentsAtCinder(v3)).to.deep.equal([]);
    expect(await cluster.exportsOf([v3, swappedIn, ...legacy])).to.deep.equal([]);
  }

  const swap = (sid: string, from: string, to: string, token = 'admin:demo') =>
    cluster.req('nova', 'PUT', `/v2.1/servers/${sid}/os-volume_attachments/${from}`, { volumeAttachment: { volumeId: to } }, { 'X-Auth-Token': token });

  it('swap volume: the new volume in-use at the same device, the old one available, the row naming the new volume and attachment', async () => {
    const sid = await cluster.createServer('swap');
    const [from, to] = [await cluster.createVolume(), await cluster.createVolume(2)];
    expect((await attach(sid, from)).status).to.equal(200);
    await cluster.waitVolume(from, 'in-use');
    await waitFor(async () => (await liveRows(from)).every((b) => b.attach_state === null), 10_000, 'settled', 100);
    // Admin only (Nova's default policy), checked before the volumes.
    const denied = await swap(sid, from, to, 'demo:demo');
    expect(denied.status).to.equal(403);
    expect(denied.body.forbidden.message).to.equal("Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed.");
    const r = await swap(sid, from, to);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await cluster.waitVolume(to, 'in-use');
    await cluster.waitVolume(from, 'available');
    const rows = await waitFor(async () => {
      const all = await cluster.novaQuery<BdmRow & { device_name: string; volume_size: number | null; swap_volume_id: string | null }>(
        'SELECT * FROM block_device_mapping WHERE instance_uuid = ? AND deleted = 0 AND volume_id IS NOT NULL', [sid]);
      return all.every((b) => b.attach_state === null) ? all : null;
    }, 10_000, 'swap settled', 100) ?? [];
    const [att] = await attachmentsAtCinder(to);
    expect(rows, JSON.stringify(rows)).to.have.length(1);
    expect(rows[0]).to.include({ volume_id: to, attachment_id: att.id, device_name: '/dev/vdb', volume_size: 2, swap_volume_id: null });
    expect(att).to.include({ status: 'attached', instance: sid });
    expect(await attachmentsAtCinder(from)).to.deep.equal([]);
    expect(cluster.daemons.get('nova-compute')?.output()).to.contain(`Copied volume ${from} to ${to} at /dev/vdb`);
    const shown = await cluster.req('nova', 'GET', `/v2.1/servers/${sid}/os-volume_attachments`);
    expect(shown.body.volumeAttachments.map((a: { volumeId: string; device: string }) => [a.volumeId, a.device])).to.deep.equal([[to, '/dev/vdb']]);
    expect(await cluster.exportsOf([from])).to.deep.equal([]);
    // The swapped-in volume detaches as any other.
    expect((await detach(sid, to)).status).to.equal(202);
    await cluster.waitVolume(to, 'available');
  });

  it("swap volume refusals: a smaller or attached new volume, an unknown one (400), an old volume the server does not have (400)", async () => {
    const sid = await cluster.createServer('swap-bad');
    const [from, small, other] = [await cluster.createVolume(2), await cluster.createVolume(1), await cluster.createVolume()];
    expect((await attach(sid, from)).status).to.equal(200);
    await cluster.waitVolume(from, 'in-use');
    const msg = async (to: string, f = from) => (await swap(sid, f, to)).body.badRequest?.message as string;
    expect(await msg(small)).to.equal('Invalid volume: New volume must be the same size or larger.');
    expect(await msg('4d4d6d43-98b1-4a5c-9e2b-4bd2a1c6b0f1')).to.equal('Volume 4d4d6d43-98b1-4a5c-9e2b-4bd2a1c6b0f1 could not be found.');
    expect(await msg(from, other)).to.equal('Invalid volume: Old volume is attached to a different instance.');
    expect(await cluster.volumeStatus(from)).to.equal('in-use');
    expect((await liveRows(from))[0]).to.include({ attach_state: null, volume_id: from });
  });

  it('swap volume whose guest swap fails: rolled back, the old volume in-use on the unchanged row, the new one available', async () => {
    const sid = await cluster.createServer('swap-fail', { fake_fail: 'swap_volume' });
    const [from, to] = [await cluster.createVolume(), await cluster.createVolume()];
    expect((await attach(sid, from)).status).to.equal(200);
    await cluster.waitVolume(from, 'in-use');
    const before = (await liveRows(from))[0];
    expect((await swap(sid, from, to)).status).to.equal(202);
    await waitFor(async () => (await liveRows(from))[0]?.attach_state === null && (await cluster.volumeStatus(from)) === 'in-use', 20_000, 'rolled back', 100);
    await cluster.waitVolume(to, 'available');
    expect((await liveRows(from))[0]).to.include({ id: before.id, attachment_id: before.attachment_id });
    expect(await attachmentsAtCinder(to)).to.deep.equal([]);
    expect(cluster.daemons.get('nova-compute')?.output()).to.contain(`Failed to swap volume ${from} for ${to}`);
  });
});
