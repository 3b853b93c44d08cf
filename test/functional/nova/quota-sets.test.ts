// /os-quota-sets on nova-api (SQLite + fake://): the [quota] defaults, a project's own limits
// over them, what GET /limits and a create are held to, and Nova's refusals.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startNova, type Json, type Nova } from './harness';

const ADMIN = 'admin:admin';
const DEMO = 'demo:demo';

describe('nova os-quota-sets', function () {
  this.timeout(30_000);
  let nova: Nova;

  beforeEach(async () => { nova = await startNova(); });
  afterEach(async () => { await nova?.stop(); });

  const req = (method: string, path: string, opts: { mv?: string; body?: unknown; token?: string } = {}): Promise<Json> =>
    nova.req(method, `/v2.1${path}`, { token: opts.token ?? ADMIN, body: opts.body, headers: { 'X-OpenStack-Nova-API-Version': opts.mv ?? '2.1' } });
  const put = (values: Record<string, unknown>, opts: { mv?: string; token?: string; query?: string } = {}): Promise<Json> =>
    req('PUT', `/os-quota-sets/demo${opts.query ?? ''}`, { ...opts, body: { quota_set: values } });
  const fault = async (r: Promise<Json>, code: number, message: string): Promise<void> => {
    const x = await r;
    expect(x.status, JSON.stringify(x.body)).to.equal(code);
    expect(Object.values(x.body as Record<string, { message: string }>)[0].message).to.equal(message);
  };
  async function servers(n: number): Promise<void> {
    const r = await req('POST', '/servers', { token: DEMO, body: { server: { name: 's', flavorRef: '1', min_count: n } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitFor(async () => {
      const list = (await req('GET', '/servers/detail', { token: DEMO })).body.servers as Json[];
      return list.length >= n && list.every((s) => s.status === 'ACTIVE');
    }, 10_000, `${n} servers`, 20);
  }

  it('shows the defaults, with the resources each microversion keeps', async () => {
    const d = await req('GET', '/os-quota-sets/demo/defaults', { token: DEMO });
    expect(d.status).to.equal(200);
    expect(d.body.quota_set).to.deep.equal({
      id: 'demo', cores: 20, fixed_ips: -1, floating_ips: -1, injected_file_content_bytes: 10240, injected_file_path_bytes: 255,
      injected_files: 5, instances: 10, key_pairs: 100, metadata_items: 128, ram: 51200, security_group_rules: -1, security_groups: -1,
      server_group_members: 10, server_groups: 10,
    });
    expect(Object.keys((await req('GET', '/os-quota-sets/demo', { token: DEMO, mv: '2.36' })).body.quota_set)).to.deep.equal(
      ['id', 'cores', 'injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files', 'instances', 'key_pairs', 'metadata_items', 'ram',
        'server_group_members', 'server_groups']);
    expect(Object.keys((await req('GET', '/os-quota-sets/demo', { mv: '2.57' })).body.quota_set)).to.deep.equal(
      ['id', 'cores', 'instances', 'key_pairs', 'metadata_items', 'ram', 'server_group_members', 'server_groups']);
    // Another project's quotas are its readers' and admins' only.
    await fault(req('GET', '/os-quota-sets/admin', { token: DEMO }), 403, "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.");
    await fault(req('GET', '/os-quota-sets/demo?foo=1', { mv: '2.75' }), 400, "Additional properties are not allowed ('foo' was unexpected)");
    expect((await req('GET', '/os-quota-sets/demo?foo=1', { mv: '2.74' })).status).to.equal(200);
  });

  it('an admin sets a project\'s limits; show, detail and GET /limits follow; DELETE goes back to the defaults', async () => {
    const r = await put({ instances: 5, cores: '30', metadata_items: 2 }, { mv: '2.57' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.quota_set).to.not.have.property('id');
    expect(r.body.quota_set).to.include({ instances: 5, cores: 30, metadata_items: 2, ram: 51200 });
    expect((await req('GET', '/os-quota-sets/demo', { token: DEMO })).body.quota_set).to.include({ id: 'demo', instances: 5, cores: 30 });
    await servers(2);
    const detail = (await req('GET', '/os-quota-sets/demo/detail', { token: DEMO, mv: '2.57' })).body.quota_set;
    expect(detail.instances).to.deep.equal({ in_use: 2, limit: 5, reserved: 0 });
    expect(detail.cores).to.deep.equal({ in_use: 2, limit: 30, reserved: 0 });
    expect(detail.key_pairs).to.deep.equal({ in_use: 0, limit: 100, reserved: 0 });
    const limits = (await req('GET', '/limits', { token: DEMO })).body.limits.absolute;
    expect(limits).to.include({ maxTotalInstances: 5, maxTotalCores: 30, maxServerMeta: 2, totalInstancesUsed: 2 });
    // The other project keeps the defaults.
    expect((await req('GET', '/os-quota-sets/admin')).body.quota_set).to.include({ instances: 10, cores: 20 });
    expect((await req('DELETE', '/os-quota-sets/demo')).status).to.equal(202);
    expect((await req('GET', '/os-quota-sets/demo', { token: DEMO })).body.quota_set).to.include({ instances: 10, cores: 20, metadata_items: 128 });
    await fault(req('DELETE', '/os-quota-sets/demo', { token: DEMO }), 403, "Policy doesn't allow os_compute_api:os-quota-sets:delete to be performed.");
    await fault(put({ instances: 1 }, { token: DEMO }), 403, "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.");
  });

  it('a limit under what the project uses is refused unless forced; creates and metadata are held to the project\'s limits', async () => {
    await servers(2);
    await fault(put({ instances: 1 }), 400, 'Quota limit 1 for instances must be greater than or equal to already used and reserved 2.');
    expect((await put({ instances: 1, force: true })).body.quota_set.instances).to.equal(1);
    expect((await put({ instances: 3, metadata_items: 1 })).status).to.equal(200);
    await fault(req('POST', '/servers', { token: DEMO, body: { server: { name: 'x', flavorRef: '1', min_count: 2 } } }), 403,
      'Quota exceeded for instances: Requested 2, but already used 2 of 3 instances');
    await fault(req('POST', '/servers', { token: DEMO, body: { server: { name: 'x', flavorRef: '1', metadata: { a: '1', b: '2' } } } }), 403,
      'Maximum number of metadata items exceeds 1');
    // A single create counts too, against instances, cores and RAM; a multiple one shrinks to what fits.
    expect((await put({ instances: 2 })).status).to.equal(200);
    await fault(req('POST', '/servers', { token: DEMO, body: { server: { name: 'x', flavorRef: '1' } } }), 403,
      'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances');
    expect((await put({ instances: 10, cores: 3, ram: 8192 })).status).to.equal(200);
    await fault(req('POST', '/servers', { token: DEMO, body: { server: { name: 'x', flavorRef: '3' } } }), 403,
      'Quota exceeded for cores: Requested 2, but already used 2 of 3 cores');
    const fitted = await req('POST', '/servers', { token: DEMO, body: { server: { name: 'm', flavorRef: '1', min_count: 1, max_count: 4, return_reservation_id: true } } });
    expect(fitted.status, JSON.stringify(fitted.body)).to.equal(202);
    await waitFor(async () => ((await req('GET', '/servers', { token: DEMO })).body.servers.length === 3 ? true : null), 5000, 'one more server');
    expect((await put({ instances: -1, cores: -1, ram: -1 })).body.quota_set.instances).to.equal(-1);
  });

  it("Nova's built-in limits are shown but bind only once set: by the default class, the project or [quota]", async () => {
    expect((await req('GET', '/os-quota-sets/demo', { token: DEMO })).body.quota_set).to.include({ instances: 10, cores: 20, ram: 51200 });
    await servers(11);
    const r = await req('PUT', '/os-quota-class-sets/default', { body: { quota_class_set: { instances: 12 } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    await fault(req('POST', '/servers', { token: DEMO, body: { server: { name: 'x', flavorRef: '1', min_count: 2 } } }), 403,
      'Quota exceeded for instances: Requested 2, but already used 11 of 12 instances');
    // Cores were not set: 11 more cores than Nova's 20 do not bind.
    expect((await req('POST', '/servers', { token: DEMO, body: { server: { name: 'y', flavorRef: '1' } } })).status).to.equal(202);
    await nova.stop();
    nova = await startNova({ quota: { cores: 2 } });
    await fault(req('POST', '/servers', { token: DEMO, body: { server: { name: 'z', flavorRef: '3', min_count: 2 } } }), 403,
      'Quota exceeded for cores: Requested 4, but already used 0 of 2 cores');
  });

  it('quota classes: the "default" class is every project\'s defaults; a project\'s own limits still win', async () => {
    const show = async (mv: string): Promise<Json> => (await req('GET', '/os-quota-class-sets/default', { mv })).body.quota_class_set;
    expect(Object.keys(await show('2.1'))).to.deep.equal(['id', 'cores', 'fixed_ips', 'floating_ips', 'injected_file_content_bytes',
      'injected_file_path_bytes', 'injected_files', 'instances', 'key_pairs', 'metadata_items', 'ram', 'security_group_rules', 'security_groups']);
    expect(Object.keys(await show('2.50'))).to.deep.equal(['id', 'cores', 'injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files',
      'instances', 'key_pairs', 'metadata_items', 'ram', 'server_group_members', 'server_groups']);
    expect(await show('2.57')).to.deep.equal({ id: 'default', cores: 20, instances: 10, key_pairs: 100, metadata_items: 128, ram: 51200,
      server_group_members: 10, server_groups: 10 });
    expect((await put({ cores: 7 })).status).to.equal(200);
    const r = await req('PUT', '/os-quota-class-sets/default', { mv: '2.57', body: { quota_class_set: { instances: 15, cores: '30' } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.quota_class_set).to.deep.include({ instances: 15, cores: 30 }).and.not.have.property('id');
    expect((await req('GET', '/os-quota-sets/demo/defaults', { token: DEMO })).body.quota_set).to.include({ instances: 15, cores: 30 });
    expect((await req('GET', '/os-quota-sets/admin')).body.quota_set).to.include({ instances: 15, cores: 30 });
    // demo's own cores limit stays; its instances come from the class.
    expect((await req('GET', '/os-quota-sets/demo', { token: DEMO })).body.quota_set).to.include({ instances: 15, cores: 7 });
    expect((await req('GET', '/limits', { token: DEMO })).body.limits.absolute).to.include({ maxTotalInstances: 15, maxTotalCores: 7 });
    // Another class is the options until it is set; 'networks' passes the old schema and is kept nowhere.
    expect((await req('GET', '/os-quota-class-sets/gold')).body.quota_class_set).to.include({ id: 'gold', instances: 10 });
    expect((await req('PUT', '/os-quota-class-sets/gold', { body: { quota_class_set: { networks: 3, ram: 1 } } })).body.quota_class_set).to.include({ ram: 1 });
    await fault(req('PUT', '/os-quota-class-sets/default', { mv: '2.50', body: { quota_class_set: { fixed_ips: 1 } } }), 400,
      "Invalid input for field/attribute quota_class_set. Value: {'fixed_ips': 1}. Additional properties are not allowed ('fixed_ips' was unexpected)");
    await fault(req('PUT', `/os-quota-class-sets/${'c'.repeat(256)}`, { body: { quota_class_set: { ram: 1 } } }), 400,
      'Invalid input received: quota_class_name has more than 255 characters.');
    await fault(req('GET', '/os-quota-class-sets/default', { token: DEMO }), 403, "Policy doesn't allow os_compute_api:os-quota-class-sets:show to be performed.");
  });

  it('a user\'s own limits: within what the project leaves, never under what the user runs; the project not under its users\' limits', async () => {
    const show = async (q: string): Promise<Json> => (await req('GET', `/os-quota-sets/demo${q}`)).body.quota_set;
    const r = await put({ instances: 3 }, { query: '?user_id=u1' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.quota_set).to.include({ instances: 3, cores: 20 });
    expect(await show('?user_id=u1')).to.include({ id: 'demo', instances: 3 });
    expect(await show('')).to.include({ instances: 10 });
    expect(await show('?user_id=u2')).to.include({ instances: 10 });
    // The project's 10 less u1's 3 leaves u2 at most 7; u1 may go up to 10 (7 + its own 3).
    await fault(put({ instances: 8 }, { query: '?user_id=u2' }), 400, 'Quota limit 8 for instances must be less than or equal to 7.');
    expect((await put({ instances: 10 }, { query: '?user_id=u1' })).body.quota_set.instances).to.equal(10);
    await fault(put({ instances: 5 }), 400, 'Quota limit 5 for instances must be greater than or equal to already used and reserved 10.');
    expect((await put({ instances: 5 }, { query: '?user_id=u1' })).status).to.equal(200);
    // The servers of the demo user count against its own limit, and its creates are held to it.
    await servers(2);
    await fault(put({ instances: 1 }, { query: '?user_id=demo' }), 400, 'Quota limit 1 for instances must be greater than or equal to already used and reserved 2.');
    expect((await put({ instances: 2 }, { query: '?user_id=demo' })).status).to.equal(200);
    await fault(req('POST', '/servers', { token: DEMO, body: { server: { name: 'x', flavorRef: '1' } } }), 403,
      'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances');
    expect((await req('DELETE', '/os-quota-sets/demo?user_id=demo')).status).to.equal(202);
    const detail = (await req('GET', '/os-quota-sets/demo/detail?user_id=u1')).body.quota_set;
    expect(detail.instances).to.deep.equal({ in_use: 0, limit: 5, reserved: 0 });
    expect((await req('DELETE', '/os-quota-sets/demo?user_id=u1')).status).to.equal(202);
    expect(await show('?user_id=u1')).to.include({ instances: 10 });
    expect((await put({ instances: 4 }, { query: '?user_id=u3' })).status).to.equal(200);
    expect((await req('DELETE', '/os-quota-sets/demo')).status).to.equal(202);
    expect(await show('?user_id=u3')).to.include({ instances: 10 });
    await fault(put({ instances: 1 }, { query: `?user_id=${'u'.repeat(256)}` }), 400, 'Invalid input received: user_id has more than 255 characters.');
  });

  it('refuses bad bodies and what a microversion no longer has', async () => {
    await fault(put({ instances: -2 }), 400, 'Invalid input for field/attribute instances. Value: -2. -2 is less than the minimum of -1');
    await fault(put({ bogus: 1 }), 400, "Invalid input for field/attribute quota_set. Value: {'bogus': 1}. Additional properties are not allowed ('bogus' was unexpected)");
    await fault(put({ networks: 1 }), 400, 'The networks quota has been removed');
    await fault(put({ networks: 1 }, { mv: '2.36' }), 400, "Invalid input for field/attribute quota_set. Value: {'networks': 1}. Additional properties are not allowed ('networks' was unexpected)");
    await fault(put({ injected_files: 1 }, { mv: '2.57' }), 400, "Invalid input for field/attribute quota_set. Value: {'injected_files': 1}. Additional properties are not allowed ('injected_files' was unexpected)");
    await fault(req('PUT', '/os-quota-sets/demo', { body: { quota_set: 5 } }), 400, 'Invalid input for field/attribute quota_set. Value: 5. 5 is not of type \'object\'');
    // No row a project id cannot fit (MariaDB's column is 255 characters).
    const long = 'p'.repeat(256);
    await fault(req('PUT', `/os-quota-sets/${long}`, { body: { quota_set: { instances: 2 } } }), 400, `Project ID ${long} is not a valid project.`);
    await fault(put({ instances: '2147483648' }), 400, 'Invalid input for field/attribute instances. Value: 2147483648. 2147483648 is greater than the maximum of 2147483647');
    expect((await req('GET', '/os-quota-sets/demo')).body.quota_set.instances).to.equal(10);
  });
});
