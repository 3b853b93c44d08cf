// nova-api, nova-compute, cinder-api and cinder-volume with `auth_strategy = keystone` against
// the real Keystone 22 of scripts/keystone.sh, configured as an operator would
// ([keystone_authtoken], [service_user], Cinder found in the catalog): good tokens work end to
// end, revoked, foreign-project, forged and wrong-role tokens do not, a service token is needed
// where Cinder needs one, and the real openstack / nova / cinder CLIs work against it.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { signToken } from '../../../common/api';
import { BlockDeviceMapping } from '../../../nova-common/entities';
import { freePort, waitFor } from '../../support/processes';
import { provisionCloud, requireKeystone, type Cloud, type KeystoneAdmin } from '../../support/keystone';
import { requireTool } from '../../support/servers';
import { startCinder, type Cinder } from '../../functional/cinder/cinder-stack';
import { startNova, type Json, type Nova } from '../../functional/nova/harness';
import { cliEnv } from '../../support/cli-env';

const run = promisify(execFile);
const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';

describe('identity: the APIs against a real Keystone (validation, roles, service tokens, the CLIs)', function () {
  this.timeout(120_000);
  let keystone: KeystoneAdmin;
  let cloud: Cloud;
  let cinder: Cinder;
  let nova: Nova;
  let computeUrl = '';
  let volumeBase = '';

  before(async function () {
    keystone = await requireKeystone(this);
    const [computePort, volumePort] = [await freePort(), await freePort()];
    computeUrl = `http://127.0.0.1:${computePort}/v2.1`;
    volumeBase = `http://127.0.0.1:${volumePort}/v3`;
    cloud = await provisionCloud(keystone, { computeUrl, volumeUrl: `${volumeBase}/%(project_id)s` });
    // Short cache so a revocation shows within the test; Cinder finds Nova in the catalog.
    cinder = await startCinder({
      DEFAULT: { osapi_volume_listen_port: volumePort }, api: { auth_strategy: 'keystone' },
      keystone_authtoken: { ...cloud.authtokenSection('cinder'), token_cache_time: 2 },
    });
    nova = await startNova({
      DEFAULT: { osapi_compute_listen_port: computePort }, api: { auth_strategy: 'keystone' },
      keystone_authtoken: { ...cloud.authtokenSection('nova'), token_cache_time: 2 },
      service_user: { ...cloud.serviceUserSection('nova'), send_service_user_token: true },
      cinder: { auth_type: 'password', ...reconcilerCreds(cloud) },
    });
  });
  after(async () => {
    await nova?.stop();
    await cinder?.stop();
    await cloud?.cleanup();
  });

  const api = async (url: string, method: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> => {
    const r = await fetch(url, { method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
  };
  const vol = (project: 'p1' | 'p2') => `${volumeBase}/${cloud.projects[project].id}`;

  async function newVolume(token: string): Promise<string> {
    const r = await api(`${vol('p1')}/volumes`, 'POST', token, { volume: { size: 1, name: 'ks' } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitFor(async () => (await api(`${vol('p1')}/volumes/${r.body.volume.id}`, 'GET', token)).body.volume.status === 'available', 10_000, 'available', 50);
    return r.body.volume.id as string;
  }

  async function newServer(token: string): Promise<string> {
    const r = await api(`${computeUrl}/servers`, 'POST', token, { server: { name: 'ks', flavorRef: '1', imageRef: IMAGE } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitFor(async () => (await api(`${computeUrl}/servers/${r.body.server.id}`, 'GET', token)).body.server.status === 'ACTIVE', 10_000, 'ACTIVE', 50);
    return r.body.server.id as string;
  }

  it('a member\'s token works end to end: Nova finds Cinder in the catalog and attaches with the user\'s and its service token', async () => {
    const member = await cloud.token('member1');
    const [vid, sid] = [await newVolume(member), await newServer(member)];
    expect((await api(`${computeUrl}/servers/${sid}/os-volume_attachments`, 'POST', member, { volumeAttachment: { volumeId: vid } })).status).to.equal(200);
    await waitFor(async () => (await api(`${vol('p1')}/volumes/${vid}`, 'GET', member)).body.volume.status === 'in-use', 15_000, 'in-use', 50);
    expect((await api(`${computeUrl}/servers/${sid}/os-volume_attachments/${vid}`, 'DELETE', member)).status).to.equal(202);
    await waitFor(async () => (await api(`${vol('p1')}/volumes/${vid}`, 'GET', member)).body.volume.status === 'available', 15_000, 'available', 50);
  });

  it('forged, garbage and noauth2 tokens get 401 with keystonemiddleware\'s body and WWW-Authenticate', async () => {
    const forged = signToken({ user_id: 'x', user_name: 'admin', project_id: cloud.projects.p1.id, project_name: 'p1', roles: ['admin'], exp: Date.now() / 1000 + 600 },
      'attachd-dev-secret');
    for (const token of [forged, 'admin:admin', 'gAAAAAB' + 'x'.repeat(180), '']) {
      for (const url of [`${vol('p1')}/volumes`, `${computeUrl}/servers`]) {
        const r = await api(url, 'GET', token);
        expect(r.status, `${token.slice(0, 10)} ${url}`).to.equal(401);
        expect(r.body).to.deep.equal({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
        expect(r.headers.get('www-authenticate')).to.equal(`Keystone uri="${process.env.KEYSTONE_URL}"`);
      }
    }
  });

  it('a revoked token is refused once its cached validation ends', async () => {
    const t = (await cloud.login('member1', { fresh: true })).token;
    expect((await api(`${vol('p1')}/volumes`, 'GET', t)).status).to.equal(200);
    expect(await keystone.revokeToken(t)).to.equal(204);
    await waitFor(async () => (await api(`${vol('p1')}/volumes`, 'GET', t)).status === 401, 10_000, 'the revoked token refused', 200);
    await waitFor(async () => (await api(`${computeUrl}/servers`, 'GET', t)).status === 401, 10_000, 'refused by nova-api too', 200);
  });

  it('another project\'s member sees nothing of p1 (404) and may not use p1 in the URL', async () => {
    const member = await cloud.token('member1');
    const other = await cloud.token('member2');
    const [vid, sid] = [await newVolume(member), await newServer(member)];
    expect((await api(`${vol('p2')}/volumes/${vid}`, 'GET', other)).status).to.equal(404);
    expect((await api(`${computeUrl}/servers/${sid}`, 'GET', other)).status).to.equal(404);
    expect((await api(`${vol('p1')}/volumes`, 'GET', other)).status).to.equal(400);
    expect((await api(`${vol('p2')}/volumes`, 'GET', other)).body.volumes.map((v: Json) => v.id)).to.not.include(vid);
  });

  it('reader, member and admin on each kind of action', async () => {
    const [reader, member, admin] = [await cloud.token('reader1'), await cloud.token('member1'), await cloud.token('admin1')];
    const vid = await newVolume(member);
    const sid = await newServer(member);
    // Reads: the reader may.
    expect((await api(`${vol('p1')}/volumes/${vid}`, 'GET', reader)).status).to.equal(200);
    expect((await api(`${computeUrl}/servers/${sid}`, 'GET', reader)).status).to.equal(200);
    // Writes: the reader may not, with the services' texts.
    const no = await api(`${vol('p1')}/volumes`, 'POST', reader, { volume: { size: 1 } });
    expect([no.status, no.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow volume:create to be performed."]);
    const noAttach = await api(`${computeUrl}/servers/${sid}/os-volume_attachments`, 'POST', reader, { volumeAttachment: { volumeId: vid } });
    expect([noAttach.status, noAttach.body.forbidden?.message]).to.deep.equal([403, "Policy doesn't allow os_compute_api:os-volumes-attachments:create to be performed."]);
    // Admin-only: the member may not, the admin may.
    const reset = (t: string) => api(`${vol('p1')}/volumes/${vid}/action`, 'POST', t, { 'os-reset_status': { status: 'available' } });
    expect((await reset(member)).status).to.equal(403);
    expect((await reset(admin)).status).to.equal(202);
    expect((await api(`${computeUrl}/os-availability-zone/detail`, 'GET', member)).status).to.equal(403);
    expect((await api(`${computeUrl}/os-availability-zone/detail`, 'GET', admin)).status).to.equal(200);
    expect((await api(`${computeUrl}/servers?all_tenants=1`, 'GET', member)).status).to.equal(403);
  });

  it('deleting an attachment Nova holds needs Nova\'s service token (OSSA-2023-003)', async () => {
    const member = await cloud.token('member1');
    const [vid, sid] = [await newVolume(member), await newServer(member)];
    const connector = { ip: '127.0.0.1', host: 'compute1', initiator: 'iqn.1993-08.org.debian:01:ks' };
    const created = await api(`${vol('p1')}/attachments`, 'POST', member, { attachment: { volume_uuid: vid, instance_uuid: sid, connector } },
      { 'OpenStack-API-Version': 'volume 3.44' });
    expect(created.status, JSON.stringify(created.body)).to.equal(200);
    const aid = created.body.attachment.id as string;
    // As Nova's attachments flow records it: the BDM holds the attachment id.
    await nova.ds.getRepository(BlockDeviceMapping).insert({ instanceUuid: sid, sourceType: 'volume', destinationType: 'volume', volumeId: vid,
      deviceName: '/dev/vdb', attachmentId: aid, deleted: 0, deleteOnTermination: false, encrypted: false, createdAt: new Date() });
    const del = (headers: Record<string, string> = {}) => api(`${vol('p1')}/attachments/${aid}`, 'DELETE', member, undefined, { 'OpenStack-API-Version': 'volume 3.44', ...headers });
    const refused = await del();
    expect([refused.status, refused.body]).to.deep.equal([409, { conflictingRequest: { code: 409, message: `ConflictNovaUsingAttachment: Detach volume from instance ${sid} using the Compute API` } }]);
    // A member's token as the service token does not make a service (no service role).
    expect((await del({ 'X-Service-Token': await cloud.token('member2') })).status).to.equal(409);
    expect((await del({ 'X-Service-Token': await cloud.token('nova') })).status).to.equal(200);
  });

  it('the real openstack, nova and cinder CLIs work with a member\'s password', async function () {
    await requireTool(this, 'openstack', 'python3-openstackclient');
    const m = cloud.users.member1;
    const env = cliEnv(`${process.env.KEYSTONE_URL}/v3`, m.name, m.password, cloud.projects.p1.name, { OS_INTERFACE: 'public' });
    const vid = await newVolume(await cloud.token('member1'));
    const osc = JSON.parse((await run('openstack', ['volume', 'list', '-f', 'json'], { env, timeout: 60_000 })).stdout) as Array<{ ID: string }>;
    expect(osc.map((v) => v.ID)).to.include(vid);
    expect((await run('cinder', ['show', vid], { env, timeout: 60_000 })).stdout).to.contain(vid);
    expect((await run('nova', ['list'], { env, timeout: 60_000 })).stdout).to.match(/\| ks +\| ACTIVE/);
  });
});

/** Nova's own Keystone credentials for calls no user request is behind ([cinder] auth_type = password). */
function reconcilerCreds(cloud: Cloud): Record<string, string> {
  const s = cloud.serviceUserSection('nova');
  return { auth_url: s.auth_url, username: s.username, password: s.password, project_name: s.project_name };
}
