// /os-keypairs on nova-api (SQLite + fake://), microversion by microversion as Nova's
// keypairs.py: generated and imported ssh keys, x509 certificates, a user's own pairs and an
// admin's user_id, paging, the key_pairs quota, and servers booted with key_name.
import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { activeServer, startNova, type Json, type Nova } from './harness';

const ADMIN = 'admin:admin';
const DEMO = 'demo:demo';
// ssh-keygen's own MD5 fingerprints of these keys (ssh-keygen -l -E md5).
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA608Ab7pjyUJ4GR0tzzta+DTBJ+8pXkM0tGgvWoD7eQ test@attachd';
const ED25519_FP = '74:2a:c2:d4:49:26:3d:74:8f:59:5b:a8:88:3d:9b:22';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCvPbJxJyeTI0e/V1SuTveqsuYngYaRuul7/Am2CKzwszEl7FjJnsl1663maiOeQs7jt7EfMCpGmrGKcbFgcs30evTaEvD+BrSlVndH2GEOSbO+33mdDz7+Ib5X79a4wejG+obUt3X208Pmr61eNdivOv08L/EVeo5+nirkAW/yew== rsa@attachd';
const RSA_FP = 'ef:0c:fd:c5:7c:43:e4:c2:9d:71:cd:7f:5b:e0:4c:a0';

describe('nova os-keypairs', function () {
  this.timeout(60_000);
  let nova: Nova;

  beforeEach(async () => { nova = await startNova(); });
  afterEach(async () => { await nova?.stop(); });

  const req = (method: string, path: string, o: { mv?: string; body?: unknown; token?: string } = {}): Promise<Json> =>
    nova.req(method, `/v2.1${path}`, { token: o.token ?? DEMO, body: o.body, version: o.mv ?? '2.1' });
  const create = (keypair: Record<string, unknown>, mv = '2.1', token = DEMO) => req('POST', '/os-keypairs', { mv, token, body: { keypair } });
  const fault = async (r: Promise<Json>, code: number, message: string): Promise<void> => {
    const x = await r;
    expect(x.status, JSON.stringify(x.body)).to.equal(code);
    expect(Object.values(x.body as Record<string, { message: string }>)[0].message).to.equal(message);
  };

  it('2.1: a generated pair (its private key once), list, show, delete (202), then 404', async () => {
    const c = await create({ name: 'gen' });
    expect(c.status, JSON.stringify(c.body)).to.equal(200);
    const k = c.body.keypair;
    expect(Object.keys(k).sort()).to.deep.equal(['fingerprint', 'name', 'private_key', 'public_key', 'user_id']);
    expect(k).to.include({ name: 'gen', user_id: 'demo' });
    expect(k.private_key).to.match(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/);
    expect(k.public_key).to.match(/^ssh-rsa AAAAB3NzaC1yc2E\S+ Generated-by-Nova$/);
    // The fingerprint is the MD5 of the public key's blob.
    expect(k.fingerprint).to.equal(createHash('md5').update(Buffer.from(k.public_key.split(' ')[1], 'base64')).digest('hex').match(/../g)?.join(':'));
    const list = await req('GET', '/os-keypairs');
    expect(list.body).to.deep.equal({ keypairs: [{ keypair: { name: 'gen', public_key: k.public_key, fingerprint: k.fingerprint } }] });
    const shown = (await req('GET', '/os-keypairs/gen')).body.keypair;
    expect(shown).to.include({ name: 'gen', public_key: k.public_key, fingerprint: k.fingerprint, user_id: 'demo', deleted: false, deleted_at: null, updated_at: null });
    expect(shown.id).to.be.a('number');
    expect(shown.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(shown).to.not.have.property('private_key');
    expect((await req('DELETE', '/os-keypairs/gen')).status).to.equal(202);
    await fault(req('GET', '/os-keypairs/gen'), 404, 'Keypair gen not found for user demo');
    await fault(req('DELETE', '/os-keypairs/gen'), 404, 'Keypair gen not found for user demo');
  });

  it('2.2: imports ssh keys with their ssh-keygen fingerprints, typed; 201 and 204; refusals as Nova words them', async () => {
    const a = await create({ name: 'ed', public_key: ED25519 }, '2.2');
    expect(a.status, JSON.stringify(a.body)).to.equal(201);
    expect(a.body.keypair).to.deep.equal({ type: 'ssh', name: 'ed', public_key: ED25519, fingerprint: ED25519_FP, user_id: 'demo' });
    expect((await create({ name: 'rsa', public_key: RSA, type: 'ssh' }, '2.2')).body.keypair.fingerprint).to.equal(RSA_FP);
    expect((await req('GET', '/os-keypairs', { mv: '2.2' })).body.keypairs.map((x: Json) => [x.keypair.name, x.keypair.type]))
      .to.deep.equal([['ed', 'ssh'], ['rsa', 'ssh']]);
    await fault(create({ name: 'ed', public_key: RSA }, '2.2'), 409, "Key pair 'ed' already exists.");
    await fault(create({ name: 'bad', public_key: 'ssh-rsa AAAA' }, '2.2'), 400, 'Keypair data is invalid: failed to generate fingerprint');
    await fault(create({ name: 'bad', public_key: `ssh-rsa ${'A'.repeat(2000)} openstack@ubuntu` }, '2.2'), 400, 'Keypair data is invalid: failed to generate fingerprint');
    await fault(create({ name: 'bad', public_key: '' }, '2.2'), 400, 'Keypair data is invalid: failed to generate fingerprint');
    await fault(create({ name: 'key_/.\\@:', public_key: RSA }, '2.2'), 400,
      "An invalid 'name' value was provided. The name must be: Only expected characters: [_- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ]");
    await fault(create({ name: '', public_key: RSA }, '2.2'), 400, "Invalid input for field/attribute name. Value: . '' is too short");
    await fault(create({ name: 'x'.repeat(256), public_key: RSA }, '2.2'), 400, `Invalid input for field/attribute name. Value: ${'x'.repeat(256)}. '${'x'.repeat(256)}' is too long`);
    await fault(create({ name: 't', public_key: RSA, type: 'dsa' }, '2.2'), 400, "Invalid input for field/attribute type. Value: dsa. 'dsa' is not one of ['ssh', 'x509']");
    await fault(create({ name: 't', user_id: 'x' }, '2.2'), 400,
      "Invalid input for field/attribute keypair. Value: {'name': 't', 'user_id': 'x'}. Additional properties are not allowed ('user_id' was unexpected)");
    expect((await req('DELETE', '/os-keypairs/ed', { mv: '2.2' })).status).to.equal(204);
  });

  it('x509: a generated client certificate (its key as PKCS#12) and an imported one, SHA-1 fingerprints', async () => {
    const g = await create({ name: 'cert', type: 'x509' }, '2.2');
    expect(g.status, JSON.stringify(g.body)).to.equal(201);
    const cert = new X509Certificate(g.body.keypair.public_key);
    expect(cert.subject).to.equal('CN=demo');
    const fp = cert.fingerprint.toLowerCase();
    expect(g.body.keypair).to.include({ type: 'x509', fingerprint: fp });
    expect(Buffer.from(g.body.keypair.private_key, 'base64')[0]).to.equal(0x30); // a DER sequence: the PKCS#12 file
    const i = await create({ name: 'imported', type: 'x509', public_key: g.body.keypair.public_key }, '2.2');
    expect(i.body.keypair).to.include({ type: 'x509', fingerprint: fp });
    // Any user_id an admin names (2.10) makes a certificate: openssl's separators and config syntax are escaped.
    const odd = 'a/b=c+d,e$f#g\\h"i\nj';
    const o = await create({ name: 'odd', type: 'x509', user_id: odd }, '2.10', ADMIN);
    expect(o.status, JSON.stringify(o.body)).to.equal(201);
    // The CN is the id itself (a control character as '?'), which node shows with RFC 4514's escapes.
    expect(new X509Certificate(o.body.keypair.public_key).subject).to.equal(String.raw`CN=a/b=c\+d\,e$f#g\\h\"i?j`);
    // A common name holds 64 characters: a longer user id cannot have a certificate made (400, not openssl's failure).
    const tooLong = await create({ name: 'long', type: 'x509', user_id: 'u'.repeat(65) }, '2.10', ADMIN);
    expect([tooLong.status, tooLong.body.badRequest?.message]).to.deep.equal([400,
      "Keypair data is invalid: failed to generate X509 certificate: the user id is longer than a certificate's common name allows (64)"]);
    const bad = await create({ name: 'nocert', type: 'x509', public_key: RSA }, '2.2');
    expect(bad.status).to.equal(400);
    expect(bad.body.badRequest.message).to.match(/^Keypair data is invalid: failed to generate X509 fingerprint\. Error message: /);
  });

  it("2.10: an admin manages another user's pairs with user_id; a member may not; 2.75 refuses unknown query keys", async () => {
    expect((await create({ name: 'k', public_key: RSA, user_id: 'demo' }, '2.10', ADMIN)).status).to.equal(201);
    expect((await req('GET', '/os-keypairs?user_id=demo', { mv: '2.10', token: ADMIN })).body.keypairs).to.have.length(1);
    expect((await req('GET', '/os-keypairs', { mv: '2.10', token: ADMIN })).body.keypairs).to.deep.equal([]);
    expect((await req('GET', '/os-keypairs/k?user_id=demo', { mv: '2.10', token: ADMIN })).body.keypair.user_id).to.equal('demo');
    await fault(req('GET', '/os-keypairs?user_id=admin', { mv: '2.10' }), 403, "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.");
    await fault(create({ name: 'k2', public_key: RSA, user_id: 'admin' }, '2.10'), 403, "Policy doesn't allow os_compute_api:os-keypairs:create to be performed.");
    // A user_id past its column's 255 characters is refused by the schema (Nova's has no bound).
    const u256 = 'u'.repeat(256);
    await fault(create({ name: 'k3', public_key: RSA, user_id: u256 }, '2.10', ADMIN), 400, `Invalid input for field/attribute user_id. Value: ${u256}. '${u256}' is too long`);
    // Before 2.75 an unknown query key is ignored; from it, refused.
    expect((await req('GET', '/os-keypairs?foo=1', { mv: '2.74' })).status).to.equal(200);
    await fault(req('GET', '/os-keypairs?foo=1', { mv: '2.75' }), 400, "Additional properties are not allowed ('foo' was unexpected)");
    expect((await req('DELETE', '/os-keypairs/k?user_id=demo', { mv: '2.10', token: ADMIN })).status).to.equal(204);
    await fault(req('GET', '/os-keypairs/k', { mv: '2.10' }), 404, 'Keypair k not found for user demo');
  });

  it('2.35 pages by name (limit, marker, next link); an unknown marker is 400', async () => {
    for (const n of ['c', 'a', 'b']) expect((await create({ name: n, public_key: RSA }, '2.35')).status).to.equal(201);
    const p1 = await req('GET', '/os-keypairs?limit=2', { mv: '2.35' });
    expect(p1.body.keypairs.map((x: Json) => x.keypair.name)).to.deep.equal(['a', 'b']);
    expect(p1.body.keypairs_links[0].rel).to.equal('next');
    expect(p1.body.keypairs_links[0].href).to.match(/\/os-keypairs\?limit=2&marker=b$/);
    const p2 = await req('GET', '/os-keypairs?limit=2&marker=b', { mv: '2.35' });
    expect(p2.body).to.deep.equal({ keypairs: [{ keypair: { name: 'c', public_key: RSA, fingerprint: RSA_FP, type: 'ssh' } }] });
    await fault(req('GET', '/os-keypairs?marker=zz', { mv: '2.35' }), 400, 'Marker zz could not be found.');
    // Before 2.35 the list is never paged.
    expect((await req('GET', '/os-keypairs?limit=1', { mv: '2.34' })).body.keypairs).to.have.length(3);
  });

  it('2.92 imports only (public_key required) and takes "@" and "." in names', async () => {
    await fault(create({ name: 'gen' }, '2.92'), 400, "Invalid input for field/attribute keypair. Value: {'name': 'gen'}. 'public_key' is a required property");
    expect((await create({ name: 'me@host.example', public_key: ED25519 }, '2.92')).status).to.equal(201);
    await fault(create({ name: 'me@host' }, '2.91'), 400,
      "An invalid 'name' value was provided. The name must be: Only expected characters: [_- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ]");
  });

  it('the key_pairs quota holds per user: past it, 403', async () => {
    const q = await req('PUT', '/os-quota-sets/demo', { token: ADMIN, body: { quota_set: { key_pairs: 1 } } });
    expect(q.status, JSON.stringify(q.body)).to.equal(200);
    expect((await create({ name: 'one', public_key: RSA })).status).to.equal(200);
    await fault(create({ name: 'two', public_key: ED25519 }), 403, 'Quota exceeded, too many key pairs.');
    await fault(create({ name: 'three' }), 403, 'Quota exceeded, too many key pairs.');
    // Another user of the project has room of its own.
    expect((await create({ name: 'two', public_key: ED25519 }, '2.1', 'other:demo')).status).to.equal(200);
  });

  it('a server boots with its owner\'s key_name, shown on the server; an unknown key is 400', async () => {
    expect((await create({ name: 'boot', public_key: ED25519 })).status).to.equal(200);
    const r = await req('POST', '/servers', { body: { server: { name: 'k', flavorRef: '1', key_name: 'boot' } } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect((await req('GET', `/servers/${r.body.server.id}`)).body.server.key_name).to.equal('boot');
    await fault(req('POST', '/servers', { body: { server: { name: 'k', flavorRef: '1', key_name: 'nope' } } }), 400, 'Invalid key_name provided.');
    // Another user's key of that name is not the caller's.
    await fault(req('POST', '/servers', { token: 'other:demo', body: { server: { name: 'k', flavorRef: '1', key_name: 'boot' } } }), 400, 'Invalid key_name provided.');
    expect((await req('GET', `/servers/${await activeServer(nova, 'plain')}`)).body.server.key_name).to.equal(null);
  });
});
