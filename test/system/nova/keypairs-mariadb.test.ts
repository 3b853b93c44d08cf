// os-keypairs on MariaDB: the key_pairs table as the migration makes it there (unique per user
// and name, the duplicate a 409), the list paged by name, and a server booted with key_name.
import { expect } from 'chai';
import { novaOnMariaDB } from './on-mariadb';
import type { Json } from '../../functional/nova/harness';

const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCvPbJxJyeTI0e/V1SuTveqsuYngYaRuul7/Am2CKzwszEl7FjJnsl1663maiOeQs7jt7EfMCpGmrGKcbFgcs30evTaEvD+BrSlVndH2GEOSbO+33mdDz7+Ib5X79a4wejG+obUt3X208Pmr61eNdivOv08L/EVeo5+nirkAW/yew== rsa@attachd';

describe('nova os-keypairs on MariaDB', function () {
  this.timeout(60_000);
  const novaOf = novaOnMariaDB();

  const req = (method: string, path: string, body?: unknown, mv = '2.35'): Promise<Json> => novaOf().req(method, `/v2.1${path}`, { body, version: mv });

  it('imports, refuses a duplicate name with 409, pages by name, boots a server with key_name, deletes', async () => {
    for (const name of ['kb', 'ka', 'kc']) {
      const r = await req('POST', '/os-keypairs', { keypair: { name, public_key: RSA } });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
    const dup = await req('POST', '/os-keypairs', { keypair: { name: 'ka', public_key: RSA } });
    expect([dup.status, dup.body.conflictingRequest?.message]).to.deep.equal([409, "Key pair 'ka' already exists."]);
    const p1 = await req('GET', '/os-keypairs?limit=2');
    expect(p1.body.keypairs.map((k: Json) => k.keypair.name)).to.deep.equal(['ka', 'kb']);
    expect((await req('GET', '/os-keypairs?marker=kb')).body.keypairs.map((k: Json) => k.keypair.name)).to.deep.equal(['kc']);
    const shown = (await req('GET', '/os-keypairs/kb')).body.keypair;
    expect(shown).to.include({ name: 'kb', public_key: RSA, fingerprint: 'ef:0c:fd:c5:7c:43:e4:c2:9d:71:cd:7f:5b:e0:4c:a0', type: 'ssh', deleted: false });
    const s = await req('POST', '/servers', { server: { name: 'k', flavorRef: '1', key_name: 'kc' } });
    expect(s.status, JSON.stringify(s.body)).to.equal(202);
    expect((await req('GET', `/servers/${s.body.server.id}`)).body.server.key_name).to.equal('kc');
    for (const name of ['ka', 'kb', 'kc']) expect((await req('DELETE', `/os-keypairs/${name}`)).status).to.equal(204);
    expect((await req('GET', '/os-keypairs')).body.keypairs).to.deep.equal([]);
  });
});
