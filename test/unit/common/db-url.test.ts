import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseDatabaseUrl } from '../../../common/db';
import { HostRotation } from '../../../common/db/host-failover';

describe('database URLs', () => {
  it('parses a single host as before', () => {
    expect(parseDatabaseUrl('mysql+pymysql://nova:s%40cret@db.example:3307/nova?charset=utf8')).to.deep.equal({
      type: 'mysql', host: 'db.example', port: 3307, hosts: [{ host: 'db.example', port: 3307 }],
      username: 'nova', password: 's@cret', database: 'nova',
    });
    expect(parseDatabaseUrl('mysql://u:p@h/c')).to.include({ host: 'h', port: 3306 });
  });

  it('parses a comma-separated host list in failover order, default port per host', () => {
    const p = parseDatabaseUrl('mysql://attachd:pw@127.0.0.1:4001,10.0.0.2,[::1]:4003/cinder');
    expect(p).to.deep.include({
      host: '127.0.0.1', port: 4001, username: 'attachd', password: 'pw', database: 'cinder',
      hosts: [{ host: '127.0.0.1', port: 4001 }, { host: '10.0.0.2', port: 3306 }, { host: '::1', port: 4003 }],
    });
  });

  it('takes the local server\'s socket from ?unix_socket=, as oslo.db and PyMySQL do', () => {
    expect(parseDatabaseUrl('mysql+pymysql://nova:pw@/nova?charset=utf8&unix_socket=/run/mysqld/mysqld.sock')).to.deep.include({
      socketPath: '/run/mysqld/mysqld.sock', database: 'nova', username: 'nova',
    });
    expect(parseDatabaseUrl('mysql://u:p@h/c?charset=utf8')).not.to.have.property('socketPath');
    for (const [url, why] of [['mysql://u:topsecret@/c?unix_socket=run/x.sock', /absolute path/], ['mysql://u:topsecret@h1,h2/c?unix_socket=/x.sock', /several hosts/]] as const) {
      let msg = '';
      try { parseDatabaseUrl(url); } catch (e) { msg = (e as Error).message; }
      expect(msg, url).to.match(why).and.not.match(/topsecret/);
    }
  });

  it('rejects a bad host list without echoing the password', () => {
    for (const url of ['mysql://u:topsecret@h1:1,h2:x/db', 'mysql://u:topsecret@h1,,h2/db', 'mysql://u:topsecret@h1:99999/db']) {
      let msg = '';
      try { parseDatabaseUrl(url); } catch (e) { msg = (e as Error).message; }
      expect(msg, url).to.match(/Invalid database URL/).and.not.match(/topsecret/);
    }
    expect(() => parseDatabaseUrl('mysql://u:p@h1,h2/')).to.throw(/no database name/);
  });
});

describe('database host failover (HostRotation)', () => {
  const servers: Server[] = [];
  after(() => { for (const s of servers) s.close(); });

  const listen = (greeting: string): Promise<number> => new Promise((resolve) => {
    const s = createServer((c) => c.end(greeting)).listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
    servers.push(s);
  });
  const closedPort = async (): Promise<number> => {
    const s = createServer();
    const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
    await new Promise((r) => s.close(r));
    return port;
  };
  const read = (d: Duplex): Promise<string> => new Promise((resolve, reject) => {
    let out = '';
    d.on('data', (b: Buffer) => { out += b.toString(); });
    d.on('end', () => resolve(out));
    d.on('error', reject);
  });

  it('skips a refusing host, then sticks to the one that answered', async () => {
    const dead = await closedPort();
    const b = await listen('node-b');
    const c = await listen('node-c');
    const rot = new HostRotation([{ host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: b }, { host: '127.0.0.1', port: c }]);
    expect(await read(rot.factory()())).to.equal('node-b');
    expect(rot.order()[0].index).to.equal(1);
    expect(await read(rot.factory()())).to.equal('node-b');
  });

  it('fails with the last error when no host answers', async () => {
    const rot = new HostRotation([{ host: '127.0.0.1', port: await closedPort() }, { host: '127.0.0.1', port: await closedPort() }]);
    const err = await read(rot.factory()()).catch((e: unknown) => e);
    expect((err as { code?: string }).code).to.equal('ECONNREFUSED');
  });
});
