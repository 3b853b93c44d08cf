// A server delete and its volumes, two cases a seeded REST fuzz found (legacy flow, Cinder fixture):
// - an attach racing the delete: the delete's compute drops the attach's 'reserving' row while
//   os-reserve is still on its way to Cinder, so the compute sees nothing to release. nova-api,
//   finding its row gone once the reserve lands, must release it itself and answer as Nova's
//   state check would, not 503 with the volume left 'attaching';
// - the same race with a swap: the new volume's os-reserve landing after the delete looked;
// - Cinder refusing a volume's release: Nova's _shutdown_instance ignores it and the server
//   goes, rather than staying 'deleting' for ever.
import { expect } from 'chai';
import { BDM_STATES as S } from '../../../nova-common/bdm-states';
import { NovaDB } from '../../../nova-common/db-api';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithCinderFixture } from './harness';

describe('server delete and its volumes (legacy flow, Cinder fixture)', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();

  it('releases the os-reserve that landed after the delete looked, and answers 404', async () => {
    const { nova, cinder } = s;
    const sid = await activeServer(nova, 'race');
    const v = cinder.create('demo');
    const reserve = cinder.hold('os-reserve');
    const attach = nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: v.id } } });
    await reserve.reached;
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 10_000, 'server gone', 20);
    expect(v.status, 'nothing held the volume when the delete looked').to.equal('available');
    reserve.release();
    const r = await attach;
    expect(r.status, JSON.stringify(r.body)).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Instance ${sid} could not be found.`);
    expect(cinder.calls.filter((c) => c.volumeId === v.id).map((c) => c.action)).to.deep.equal(['os-reserve', 'os-unreserve']);
    expect(v.status).to.equal('available');
    expect(await new NovaDB(nova.ds).bdmsByInstance(sid)).to.deep.equal([]);
  });

  it("releases a swap's os-reserve of the new volume that landed after the delete looked, and answers 404", async () => {
    const { nova, cinder } = s;
    const sid = await activeServer(nova, 'swap-race');
    const [from, to] = [cinder.create('demo'), cinder.create('demo')];
    expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: from.id } } })).status).to.equal(200);
    await waitFor(async () => from.status === 'in-use' && (await new NovaDB(nova.ds).bdmByVolumeAndInstance(from.id, sid))?.attachState === null, 10_000, 'attached', 20);
    const reserve = cinder.hold('os-reserve');
    const swap = nova.req('PUT', `/v2.1/servers/${sid}/os-volume_attachments/${from.id}`, { token: 'admin:demo', body: { volumeAttachment: { volumeId: to.id } } });
    await reserve.reached;
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 10_000, 'server gone', 20);
    expect(to.status, 'nothing held the new volume when the delete looked').to.equal('available');
    reserve.release();
    const r = await swap;
    expect(r.status, JSON.stringify(r.body)).to.equal(404);
    expect(cinder.calls.filter((c) => c.volumeId === to.id).map((c) => c.action)).to.deep.equal(['os-reserve', 'os-unreserve']);
    expect([from.status, to.status]).to.deep.equal(['available', 'available']);
  });

  it("detaches a volume whose 'detaching' nova-api withdrew after the delete read the rows", async () => {
    const { nova, cinder } = s;
    const db = new NovaDB(nova.ds);
    const sid = await activeServer(nova, 'stale');
    const [v1, v2] = [cinder.create('demo'), cinder.create('demo')];
    for (const v of [v1, v2]) {
      expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: v.id } } })).status).to.equal(200);
      await waitFor(async () => v.status === 'in-use' && (await db.bdmByVolumeAndInstance(v.id, sid))?.attachState === null, 10_000, 'attached', 20);
    }
    // nova-api's detach of v2 is under way when the delete reads the rows...
    const row2 = (await db.bdmByVolumeAndInstance(v2.id, sid))!;
    expect(await db.bdmTransition(row2.id, [null], S.DETACHING)).to.equal(true);
    const first = cinder.hold('os-terminate_connection');
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await first.reached;
    // ...and withdraws it (its os-begin_detaching refused) while the delete is busy with v1.
    expect(await db.bdmTransition(row2.id, [S.DETACHING], null)).to.equal(true);
    first.release();
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 10_000, 'server gone', 20);
    expect([v1.status, v2.status]).to.deep.equal(['available', 'available']);
    const live = await db.bdms.findBy({ instanceUuid: sid, deleted: 0 });
    expect(live.filter((b) => b.volumeId)).to.deep.equal([]);
  });

  it('detaches a deleted server\'s volume when os-begin_detaching is refused (the volume moved meanwhile), as Nova never sends it there', async () => {
    const { nova, cinder } = s;
    const sid = await activeServer(nova, 'begin-refused');
    const v = cinder.create('demo');
    expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: v.id } } })).status).to.equal(200);
    await waitFor(async () => v.status === 'in-use' && (await new NovaDB(nova.ds).bdmByVolumeAndInstance(v.id, sid))?.attachState === null, 10_000, 'attached', 20);
    cinder.failNext.set('os-begin_detaching', { code: 400, message: "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach." });
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 10_000, 'server gone', 20);
    expect(cinder.calls.filter((c) => c.volumeId === v.id).map((c) => c.action).slice(3)).to.deep.equal(['os-begin_detaching', 'os-terminate_connection', 'os-detach']);
    expect(v.status).to.equal('available');
  });

  it('deletes the server when Cinder refuses to release a volume, and leaves no intent behind', async () => {
    const { nova, cinder } = s;
    const sid = await activeServer(nova, 'refused');
    const v = cinder.create('demo');
    expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: v.id } } })).status).to.equal(200);
    await waitFor(async () => v.status === 'in-use', 10_000, 'volume in-use', 20);
    cinder.failNext.set('os-terminate_connection', { code: 400, message: 'Invalid volume: refused by the test' });
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await waitFor(async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404, 10_000, 'server gone', 20);
    // The detach began (os-begin_detaching) and was refused: the volume is not left 'detaching'.
    expect(cinder.calls.filter((c) => c.volumeId === v.id).map((c) => c.action)).to.deep.equal(
      ['os-reserve', 'os-initialize_connection', 'os-attach', 'os-begin_detaching', 'os-terminate_connection', 'os-roll_detaching']);
    expect(v.status).to.equal('in-use');
    const rows = await new NovaDB(nova.ds).bdms.findBy({ instanceUuid: sid, volumeId: v.id });
    expect(rows.map((r) => [r.deleted === r.id, r.attachState])).to.deep.equal([[true, null]]);
  });
});
