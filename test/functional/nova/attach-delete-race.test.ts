// An attach racing the server's delete (seeded REST fuzz): the delete's compute drops the
// attach's 'reserving' row while os-reserve is still on its way to Cinder, so the compute sees
// nothing to release. nova-api, finding its row gone once the reserve lands, must release it
// itself and answer as Nova's state check would, not 503 with the volume left 'attaching'.
import { expect } from 'chai';
import { NovaDB } from '../../../nova-common/db-api';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithCinderFixture } from './harness';

describe('nova-api: an attach whose row a server delete took (legacy flow, Cinder fixture)', function () {
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
});
