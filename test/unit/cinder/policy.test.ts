// Cinder's (Zed) policy defaults in cinder-api, on the in-process stack with the keystone
// strategy and signed tokens of chosen roles: readers read (a volume, its metadata, the
// attachments) and are refused every write with Cinder's 403 text; members act in their own
// project and get 404 for another project's volume; the admin-only actions are 403 for members;
// the os-vol-* view attributes follow their policies. An [oslo_policy] policy_file overrides
// single rules (reset_status opened to members, volume:get closed: a 404, as Cinder hides a
// volume the caller may not see), and one with a bad rule stops cinder-api at start with one
// line naming the rule and the file.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RequestContext } from '../../../common/context';
import { ConfigError } from '../../../common/exception';
import { startCinderApi } from '../../../cinder-api/main';
import { CINDER_POLICY_DEFAULTS, cinderEnforcer } from '../../../cinder-api/policy';
import { CinderDB } from '../../../cinder-common/db-api';
import {
  KEYSTONE_AUTH, cinderConf, policyFile, signedToken, startCinder, type Cinder, type Json, type Res,
} from '../../functional/cinder/cinder-stack';
import { waitFor, writeConfig } from '../../support/processes';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');

const CONNECTOR = { ip: '10.0.0.9', host: 'compute9', initiator: 'iqn.1993-08.org.debian:01:policy' };
const SERVER = '0b6d7f0a-8f3e-4bb5-9c1e-5d2b8f0c9a11';

const READER = signedToken('reader1', 'p1', ['reader']);
const MEMBER = signedToken('member1', 'p1', ['member', 'reader']);
const OTHER = signedToken('member2', 'p2', ['member', 'reader']);
const ADMIN = signedToken('admin1', 'adminproj', ['admin', 'member', 'reader']);
const NOBODY = signedToken('guest1', 'p1', ['guest']);

const denied = (action: string) => ({ forbidden: { code: 403, message: `Policy doesn't allow ${action} to be performed.` } });

function expect403(r: Res, action: string, what: string): void {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).to.equal(403);
  expect(r.body, what).to.deep.equal(denied(action));
}

function expect404(r: Res, what: string): void {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).to.equal(404);
}

/** Every volume action we serve: [action, argument, the policy a reader is refused by]. */
const ACTIONS: Array<[string, unknown, string]> = [
  ['os-reserve', null, 'volume_extension:volume_actions:reserve'],
  ['os-unreserve', null, 'volume_extension:volume_actions:unreserve'],
  ['os-begin_detaching', null, 'volume_extension:volume_actions:begin_detaching'],
  ['os-roll_detaching', null, 'volume_extension:volume_actions:roll_detaching'],
  ['os-initialize_connection', { connector: CONNECTOR }, 'volume_extension:volume_actions:initialize_connection'],
  ['os-terminate_connection', { connector: CONNECTOR }, 'volume_extension:volume_actions:terminate_connection'],
  ['os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb' }, 'volume_extension:volume_actions:attach'],
  ['os-detach', {}, 'volume_extension:volume_actions:detach'],
  ['os-extend', { new_size: 2 }, 'volume:extend'],
  ['os-retype', { new_type: '__DEFAULT__' }, 'volume:retype'],
  ['os-set_bootable', { bootable: true }, 'volume:update'],
  ['os-update_readonly_flag', { readonly: true }, 'volume:update_readonly_flag'],
  ['os-reset_status', { status: 'error' }, 'volume_extension:volume_admin_actions:reset_status'],
  ['os-force_detach', { connector: CONNECTOR }, 'volume_extension:volume_admin_actions:force_detach'],
  ['os-force_delete', {}, 'volume_extension:volume_admin_actions:force_delete'],
];

const ADMIN_ACTIONS = ACTIONS.filter(([, , policy]) => policy.includes('admin_actions'));

describe('cinder-api policy (Cinder Zed defaults)', function () {
  this.timeout(30_000);

  describe('the defaults, by role', () => {
    let c: Cinder;
    let vol: string;
    before(async () => {
      c = await startCinder(KEYSTONE_AUTH);
      vol = await c.createVolume(1, MEMBER, 'p1-vol');
      expect((await c.req('POST', `/v3/p1/volumes/${vol}/metadata`, { token: MEMBER, body: { metadata: { k: 'v' } } })).status).to.equal(200);
    });
    after(async () => { await c?.stop(); });

    const volReq = (method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) =>
      c.req(method, `/v3/p1/volumes/${vol}${path}`, { token, body, headers });
    const att = (method: string, path: string, token: string, body?: unknown, project = 'p1') =>
      c.req(method, `/v3/${project}/attachments${path}`, { token, body, headers: { 'OpenStack-API-Version': 'volume 3.44' } });

    it('a reader reads the volume, its metadata and the list; every write is refused with the policy text', async () => {
      let r = await volReq('GET', '', READER);
      expect(r.status).to.equal(200);
      expect(r.body.volume.id).to.equal(vol);
      expect((await volReq('GET', '/metadata', READER)).body).to.deep.equal({ metadata: { k: 'v' } });
      expect((await volReq('GET', '/metadata/k', READER)).body).to.deep.equal({ meta: { k: 'v' } });
      r = await c.req('GET', '/v3/p1/volumes/detail', { token: READER });
      expect(r.status).to.equal(200);
      expect(r.body.volumes.map((v: Json) => v.id)).to.include(vol);

      expect403(await c.req('POST', '/v3/p1/volumes', { token: READER, body: { volume: { size: 1 } } }), 'volume:create', 'create');
      expect403(await volReq('PUT', '', READER, { volume: { name: 'x' } }), 'volume:update', 'update');
      expect403(await volReq('DELETE', '', READER), 'volume:delete', 'delete');
      expect403(await volReq('POST', '/metadata', READER, { metadata: { a: 'b' } }), 'volume:create_volume_metadata', 'metadata create');
      expect403(await volReq('PUT', '/metadata', READER, { metadata: { a: 'b' } }), 'volume:update_volume_metadata', 'metadata update all');
      expect403(await volReq('PUT', '/metadata/k', READER, { meta: { k: 'w' } }), 'volume:update_volume_metadata', 'metadata update key');
      expect403(await volReq('DELETE', '/metadata/k', READER), 'volume:delete_volume_metadata', 'metadata delete');
      for (const [action, arg, policy] of ACTIONS) expect403(await c.action(vol, action, arg, READER), policy, action);
      expect403(await att('POST', '', READER, { attachment: { volume_uuid: vol, instance_uuid: SERVER } }), 'volume:attachment_create', 'attachment create');

      // Nothing changed.
      const v = await c.show(vol, MEMBER);
      expect(v).to.include({ status: 'available', name: 'p1-vol', size: 1, bootable: 'false' });
      expect(v.metadata).to.deep.equal({ k: 'v' });
    });

    it("a reader sees a member's attachment but may not update, complete or delete it", async () => {
      const created = await att('POST', '', MEMBER, { attachment: { volume_uuid: vol, instance_uuid: SERVER } });
      expect(created.status, JSON.stringify(created.body)).to.equal(200);
      const id = created.body.attachment.id as string;
      try {
        expect((await att('GET', `/${id}`, READER)).status).to.equal(200);
        expect((await att('GET', '', READER)).body.attachments.map((a: Json) => a.id)).to.include(id);
        expect403(await att('PUT', `/${id}`, READER, { attachment: { connector: CONNECTOR } }), 'volume:attachment_update', 'attachment update');
        expect403(await att('POST', `/${id}/action`, READER, { 'os-complete': null }), 'volume:attachment_complete', 'attachment complete');
        expect403(await att('DELETE', `/${id}`, READER), 'volume:attachment_delete', 'attachment delete');
        // Another project's member does not see it at all.
        expect404(await att('GET', `/${id}`, OTHER, undefined, 'p2'), 'other project attachment show');
        expect404(await att('DELETE', `/${id}`, OTHER, undefined, 'p2'), 'other project attachment delete');
      } finally {
        const r = await att('DELETE', `/${id}`, MEMBER);
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
      }
      expect((await c.show(vol, MEMBER)).status).to.equal('available');
    });

    it("a reader lists and shows a member's transfer offer but may not make, take or withdraw one", async () => {
      const id = await c.createVolume(1, MEMBER, 'offered');
      const tr = (method: string, path: string, token: string, body?: unknown, project = 'p1') =>
        c.req(method, `/v3/${project}/os-volume-transfer${path}`, { token, body });
      expect403(await tr('POST', '', READER, { transfer: { volume_id: id } }), 'volume:create_transfer', 'transfer create');
      const made = await tr('POST', '', MEMBER, { transfer: { volume_id: id } });
      expect(made.status, JSON.stringify(made.body)).to.equal(202);
      const t = made.body.transfer as { id: string; auth_key: string };
      expect((await tr('GET', `/${t.id}`, READER)).status).to.equal(200);
      expect((await tr('GET', '', READER)).body.transfers.map((x: Json) => x.id)).to.include(t.id);
      expect403(await tr('POST', `/${t.id}/accept`, READER, { accept: { auth_key: t.auth_key } }), 'volume:accept_transfer', 'transfer accept');
      expect403(await tr('DELETE', `/${t.id}`, READER), 'volume:delete_transfer', 'transfer delete');
      // Another project's member does not see the offer, but takes the volume with the key.
      expect404(await tr('GET', `/${t.id}`, OTHER, undefined, 'p2'), 'other project transfer show');
      const taken = await tr('POST', `/${t.id}/accept`, OTHER, { accept: { auth_key: t.auth_key } }, 'p2');
      expect(taken.status, JSON.stringify(taken.body)).to.equal(202);
      expect((await c.req('GET', `/v3/p2/volumes/${id}`, { token: OTHER })).body.volume.status).to.equal('available');
      // Its new owner deletes it: the other tests expect p2 to hold no volume.
      expect((await c.req('DELETE', `/v3/p2/volumes/${id}`, { token: OTHER })).status).to.equal(202);
      await waitFor(async () => (await c.req('GET', `/v3/p2/volumes/${id}`, { token: OTHER })).status === 404, 10_000, 'deleted', 20);
    });

    it('a member acts on its own project\'s volume', async () => {
      const id = await c.createVolume(1, MEMBER, 'mine');
      expect((await c.req('PUT', `/v3/p1/volumes/${id}`, { token: MEMBER, body: { volume: { name: 'renamed' } } })).status).to.equal(200);
      expect((await c.req('POST', `/v3/p1/volumes/${id}/metadata`, { token: MEMBER, body: { metadata: { a: '1' } } })).status).to.equal(200);
      expect((await c.req('PUT', `/v3/p1/volumes/${id}/metadata/a`, { token: MEMBER, body: { meta: { a: '2' } } })).status).to.equal(200);
      expect((await c.req('DELETE', `/v3/p1/volumes/${id}/metadata/a`, { token: MEMBER })).status).to.equal(200);
      expect((await c.action(id, 'os-set_bootable', { bootable: true }, MEMBER)).status).to.equal(200);
      expect((await c.action(id, 'os-update_readonly_flag', { readonly: false }, MEMBER)).status).to.equal(202);
      expect((await c.action(id, 'os-reserve', null, MEMBER)).status).to.equal(202);
      expect((await c.action(id, 'os-unreserve', null, MEMBER)).status).to.equal(202);
      expect((await c.action(id, 'os-extend', { new_size: 2 }, MEMBER)).status).to.equal(202);
      await waitFor(async () => (await c.show(id, MEMBER)).status === 'available', 10_000, 'extended', 20);
      const v = await c.show(id, MEMBER);
      expect(v).to.include({ name: 'renamed', size: 2, bootable: 'true' });
      const a = await att('POST', '', MEMBER, { attachment: { volume_uuid: id, instance_uuid: SERVER, connector: CONNECTOR } });
      expect(a.status, JSON.stringify(a.body)).to.equal(200);
      expect((await att('POST', `/${a.body.attachment.id}/action`, MEMBER, { 'os-complete': null })).status).to.equal(204);
      expect((await att('DELETE', `/${a.body.attachment.id}`, MEMBER)).status).to.equal(200);
      const del = await c.req('DELETE', `/v3/p1/volumes/${id}`, { token: MEMBER });
      expect(del.status, JSON.stringify(del.body)).to.equal(202);
    });

    it("another project's member gets 404 for the volume, whatever it asks", async () => {
      const p2 = (method: string, path: string, body?: unknown) => c.req(method, `/v3/p2/volumes/${vol}${path}`, { token: OTHER, body });
      expect404(await p2('GET', ''), 'show');
      expect404(await p2('PUT', '', { volume: { name: 'x' } }), 'update');
      expect404(await p2('DELETE', ''), 'delete');
      expect404(await p2('GET', '/metadata'), 'metadata');
      expect404(await p2('POST', '/metadata', { metadata: { a: 'b' } }), 'metadata create');
      for (const [action, arg] of ACTIONS) expect404(await c.action(vol, action, arg, OTHER), action);
      expect404(await att('POST', '', OTHER, { attachment: { volume_uuid: vol, instance_uuid: SERVER } }, 'p2'), 'attachment create');
      expect((await c.req('GET', '/v3/p2/volumes', { token: OTHER })).body.volumes).to.deep.equal([]);
    });

    it('the admin-only actions are refused to members with the exact Cinder text, and done for admins', async () => {
      for (const [action, arg, policy] of ADMIN_ACTIONS) expect403(await c.action(vol, action, arg, MEMBER), policy, action);
      expect403(await volReq('DELETE', '?force=true', MEMBER, undefined, { 'OpenStack-API-Version': 'volume 3.23' }), 'volume:force_delete', 'DELETE ?force');
      expect403(await c.req('GET', '/v3/p1/os-volume-exports', { token: MEMBER }), 'volume_extension:volume_exports:index', 'exports');
      expect403(await c.req('POST', '/v3/p1/os-volume-exports/action', { token: MEMBER, body: { 'os-sync': {} } }),
        'volume_extension:volume_exports:sync', 'exports sync');

      expect((await c.req('GET', '/v3/adminproj/os-volume-exports', { token: ADMIN })).status).to.equal(200);
      const id = await c.createVolume(1, MEMBER, 'reset-me');
      expect((await c.req('POST', `/v3/adminproj/volumes/${id}/action`, { token: ADMIN, body: { 'os-reset_status': { status: 'error' } } })).status).to.equal(202);
      expect((await c.show(id, MEMBER)).status).to.equal('error');
      expect((await c.req('POST', `/v3/adminproj/volumes/${id}/action`, { token: ADMIN, body: { 'os-force_delete': {} } })).status).to.equal(202);
    });

    it('os-vol-* attributes: the tenant for readers, host and migration status for admins only', async () => {
      const keys = async (token: string, project: string): Promise<string[]> => {
        const show = await c.req('GET', `/v3/${project}/volumes/${vol}`, { token });
        expect(show.status).to.equal(200);
        const detail = await c.req('GET', `/v3/${project}/volumes/detail${project === 'adminproj' ? '?all_tenants=1' : ''}`, { token });
        const listed = detail.body.volumes.find((v: Json) => v.id === vol);
        expect(Object.keys(listed).filter((k) => k.startsWith('os-vol-'))).to.deep.equal(Object.keys(show.body.volume).filter((k) => k.startsWith('os-vol-')));
        return Object.keys(show.body.volume).filter((k) => k.startsWith('os-vol-')).sort();
      };
      expect(await keys(READER, 'p1')).to.deep.equal(['os-vol-tenant-attr:tenant_id']);
      expect(await keys(MEMBER, 'p1')).to.deep.equal(['os-vol-tenant-attr:tenant_id']);
      expect(await keys(ADMIN, 'adminproj')).to.deep.equal([
        'os-vol-host-attr:host', 'os-vol-mig-status-attr:migstat', 'os-vol-mig-status-attr:name_id', 'os-vol-tenant-attr:tenant_id',
      ]);
    });

    it('all_tenants: honoured for admins only', async () => {
      const other = await c.createVolume(1, OTHER, 'p2-vol');
      const ids = async (token: string, project: string) =>
        (await c.req('GET', `/v3/${project}/volumes?all_tenants=1`, { token })).body.volumes.map((v: Json) => v.id) as string[];
      expect(await ids(MEMBER, 'p1')).to.include(vol).and.not.include(other);
      expect(await ids(ADMIN, 'adminproj')).to.include.members([vol, other]);
    });

    it('a token without reader or member is refused the list, and the volume is not found', async () => {
      expect403(await c.req('GET', '/v3/p1/volumes', { token: NOBODY }), 'volume:get_all', 'list');
      expect404(await volReq('GET', '', NOBODY), 'show');
      expect404(await c.action(vol, 'os-reserve', null, NOBODY), 'os-reserve');
    });
  });

  describe('[oslo_policy] policy_file', () => {
    it('reset_status opened to role:member lets a member reset its own volume (not another project\'s)', async () => {
      const c = await startCinder({ ...KEYSTONE_AUTH, ...policyFile({ 'volume_extension:volume_admin_actions:reset_status': 'role:member' }) });
      try {
        const id = await c.createVolume(1, MEMBER);
        expect((await c.action(id, 'os-reset_status', { status: 'error' }, MEMBER)).status).to.equal(202);
        expect((await c.show(id, MEMBER)).status).to.equal('error');
        expect404(await c.action(id, 'os-reset_status', { status: 'available' }, OTHER), 'other project');
        expect403(await c.action(id, 'os-reset_status', { status: 'available' }, READER), 'volume_extension:volume_admin_actions:reset_status', 'reader');
        // The other rules keep their defaults.
        expect403(await c.action(id, 'os-force_delete', {}, MEMBER), 'volume_extension:volume_admin_actions:force_delete', 'force_delete');
      } finally {
        await c.stop();
      }
    });

    it('volume:get set to "!" denies a GET: a 404, as Cinder hides what the caller may not see; get_all "!" is a 403', async () => {
      const c = await startCinder(policyFile({ 'volume:get': '!', 'volume:get_all': '!' }));
      try {
        const r = await c.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1 } } });
        expect(r.status).to.equal(202);
        const id = r.body.volume.id as string;
        for (const token of ['demo:demo', 'admin:demo']) {
          const show = await c.req('GET', `/v3/demo/volumes/${id}`, { token });
          expect(show.status).to.equal(404);
          expect(show.body.itemNotFound.message).to.equal(`Volume ${id} could not be found.`);
          expect403(await c.req('GET', '/v3/demo/volumes', { token }), 'volume:get_all', 'list');
        }
        expect404(await c.req('GET', `/v3/demo/volumes/${id}/metadata`), 'metadata');
        // os-reset_status looks the volume up without volume:get (admin_actions.py).
        await waitFor(async () => (await new CinderDB(c.ds).volumeGet(id))?.status === 'available', 10_000, 'available', 20);
        expect((await c.action(id, 'os-reset_status', { status: 'error' }, 'admin:demo')).status).to.equal(202);
      } finally {
        await c.stop();
      }
    });

    it('volume:multiattach_bootable_volume closed: no new attachment of an in-use, bootable multiattach volume', async () => {
      const c = await startCinder({ ...KEYSTONE_AUTH, ...policyFile({ 'volume:multiattach_bootable_volume': '!' }) });
      try {
        const id = await c.createVolume(1, MEMBER);
        await new CinderDB(c.ds).volumeConditionalUpdate(id, { status: 'available' }, { multiattach: true, bootable: true, status: 'in-use' });
        const r = await c.req('POST', '/v3/p1/attachments', {
          token: MEMBER, body: { attachment: { volume_uuid: id, instance_uuid: randomUUID() } }, headers: { 'OpenStack-API-Version': 'volume 3.27' },
        });
        expect403(r, 'volume:multiattach_bootable_volume', 'attachment create');
      } finally {
        await c.stop();
      }
    });

    it('a syntax error stops cinder-api at start, naming the rule and the file in one line', async () => {
      const overrides = policyFile({ 'volume:create': 'rule:xena_system_admin_or_project_member', 'volume:get': 'role:reader and' });
      const file = (overrides.oslo_policy as { policy_file: string }).policy_file;
      const want = `Invalid policy rule 'role:reader and': it ends too early (volume:get in ${file})`;
      const err = await startCinderApi(cinderConf(overrides)).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.equal(want);

      // The daemon: one line on stderr, exit 1, before it connects to anything.
      const conf = writeConfig('cinder.conf', [
        '[DEFAULT]', 'transport_url = rabbit://guest:guest@127.0.0.1:1/', '[database]', 'connection = sqlite:///nonexistent/cinder.sqlite',
        '[oslo_policy]', `policy_file = ${file}`,
      ].join('\n'));
      const res = await run(process.execPath, [join(BIN, 'cinder-api.js'), '--config-file', conf], { timeout: 20_000 })
        .then(() => null, (e: { code: number; stderr: string }) => e);
      expect(res?.code).to.equal(1);
      expect(res?.stderr).to.equal(`cinder-api: ${want}\n`);
    });
  });

  describe('the enforcer on contexts built directly', () => {
    const ctx = (roles: string[], projectId = 'p1') => new RequestContext({ userId: 'u', projectId, roles });

    it('targets: a volume is judged by its own project, a create by the caller\'s', () => {
      const e = cinderEnforcer();
      const p1 = { project_id: 'p1' };
      const p2 = { project_id: 'p2' };
      expect(e.allows(ctx(['reader']), 'volume:get', p1)).to.equal(true);
      expect(e.allows(ctx(['reader']), 'volume:get', p2)).to.equal(false);
      expect(e.allows(ctx(['reader']), 'volume:update', p1)).to.equal(false);
      expect(e.allows(ctx(['member', 'reader']), 'volume:update', p1)).to.equal(true);
      expect(e.allows(ctx(['member', 'reader']), 'volume:update', p2)).to.equal(false);
      expect(e.allows(ctx(['member', 'reader']), 'volume:create')).to.equal(true);
      expect(e.allows(ctx(['member', 'reader']), 'volume_extension:volume_admin_actions:reset_status', p1)).to.equal(false);
      expect(e.allows(ctx(['admin']), 'volume_extension:volume_admin_actions:reset_status', p2)).to.equal(true);
      expect(e.allows(ctx(['member']).elevated(), 'volume:update_volume_admin_metadata', p1)).to.equal(true);
      expect(() => e.authorize(ctx(['reader']), 'volume:delete', p1)).to.throw("Policy doesn't allow volume:delete to be performed.");
    });

    it('every policy cinder-api checks has a default', () => {
      for (const name of [
        'volume:create', 'volume:get', 'volume:get_all', 'volume:update', 'volume:delete', 'volume:force_delete', 'volume:extend',
        'volume:extend_attached_volume', 'volume:update_readonly_flag', 'volume:update_volume_admin_metadata',
        'volume:get_volume_metadata', 'volume:create_volume_metadata', 'volume:update_volume_metadata', 'volume:delete_volume_metadata',
        'volume:attachment_create', 'volume:attachment_update', 'volume:attachment_delete', 'volume:attachment_complete',
        'volume:multiattach_bootable_volume', 'volume_extension:volume_host_attribute', 'volume_extension:volume_tenant_attribute',
        'volume_extension:volume_mig_status_attribute', 'volume_extension:volume_exports:index', 'volume_extension:volume_exports:sync',
        'volume:create_transfer', 'volume:accept_transfer', 'volume:delete_transfer', 'volume:get_transfer', 'volume:get_all_transfers',
        ...ACTIONS.map(([, , p]) => p),
      ]) expect(CINDER_POLICY_DEFAULTS, name).to.have.property(name);
    });
  });

});
