// [oslo_messaging_notifications] driver on the real broker: cinder-volume and cinder-api send
// nothing without a driver (oslo's default) and messagingv2 notifications with one.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { NotificationListener, Target, getRpcTransport, type Notification, type Transport } from '../../../common/rpc';
import { requireTransportUrl } from '../../support/servers';
import { waitFor } from '../../support/processes';
import { startCinder, type Cinder } from '../../functional/cinder/cinder-stack';

describe('notification driver option on RabbitMQ', function () {
  this.timeout(60_000);
  const stacks: Cinder[] = [];
  let transport: Transport | null = null;
  let listener: NotificationListener | null = null;

  after(async () => {
    await listener?.stop();
    await transport?.close();
    for (const s of stacks) await s.stop();
  });

  it('no driver: nothing on notifications.info; messagingv2: volume.create.* published', async function () {
    const url = await requireTransportUrl(this);
    const hex = randomBytes(3).toString('hex');
    const got: Notification[] = [];
    transport = getRpcTransport(url);
    listener = new NotificationListener(transport, [new Target({ topic: 'notifications' })], { onMessage: (n) => { got.push(n); } },
      { pool: `notify-driver-${hex}`, priorities: ['info'] });
    await listener.start();
    const start = async (host: string, driver: string | null): Promise<Cinder> => {
      const c = await startCinder({
        DEFAULT: { transport_url: url, host },
        ...(driver ? { oslo_messaging_notifications: { driver } } : {}),
      });
      stacks.push(c);
      return c;
    };
    const silent = await start(`silent${hex}`, null);
    const loud = await start(`loud${hex}`, 'messagingv2');
    await silent.createVolume();
    const id = await loud.createVolume();
    await waitFor(() => got.some((n) => n.eventType === 'volume.create.end' && (n.payload as { volume_id?: string }).volume_id === id),
      10_000, 'volume.create.end from the messagingv2 service', 20);
    const publishers = new Set(got.map((n) => n.publisherId));
    expect([...publishers].filter((p) => p?.includes(`silent${hex}`))).to.deep.equal([]);
    expect(publishers.has(`volume.loud${hex}@fake`)).to.equal(true);
  });
});
