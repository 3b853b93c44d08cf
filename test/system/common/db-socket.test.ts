// A database URL with ?unix_socket= reaches the private MariaDB through its socket, not TCP:
// the server sees the session come from localhost, and the project's migrations and reads work.
import { expect } from 'chai';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { createTestDatabase, requireServersDir, viaSocket } from '../../support/servers';

describe('database over the local socket (?unix_socket=)', function () {
  let ds: DataSource | undefined;
  let drop: (() => Promise<void>) | undefined;
  after(async () => {
    await ds?.destroy();
    await drop?.();
  });

  it('connects through the socket, migrates and reads', async function () {
    const socket = join(requireServersDir(this), 'db', 'mysqld.sock');
    const db = await createTestDatabase(this, 'cinder');
    drop = db.drop;
    ds = await openCinderDatabase(viaSocket(db.url, socket), { migrate: true });
    const [{ who }] = await ds.query('SELECT USER() AS who') as Array<{ who: string }>;
    expect(who).to.match(/@localhost$/);
    expect(await new CinderDB(ds).typeGetByName('__DEFAULT__')).to.include({ name: '__DEFAULT__' });
  });
});
