// The fault audit's broker check (test/support/queue-audit.ts) must see what it is there for:
// a cast nobody took, a queue nobody consumes, a queue that is not there.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { requireTransportUrl } from '../../support/servers';
import { amqpUrlOf, queueDrift } from '../../support/queue-audit';

describe('the fault audit\'s queue check', function () {
  this.timeout(30_000);
  let url: string;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  const q = `audit_${randomBytes(4).toString('hex')}`;

  before(async function () {
    url = await requireTransportUrl(this);
    conn = await amqp.connect(amqpUrlOf(url));
    ch = await conn.createChannel();
    await ch.assertQueue(q, { durable: false, autoDelete: false });
  });
  after(async () => {
    await ch?.deleteQueue(q).catch(() => undefined);
    await conn?.close().catch(() => undefined);
  });

  it('reports a waiting message and a missing consumer, then nothing once consumed', async () => {
    ch.sendToQueue(q, Buffer.from('{}'));
    let left: string[] = [];
    // The publish is asynchronous on a plain channel: wait until the broker counts it.
    for (let i = 0; i < 50 && !left.some((l) => l.includes('not delivered')); i++) left = await queueDrift(url, [q]);
    expect(left).to.deep.equal([`queue ${q}: 1 message(s) not delivered`, `queue ${q}: no consumer`]);
    const got = new Promise<void>((resolve) => { void ch.consume(q, (m) => { if (m) { ch.ack(m); resolve(); } }); });
    await got;
    expect(await queueDrift(url, [q])).to.deep.equal([]);
  });

  it('reports a queue that is not there', async () => {
    const left = await queueDrift(url, [`${q}_missing`]);
    expect(left).to.have.length(1);
    expect(left[0]).to.match(new RegExp(`^queue ${q}_missing: .*NOT_FOUND`));
  });

  it('reads a multi-host transport URL as its first host', () => {
    expect(amqpUrlOf('rabbit://u:p@h1:5672,v:q@h2:5673/vh')).to.equal('amqp://u:p@h1:5672/vh');
    expect(amqpUrlOf('rabbit://u:p@h1:5672,h2:5673/')).to.equal('amqp://u:p@h1:5672/');
    expect(amqpUrlOf('rabbit://h1')).to.equal('amqp://h1/');
  });
});
