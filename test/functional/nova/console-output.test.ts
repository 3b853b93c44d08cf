// os-getConsoleOutput on nova-api + nova-compute (SQLite + fake://, the fake virt driver): the
// guest's log through an RPC call to its compute, its last `length` lines as Nova's compute
// slices them, the schema's refusals, and the states and servers it is refused for.
import { expect } from 'chai';
import { activeServer, startNova, type Json, type Nova } from './harness';

describe('nova os-getConsoleOutput', function () {
  this.timeout(30_000);
  let nova: Nova;
  let sid: string;

  before(async () => {
    nova = await startNova();
    sid = await activeServer(nova, 'console-vm');
  });
  after(async () => { await nova?.stop(); });

  const output = (body: unknown, token = 'demo:demo', id = sid): Promise<Json> =>
    nova.req('POST', `/v2.1/servers/${id}/action`, { token, body: { 'os-getConsoleOutput': body } });

  it('the whole log without a length; the last N lines with one; 0 gives nothing, -1 all but the first line (Nova\'s slice)', async () => {
    const all = await output({});
    expect(all.status, JSON.stringify(all.body)).to.equal(200);
    const lines = (all.body.output as string).split('\n');
    expect(lines.length).to.be.greaterThan(3);
    expect(lines[0]).to.match(/^\[ +0\.0+\] Linux version /);
    expect(lines[lines.length - 1]).to.equal('console-vm login: ');
    expect((await output({ length: 3 })).body.output).to.equal(lines.slice(-3).join('\n'));
    expect((await output({ length: '2' })).body.output).to.equal(lines.slice(-2).join('\n'));
    expect((await output({ length: 1000 })).body.output).to.equal(all.body.output);
    expect((await output({ length: 0 })).body.output).to.equal('');
    expect((await output({ length: -1 })).body.output).to.equal(lines.slice(1).join('\n'));
    expect((await output({ length: null })).body.output).to.equal(all.body.output);
  });

  it('refuses bad lengths and keys (400), another project (404), a server without a host (409)', async () => {
    const bad = async (body: unknown, message: string): Promise<void> => {
      const r = await nova.req('POST', `/v2.1/servers/${sid}/action`, { body });
      expect([r.status, r.body.badRequest?.message]).to.deep.equal([400, message]);
    };
    await bad({ 'os-getConsoleOutput': { length: -2 } }, 'Invalid input for field/attribute length. Value: -2. -2 is less than the minimum of -1');
    await bad({ 'os-getConsoleOutput': { length: 'x' } }, "Invalid input for field/attribute length. Value: x. 'x' does not match '^-?[0-9]+$'");
    await bad({ 'os-getConsoleOutput': { length: 1.5 } }, "Invalid input for field/attribute length. Value: 1.5. 1.5 is not of type 'integer', 'string', 'null'");
    await bad({ 'os-getConsoleOutput': { lines: 1 } }, "Invalid input for field/attribute os-getConsoleOutput. Value: {'lines': 1}. Additional properties are not allowed ('lines' was unexpected)");
    const other = await output({}, 'other:other');
    expect(other.status).to.equal(404);
    // No compute took it (a forced host that does not exist): no console to read.
    const r = await nova.req('POST', '/v2.1/servers', { token: 'admin:admin', body: { server: { name: 'nohost', flavorRef: '1', availability_zone: 'nova:nowhere' } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const nohost = await output({}, 'admin:admin', r.body.server.id);
    expect([nohost.status, nohost.body.conflictingRequest?.message]).to.deep.equal([409, `Instance ${r.body.server.id} is not ready`]);
  });
});
