// Volume type encryption (cinder encryption-type-*): create, index, show, update, delete, the
// type in use refusing each change, and what a volume does with it: no key manager here, so a
// create of an encrypted type is Cinder's "Key manager error" (or "Invalid encryption spec" with
// no cipher), and a retype onto one cannot be done in place and goes back.
import { expect } from 'chai';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder, type Json } from './cinder-stack';

const ADMIN = 'admin:admin';
const SPEC = { provider: 'luks', control_location: 'front-end', cipher: 'aes-xts-plain64', key_size: 256 };

describe('cinder volume type encryption', function () {
  let c: Cinder;
  let n = 0;
  before(async () => { c = await startCinder(); });
  after(async () => { await c?.stop(); });

  const req = (method: string, path: string, body?: unknown, token = ADMIN) => c.req(method, `/v3/admin${path}`, { token, body });
  const newType = async (extra: Record<string, string> = {}): Promise<{ id: string; name: string }> => {
    const name = `enc-${++n}`;
    const r = await req('POST', '/types', { volume_type: { name, extra_specs: extra } });
    return { id: r.body.volume_type.id, name };
  };
  const message = (r: { body: Json }): string => (Object.values(r.body)[0] as { message: string }).message;

  it('creates, shows, updates and deletes as Cinder, with its refusals', async () => {
    const t = await newType();
    expect((await req('GET', `/types/${t.id}/encryption`)).body).to.deep.equal({});
    const made = await req('POST', `/types/${t.id}/encryption`, { encryption: { ...SPEC, key_size: '256' } });
    expect(made.status, JSON.stringify(made.body)).to.equal(200);
    expect(made.body.encryption).to.deep.include({ ...SPEC, volume_type_id: t.id });
    const all = (await req('GET', `/types/${t.id}/encryption`)).body;
    expect(all).to.deep.include({ ...SPEC, volume_type_id: t.id, encryption_id: made.body.encryption.encryption_id, deleted: false, updated_at: null });
    expect(all.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect((await req('GET', `/types/${t.id}/encryption/cipher`)).body).to.deep.equal({ cipher: 'aes-xts-plain64' });
    const nope = await req('GET', `/types/${t.id}/encryption/nope`);
    expect([nope.status, message(nope)]).to.deep.equal([404, `Volume type encryption for type ${t.id} does not exist.`]);
    const again = await req('POST', `/types/${t.id}/encryption`, { encryption: SPEC });
    expect([again.status, message(again)]).to.deep.equal([400, `Volume type encryption for type ${t.id} already exists.`]);
    const bad = await req('POST', `/types/${t.id}/encryption`, { encryption: { ...SPEC, key_size: 'abc' } });
    expect([bad.status, message(bad)]).to.deep.equal([400, 'Invalid input received: key_size must be an integer.']);
    const where = await req('POST', `/types/${t.id}/encryption`, { encryption: { ...SPEC, control_location: 'side' } });
    expect(message(where)).to.equal("Invalid input for field/attribute control_location. Value: side. 'side' is not one of ['front-end', 'back-end']");
    const upd = await req('PUT', `/types/${t.id}/encryption/any`, { encryption: { key_size: '128', cipher: null } });
    expect([upd.status, upd.body]).to.deep.equal([200, { encryption: { key_size: 128, cipher: null } }]);
    expect((await req('GET', `/types/${t.id}/encryption`)).body).to.deep.include({ key_size: 128, cipher: null, provider: 'luks' });
    const user = await c.req('GET', `/v3/demo/types/${t.id}/encryption`, { token: 'demo:demo' });
    expect([user.status, message(user)]).to.deep.equal([403, "Policy doesn't allow volume_extension:volume_type_encryption:get to be performed."]);
    expect((await req('DELETE', `/types/${t.id}/encryption/any`)).status).to.equal(202);
    expect((await req('DELETE', `/types/${t.id}/encryption/any`)).status).to.equal(404);
    expect((await req('PUT', `/types/${t.id}/encryption/any`, { encryption: { provider: 'x' } })).status).to.equal(404);
    expect((await req('POST', '/types/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee/encryption', { encryption: SPEC })).status).to.equal(404);
  });

  it('refuses a volume of an encrypted type (no key manager), and every change of a type in use', async () => {
    const enc = await newType();
    await req('POST', `/types/${enc.id}/encryption`, { encryption: SPEC });
    const r = await req('POST', '/volumes', { volume: { size: 1, volume_type: enc.name } });
    expect([r.status, message(r)]).to.deep.equal([400, 'Key manager error']);
    await req('PUT', `/types/${enc.id}/encryption/x`, { encryption: { cipher: '' } });
    const noCipher = await req('POST', '/volumes', { volume: { size: 1, volume_type: enc.id } });
    expect([noCipher.status, message(noCipher)]).to.deep.equal([400, 'Invalid encryption spec']);
    expect((await req('GET', '/volumes')).body.volumes).to.deep.equal([]);

    const plain = await newType();
    const v = await req('POST', '/volumes', { volume: { size: 1, volume_type: plain.name } });
    const vid = v.body.volume.id as string;
    await waitFor(async () => (await c.show(vid, ADMIN)).status === 'available', 10_000, 'available', 20);
    for (const [method, path, body, what] of [['POST', '', { encryption: SPEC }, 'create'], ['PUT', '/x', { encryption: { provider: 'x' } }, 'update'], ['DELETE', '/x', undefined, 'delete']] as const) {
      const refused = await req(method, `/types/${plain.id}/encryption${path}`, body);
      expect([refused.status, message(refused)]).to.deep.equal([400, `Cannot ${what} encryption specs. Volume type in use.`]);
    }
    // A retype onto an encrypted type needs the data re-encrypted (a migration): it goes back.
    expect((await c.action(vid, 'os-retype', { new_type: enc.name }, ADMIN)).status).to.equal(202);
    await waitFor(async () => {
      const s = await c.show(vid, ADMIN);
      return s.status === 'available' && s.volume_type === plain.name;
    }, 10_000, 'back to available, type unchanged', 20);
    const multi = await newType({ multiattach: '<is> True' });
    await req('POST', `/types/${multi.id}/encryption`, { encryption: SPEC });
    const both = await c.action(vid, 'os-retype', { new_type: multi.name }, ADMIN);
    expect([both.status, message(both)]).to.deep.equal([400, 'Invalid input received: Retype requested both encryption and multi-attach, which is not supported.']);
  });

  it('a deleted type takes its encryption with it', async () => {
    const t = await newType();
    await req('POST', `/types/${t.id}/encryption`, { encryption: SPEC });
    expect((await req('DELETE', `/types/${t.id}`)).status).to.equal(202);
    const [row] = await c.ds.query('SELECT deleted FROM encryption WHERE volume_type_id = ?', [t.id]) as Array<{ deleted: number }>;
    expect(Number(row.deleted)).to.equal(1);
  });
});
