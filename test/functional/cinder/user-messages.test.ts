// Cinder's user messages over HTTP on fake:// + SQLite: a create no backend takes, a driver's
// failed create, a refused read-write attach and a failed extend each leave one message for
// the request's project; show, list (filters, sorting, pages from 3.5), delete and the reaper.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { UserMessages } from '../../../cinder-common/user-messages';
import { Message } from '../../../cinder-common/entities';
import type { FakeDriver } from '../../../cinder-volume/drivers/fake';
import { startCinder, type Cinder, type Json } from './cinder-stack';

const ADMIN = 'admin:demo';
const ALT = 'alt:alt';
const DAY_MS = 86_400_000;

describe('cinder-api user messages', function () {
  let c: Cinder;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  const mv = (v: string): Record<string, string> => ({ 'OpenStack-API-Version': `volume ${v}` });
  const list = async (query = '', version = '3.5', token = 'demo:demo'): Promise<Json> =>
    c.req('GET', `/v3/${token.split(':')[1]}/messages${query}`, { token, headers: mv(version) });
  const messagesOf = async (volumeId: string, token = 'demo:demo'): Promise<Json[]> =>
    (await list('', '3.3', token)).body.messages.filter((m: Json) => m.resource_uuid === volumeId);

  /** tempest's recipe: a type whose protocol and vendor no backend reports. */
  async function unschedulable(token = 'demo:demo'): Promise<{ id: string; requestId: string }> {
    const type = await c.req('POST', '/v3/demo/types', { token: ADMIN, body: { volume_type: { name: `bogus-${Math.random()}`, extra_specs: { storage_protocol: 'nope', vendor_name: 'nobody' } } } });
    expect(type.status, JSON.stringify(type.body)).to.equal(200);
    const r = await c.req('POST', `/v3/${token.split(':')[1]}/volumes`, { token, body: { volume: { size: 1, volume_type: type.body.volume_type.id } } });
    expect(r.status).to.equal(202);
    const id = r.body.volume.id as string;
    await waitFor(async () => (await c.show(id, token)).status === 'error', 5000, 'error', 20);
    return { id, requestId: r.headers.get('x-openstack-request-id') ?? '' };
  }

  it('a volume no backend takes: one message, shown, listed and deleted', async () => {
    const { id, requestId } = await unschedulable();
    const [m] = await messagesOf(id);
    expect(m).to.include({
      event_id: 'VOLUME_VOLUME_001_003', message_level: 'ERROR', resource_type: 'VOLUME', resource_uuid: id, request_id: requestId,
      user_message: 'schedule allocate volume:Could not find any available weighted backend.',
    });
    expect(requestId).to.match(/^req-/);
    expect(new Date(`${m.guaranteed_until}Z`).getTime() - new Date(`${m.created_at}Z`).getTime()).to.equal(30 * DAY_MS);
    expect(m.links.map((l: Json) => l.rel)).to.deep.equal(['self', 'bookmark']);
    const shown = await c.req('GET', `/v3/demo/messages/${m.id}`, { headers: mv('3.3') });
    expect(shown.status).to.equal(200);
    expect(shown.body.message).to.deep.equal(m);
    const gone = await c.req('DELETE', `/v3/demo/messages/${m.id}`, { headers: mv('3.3') });
    expect(gone.status).to.equal(204);
    const again = await c.req('GET', `/v3/demo/messages/${m.id}`, { headers: mv('3.3') });
    expect(again.status).to.equal(404);
    expect(again.body.itemNotFound.message).to.equal(`Message ${m.id} could not be found.`);
    expect(await messagesOf(id)).to.deep.equal([]);
    expect((await c.req('DELETE', `/v3/demo/messages/${m.id}`, { headers: mv('3.3') })).status).to.equal(404);
  });

  it('is a 3.3 resource: below it, and for methods it lacks, a 404', async () => {
    expect((await list('', '3.2')).status).to.equal(404);
    expect((await c.req('POST', '/v3/demo/messages', { body: {}, headers: mv('3.3') })).status).to.equal(404);
    expect((await c.req('PUT', '/v3/demo/messages/x', { body: {}, headers: mv('3.3') })).status).to.equal(404);
  });

  it("another project neither sees nor deletes a project's message; an admin sees all", async () => {
    const { id } = await unschedulable(ALT);
    const [m] = await messagesOf(id, ALT);
    expect(m, 'the owner sees it').to.not.equal(undefined);
    expect(await messagesOf(id)).to.deep.equal([]);
    expect((await c.req('GET', `/v3/demo/messages/${m.id}`, { headers: mv('3.3') })).status).to.equal(404);
    expect((await c.req('DELETE', `/v3/demo/messages/${m.id}`, { headers: mv('3.3') })).status).to.equal(404);
    expect((await messagesOf(id, ADMIN)).map((x) => x.id)).to.deep.equal([m.id]);
    expect((await c.req('GET', `/v3/demo/messages/${m.id}`, { token: ADMIN, headers: mv('3.3') })).status).to.equal(200);
  });

  it("a driver's failed create, a refused read-write attach and a failed extend: each its own message", async () => {
    const fake = c.volume.backends[0].driver as FakeDriver;
    fake.failNext.set('createVolume', new Error('no space'));
    const r = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1 } } });
    await waitFor(async () => (await c.show(r.body.volume.id)).status === 'error', 5000, 'error', 20);
    expect((await messagesOf(r.body.volume.id)).map((m) => [m.event_id, m.user_message])).to.deep.equal([
      ['VOLUME_VOLUME_008_012', 'create volume from backend storage:Driver failed to create the volume.']]);

    const ro = await c.createVolume();
    expect((await c.action(ro, 'os-update_readonly_flag', { readonly: true })).status).to.equal(202);
    expect((await c.action(ro, 'os-reserve', null)).status).to.equal(202);
    const server = '9a3c4a4d-58d4-4e5b-9c1e-7d4c0e1f2a3b';
    // cinder-api refuses it itself, as Cinder's: no message for a refusal the caller was answered.
    const attach = await c.action(ro, 'os-attach', { instance_uuid: server, mountpoint: '/dev/vdb', mode: 'rw' });
    expect(attach.status).to.equal(400);
    expect(await messagesOf(ro)).to.deep.equal([]);
    // The manager's own check (a readonly flag set after cinder-api looked) leaves one.
    const refused = await c.volume.backends[0].manager.attachVolume({ project_id: 'demo', request_id: 'req-ro' },
      { volume_id: ro, instance_uuid: server, mountpoint: '/dev/vdb', mode: 'rw' }).then(() => null, (e: Error) => e);
    expect(refused?.constructor.name).to.equal('InvalidVolumeAttachMode');
    expect((await messagesOf(ro)).map((m) => [m.event_id, m.user_message, m.request_id])).to.deep.equal([
      ['VOLUME_VOLUME_002_005', "attach volume:Volume's attach mode is invalid.", 'req-ro']]);

    const big = await c.createVolume();
    fake.failNext.set('extendVolume', new Error('no room'));
    expect((await c.action(big, 'os-extend', { new_size: 2 })).status).to.equal(202);
    await waitFor(async () => (await c.show(big)).status === 'error_extending', 5000, 'error_extending', 20);
    expect((await messagesOf(big)).map((m) => [m.event_id, m.user_message])).to.deep.equal([
      ['VOLUME_VOLUME_007_010', 'extend volume:Volume Driver failed to extend volume.']]);
  });

  it('lists from 3.5 by filters, sorted and paged, with a next link on a full page', async () => {
    const a = await unschedulable();
    const b = await unschedulable();
    const [ma] = await messagesOf(a.id);
    const [mb] = await messagesOf(b.id);
    const ids = async (q: string, version = '3.5', token?: string): Promise<string[]> => {
      const r = await list(q, version, token);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.messages.map((m: Json) => m.id);
    };
    expect(await ids(`?resource_uuid=${a.id}`)).to.deep.equal([ma.id]);
    expect(await ids(`?request_id=${b.requestId}&event_id=VOLUME_VOLUME_001_003`)).to.deep.equal([mb.id]);
    // Below 3.5 the query is not read: both, newest first.
    expect((await ids(`?resource_uuid=${a.id}`, '3.3')).slice(0, 2)).to.deep.equal([mb.id, ma.id]);
    // A key naming no column lists nothing (below 3.31 and for admins); a user's is 400 from 3.31.
    expect(await ids('?bogus=1', '3.30')).to.deep.equal([]);
    expect(await ids('?bogus=1', '3.31', ADMIN)).to.deep.equal([]);
    const refused = await list('?bogus=1&resource_uuid=x', '3.31');
    expect(refused.status).to.equal(400);
    expect(refused.body.badRequest.message).to.equal('Invalid filters bogus are found in query options.');
    expect(await ids(`?resource_uuid~=${a.id.slice(0, 13)}`, '3.34', ADMIN)).to.deep.equal([ma.id]);
    expect((await list(`?resource_uuid~=${a.id.slice(0, 13)}`, '3.34')).status).to.equal(400);
    // Sorting, paging and the marker.
    const both = `?event_id=VOLUME_VOLUME_001_003&resource_uuid=`;
    const asc = (await ids(`?sort=created_at:asc,id:asc&event_id=VOLUME_VOLUME_001_003`)).filter((x) => x === ma.id || x === mb.id);
    expect(asc).to.deep.equal([ma.id, mb.id]);
    const page = await list(`?event_id=VOLUME_VOLUME_001_003&limit=1`);
    expect(page.body.messages).to.have.length(1);
    expect(page.body.messages_links[0].rel).to.equal('next');
    const next = new URL(page.body.messages_links[0].href);
    expect(next.searchParams.get('marker')).to.equal(page.body.messages[0].id);
    const rest = await list(`${next.pathname.replace(/^\/v3\/demo\/messages/, '')}${next.search}`);
    expect(rest.body.messages.map((m: Json) => m.id)).to.not.include(page.body.messages[0].id);
    expect((await list(`${both}${a.id}&limit=5`)).body).to.not.have.property('messages_links');
    const missing = await list('?marker=9a3c4a4d-58d4-4e5b-9c1e-7d4c0e1f2a3b');
    expect(missing.status).to.equal(404);
    expect((await list('?limit=x')).body.badRequest.message).to.equal('limit param must be an integer');
    expect((await list('?sort=nope')).body.badRequest.message).to.equal('Invalid input received: Invalid sort key');
  });

  it('the reaper deletes messages past their guaranteed time, and only those', async () => {
    const old = await unschedulable();
    const young = await unschedulable();
    const [m] = await messagesOf(old.id);
    await c.ds.getRepository(Message).update({ id: m.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await new UserMessages(c.ds).reapExpired()).to.equal(1);
    expect(await messagesOf(old.id)).to.deep.equal([]);
    expect(await messagesOf(young.id)).to.have.length(1);
  });
});
