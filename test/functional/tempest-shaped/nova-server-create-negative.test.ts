// Server-create fields Nova judges although we store nothing for them (tempest 33
// test_servers_negative.py): a malformed network uuid, personality contents that are not
// base64 and more files than the quota, an unknown key_name, an invalid bdm destination, and
// OS-DCF:diskConfig on create and update. None of them may be accepted and ignored.
import { expect } from 'chai';
import { activeServer, startNova, type Nova } from '../nova/harness';

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';

describe('tempest-shaped: nova server create negatives', function () {
  this.timeout(30_000);
  let nova: Nova;
  before(async () => { nova = await startNova(); });
  after(async () => { await nova?.stop(); });

  const create = (extra: Record<string, unknown>, version?: string) =>
    nova.req('POST', '/v2.1/servers', { version, body: { server: { name: 'neg', imageRef: IMAGE, flavorRef: '1', ...extra } } });
  const fault = (r: { status: number; body: Record<string, { message: string }> }): [number, string] => [r.status, Object.values(r.body)[0].message];

  it('a network uuid that is not one → 400 Bad networks format', async () => {
    expect(fault(await create({ networks: [{ fixed_ip: '10.0.1.1', uuid: 'a-b-c-d-e-f-g-h-i-j' }] })))
      .to.deep.equal([400, 'Bad networks format: network uuid is not in proper format (a-b-c-d-e-f-g-h-i-j)']);
  });

  it('personality: contents not base64 → 400; more than 5 files → 403; gone from 2.57', async () => {
    let r = await create({ personality: [{ path: '/etc/testfile.txt', contents: 'This is a test file.' }] });
    expect(fault(r)).to.deep.equal([400, "Invalid input for field/attribute contents. Value: This is a test file.. 'This is a test file.' is not a 'base64'"]);
    const files = Array.from({ length: 6 }, (_, i) => ({ path: `/etc/f${i}`, contents: Buffer.from(`file ${i}`).toString('base64') }));
    expect(fault(await create({ personality: files }))).to.deep.equal([403, 'Personality file limit exceeded']);
    r = await create({ personality: [{ path: '/etc/f', contents: Buffer.from('x'.repeat(10241)).toString('base64') }] });
    expect(fault(r)).to.deep.equal([403, 'Personality file content exceeds maximum 10240']);
    r = await create({ personality: files.slice(0, 1) }, '2.57');
    expect(r.status).to.equal(400);
    expect(r.body.badRequest.message).to.contain("Additional properties are not allowed ('personality' was unexpected)");
  });

  it('an unknown key_name → 400 Invalid key_name provided.', async () => {
    expect(fault(await create({ key_name: 'key-does-not-exist' }))).to.deep.equal([400, 'Invalid key_name provided.']);
  });

  it("security groups: only 'default' exists (no Neutron); another name → 400 Security group … not found.", async () => {
    expect(fault(await create({ security_groups: [{ name: 'default' }, { name: 'does_not_exist' }] }))).to.deep.equal([400, 'Security group does_not_exist not found.']);
    expect((await create({ security_groups: [{ name: 'default' }, { name: 'default' }] })).status).to.equal(202);
  });

  it('block_device_mapping_v2: an invalid destination in the 2nd entry → 400', async () => {
    const r = await create({ block_device_mapping_v2: [
      { source_type: 'image', delete_on_termination: true, boot_index: 0, uuid: IMAGE, destination_type: 'local' },
      { source_type: 'volume', uuid: '5e3f9a1c-0d8b-4c55-9c1e-2f7a6b1d0e42', destination_type: 'invalid' }] });
    expect(fault(r)).to.deep.equal([400, "Invalid input for field/attribute destination_type. Value: invalid. 'invalid' is not one of ['local', 'volume']"]);
    const r2 = await create({ block_device_mapping_v2: [{ source_type: 'volume', uuid: '5e3f9a1c-0d8b-4c55-9c1e-2f7a6b1d0e42', destination_type: 'local' }] });
    expect(r2.status).to.equal(400);
  });

  it('OS-DCF:diskConfig: AUTO and MANUAL kept and shown on create and update; other values refused', async () => {
    const id = await activeServer(nova, 'dcf');
    expect((await nova.req('GET', `/v2.1/servers/${id}`)).body.server['OS-DCF:diskConfig']).to.equal('MANUAL');
    let r = await nova.req('PUT', `/v2.1/servers/${id}`, { body: { server: { 'OS-DCF:diskConfig': 'AUTO' } } });
    expect(r.status).to.equal(200);
    expect(r.body.server['OS-DCF:diskConfig']).to.equal('AUTO');
    expect((await nova.req('GET', `/v2.1/servers/${id}`)).body.server['OS-DCF:diskConfig']).to.equal('AUTO');
    r = await nova.req('PUT', `/v2.1/servers/${id}`, { body: { server: { 'OS-DCF:diskConfig': 'MANUAL' } } });
    expect(r.body.server['OS-DCF:diskConfig']).to.equal('MANUAL');
    r = await nova.req('PUT', `/v2.1/servers/${id}`, { body: { server: { 'OS-DCF:diskConfig': 'SOMETIMES' } } });
    expect(fault(r)).to.deep.equal([400, "Invalid input for field/attribute OS-DCF:diskConfig. Value: SOMETIMES. 'SOMETIMES' is not one of ['AUTO', 'MANUAL']"]);
    const auto = await create({ 'OS-DCF:diskConfig': 'AUTO' });
    expect(auto.status).to.equal(202);
    expect(auto.body.server['OS-DCF:diskConfig']).to.equal('AUTO');
    expect((await nova.req('GET', `/v2.1/servers/${auto.body.server.id}`)).body.server['OS-DCF:diskConfig']).to.equal('AUTO');
    expect((await create({ 'OS-DCF:diskConfig': 'MANUAL' })).body.server['OS-DCF:diskConfig']).to.equal('MANUAL');
  });
});
