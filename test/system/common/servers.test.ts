// The suite really talks to RabbitMQ and MariaDB: a message round-trips through the broker and
// a row through the database, using the same URL parsing the services use. The fault helpers
// crash the broker for real (SIGKILL of its VM) and boot it again on the same data.
import { expect } from 'chai';
import * as amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { createDataSource, connectDataSource, isMysql } from '../../../common/db';
import { bootBroker, createTestDatabase, killBroker, requireServersDir, requireTransportUrl, syncBroker } from '../../support/servers';

/** Whether something accepts TCP connections on the broker URL's host:port. */
function accepts(url: string): Promise<boolean> {
  const u = new URL(url.replace(/^[a-z0-9+]+:/i, 'http:'));
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port || 5672) });
    const done = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.setTimeout(3000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

describe('integration: private servers', () => {
  it('round-trips a message through RabbitMQ', async function () {
    const url = await requireTransportUrl(this);
    const conn = await amqp.connect(url.replace(/^rabbit:/, 'amqp:'));
    try {
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      const body = randomUUID();
      ch.sendToQueue(queue, Buffer.from(body));
      const got = await new Promise<string>((resolve) => {
        void ch.consume(queue, (m) => m && resolve(m.content.toString()), { noAck: true });
      });
      expect(got).to.equal(body);
    } finally {
      await conn.close();
    }
  });

  it('broker-kill closes the broker port; broker-boot brings it back with durable queues only', async function () {
    this.timeout(180_000);
    const url = await requireTransportUrl(this);
    requireServersDir(this);
    const amqpUrl = url.replace(/^rabbit:/, 'amqp:');
    const [durable, transient] = [`kill-durable-${randomUUID()}`, `kill-transient-${randomUUID()}`];
    const before = await amqp.connect(amqpUrl);
    const ch = await before.createChannel();
    await ch.assertQueue(durable, { durable: true });
    await ch.assertQueue(transient, { durable: false });
    await before.close();
    // A crash straight after the declare may come before Mnesia wrote it down.
    await syncBroker(this);

    let down = false;
    try {
      down = true;
      await killBroker(this);
      expect(await accepts(url), 'broker port after broker-kill').to.equal(false);
      await bootBroker(this);
      down = false;
      const after = await amqp.connect(amqpUrl);
      try {
        const c = await after.createChannel();
        c.on('error', () => undefined); // a missing queue closes the channel: the check below fails the test
        expect((await c.checkQueue(durable)).queue).to.equal(durable);
        await c.deleteQueue(durable);
        // checkQueue of a missing queue closes the channel with 404.
        const gone = await after.createChannel();
        gone.on('error', () => undefined);
        const err = await gone.checkQueue(transient).then(() => null, (e: { code?: number }) => e);
        expect(err?.code, 'transient queue after the crash').to.equal(404);
      } finally {
        await after.close();
      }
    } finally {
      // Later tests need the broker up, whatever failed here.
      if (down) await bootBroker();
    }
  });

  it('round-trips a row through MariaDB', async function () {
    const db = await createTestDatabase(this, 'cinder');
    const ds = await connectDataSource(createDataSource({ url: db.url, entities: [], migrations: [], name: 'test' }), 'test');
    try {
      expect(isMysql(ds)).to.equal(true);
      const [{ v }] = await ds.query('SELECT VERSION() AS v');
      expect(String(v)).to.match(/MariaDB/);
      await ds.query('CREATE TABLE t (id VARCHAR(36) PRIMARY KEY, n INT)');
      const id = randomUUID();
      await ds.query('INSERT INTO t VALUES (?, ?)', [id, 42]);
      const rows = await ds.query('SELECT n FROM t WHERE id = ?', [id]);
      expect(rows).to.deep.equal([{ n: 42 }]);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
