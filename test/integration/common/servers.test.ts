// The suite really talks to RabbitMQ and MariaDB: a message round-trips through the broker and
// a row through the database, using the same URL parsing the services use.
import { expect } from 'chai';
import * as amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { createDataSource, connectDataSource, isMysql } from '../../../common/db';
import { createTestDatabase, requireTransportUrl } from '../../support/servers';

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
