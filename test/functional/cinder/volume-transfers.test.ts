// Volume transfers over HTTP on fake:// + SQLite: tempest's create/get/list/accept and
// create/list/delete on both paths, the refusals with Cinder's texts, and the quota moved from
// the donor to the recipient (or, over the recipient's limit, nothing moved at all).
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from './cinder-stack';

const ADMIN = 'admin:demo';
const ALT = 'alt:alt';
const MISSING = '9a3c4a4d-58d4-4e5b-9c1e-7d4c0e1f2a3b';

describe('cinder-api volume transfers', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  const mv = (v: string): Record<string, string> => ({ 'OpenStack-API-Version': `volume ${v}` });
  const usage = async (project: string): Promise<{ in_use: number; reserved: number }> =>
    (await c.req('GET', `/v3/${project}/os-quota-sets/${project}?usage=true`, { token: `admin:${project}` })).body.quota_set.volumes;

  for (const [path, version] of [['os-volume-transfer', '3.0'], ['volume-transfers', '3.57']]) {
    it(`${path}: create, get, list, accept by another project (${version})`, async () => {
      const id = await c.createVolume(2);
      const before = [await usage('demo'), await usage('alt')];
      const made = await c.req('POST', `/v3/demo/${path}`, { body: { transfer: { volume_id: id, name: '  gift  ' } }, headers: mv(version) });
      expect(made.status, JSON.stringify(made.body)).to.equal(202);
      const t = made.body.transfer;
      expect(t.auth_key).to.match(/^[0-9a-f]{16}$/);
      expect(t).to.include({ volume_id: id, name: 'gift' });
      expect((await c.show(id)).status).to.equal('awaiting-transfer');
      const shown = await c.req('GET', `/v3/demo/${path}/${t.id}`, { headers: mv(version) });
      expect(shown.status).to.equal(200);
      expect(shown.body.transfer).to.not.have.property('auth_key');
      if (version === '3.57') expect(shown.body.transfer).to.include({ source_project_id: 'demo', destination_project_id: null, accepted: false, no_snapshots: false });
      else expect(shown.body.transfer).to.not.have.property('accepted');
      const list = await c.req('GET', `/v3/demo/${path}`, { headers: mv(version) });
      expect(list.body.transfers.map((x: { id: string }) => x.id)).to.include(t.id);
      // Another project sees neither the offer nor its volume, but may take it with the key.
      expect((await c.req('GET', `/v3/alt/${path}/${t.id}`, { token: ALT, headers: mv(version) })).status).to.equal(404);
      const wrong = await c.req('POST', `/v3/alt/${path}/${t.id}/accept`, { token: ALT, body: { accept: { auth_key: 'x' } }, headers: mv(version) });
      expect(wrong.status).to.equal(400);
      expect(wrong.body.badRequest.message).to.equal(`Invalid auth key: Attempt to transfer ${t.id} with invalid auth key.`);
      const ok = await c.req('POST', `/v3/alt/${path}/${t.id}/accept`, { token: ALT, body: { accept: { auth_key: t.auth_key } }, headers: mv(version) });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(202);
      expect(ok.body.transfer).to.include({ id: t.id, volume_id: id, name: 'gift' });
      const moved = (await c.req('GET', `/v3/alt/volumes/${id}`, { token: ALT })).body.volume;
      expect(moved).to.include({ status: 'available', user_id: 'alt' });
      expect((await c.req('GET', `/v3/demo/volumes/${id}`)).status).to.equal(404);
      expect((await c.req('GET', `/v3/demo/${path}/${t.id}`, { headers: mv(version) })).status).to.equal(404);
      expect([await usage('demo'), await usage('alt')]).to.deep.equal([
        { ...before[0], in_use: before[0].in_use - 1 }, { ...before[1], in_use: before[1].in_use + 1 }]);
      const again = await c.req('POST', `/v3/alt/${path}/${t.id}/accept`, { token: ALT, body: { accept: { auth_key: t.auth_key } }, headers: mv(version) });
      expect(again.status).to.equal(404);
      expect(again.body.itemNotFound.message).to.equal(`Transfer ${t.id} could not be found.`);
    });

    it(`${path}: create, list with details, delete (${version})`, async () => {
      const id = await c.createVolume();
      const made = await c.req('POST', `/v3/demo/${path}`, { body: { transfer: { volume_id: id } }, headers: mv(version) });
      expect(made.status).to.equal(202);
      const detail = await c.req('GET', `/v3/demo/${path}/detail`, { headers: mv(version) });
      expect(detail.body.transfers.find((x: { id: string }) => x.id === made.body.transfer.id)).to.include({ volume_id: id, name: null });
      const del = await c.req('DELETE', `/v3/demo/${path}/${made.body.transfer.id}`, { headers: mv(version) });
      expect(del.status).to.equal(202);
      expect((await c.show(id)).status).to.equal('available');
      expect((await c.req('DELETE', `/v3/demo/${path}/${made.body.transfer.id}`, { headers: mv(version) })).status).to.equal(404);
    });
  }

  it('refusals: a volume not available, unknown ids, bad bodies, no_snapshots below 3.55', async () => {
    const id = await c.createVolume();
    expect((await c.action(id, 'os-reserve', null)).status).to.equal(202);
    let r = await c.req('POST', '/v3/demo/os-volume-transfer', { body: { transfer: { volume_id: id } } });
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.equal('Invalid volume: status must be available');
    r = await c.req('POST', '/v3/demo/os-volume-transfer', { body: { transfer: { volume_id: MISSING } } });
    expect(r.status).to.equal(404);
    for (const body of [{}, { transfer: {} }, { transfer: { volume_id: 'x' } }, { transfer: { volume_id: id, name: '   ' } },
      { transfer: { volume_id: id, no_snapshots: true } }, { transfer: { volume_id: id }, other: 1 }]) {
      r = await c.req('POST', '/v3/demo/os-volume-transfer', { body });
      expect(r.status, JSON.stringify(body)).to.equal(400);
    }
    r = await c.req('POST', '/v3/demo/volume-transfers', { body: { transfer: { volume_id: id, no_snapshots: true } }, headers: mv('3.54') });
    expect(r.status).to.equal(400);
    r = await c.req('POST', '/v3/demo/os-volume-transfer', { body: { transfer: { volume_id: id, name: '  ' } } });
    expect(r.body.badRequest.message).to.equal("Invalid input for field/attribute name. Value:   . '  ' is not valid under any of the given schemas");
    r = await c.req('POST', `/v3/demo/os-volume-transfer/${MISSING}/accept`, { body: { accept: { auth_key: 'k' } } });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Transfer ${MISSING} could not be found.`);
    r = await c.req('POST', `/v3/demo/os-volume-transfer/${MISSING}/accept`, { body: { accept: {} } });
    expect(r.status).to.equal(400);
    expect((await c.req('GET', '/v3/demo/os-volume-transfer?bogus=1')).body.transfers).to.deep.equal([]);
    r = await c.req('GET', `/v3/demo/volume-transfers?marker=${MISSING}`, { headers: mv('3.59') });
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Transfer ${MISSING} could not be found.`);
  });

  it('a volume deleted while offered takes its offer with it, as Cinder\'s volume_destroy', async () => {
    const id = await c.createVolume();
    const made = await c.req('POST', '/v3/demo/os-volume-transfer', { body: { transfer: { volume_id: id } } });
    expect((await c.action(id, 'os-reset_status', { status: 'available' }, ADMIN)).status).to.equal(202);
    expect((await c.req('DELETE', `/v3/demo/volumes/${id}`)).status).to.equal(202);
    await waitFor(async () => (await c.req('GET', `/v3/demo/volumes/${id}`)).status === 404, 10_000, 'deleted', 20);
    const r = await c.req('DELETE', `/v3/demo/os-volume-transfer/${made.body.transfer.id}`);
    expect(r.status).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Transfer ${made.body.transfer.id} could not be found.`);
  });

  it("over the recipient's quota: 413, the volume stays offered and no usage moves", async () => {
    const id = await c.createVolume();
    const made = await c.req('POST', '/v3/demo/os-volume-transfer', { body: { transfer: { volume_id: id } } });
    const set = await c.req('PUT', '/v3/alt/os-quota-sets/alt', { token: 'admin:alt', body: { quota_set: { volumes: 0 } } });
    expect(set.status).to.equal(200);
    const before = [await usage('demo'), await usage('alt')];
    const r = await c.req('POST', `/v3/alt/os-volume-transfer/${made.body.transfer.id}/accept`, { token: ALT, body: { accept: { auth_key: made.body.transfer.auth_key } } });
    expect(r.status).to.equal(413);
    expect(r.body.overLimit.message).to.equal("VolumeLimitExceeded: Maximum number of volumes allowed (0) exceeded for quota 'volumes'.");
    expect((await c.show(id)).status).to.equal('awaiting-transfer');
    expect([await usage('demo'), await usage('alt')]).to.deep.equal(before);
    expect((await c.req('GET', `/v3/demo/os-volume-transfer/${made.body.transfer.id}`, { token: ADMIN })).status).to.equal(200);
  });
});
