// The real cinder and openstack CLIs against cinder-api mounted under /volume next to the
// minimal Keystone (and nova-api under /compute, which `openstack volume list` asks for
// server names), as the all-in-one serves them; plus cinder's noauth plugin on /v3.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createApiApp, noauth2, type FastifyInstance } from '../../../common/api';
import { identityRoutes, parseUsers } from '../../../nova-api/stubs/keystone';
import { novaApiPlugin } from '../../../nova-api/app';
import { createComputeApi } from '../../../nova-api/main';
import { cinderApiPlugin, createVolumeApi } from '../../../cinder-api/main';
import { freePort, waitFor } from '../../support/processes';
import { startNova, type Nova } from '../../functional/nova/harness';
import { startCinder, type Cinder } from '../../functional/cinder/cinder-stack';
import { requireTool } from '../../support/servers';
import { cliEnv } from '../../support/cli-env';

const run = promisify(execFile);

describe('cinder and openstack CLIs against cinder-api', function () {
  this.timeout(180_000);
  let cinder: Cinder;
  let nova: Nova;
  let app: FastifyInstance;
  let base = '';
  let env: Record<string, string>;

  const cli = async (cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(cmd, args, { env: { ...env, ...extraEnv }, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  };

  before(async function () {
    await requireTool(this, 'cinder', 'python3-cinderclient');
    await requireTool(this, 'openstack', 'python3-openstackclient');
    cinder = await startCinder();
    nova = await startNova();
    app = createApiApp({ name: 'test.cinder-cli', auth: noauth2 });
    identityRoutes(app, { users: parseUsers(['demo:secret:demo']), secret: 's', mode: 'noauth2' });
    await app.register(novaApiPlugin, { prefix: '/compute', compute: createComputeApi(nova.conf, nova.ds, nova.transport) });
    await app.register(cinderApiPlugin, { prefix: '/volume', volumes: createVolumeApi(cinder.conf, cinder.ds, cinder.transport) });
    const port = await freePort();
    await app.listen({ host: '127.0.0.1', port });
    base = `http://127.0.0.1:${port}`;
    env = cliEnv(`${base}/identity/v3`, 'demo', 'secret', 'demo');
  });
  after(async () => {
    await app?.close();
    await nova?.stop();
    await cinder?.stop();
  });

  /** The admin's options through cinderclient's noauth plugin (no Keystone in the way). */
  const noauthAdmin = (): string[] => ['--os-auth-type', 'noauth', '--os-endpoint', `${base}/volume/v3`, '--os-user-id', 'admin', '--os-project-id', 'demo'];
  /** `cinder` as that admin; its output, once it exited 0. */
  const adminCinder = async (...a: string[]): Promise<string> => {
    const r = await cli('cinder', [...noauthAdmin(), ...a], { OS_AUTH_URL: '' });
    expect(r.code, r.stderr).to.equal(0);
    return r.stdout;
  };

  it('cinder create / list / show / reset-state / delete (password auth)', async () => {
    const created = await cli('cinder', ['create', '1', '--name', 'cv1']);
    expect(created.code, created.stderr).to.equal(0);
    const id = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(created.stdout)?.[1] as string;
    expect(id).to.be.a('string');
    await waitFor(async () => (await cinder.show(id)).status === 'available', 10_000, 'available', 50);
    const list = await cli('cinder', ['list']);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.match(new RegExp(`${id}\\s+\\|\\s+available\\s+\\|\\s+cv1\\s+\\|\\s+1\\s+\\|`));
    const show = await cli('cinder', ['show', 'cv1']);
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/\|\s+status\s+\|\s+available\s+\|/);
    const missing = await cli('cinder', ['show', 'nope']);
    expect(missing.code).to.not.equal(0);
    expect(missing.stderr).to.include("No volume with a name or ID of 'nope' exists.");
    // reset-state is admin-only: demo is refused
    const reset = await cli('cinder', ['reset-state', '--state', 'error', id]);
    expect(reset.code).to.not.equal(0);
    const del = await cli('cinder', ['delete', id]);
    expect(del.code, del.stderr).to.equal(0);
    await waitFor(async () => (await cinder.req('GET', `/v3/demo/volumes/${id}`)).status === 404, 10_000, 'deleted', 50);
  });

  it('cinder negotiates 3.70 (no downgrade warning) and prints the 3.70 fields', async () => {
    const created = await cli('cinder', ['create', '1', '--name', 'cv70']);
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stderr).to.not.include('downgrading');
    const id = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(created.stdout)?.[1] as string;
    await waitFor(async () => (await cinder.show(id)).status === 'available', 10_000, 'available', 50);
    const show = await cli('cinder', ['show', id]);
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stderr).to.not.include('downgrading');
    for (const row of [/\|\s+consumes_quota\s+\|\s+True\s+\|/, /\|\s+shared_targets\s+\|\s+False\s+\|/, /\|\s+service_uuid\s+\|\s+[0-9a-f-]{36}\s+\|/,
      /\|\s+volume_type_id\s+\|\s+[0-9a-f-]{36}\s+\|/, /\|\s+group_id\s+\|\s+None\s+\|/]) {
      expect(show.stdout).to.match(row);
    }
    const list = await cli('cinder', ['list', '--with-count']);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stderr).to.not.include('downgrading');
    expect(list.stdout).to.match(/\|\s+ID\s+\|\s+Status\s+\|\s+Name\s+\|\s+Size\s+\|\s+Consumes Quota\s+\|\s+Volume Type\s+\|/);
    expect(list.stdout).to.match(new RegExp(`${id}\\s+\\|\\s+available\\s+\\|\\s+cv70\\s+\\|\\s+1\\s+\\|\\s+True\\s+\\|`));
    expect(list.stdout).to.match(/Volume in total: \d+/);
    const del = await cli('cinder', ['delete', id]);
    expect(del.code, del.stderr).to.equal(0);
  });

  it('cinder noauth plugin on /volume/v3 without a project in the URL (admin reset-state)', async () => {
    const id = await cinder.createVolume(1, 'admin:demo', 'nv');
    const args = ['--os-auth-type', 'noauth', '--os-endpoint', `${base}/volume/v3`, '--os-user-id', 'admin', '--os-project-id', 'demo'];
    const reset = await cli('cinder', [...args, 'reset-state', '--state', 'error', id], { OS_AUTH_URL: '' });
    expect(reset.code, reset.stderr).to.equal(0);
    expect((await cinder.show(id, 'admin:demo')).status).to.equal('error');
    const reset2 = await cli('cinder', [...args, 'reset-state', '--state', 'available', '--attach-status', 'detached', id], { OS_AUTH_URL: '' });
    expect(reset2.code, reset2.stderr).to.equal(0);
    const list = await cli('cinder', [...args, 'list'], { OS_AUTH_URL: '' });
    expect(list.stdout).to.include(id);
  });

  it('cinder service-set-log / service-get-log (3.32): a backend\'s loggers through cinder-volume', async () => {
    const args = ['--os-auth-type', 'noauth', '--os-endpoint', `${base}/volume/v3`, '--os-user-id', 'admin', '--os-project-id', 'demo', '--os-volume-api-version', '3.32'];
    const set = await cli('cinder', [...args, 'service-set-log', '--binary', 'cinder-volume', '--prefix', 'cinder-volume.manager', 'debug'], { OS_AUTH_URL: '' });
    expect(set.code, set.stderr).to.equal(0);
    const row = /\|\s*cinder-volume\s*\|\s*\S+@\S+\s*\|\s*cinder-volume\.manager\s*\|\s*(\w+)\s*\|/;
    const level = async (): Promise<string | undefined> => row.exec((await cli('cinder', [...args, 'service-get-log', '--binary', 'cinder-volume', '--prefix', 'cinder-volume.manager'], { OS_AUTH_URL: '' })).stdout)?.[1];
    await waitFor(async () => (await level()) === 'DEBUG', 20_000, 'cinder-volume.manager at DEBUG', 200);
    expect((await cli('cinder', [...args, 'service-set-log', '--prefix', 'cinder-volume.manager', 'INFO'], { OS_AUTH_URL: '' })).code).to.equal(0);
    await waitFor(async () => (await level()) === 'INFO', 20_000, 'cinder-volume.manager back at INFO', 200);
  });

  it('cinder work-cleanup (3.24): the backends that are up are cleaned; none are down', async () => {
    const args = ['--os-auth-type', 'noauth', '--os-endpoint', `${base}/volume/v3`, '--os-user-id', 'admin', '--os-project-id', 'demo', '--os-volume-api-version', '3.24'];
    const up = await cli('cinder', [...args, 'work-cleanup', '--is-up', 'true', '--binary', 'cinder-volume'], { OS_AUTH_URL: '' });
    expect(up.code, up.stderr).to.equal(0);
    expect(up.stdout).to.include('Following services will be cleaned').and.match(/\|\s*\d+\s*\|\s*-\s*\|\s*\S+@\S+\s*\|\s*cinder-volume\s*\|/);
    const down = await cli('cinder', [...args, 'work-cleanup'], { OS_AUTH_URL: '' });
    expect([down.code, down.stdout.trim()]).to.deep.equal([0, 'No cleanable services matched cleanup criteria.']);
  });

  it('cinder qos-create / qos-key / qos-associate / qos-get-association / qos-delete, openstack volume qos show', async () => {
    const args = noauthAdmin();
    const made = await adminCinder('qos-create', 'cli-qos', 'consumer=front-end', 'total_iops_sec=500');
    const id = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(made)?.[1] as string;
    expect(made).to.match(/\|\s+consumer\s+\|\s+front-end\s+\|/);
    await adminCinder('qos-key', id, 'set', 'read_bytes_sec=1024');
    await adminCinder('qos-key', id, 'unset', 'total_iops_sec');
    expect(await adminCinder('qos-show', id)).to.match(/read_bytes_sec[^|]*1024/).and.not.match(/total_iops_sec/);
    const type = /\|\s+([0-9a-f-]{36})\s+\|\s+cli-qos-type\s+\|/.exec(await adminCinder('type-create', 'cli-qos-type'))?.[1] as string;
    await adminCinder('qos-associate', id, type);
    expect(await adminCinder('qos-get-association', id)).to.match(new RegExp(`volume_type\\s+\\|\\s+cli-qos-type\\s+\\|\\s+${type}`));
    const bare = { OS_AUTH_URL: '', OS_USERNAME: '', OS_PASSWORD: '', OS_PROJECT_NAME: '', OS_USER_DOMAIN_NAME: '', OS_PROJECT_DOMAIN_NAME: '' };
    const shown = await cli('openstack', [...args, '--os-volume-api-version', '3', 'volume', 'qos', 'show', id], bare);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.include('cli-qos-type');
    await adminCinder('qos-disassociate-all', id);
    expect(await adminCinder('qos-list')).to.include('cli-qos');
    await adminCinder('qos-delete', id);
    await adminCinder('type-delete', type);
    expect(await adminCinder('qos-list')).to.not.include(id);
  });

  it('cinder group-type-create / -key / -update / group-specs-list, group-create, create --group-id, group-snapshot-create, group-create-from-src, group-delete', async () => {
    // The states in between are read over REST (one cheap request) rather than by more CLI runs.
    const rest = async (path: string): Promise<{ status: number; body: Record<string, Record<string, unknown>> }> => {
      const r = await fetch(`${base}/volume/v3/demo${path}`, { headers: { 'X-Auth-Token': 'admin:demo', 'OpenStack-API-Version': 'volume 3.25' } });
      return { status: r.status, body: await r.json() as Record<string, Record<string, unknown>> };
    };
    const statusOf = async (path: string, key: string): Promise<unknown> => { const r = await rest(path); return r.status === 404 ? 404 : r.body[key]?.status; };
    const until = (what: string, path: string, key: string, want: unknown): Promise<unknown> => waitFor(async () => (await statusOf(path, key)) === want, 30_000, what, 100);
    const idIn = (out: string): string => /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(out)?.[1] as string;
    const gt = /\|\s+([0-9a-f-]{36})\s+\|\s+cli-gt\s+\|/.exec(await adminCinder('group-type-create', '--description', 'cli d', 'cli-gt'))?.[1] as string;
    expect(gt).to.be.a('string');
    await adminCinder('group-type-key', 'cli-gt', 'set', 'consistent_group_snapshot_enabled=<is> False', 'k2=v2');
    await adminCinder('group-type-update', '--name', 'cli-gt-2', gt);
    expect(await adminCinder('group-specs-list')).to.match(/cli-gt-2/).and.match(/consistent_group_snapshot_enabled/).and.match(/k2/);
    const made = await fetch(`${base}/volume/v3/demo/types`, {
      method: 'POST', headers: { 'X-Auth-Token': 'admin:demo', 'Content-Type': 'application/json' }, body: JSON.stringify({ volume_type: { name: 'cli-grp-vt' } }),
    });
    const vt = ((await made.json()) as { volume_type: { id: string } }).volume_type.id;
    const gid = idIn(await adminCinder('group-create', '--name', 'cli-grp', 'cli-gt-2', 'cli-grp-vt'));
    await until('group available', `/groups/${gid}`, 'group', 'available');
    const vid = idIn(await adminCinder('create', '--group-id', gid, '--volume-type', 'cli-grp-vt', '--name', 'cli-grp-vol', '1'));
    await until('volume available', `/volumes/${vid}`, 'volume', 'available');
    const gs = idIn(await adminCinder('group-snapshot-create', '--name', 'cli-gs', gid));
    await until('group snapshot available', `/group_snapshots/${gs}`, 'group_snapshot', 'available');
    const copy = idIn(await adminCinder('group-create-from-src', '--group-snapshot', gs, '--name', 'cli-grp-copy'));
    await until('copy available', `/groups/${copy}`, 'group', 'available');
    expect(await adminCinder('group-list')).to.include('cli-grp-copy').and.include('cli-grp');
    await adminCinder('group-delete', '--delete-volumes', copy);
    await adminCinder('group-snapshot-delete', gs);
    await until('group snapshot gone', `/group_snapshots/${gs}`, 'group_snapshot', 404);
    await adminCinder('group-delete', '--delete-volumes', gid);
    for (const g of [gid, copy]) await until(`group ${g} gone`, `/groups/${g}`, 'group', 404);
    expect((await rest(`/volumes/${vid}`)).status).to.equal(404);
    expect((await fetch(`${base}/volume/v3/demo/types/${vt}`, { method: 'DELETE', headers: { 'X-Auth-Token': 'admin:demo' } })).status).to.equal(202);
    await adminCinder('group-type-delete', gt);
  });

  it('cinder encryption-type-create / -list / -show / -update / -delete', async () => {
    const type = /\|\s+([0-9a-f-]{36})\s+\|\s+cli-enc-type\s+\|/.exec(await adminCinder('type-create', 'cli-enc-type'))?.[1] as string;
    const made = await adminCinder('encryption-type-create', '--cipher', 'aes-xts-plain64', '--key-size', '256', '--control-location', 'front-end', 'cli-enc-type', 'luks');
    expect(made).to.match(/luks\s+\|\s+aes-xts-plain64\s+\|\s+256\s+\|\s+front-end/);
    await adminCinder('encryption-type-update', '--key-size', '512', 'cli-enc-type');
    expect(await adminCinder('encryption-type-show', 'cli-enc-type')).to.match(/luks\s+\|\s+aes-xts-plain64\s+\|\s+512\s+\|\s+front-end/);
    expect(await adminCinder('encryption-type-list')).to.match(new RegExp(`${type}\\s+\\|\\s+luks`));
    await adminCinder('encryption-type-delete', 'cli-enc-type');
    expect(await adminCinder('encryption-type-show', 'cli-enc-type')).to.not.include('luks');
    await adminCinder('type-delete', 'cli-enc-type');
  });

  it('cinder snapshot-create / -list / -show / -rename / -metadata / -delete, a volume from it, openstack volume snapshot list / delete', async () => {
    const vol = await cinder.createVolume(1, 'demo:demo', 'snap-src');
    const made = await cli('cinder', ['snapshot-create', '--name', 'cs1', '--metadata', 'k=v', vol]);
    expect(made.code, made.stderr).to.equal(0);
    const id = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(made.stdout)?.[1] as string;
    const status = async (): Promise<number | string> => {
      const r = await cinder.req('GET', `/v3/demo/snapshots/${id}`);
      return r.status === 404 ? 404 : r.body.snapshot.status;
    };
    await waitFor(async () => (await status()) === 'available', 10_000, 'snapshot available', 50);
    const list = await cli('cinder', ['snapshot-list']);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.match(new RegExp(`${id}\\s+\\|\\s+${vol}\\s+\\|\\s+available\\s+\\|\\s+cs1\\s+\\|\\s+1`));
    expect((await cli('cinder', ['snapshot-rename', 'cs1', 'cs2'])).code).to.equal(0);
    expect((await cli('cinder', ['snapshot-metadata', 'cs2', 'set', 'a=1'])).code).to.equal(0);
    const show = await cli('cinder', ['snapshot-show', 'cs2']);
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/\|\s+name\s+\|\s+cs2\s+\|/).and.match(/'a': '1'/).and.match(/os-extended-snapshot-attributes:progress\s+\|\s+100%/);
    // A volume from it, then the snapshot deleted through openstack.
    const from = await cli('cinder', ['create', '--snapshot-id', id, '--name', 'from-cs2']);
    expect(from.code, from.stderr).to.equal(0);
    const vid = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(from.stdout)?.[1] as string;
    await waitFor(async () => (await cinder.show(vid)).status === 'available', 10_000, 'volume from snapshot', 50);
    expect((await cli('openstack', ['volume', 'snapshot', 'list'])).stdout).to.include('cs2');
    // cinderclient sums up a refused delete in one line; the volume is still there.
    const refused = await cli('cinder', ['delete', vol]);
    expect([refused.code === 0, refused.stderr]).to.deep.equal([false, 'ERROR: Unable to delete any of the specified volumes.\n']);
    expect((await cinder.show(vol)).status).to.equal('available');
    const del = await cli('openstack', ['volume', 'snapshot', 'delete', 'cs2']);
    expect(del.code, del.stderr).to.equal(0);
    await waitFor(async () => (await status()) === 404, 10_000, 'snapshot deleted', 50);
    for (const v of [vid, vol]) expect((await cli('cinder', ['delete', v])).code).to.equal(0);
  });

  it('cinder unmanage / manage (admin): the volume goes, its object comes back as a new volume of its size', async () => {
    const vol = await cinder.createVolume(2, 'admin:demo', 'to-unmanage');
    const host = (await cinder.req('GET', `/v3/demo/volumes/${vol}`, { token: 'admin:demo' })).body.volume['os-vol-host-attr:host'] as string;
    await adminCinder('unmanage', vol);
    await waitFor(async () => (await cinder.req('GET', `/v3/demo/volumes/${vol}`, { token: 'admin:demo' })).status === 404, 10_000, 'unmanaged', 50);
    const out = await adminCinder('manage', '--name', 'managed-back', host, `volume-${vol}`);
    const id = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(out)?.[1] as string;
    expect(id).to.be.a('string').and.not.equal(vol);
    await waitFor(async () => (await cinder.show(id, 'admin:demo')).status === 'available', 10_000, 'managed', 50);
    expect(await cinder.show(id, 'admin:demo')).to.include({ size: 2, name: 'managed-back' });
    await adminCinder('delete', id);
  });

  it('cinder snapshot-unmanage / snapshot-manage (admin): the snapshot goes, its object comes back on the volume', async () => {
    const vol = await cinder.createVolume(1, 'admin:demo', 'snap-manage');
    const made = await cinder.req('POST', '/v3/demo/snapshots', { token: 'admin:demo', body: { snapshot: { volume_id: vol } } });
    const old = made.body.snapshot.id as string;
    const status = async (id: string): Promise<number | string> => {
      const r = await cinder.req('GET', `/v3/demo/snapshots/${id}`, { token: 'admin:demo' });
      return r.status === 404 ? 404 : r.body.snapshot.status;
    };
    await waitFor(async () => (await status(old)) === 'available', 10_000, 'snapshot available', 50);
    await adminCinder('snapshot-unmanage', old);
    await waitFor(async () => (await status(old)) === 404, 10_000, 'snapshot unmanaged', 50);
    const out = await adminCinder('snapshot-manage', '--name', 'snap-back', vol, `snapshot-${old}`);
    const id = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(out)?.[1] as string;
    expect(id).to.be.a('string').and.not.equal(old);
    await waitFor(async () => (await status(id)) === 'available', 10_000, 'snapshot managed', 50);
    await adminCinder('snapshot-delete', id);
    await waitFor(async () => (await status(id)) === 404, 10_000, 'snapshot deleted', 50);
    await adminCinder('delete', vol);
  });

  it('openstack volume create / list / show / delete', async () => {
    const created = await cli('openstack', ['volume', 'create', '--size', '1', 'ov1']);
    expect(created.code, created.stderr).to.equal(0);
    const id = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(created.stdout)?.[1] as string;
    await waitFor(async () => (await cinder.show(id)).status === 'available', 10_000, 'available', 50);
    const list = await cli('openstack', ['volume', 'list']);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.include('ov1');
    const show = await cli('openstack', ['volume', 'show', 'ov1']);
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/\|\s+status\s+\|\s+available\s+\|/);
    const del = await cli('openstack', ['volume', 'delete', 'ov1']);
    expect(del.code, del.stderr).to.equal(0);
    await waitFor(async () => (await cinder.req('GET', `/v3/demo/volumes/${id}`)).status === 404, 10_000, 'deleted', 50);
  });
  it('cinder retype / openstack volume set --type --retype-policy', async () => {
    for (const name of ['cli-silver', 'cli-gold']) {
      const made = await cinder.req('POST', '/v3/demo/types', { token: 'admin:demo', body: { volume_type: { name, extra_specs: { 'vendor:tier': name } } } });
      expect(made.status, JSON.stringify(made.body)).to.equal(200);
    }
    const id = await cinder.createVolume(1, 'demo:demo', 'rv1');
    const retyped = await cli('cinder', ['retype', '--migration-policy', 'never', id, 'cli-silver']);
    expect(retyped.code, retyped.stderr).to.equal(0);
    await waitFor(async () => { const v = await cinder.show(id); return v.status === 'available' && v.volume_type === 'cli-silver'; }, 10_000, 'retyped', 50);
    const set = await cli('openstack', ['volume', 'set', '--type', 'cli-gold', '--retype-policy', 'on-demand', id]);
    expect(set.code, set.stderr).to.equal(0);
    await waitFor(async () => { const v = await cinder.show(id); return v.status === 'available' && v.volume_type === 'cli-gold'; }, 10_000, 'retyped again', 50);
    const same = await cli('cinder', ['retype', id, 'cli-gold']);
    expect(same.code).to.not.equal(0);
    expect(same.stderr).to.include('Retype needs volume to be in available or in-use state');
  });
  it('cinder transfer-create / transfer-list / transfer-accept, openstack volume transfer request create / delete', async () => {
    const id = await cinder.createVolume(1, 'demo:demo', 'tv1');
    const made = await cli('cinder', ['transfer-create', '--name', 'gift', id]);
    expect(made.code, made.stderr).to.equal(0);
    const transfer = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(made.stdout)?.[1] as string;
    const key = /\|\s+auth_key\s+\|\s+([0-9a-f]{16})\s+\|/.exec(made.stdout)?.[1] as string;
    expect([transfer, key].every((x) => typeof x === 'string')).to.equal(true);
    expect((await cinder.show(id)).status).to.equal('awaiting-transfer');
    const list = await cli('cinder', ['transfer-list']);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.include(transfer);
    const accepted = await cli('cinder', ['transfer-accept', transfer, key]);
    expect(accepted.code, accepted.stderr).to.equal(0);
    expect((await cinder.show(id)).status).to.equal('available');
    const other = await cinder.createVolume(1, 'demo:demo', 'tv2');
    const req = await cli('openstack', ['volume', 'transfer', 'request', 'create', '--name', 'ot', other]);
    expect(req.code, req.stderr).to.equal(0);
    const del = await cli('openstack', ['volume', 'transfer', 'request', 'delete', 'ot']);
    expect(del.code, del.stderr).to.equal(0);
    expect((await cinder.show(other)).status).to.equal('available');
  });

  it('cinder message-list / message-show / message-delete, openstack volume message list', async () => {
    const type = await cinder.req('POST', '/v3/demo/types', { token: 'admin:demo', body: { volume_type: { name: 'cli-nowhere', extra_specs: { volume_backend_name: 'nowhere' } } } });
    expect(type.status, JSON.stringify(type.body)).to.equal(200);
    const r = await cinder.req('POST', '/v3/demo/volumes', { body: { volume: { size: 1, volume_type: 'cli-nowhere' } } });
    const vid = r.body.volume.id as string;
    await waitFor(async () => (await cinder.show(vid)).status === 'error', 10_000, 'error', 50);
    const list = await cli('cinder', ['message-list', '--resource_uuid', vid]);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.include('VOLUME_VOLUME_001_003').and.include('schedule allocate volume:Could not find any available weighted backend.');
    const mid = new RegExp(`\\|\\s+([0-9a-f-]{36})\\s+\\|\\s+VOLUME\\s+\\|\\s+${vid}`).exec(list.stdout)?.[1] as string;
    expect(mid, list.stdout).to.be.a('string');
    const shown = await cli('cinder', ['message-show', mid]);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.match(/guaranteed_until/).and.include(vid);
    const osList = await cli('openstack', ['--os-volume-api-version', '3.3', 'volume', 'message', 'list']);
    expect(osList.code, osList.stderr).to.equal(0);
    expect(osList.stdout).to.include(mid);
    const del = await cli('cinder', ['message-delete', mid]);
    expect(del.code, del.stderr).to.equal(0);
    expect((await cli('cinder', ['message-list', '--resource_uuid', vid])).stdout).to.not.include(mid);
  });
});
